/** What the diagnosis reports: plain data tied to layers by JSON Pointer. */

export type FindingKind =
  | 'vanishing'
  | 'exploding'
  | 'divergence'
  | 'dead-relu'
  | 'saturation'
  | 'output-saturation'
  | 'poor-init'
  | 'learning-rate-high'
  | 'learning-rate-low'
  | 'not-learning'
  | 'vanishing-through-time'
  | 'exploding-through-time'
  | 'gate-saturation';

export type Severity = 'error' | 'warning' | 'info';

/** Higher is more severe. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { error: 3, warning: 2, info: 1 };

export interface Finding {
  kind: FindingKind;
  severity: Severity;
  /** 'measured' from the training run, 'predicted' from the static mean-field prediction. */
  source: 'measured' | 'predicted';
  /** Affected layers (JSON Pointers), in spec order. Empty for model-wide findings (e.g. divergence without a layer). */
  layers: string[];
  /** The layer the finding is compared with (e.g. the output layer for gradient ratios), if any. */
  reference: string | null;
  /** One sentence with the numbers. */
  message: string;
  /** Measured or predicted numbers per layer pointer (the main metric of the finding) and the threshold it crossed. */
  values: Record<string, number>;
  metric: string;
  threshold: number;
  /** Recorded steps the verdict was judged on (empty for predictions). */
  steps: number[];
  /** The first recorded step at which the condition held (measured findings). */
  onset?: number;
  /** The problem that came first and this one followed ("dying ReLU, then divergence"): its root cause. */
  after?: FindingKind;
  /** Over several seeds (seeds.ts): on how many of them the problem held, and its metric's range over those. */
  seeds?: SeedAgreement;
}

export interface SeedAgreement {
  held: number;
  of: number;
  /** The seeds (training.seed values) the runs used, in order. */
  seeds: number[];
  /** Smallest and largest value of the finding's main metric over the seeds where it held. */
  spread: [number, number];
}

export const FINDING_TITLES: Record<FindingKind, string> = {
  vanishing: 'vanishing gradient',
  exploding: 'exploding gradient',
  divergence: 'training diverged',
  'dead-relu': 'dying ReLU',
  saturation: 'saturated activations',
  'output-saturation': 'saturated output',
  'poor-init': 'poor initialisation',
  'learning-rate-high': 'learning rate too high',
  'learning-rate-low': 'learning rate too low',
  'not-learning': 'loss not decreasing',
  'vanishing-through-time': 'vanishing gradient through time',
  'exploding-through-time': 'exploding gradient through time',
  'gate-saturation': 'saturated gates',
};

/** "0–120, 180" — compresses a sorted list of recorded steps into ranges of consecutive recordings. */
export function describeSteps(steps: number[], recordedSteps: number[]): string {
  if (steps.length === 0) return '';
  const position = new Map(recordedSteps.map((s, i) => [s, i]));
  const parts: string[] = [];
  let start = steps[0]!;
  let prev = start;
  for (let i = 1; i <= steps.length; i++) {
    const s = steps[i];
    if (s !== undefined && position.get(s) === position.get(prev)! + 1) {
      prev = s;
      continue;
    }
    parts.push(start === prev ? `${start}` : `${start}–${prev}`);
    if (s !== undefined) start = prev = s;
  }
  return parts.join(', ');
}
