/**
 * The mean-field forward step of the layers beyond dense stacks (predict.ts walks them): convolution, pooling,
 * flatten, global average pooling, LayerNorm and recurrent layers. Each records its backward factors in a Trace,
 * in the same squared-norm bookkeeping as a dense layer (predict.ts, header).
 */
import type { ConvConfig, LayerNormConfig, PoolConfig, RecurrentConfig, GlobalAvgPoolConfig } from '../engine/config';
import {
  addSimple,
  addTrace,
  saturation,
  weightVarianceTimesFanIn,
  type Context,
  type LayerPrediction,
  type Signal,
} from './predict-core';
import { predictRecurrent } from './predict-recurrent';
import { averaged, convGeometry, maxOfWindow, poolGeometry } from './predict-spatial';
import { activationMoments, activationPair, gaussianExpectation } from './quadrature';

/** Positions per channel of a [C, …] shape (1 for flat features). */
export function positions(shape: readonly number[]): number {
  return shape.length > 1 ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
}

/** Channels of a [C, …] shape, the features of a flat one. */
export function channels(shape: readonly number[]): number {
  return shape.length > 1 ? shape[0]! : (shape[0] ?? 1);
}

/**
 * Conv + activation as a dense layer on the channel/position average (Xiao et al. 2018): σ_w² with fan_in =
 * C·kernel area, and ρ, the in-bounds fraction of the kernel's taps, on both the forward q and the backward χ.
 * The weight gradient ∂L/∂W[f,c,k] = Σ_p δ[f,p]·x[c,p+k] sums positions incoherently: ‖∂L/∂W‖² ≈ ‖δ‖²·C·k·m·ρ.
 */
export function forwardConv(layer: ConvConfig, s: Signal, ctx: Context): Signal {
  const geometry = convGeometry(layer, s.shape);
  const sw2 = weightVarianceTimesFanIn(layer.init, geometry.fanIn, geometry.fanOut);
  const rho = geometry.inBounds;
  const zMean = layer.biasInit;
  const zVariance = sw2 * s.m2 * rho;
  const zCov = sw2 * (s.mean * s.mean + s.sampleCov) * rho;
  const m = activationMoments(layer.activation, zMean, zVariance, layer.filters, zVariance > 0 ? zCov / zVariance : 0);
  // The typical-value shift of predict.ts over the filters: positions share a filter's weights, so the
  // independent terms of the χ² spread are the filters, not filters × positions.
  const backwardSpread = m.d2 > 0 ? (3 * m.d4 - m.d2 * m.d2) / (layer.filters * m.d2 * m.d2) : 0;
  const prediction: LayerPrediction = {
    path: layer.path,
    kind: layer.kind,
    preActivationVariance: zVariance + zMean * zMean,
    gain: sw2 * rho * m.d2,
    relativeGradNorm: NaN,
    saturatedFraction: saturation(layer.activation, zMean, zVariance, ctx.threshold),
    weightVariance: sw2,
  };
  addTrace(ctx, prediction, {
    logActivationGain: Math.log(m.d2),
    logWeightGain: Math.log(sw2 * rho),
    logTypicalShift: Number.isFinite(backwardSpread) ? -backwardSpread / 2 : 0,
    logInputSqNorm: Math.log(geometry.fanIn * s.m2 * rho),
    logGain: NaN,
    constantWeights: false,
    logUnits: 0,
    outputTied: false,
    spatial: {
      positions: positions(geometry.outputShape),
      // E[x_p·x_p′] of two positions of one channel: its mean and its offset shared across samples (and positions);
      // the correlation of overlapping receptive fields beyond that is not modelled.
      inputShare: s.m2 > 0 ? Math.min(1, Math.max(0, (s.mean * s.mean + s.sampleCov) / s.m2)) : 0,
      maskCoherence: maskCoherence(layer, zMean, zVariance, m.d2),
    },
  });
  const width = geometry.outputShape.reduce((a, b) => a * b, 1);
  return {
    width,
    shape: geometry.outputShape,
    mean: m.mean,
    m2: m.m2,
    sampleCov: m.cov,
    fanIn: geometry.fanIn,
    tied: false,
    source: { activation: layer.activation, mean: zMean, variance: zVariance },
  };
}

/** E[φ′]²/E[φ′²]: the part of a shared gradient the activation's derivative keeps shared (ReLU at mean 0: ½). */
function maskCoherence(layer: ConvConfig, mean: number, variance: number, d2: number): number {
  if (layer.activation.name === 'linear' || !(d2 > 0)) return 1;
  const { df, smooth } = activationPair(layer.activation);
  const d1 = gaussianExpectation(df, mean, variance, smooth);
  return Math.min(1, (d1 * d1) / d2);
}

/**
 * maxpool: the gradient of each output goes to its window's largest input, so the total squared norm crosses
 * unchanged (gain 1; overlapping windows add theirs incoherently); forward, the window's max (maxOfWindow).
 * avgpool: each input receives δ/A from every window it is in, so ‖∂L/∂x‖² = ‖δ‖²/A (A the window's area);
 * forward, the average of A positions taken as uncorrelated (averaged()).
 */
