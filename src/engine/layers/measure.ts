/**
 * Per-layer statistics of a training step (definitions in stats.ts), computed from the layers' live buffers.
 * All sums in float64.
 */
import { isReluFamily, isSaturating } from '../activations';
import type { LayerSeries } from '../stats';
import type { Layer, ParamTensor } from './layer';

export function sumOfSquares(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return s;
}

export function countNonFinite(a: Float32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) n++;
  return n;
}

/** Population mean and standard deviation (two passes). */
export function meanAndStd(a: Float32Array): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]!;
  const mean = sum / a.length;
  let squares = 0;
  for (let i = 0; i < a.length; i++) squares += (a[i]! - mean) * (a[i]! - mean);
  return { mean, std: Math.sqrt(squares / a.length) };
}

/** Fraction of pre-activations with |z| > threshold, over batch × units. */
export function saturatedFraction(z: Float32Array, threshold: number): number {
  let n = 0;
  for (let i = 0; i < z.length; i++) if (Math.abs(z[i]!) > threshold) n++;
  return n / z.length;
}

/** Fraction of units whose pre-activation is ≤ 0 for every sample of the batch (z is rows × cols). */
export function deadFraction(z: Float32Array, rows: number, cols: number): number {
  let dead = 0;
  for (let c = 0; c < cols; c++) {
    let alive = false;
    for (let r = 0; r < rows && !alive; r++) alive = z[r * cols + c]! > 0;
    if (!alive) dead++;
  }
  return dead / cols;
}

export function emptySeries(): LayerSeries {
  return {
    gradNorm: [], biasGradNorm: [], weightNorm: [], updateRatio: [], outputGradNorm: [],
    activationMean: [], activationStd: [], saturatedFraction: [], deadFraction: [], nonFiniteCount: [],
  };
}

/** What the trainer knows about the step's parameter tensors, indexed like model.parameters(). */
export interface StepTensorStats {
  /** ‖grad‖² before weight decay and clipping. */
  gradSq: Float64Array;
  /** ‖data‖² before the update and ‖Δdata‖² of the update; null when no update was applied this step. */
  normSqBefore: Float64Array | null;
  deltaNormSq: Float64Array | null;
}

/** Appends one recorded step of `layer` to `series`. weightIndex/biasIndex: positions in the parameter list, or −1. */
export function recordLayer(series: LayerSeries, layer: Layer, weightIndex: number, biasIndex: number,
  tensors: StepTensorStats, saturationThreshold: number): void {
  series.gradNorm.push(weightIndex >= 0 ? Math.sqrt(tensors.gradSq[weightIndex]!) : NaN);
  series.biasGradNorm.push(biasIndex >= 0 ? Math.sqrt(tensors.gradSq[biasIndex]!) : NaN);
  series.weightNorm.push(layer.weight ? weightNormBefore(layer.weight, weightIndex, tensors) : NaN);
  series.updateRatio.push(layer.weight && tensors.deltaNormSq && tensors.normSqBefore
    ? Math.sqrt(tensors.deltaNormSq[weightIndex]!) / Math.sqrt(tensors.normSqBefore[weightIndex]!)
    : NaN);
  series.outputGradNorm.push(Math.sqrt(sumOfSquares(layer.outputGrad)));
  const { mean, std } = meanAndStd(layer.output);
  series.activationMean.push(mean);
  series.activationStd.push(std);
  const op = layer.activation;
  const z = layer.preActivation;
  series.saturatedFraction.push(op && z && isSaturating(op.name) ? saturatedFraction(z, saturationThreshold) : NaN);
  series.deadFraction.push(op && z && isReluFamily(op.name) ? deadFraction(z, z.length / layer.outputWidth, layer.outputWidth) : NaN);
  series.nonFiniteCount.push(layerNonFiniteCount(layer));
}

function weightNormBefore(weight: ParamTensor, index: number, tensors: StepTensorStats): number {
  return Math.sqrt(tensors.normSqBefore ? tensors.normSqBefore[index]! : sumOfSquares(weight.data));
}

/** Non-finite values in the layer's own parameters, their gradients and its output. */
function layerNonFiniteCount(layer: Layer): number {
  let n = countNonFinite(layer.output);
  for (const p of layer.params) n += countNonFinite(p.data) + countNonFinite(p.grad);
  return n;
}
