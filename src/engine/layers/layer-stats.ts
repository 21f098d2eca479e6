/**
 * Per-layer statistics of a training step (definitions in stats.ts), computed from the layers' live buffers.
 * All sums in float64. recordLayer runs the kernels through the model's backend (the reference ones in
 * ../reference-kernels.ts, SIMD versions in wasm/statistics-codegen.ts).
 */
import { isReluFamily, isSaturating } from '../activations';
import type { Backend } from '../backend';
import { countAbsAbove, countDeadUnits, squaredDeviations, sum } from '../reference-kernels';
import type { LayerSeries } from '../stats';
import type { Layer, ParamTensor } from './layer';

/** The reference kernels as a backend supplies them (the pure-TypeScript ones by default). */
type Primitives = Pick<Backend, 'sum' | 'squaredDeviations' | 'countAbsAbove' | 'countDeadUnits'>;
const REFERENCE: Primitives = { sum, squaredDeviations, countAbsAbove, countDeadUnits };

/** Population mean and standard deviation (two passes). */
export function meanAndStd(a: Float32Array, k: Primitives = REFERENCE): { mean: number; std: number } {
  const mean = k.sum(a) / a.length;
  return { mean, std: Math.sqrt(k.squaredDeviations(a, mean) / a.length) };
}

/** Fraction of pre-activations with |z| > threshold, over batch × units. */
export function saturatedFraction(z: Float32Array, threshold: number, k: Primitives = REFERENCE): number {
  return k.countAbsAbove(z, threshold) / z.length;
}

/** Fraction of units whose pre-activation is ≤ 0 for every sample of the batch (z is rows × cols). */
export function deadFraction(z: Float32Array, rows: number, cols: number, k: Primitives = REFERENCE): number {
  return k.countDeadUnits(z, rows, cols) / cols;
}

export function emptySeries(): LayerSeries {
  return {
    gradNorm: [],
    biasGradNorm: [],
    weightNorm: [],
    updateRatio: [],
    outputGradNorm: [],
    activationMean: [],
    activationStd: [],
    saturatedFraction: [],
    deadFraction: [],
    nonFiniteCount: [],
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
export function recordLayer(
  series: LayerSeries,
  layer: Layer,
  /**
   * Where the unit fractions come from: the same layer in the probe model after its forward pass (probe.ts), the
   * step's mini-batch ('batch'), or nowhere at this recording ('none': NaN).
   */
  probed: Layer | 'batch' | 'none',
  weightIndex: number,
  biasIndex: number,
  tensors: StepTensorStats,
  saturationThreshold: number,
  backend: Backend,
): void {
  series.gradNorm.push(weightIndex >= 0 ? Math.sqrt(tensors.gradSq[weightIndex]!) : NaN);
  series.biasGradNorm.push(biasIndex >= 0 ? Math.sqrt(tensors.gradSq[biasIndex]!) : NaN);
  series.weightNorm.push(layer.weight ? weightNormBefore(layer.weight, weightIndex, tensors, backend) : NaN);
  series.updateRatio.push(
    layer.weight && tensors.deltaNormSq && tensors.normSqBefore
      ? Math.sqrt(tensors.deltaNormSq[weightIndex]!) / Math.sqrt(tensors.normSqBefore[weightIndex]!)
      : NaN,
  );
  series.outputGradNorm.push(Math.sqrt(backend.sumOfSquares(layer.outputGrad)));
  const { mean, std } = meanAndStd(layer.output, backend);
  series.activationMean.push(mean);
  series.activationStd.push(std);
  const op = layer.activation;
  const z = probed === 'none' ? null : (probed === 'batch' ? layer : probed).preActivation;
  series.saturatedFraction.push(
    op && z && isSaturating(op.name) ? saturatedFraction(z, saturationThreshold, backend) : NaN,
  );
  const source = probed === 'none' ? null : probed === 'batch' ? layer : probed;
  if (op && isReluFamily(op.name) && layer.deadChannels) {
    series.deadFraction.push(recordDeadChannels(series, source));
  } else {
    // The activation's own width: a recurrent layer's z holds every step ([steps·batch][units]), so a unit is dead
    // when it is off at every step of every sample.
    const units = op ? op.units : layer.outputWidth;
    series.deadFraction.push(
      op && z && isReluFamily(op.name) ? deadFraction(z, z.length / units, units, backend) : NaN,
    );
  }
  series.nonFiniteCount.push(layerNonFiniteCount(layer, backend));
  recordTimeSeries(series, layer, probed, saturationThreshold);
}

/**
 * Recurrent layers: ‖∂loss/∂h_t‖ per step from the step's backward pass; LSTM/GRU gate saturation from the same
 * source as the unit fractions (the probe's forward pass, else the mini-batch; NaN at recordings without a probe).
 */
function recordTimeSeries(
  series: LayerSeries,
  layer: Layer,
  probed: Layer | 'batch' | 'none',
  threshold: number,
): void {
  if (layer.timeGradNorms) (series.timeGradNorm ??= []).push(Array.from(layer.timeGradNorms()));
  if (!layer.gateSaturation) return;
  const gates = (series.gateSaturation ??= {});
  const source = probed === 'none' ? null : probed === 'batch' ? layer : probed;
  // Gate names from the layer itself when this is the first recording and it has no probe (never in practice:
  // the first recording always probes).
  const fractions = (source ?? (Object.keys(gates).length === 0 ? layer : null))?.gateSaturation?.(threshold);
  const names = fractions ? Object.keys(fractions) : Object.keys(gates);
  for (const name of names) (gates[name] ??= []).push(source && fractions ? fractions[name]! : NaN);
}

/**
 * Conv layers: a unit is a filter. Appends the per-filter dead flags of `source`'s last forward pass to
 * channelDead ([] when nothing was measured at this recording, so the series stays aligned and NaN-free) and
 * returns the fraction of dead filters (NaN when unmeasured).
 */
function recordDeadChannels(series: LayerSeries, source: Layer | null): number {
  const record = (series.channelDead ??= []);
  const flags = source?.deadChannels?.();
  if (!flags) {
    record.push([]);
    return NaN;
  }
  let dead = 0;
  for (let f = 0; f < flags.length; f++) dead += flags[f]!;
  record.push(Array.from(flags));
  return dead / flags.length;
}

function weightNormBefore(weight: ParamTensor, index: number, tensors: StepTensorStats, backend: Backend): number {
  return Math.sqrt(tensors.normSqBefore ? tensors.normSqBefore[index]! : backend.sumOfSquares(weight.data));
}

/** Non-finite values in the layer's own parameters, their gradients and its output. */
function layerNonFiniteCount(layer: Layer, backend: Backend): number {
  let n = backend.countNonFinite(layer.output);
  const params = layer.params;
  for (let i = 0; i < params.length; i++)
    n += backend.countNonFinite(params[i]!.data) + backend.countNonFinite(params[i]!.grad);
  return n;
}
