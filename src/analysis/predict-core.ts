/**
 * What the mean-field walks of predict.ts and predict-layers.ts share: the per-layer prediction, the signal between
 * layers, the trace the backward walk reads, and the initialiser and saturation formulas.
 */
import type { ActivationConfig, InitConfig, LayerConfig, LayerKind } from '../engine/config';
import { gaussianTail } from './quadrature';

export interface LayerPrediction {
  /** JSON Pointer, same as the engine's LayerInfo.path. */
  path: string;
  kind: LayerKind;
  /** Pre-activation second moment q = E[z²] (dense), or variance of the layer's output where no pre-activation exists. */
  preActivationVariance: number;
  /**
   * Backward gain of this layer: factor by which the total squared gradient norm (summed over the layer's
   * units, per sample) is multiplied crossing it from output to input. Dense: χ = σ_w²·E[φ'(z)²] (mean field);
   * residual: skip gain + the branch's gain at its typical (finite-width) value, as the backward walk has it.
   */
  gain: number;
  /** Predicted gradient norm of this layer's weights relative to the output layer's weights (output layer = 1); NaN without weights. */
  relativeGradNorm: number;
  /** Predicted fraction of saturated units (sigmoid/tanh |z| > threshold), or of inactive units (ReLU: z ≤ 0); NaN when n/a. */
  saturatedFraction: number;
  /** σ_w² = Var(W)·fan-in implied by the init (dense and conv weights, residual projection, W_ih); NaN otherwise. */
  weightVariance: number;
  /** Recurrent layers: the gradient through time (predict-recurrent.ts). */
  recurrent?: RecurrentFlow;
}

/** The predicted gradient flow through time of a recurrent layer. */
export interface RecurrentFlow {
  steps: number;
  /** Per-step gain of ‖∂L/∂h_t‖ backward through the recurrent Jacobian, at the fixed point. */
  stepGain: number;
  /** LSTM: the forget gate's mean; GRU: the update gate's; NaN for simple_rnn. */
  carryGain: number;
  /** Predicted ‖∂L/∂h_0‖ / ‖∂L/∂h_{T−1}‖, the ratio the vanishing/exploding-through-time rules judge. */
  timeRatio: number;
  /** σ_u² of the recurrent kernel (Var × units). */
  recurrentWeightVariance: number;
}

/** Per-unit statistics of the signal between layers. */
export interface Signal {
  width: number;
  /** Per-sample shape (product = width): [features], [C, L], [C, H, W] or [steps, features]. */
  shape: readonly number[];
  /**
   * When the signal is φ(z) of one Gaussian pre-activation z ~ N(mean, variance) (the output of a dense, conv or
   * activation layer): max pooling takes the maximum of z, not of a Gaussian with the signal's moments.
   */
  source?: { activation: ActivationConfig; mean: number; variance: number };
  mean: number;
  /** Second moment E[h²]. */
  m2: number;
  /**
   * Covariance of one unit between two different samples, Cov(h_a, h_b) (Poole et al.'s q_ab minus the mean²):
   * a per-unit offset shared by the whole batch. BatchNorm removes it; the batch variance is m − μ² − this.
   */
  sampleCov: number;
  /**
   * How many independent terms each unit sums (the fan-in of the dense layer that made it; Infinity after
   * BatchNorm and for data): with few terms the per-unit variances spread, which BatchNorm's 1/σ feels.
   */
  fanIn: number;
  /** Every unit carries the same value (after a constant-initialised layer: the symmetry is never broken). */
  tied: boolean;
}