export function forwardPool(layer: PoolConfig, s: Signal, ctx: Context): Signal {
  const { outputShape, window } = poolGeometry(layer, s.shape);
  const width = outputShape.reduce((a, b) => a * b, 1);
  if (layer.kind === 'avgpool') {
    const out = { ...s, ...averaged(s.mean, s.m2, s.sampleCov, window), width, shape: outputShape };
    delete out.source;
    // Every input of a window receives the same δ/A: the shared part of the gradient stays shared.
    addSimple(layer, ctx, 1 / window, out, NaN);
    return out;
  }
  const source = s.source ?? null;
  const variance = Math.max(0, s.m2 - s.mean * s.mean);
  const max = source
    ? maxOfWindow(source.activation, source.mean, source.variance, window)
    : maxOfWindow(null, s.mean, variance, window);
  const spread = Math.max(0, max.m2 - max.mean * max.mean);
  const out: Signal = {
    width,
    shape: outputShape,
    mean: max.mean,
    m2: max.m2,
    sampleCov: Math.min(s.sampleCov, spread),
    fanIn: s.fanIn,
    tied: s.tied,
  };
  addSimple(layer, ctx, 1, out, NaN);
  // Each output's gradient lands on one input of A: E[δ_p·δ_p′] falls by A², E[δ_p²] by A.
  ctx.traces.get(layer.path)!.shareIn = (share) => share / window;
  return out;
}

/** Mean over the positions of each channel: the avgpool rule with the whole map as the window. */
export function forwardGlobalAverage(layer: GlobalAvgPoolConfig, s: Signal, ctx: Context): Signal {
  const count = positions(s.shape);
  const c = channels(s.shape);
  const out: Signal = { ...s, ...averaged(s.mean, s.m2, s.sampleCov, count), width: c, shape: [c] };
  delete out.source;
  addSimple(layer, ctx, 1 / count, out, NaN);
  // g/P to every position: the whole gradient is shared.
  ctx.traces.get(layer.path)!.shareIn = () => 1;
  return out;
}

/**
 * LayerNorm over the last axis (n features), γ = 1, β = 0: every sample's vector is renormalised, so the output
 * has mean 0 and second moment v/(v + eps) ≈ 1 (×γ²) whatever came in — v = m − μ² the spread across features,
 * per-feature offsets included. Backward dx = (1/σ)·P(dy), P projecting out the mean and x̂ directions:
 * ‖dx‖² = (1 − 2/n)·‖dy‖²/(v + eps), the gain ≈ 1/q_in.
 */
export function forwardLayerNorm(layer: LayerNormConfig, s: Signal, ctx: Context): Signal {
  const n = s.shape[s.shape.length - 1] ?? s.width;
  const v = Math.max(0, s.m2 - s.mean * s.mean);
  const gain = Math.max(0, 1 - 2 / n) / (v + layer.eps);
  const out: Signal = {
    width: s.width,
    shape: s.shape,
    mean: 0,
    m2: v / (v + layer.eps),
    // A per-feature offset shared by the samples is not the per-sample mean LayerNorm subtracts: it survives, rescaled.
    sampleCov: Math.min(v, Math.max(0, s.sampleCov)) / (v + layer.eps),
    fanIn: Infinity,
    tied: s.tied,
  };
  addSimple(layer, ctx, gain, out, NaN);
  return out;
}

/**
 * A recurrent layer over [steps, features] (predict-recurrent.ts). Its trace holds the input gain as logGain and
 * the weight-gradient factor ‖∂L/∂W_hh‖² (over ‖∂L/∂y‖²) as logInputSqNorm: the backward walk
 * reads them (predict.ts, backwardChain).
 */
export function forwardRecurrent(layer: RecurrentConfig, s: Signal, ctx: Context): Signal {
  const steps = s.shape.length >= 2 ? s.shape[0]! : 1;
  const features = s.shape.length >= 2 ? s.shape[s.shape.length - 1]! : s.width;
  const r = predictRecurrent(layer, {
    steps,
    features,
    inputSecondMoment: s.m2,
    threshold: ctx.threshold,
    sigma2: weightVarianceTimesFanIn,
  });
  const prediction: LayerPrediction = {
    path: layer.path,
    kind: layer.kind,
    preActivationVariance: r.preActivationVariance,
    gain: r.inputGain,
    relativeGradNorm: NaN,
    saturatedFraction: r.saturatedFraction,
    weightVariance: r.inputWeightVariance,
    recurrent: {
      steps,
      stepGain: r.stepGain,
      carryGain: r.carryGain,
      timeRatio: r.timeRatio,
      recurrentWeightVariance: r.recurrentWeightVariance,
    },
  };
  addTrace(ctx, prediction, {
    logActivationGain: 0,
    logWeightGain: 0,
    logTypicalShift: 0,
    // The engine records the recurrent kernel W_hh's gradient as a recurrent layer's gradNorm (engine/stats.ts).
    logInputSqNorm: Math.log(r.recurrentWeightGradSq),
    logGain: Math.log(r.inputGain),
    constantWeights: false,
    logUnits: 0,
    outputTied: false,
  });
  const shape = layer.returnSequences ? [steps, layer.units] : [layer.units];
  return {
    width: shape.reduce((a, b) => a * b, 1),
    shape,
    mean: 0,
    m2: r.outputSecondMoment,
    sampleCov: 0,
    fanIn: features + layer.units,
    tied: false,
  };
}
