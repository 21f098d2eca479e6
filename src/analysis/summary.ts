/**
 * Per-layer summary of a training record: the numbers the CLI table, the hover and the plots show.
 * Pure: TrainResult in, plain rows out.
 */
import type { LayerInfo, TrainResult } from '../engine/stats';

export interface LayerSummary {
  path: string;
  kind: string;
  shape: string;
  activation: string | null;
  /** Weight-gradient norm at step 0 and at the last recorded step (NaN for layers without weights). */
  gradNormStart: number;
  gradNormEnd: number;
  /** gradNormStart / output layer's gradNormStart (NaN for layers without weights). */
  ratioStart: number;
  ratioEnd: number;
  /** Mean over recorded steps of the saturated / dead fraction (NaN when not applicable). */
  saturatedFraction: number;
  deadFraction: number;
}

export interface RunSummary {
  layers: LayerSummary[];
  outputIndex: number;
  lossStart: number;
  lossEnd: number;
  accuracyStart: number | null;
  accuracyEnd: number | null;
  stepsRun: number;
  timeMs: number;
}

/** Index of the output layer: the last top-level layer with a weight matrix (its gradient is the reference). */
export function outputLayerIndex(layers: LayerInfo[]): number {
  for (let i = layers.length - 1; i >= 0; i--) {
    if (layers[i]!.hasWeights && layers[i]!.parent === -1) return i;
  }
  for (let i = layers.length - 1; i >= 0; i--) if (layers[i]!.hasWeights) return i;
  return -1;
}

export function summarize(result: TrainResult): RunSummary {
  const outputIndex = outputLayerIndex(result.layers);
  const last = result.recordedSteps.length - 1;
  const outStart = outputIndex >= 0 ? result.series[outputIndex]!.gradNorm[0]! : NaN;
  const outEnd = outputIndex >= 0 ? result.series[outputIndex]!.gradNorm[last]! : NaN;
  const layers = result.layers.map((info, i): LayerSummary => {
    const s = result.series[i]!;
    const gradNormStart = info.hasWeights ? s.gradNorm[0]! : NaN;
    const gradNormEnd = info.hasWeights ? s.gradNorm[last]! : NaN;
    return {
      path: info.path,
      kind: info.kind,
      shape: `${info.inputWidth}→${info.outputWidth}`,
      activation: info.activation,
      gradNormStart,
      gradNormEnd,
      ratioStart: gradNormStart / outStart,
      ratioEnd: gradNormEnd / outEnd,
      saturatedFraction: mean(s.saturatedFraction),
      deadFraction: mean(s.deadFraction),
    };
  });
  return {
    layers,
    outputIndex,
    lossStart: result.loss.length > 0 ? result.loss[0]! : NaN,
    lossEnd: tailMean(result.loss),
    accuracyStart: result.accuracy.length > 0 ? result.accuracy[0]! : null,
    accuracyEnd: result.accuracy.length > 0 ? tailMean(result.accuracy) : null,
    stepsRun: result.stepsRun,
    timeMs: result.timeMs,
  };
}

/**
 * Mean of the last 5% of the values (at least one): per-batch loss is noisy, so the "end" value is smoothed.
 * NaN when the series is empty or ends non-finite (a diverged run must not look healthy).
 */
export function tailMean(values: number[]): number {
  const n = values.length;
  if (n === 0) return NaN;
  const k = Math.max(1, Math.round(n * 0.05));
  let sum = 0;
  for (let i = n - k; i < n; i++) sum += values[i]!;
  return sum / k;
}

function mean(values: number[]): number {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      sum += v;
      count++;
    }
  }
  return count === 0 ? NaN : sum / count;
}
