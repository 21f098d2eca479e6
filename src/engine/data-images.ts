/**
 * Image tasks for convolutional models, x laid out [1, size, size] per sample (one channel, row-major): bars and
 * outlined shapes drawn here, and handwritten digits sampled from raw images the caller loads (the engine reads no
 * files). Deterministic given the Rng.
 */
import { balancedLabels, type LabelledPoints } from './data';
import type { Rng } from './rng';

/** Raw handwritten digits: `count` images of side × side pixels in [0, 1], row-major, with their labels 0–9. */
export interface DigitImages {
  pixels: Float32Array;
  labels: Uint8Array;
  count: number;
  side: number;
}

/**
 * Bars: class 0 a horizontal bar, class 1 a vertical one; pixels 1 on the bar, 0 elsewhere, plus N(0, noise²)
 * everywhere. The bar is one pixel thick, ⌈size/2⌉ to size pixels long, at a uniform row (column) and offset, so
 * neither position nor ink alone tells the classes apart: only orientation does. Labels balanced.
 */
export function makeBars(samples: number, size: number, noise: number, rng: Rng): LabelledPoints {
  const features = size * size;
  const x = new Float32Array(samples * features);
  const labels = balancedLabels(samples, 2, rng);
  const shortest = Math.ceil(size / 2);
  for (let i = 0; i < samples; i++) {
    const length = shortest + rng.int(size - shortest + 1);
    const line = rng.int(size);
    const start = rng.int(size - length + 1);
    const vertical = labels[i] === 1;
    for (let k = start; k < start + length; k++) {
      x[i * features + (vertical ? k * size + line : line * size + k)] = 1;
    }
    addNoise(x, i * features, features, noise, rng);
  }
  return { x, samples, features, labels, classes: 2 };
}

/** Class indices of the shapes source. */
export const SHAPE_CLASSES = ['square', 'circle', 'triangle'] as const;

/**
 * Outlines of a square (class 0), a circle (1) or a triangle pointing up (2), one pixel wide and anti-aliased
 * (ink max(0, 1 − distance to the outline), pixel centres at integer coordinates), plus N(0, noise²). The shape's
 * half extent h is uniform in [0.2, 0.45]·(size − 1) and its centre uniform where the shape fits inside the image,
 * so scale and position vary and only the form names the class. Labels balanced.
 */
export function makeShapes(samples: number, size: number, noise: number, rng: Rng): LabelledPoints {
  const features = size * size;
  const x = new Float32Array(samples * features);
  const labels = balancedLabels(samples, SHAPE_CLASSES.length, rng);
  for (let i = 0; i < samples; i++) {
    const half = rng.range(0.2, 0.45) * (size - 1);
    const cx = rng.range(half, size - 1 - half);
    const cy = rng.range(half, size - 1 - half);
    const distance = outlineDistance(labels[i]!, cx, cy, half);
    for (let row = 0; row < size; row++) {
      for (let col = 0; col < size; col++) {
        x[i * features + row * size + col] = Math.max(0, 1 - distance(col, row));
      }
    }
    addNoise(x, i * features, features, noise, rng);
  }
  return { x, samples, features, labels, classes: SHAPE_CLASSES.length };
}

/** Distance from point (px, py) to the outline of shape `label` centred at (cx, cy) with half extent `half`. */
function outlineDistance(label: number, cx: number, cy: number, half: number): (px: number, py: number) => number {
  if (label === 1) return (px, py) => Math.abs(Math.hypot(px - cx, py - cy) - half);
  const corners =
    label === 0
      ? [
          [cx - half, cy - half],
          [cx + half, cy - half],
          [cx + half, cy + half],
          [cx - half, cy + half],
        ]
      : [
          [cx, cy - half],
          [cx + half, cy + half],
          [cx - half, cy + half],
        ];
  return (px, py) => {
    let best = Infinity;
    for (let k = 0; k < corners.length; k++) {
      const [ax, ay] = corners[k]!;
      const [bx, by] = corners[(k + 1) % corners.length]!;
      best = Math.min(best, segmentDistance(px, py, ax!, ay!, bx!, by!));
    }
    return best;
  };
}

/** Euclidean distance from p to the segment ab (the projection clamped to the segment). */
function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

function addNoise(x: Float32Array, offset: number, count: number, noise: number, rng: Rng): void {
  if (noise === 0) return;
  for (let k = offset; k < offset + count; k++) x[k] = x[k]! + noise * rng.normal();
}

/**
 * `samples` distinct digits drawn without replacement (a seeded permutation of all of them, so classes keep the
 * frequencies of the raw set, about 10% each); pixels as given, in [0, 1]. The caller checks samples ≤ count.
 */
export function makeDigits(images: DigitImages, samples: number, rng: Rng): LabelledPoints {
  const features = images.side * images.side;
  const order = new Uint32Array(images.count);
  for (let i = 0; i < order.length; i++) order[i] = i;
  rng.shuffle(order);
  const x = new Float32Array(samples * features);
  const labels = new Uint32Array(samples);
  for (let i = 0; i < samples; i++) {
    const from = order[i]!;
    x.set(images.pixels.subarray(from * features, (from + 1) * features), i * features);
    labels[i] = images.labels[from]!;
  }
  return { x, samples, features, labels, classes: 10 };
}
