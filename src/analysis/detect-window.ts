/** The recordings a measured rule judges, and the robust statistics every rule shares (detect.ts, detect-layers.ts). */
import type { TrainResult } from '../engine/stats';

/**
 * The recordings gradient ratios are judged on: every recording after step 0 (step 0 alone when it is the only
 * one), without the final one when training stopped on a non-finite value (that step's gradients are not numbers).
 */
export function gradientWindow(result: TrainResult): number[] {
  let n = result.recordedSteps.length;
  if (result.stopped?.reason === 'non-finite' && n > 1) n--;
  const window: number[] = [];
  for (let k = 0; k < n; k++) if (result.recordedSteps[k]! >= 1) window.push(k);
  return window.length > 0 ? window : n > 0 ? [0] : [];
}

/** Median of the values that are not NaN (NaN when none is). */
export function median(values: number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const m = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

/** The first recorded step at which `holds(k)`, or undefined. */
export function onsetOf(result: TrainResult, holds: (k: number) => boolean): number | undefined {
  for (let k = 0; k < result.recordedSteps.length; k++) if (holds(k)) return result.recordedSteps[k];
  return undefined;
}