/** What the backward walk needs from the forward walk, per layer path. */
export interface Trace {
  prediction: LayerPrediction;
  /** log of the per-layer backward factors (see backwardChain). */
  logActivationGain: number;
  logWeightGain: number;
  /** −V_b/2: typical-value shift of the backward squared norm. */
  logTypicalShift: number;
  /** log ‖h_in‖² per sample (weight-gradient forward factor). */
  logInputSqNorm: number;
  /** BatchNorm, dropout, activation layers: log of their whole gain. */
  logGain: number;
  /** Dense: constant (or zero) weights, so Wᵀδ = c·Σᵢδᵢ is the same for every input unit. */
  constantWeights: boolean;
  /** log n_out of a dense layer (a tied δ sums coherently through constant weights). */
  logUnits: number;
  /** Whether the layer's output is tied in the forward pass (elementwise layers keep a tied gradient tied). */
  outputTied: boolean;
  /** Conv layers: what the spatial coherence of the weight gradient needs (predict-layers.ts, forwardConv). */
  spatial?: { positions: number; inputShare: number; maskCoherence: number };
  /**
   * Layers over positions: the shared fraction of the gradient at their input, from the one at their output
   * (global average: 1; max pooling: ÷ window; flatten below a dense layer: 0). Absent: unchanged.
   */
  shareIn?: (share: number) => number;
}

export interface Context {
  threshold: number;
  batchSize: number;
  outputPath: string;
  fusedOutput: boolean;
  traces: Map<string, Trace>;
  order: LayerPrediction[];
}

export function addSimple(
  layer: LayerConfig,
  ctx: Context,
  gain: number,
  out: Signal,
  saturatedFraction: number,
): void {
  const prediction: LayerPrediction = {
    path: layer.path,
    kind: layer.kind,
    preActivationVariance: out.m2 - out.mean * out.mean,
    gain,
    relativeGradNorm: NaN,
    saturatedFraction,
    weightVariance: NaN,
  };
  addTrace(ctx, prediction, {
    logActivationGain: 0,
    logWeightGain: 0,
    logTypicalShift: 0,
    logInputSqNorm: NaN,
    logGain: Math.log(gain),
    constantWeights: false,
    logUnits: 0,
    outputTied: out.tied,
  });
}

export function addTrace(ctx: Context, prediction: LayerPrediction, rest: Omit<Trace, 'prediction'>): Trace {
  const trace = { prediction, ...rest };
  ctx.traces.set(prediction.path, trace);
  ctx.order.push(prediction);
  return trace;
}

/** σ_w² = Var(Wᵢⱼ)·n_in for each initialiser (engine/init.ts, PyTorch fans: fan_in = n_in, fan_out = n_out). */
export function weightVarianceTimesFanIn(init: InitConfig, fanIn: number, fanOut: number): number {
  switch (init.name) {
    case 'zeros':
      return 0;
    case 'constant':
      return fanIn * init.scale * init.scale; // no variance at all: every unit identical (symmetry)
    case 'uniform':
      return (fanIn * init.scale * init.scale) / 3; // Var U(−a, a) = a²/3
    case 'normal':
      return fanIn * init.scale * init.scale;
    case 'glorot_uniform':
    case 'glorot_normal':
      return (2 * fanIn) / (fanIn + fanOut);
    case 'he_uniform':
    case 'he_normal':
      return 2;
    case 'lecun_uniform':
    case 'lecun_normal':
      return 1;
    // Orthonormal rows (out ≤ in) or columns (out ≥ in): Σ Wᵢⱼ² = min(in, out), so Var = g²/max(in, out).
    case 'orthogonal':
      return (init.scale * init.scale * fanIn) / Math.max(fanIn, fanOut);
    // gain × I (square): Σ Wᵢⱼ² = g²·n, Var = g²/n.
    case 'identity':
      return init.scale * init.scale;
  }
}

/** sigmoid/tanh: P(|z| > threshold); ReLU: P(z ≤ 0) (inactive units); NaN for other activations. */
export function saturation(a: ActivationConfig, mean: number, variance: number, threshold: number): number {
  if (a.name === 'sigmoid' || a.name === 'tanh') {
    return Math.min(1, gaussianTail(threshold, mean, variance) + gaussianTail(threshold, -mean, variance)); // erfc is good to 1e-7
  }
  if (a.name === 'relu') return 1 - gaussianTail(0, mean, variance);
  return NaN;
}
