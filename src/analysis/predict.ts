/**
 * Instant static prediction of gradient flow at initialisation, no training: mean-field signal propagation
 * (Poole et al. 2016 "Exponential expressivity in deep neural networks through transient chaos"; Schoenholz
 * et al. 2017 "Deep information propagation") with the width bookkeeping the engine's measurements need.
 *
 * Notation for a dense layer with W (n_out × n_in), Var(Wᵢⱼ) = σ_w²/n_in, constant bias b:
 *   z = W·h + b,  h' = φ(z).  Per unit, m = E[h²] (second moment), μ = E[h].
 * Forward:  z ~ N(b, σ_w²·m_in), so q = E[z²] = σ_w²·m_in + b², m_out = E[φ(z)²].
 * Backward, derived in total squared norms over the layer's units (so the widths come out right):
 *   ∂L/∂h_in = Wᵀ·δ, δ = φ'(z) ⊙ ∂L/∂h'.  (Wᵀδ)_j = Σᵢ Wᵢⱼ δᵢ has E[(Wᵀδ)_j²] = Var(W)·‖δ‖², so
 *   ‖Wᵀδ‖² = n_in·Var(W)·‖δ‖² = σ_w²·‖δ‖² — n_out cancels (it sits inside ‖δ‖²), and
 *   ‖δ‖² = E[φ'(z)²]·‖∂L/∂h'‖² (φ'(z) independent of the backward signal: gradient independence).
 *   So the layer multiplies the squared gradient norm by χ = σ_w²·E[φ'(z)²], whatever n_in and n_out
 *   (per unit it would be χ·n_out/n_in: a 2 → 32 first layer would look 16× "exploding" for no reason).
 * Weight gradient: ∂L/∂W = Σ_batch δ·h_inᵀ, per sample ‖δ‖·‖h_in‖ with ‖h_in‖² = n_in·m_in: the forward
 *   factor n_in·m_in is what makes a 2-feature input layer's gradient ~√(2/32) of the next layer's.
 *
 * Typical rather than mean values (Hanin 2018, "Which neural net architectures give rise to exploding and
 * vanishing gradients?"): a squared norm over n units, S = Σⱼ sⱼ, fluctuates with relative variance
 * V = Var(s)/(n·E[s]²), and a single run sees E[ln S] ≈ ln E[S] − V/2. Forward sⱼ = φ(zⱼ)²:
 * V_f = (E[φ⁴] − E[φ²]²)/(n·E[φ²]²); backward sⱼ = φ'(zⱼ)²·gⱼ² with gⱼ Gaussian: V_b = (3E[φ'⁴] − E[φ'²]²)/(n·E[φ'²]²).
 * For ReLU and linear layers V_f = V_b and the shifts cancel in the ratio; for sigmoid/tanh/softplus in narrow
 * nets they do not (a width-8, depth-27 sigmoid net sits ~5× below the mean-field ratio).
 *
 * Cross-sample covariance (Poole et al.'s q_ab, propagated by the Hermite / arc-cosine kernels in
 * quadrature.ts) is tracked only for what BatchNorm subtracts: a unit's offset shared by the whole batch.
 * BatchNorm: gain (1 − 2/B)·E[1/v] with v the per-unit batch variance, whose spread over few fan-in terms
 * matters (a 2-feature input layer before BatchNorm: ~3×). Residual x + f(x): second moments and squared
 * gradient norms add. Dropout p: both ×1/(1−p). Constant-initialised (symmetric) chains are a different
 * regime, handled exactly in predict-symmetric.ts.
 *
 * Conv, pooling, flatten, global average pooling and LayerNorm (predict-layers.ts, predict-spatial.ts) keep this
 * bookkeeping over channels and positions; recurrent layers (predict-recurrent.ts) add the gradient through time,
 * ‖∂L/∂h_0‖/‖∂L/∂h_T‖, per layer (LayerPrediction.recurrent).
 *
 * Limits (first-order model): the batch gradient Σ_b δ_b h_bᵀ also has cross-sample terms, ignored here
 * (measured ratios can differ by up to ~√batch where activations and output errors are correlated across
 * the batch); the batch-space growth that makes deep BatchNorm nets explode (Yang et al. 2019, "A Mean Field
 * Theory of Batch Normalization") is not modelled (15 BatchNorm blocks: measured ~3× above the prediction at
 * the first layer); feature means enter only through `inputMeanSquare`; softmax outside the loss is approximate;
 * a finite-width ReLU net can be born dead (a layer silent for the whole batch), which no mean field predicts.
 */
import type { DenseConfig, LayerConfig, ModelConfig, ResidualConfig } from '../engine/config';
import {
  addSimple,
  addTrace,
  saturation,
  weightVarianceTimesFanIn,
  type Context,
  type LayerPrediction,
  type Signal,
  type Trace,
} from './predict-core';
import {
  channels,
  forwardConv,
  forwardGlobalAverage,
  forwardLayerNorm,
  forwardPool,
  forwardRecurrent,
  positions,
} from './predict-layers';
import { isSymmetricChain, predictSymmetricChain } from './predict-symmetric';
import { activationMoments } from './quadrature';

export type { LayerPrediction, RecurrentFlow } from './predict-core';
export { weightVarianceTimesFanIn } from './predict-core';

export interface Prediction {
  layers: LayerPrediction[];
  outputPath: string;
  timeMs?: number;
}

export interface PredictOptions {
  /** E[x²] of the input features, averaged over features (default 1: standardised data). */
  inputVariance?: number;
  /**
   * (E[x_j])² averaged over features (default 0): a feature's mean is shared by every sample, so after the
   * first layer it is a per-unit offset that BatchNorm subtracts (it counts in E[x²] but not in the batch variance).
   */
  inputMeanSquare?: number;
  /** |z| above this counts as saturated for sigmoid/tanh (default 5, as the engine). */
  saturationThreshold?: number;
}

const now: () => number = globalThis.performance ? () => globalThis.performance.now() : () => Date.now();

export function predictGradientFlow(config: ModelConfig, options: PredictOptions = {}): Prediction {
  const start = now();
  const output = findOutputLayer(config.layers);
  const ctx: Context = {
    threshold: options.saturationThreshold ?? 5,
    batchSize: config.training.batchSize,
    outputPath: output ? output.path : '',
    fusedOutput: output !== null && isFusedOutput(config, output),
    traces: new Map(),
    order: [],
  };
  // Two independent samples share only the feature means: E[x_a·x_b] = (E[x])² per feature.
  const input: Signal = {
    width: config.input,
    shape: config.inputShape ?? [config.input],
    mean: 0,
    m2: options.inputVariance ?? 1,
    sampleCov: options.inputMeanSquare ?? 0,
    fanIn: Infinity,
    tied: false,
  };
  if (isSymmetricChain(config)) {
    addSymmetricChain(config, input, ctx);
  } else {
    forwardChain(config.layers, input, ctx);
    backwardChain(config.layers, { logSq: 0, tied: false, share: 0 }, ctx);
  }
  const reference = ctx.traces.get(ctx.outputPath);
  // A zero (or undefined) output-layer gradient leaves every ratio undefined.
  const logReference =
    reference && reference.prediction.relativeGradNorm > -Infinity ? reference.prediction.relativeGradNorm : NaN;
  for (const layer of ctx.order) {
    // relativeGradNorm holds log ‖∂L/∂W‖² until here.
    layer.relativeGradNorm = Number.isNaN(layer.relativeGradNorm)
      ? NaN
      : Math.exp(0.5 * (layer.relativeGradNorm - logReference));
  }
  return { layers: ctx.order, outputPath: ctx.outputPath, timeMs: now() - start };
}

/** The output layer: the last layer with weights in forward order (a residual projection counts). */
function findOutputLayer(layers: LayerConfig[]): DenseConfig | ResidualConfig | null {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    if (layer.kind === 'dense') return layer;
    if (layer.kind === 'residual') {
      const inner = findOutputLayer(layer.layers);
      if (inner) return inner;
      if (layer.projection) return layer;
    }
  }
  return null;
}

/** The engine takes ∂loss/∂logits directly for softmax+crossentropy and sigmoid+bce on the last layer. */
function isFusedOutput(config: ModelConfig, output: DenseConfig | ResidualConfig): boolean {
  const last = config.layers[config.layers.length - 1];
  if (output.kind !== 'dense' || last !== output) return false;
  const name = output.activation.name;
  return (config.loss === 'crossentropy' && name === 'softmax') || (config.loss === 'bce' && name === 'sigmoid');
}

// ---------------------------------------------------------------- forward

function forwardChain(layers: LayerConfig[], signal: Signal, ctx: Context): Signal {
  let s = signal;
  for (const layer of layers) s = forwardLayer(layer, s, ctx);
  return s;
}

function forwardLayer(layer: LayerConfig, s: Signal, ctx: Context): Signal {
  switch (layer.kind) {
    case 'conv1d':
    case 'conv2d':
      return forwardConv(layer, s, ctx);
    case 'maxpool':
    case 'avgpool':
      return forwardPool(layer, s, ctx);
    case 'flatten': {
      const out = { ...s, shape: [s.width] };
      addSimple(layer, ctx, 1, out, NaN);
      return out;
    }
    case 'global_avgpool':
      return forwardGlobalAverage(layer, s, ctx);
    case 'layernorm':
      return forwardLayerNorm(layer, s, ctx);
    case 'simple_rnn':
    case 'lstm':
    case 'gru':
      return forwardRecurrent(layer, s, ctx);
    case 'dense':
      return forwardDense(layer, s, ctx);
    case 'batchnorm': {
      // Training-mode BN: per-unit batch variance v = m − μ² − Cov(h_a, h_b) (the per-unit offset is subtracted);
      // output x̂ has variance v/(v+eps) and no offset. Backward: dx = invStd·P(dy), P projecting out the batch
      // mean and x̂ directions → gain (1 − 2/B)·E[1/(vᵢ + eps)] over units whose vᵢ spread around v.
      // On [C, …] input the statistics are per channel over the batch and every position (BatchNorm1d/2d).
      const rows = ctx.batchSize * positions(s.shape);
      const v = Math.max(0, s.m2 - s.mean * s.mean - s.sampleCov);
      const spread = inverseVarianceFactor(s.fanIn, channels(s.shape), rows);
      const gain = (Math.max(0, 1 - 2 / rows) * spread) / (v + layer.eps);
      const out = {
        width: s.width,
        shape: s.shape,
        mean: 0,
        m2: v / (v + layer.eps),
        sampleCov: 0,
        fanIn: Infinity,
        tied: s.tied,
      };
      addSimple(layer, ctx, gain, out, NaN);
      return out;
    }
    case 'activation': {
      const v = Math.max(0, s.m2 - s.mean * s.mean);
      const m = activationMoments(layer.activation, s.mean, v, s.width, v > 0 ? s.sampleCov / v : 0);
      const out = {
        width: s.width,
        shape: s.shape,
        mean: m.mean,
        m2: m.m2,
        sampleCov: m.cov,
        fanIn: s.fanIn,
        tied: s.tied,
        source: { activation: layer.activation, mean: s.mean, variance: v },
      };
      addSimple(layer, ctx, m.d2, out, saturation(layer.activation, s.mean, v, ctx.threshold));
      return out;
    }
    case 'dropout': {
      // Inverted dropout: survivors ×1/(1−p) → E[h²] and the backward squared norm both ×1/(1−p).
      const keep = 1 - layer.rate;
      // Masks are independent across units (ties broken) and samples (the covariance is unchanged).
      const out = {
        width: s.width,
        shape: s.shape,
        mean: s.mean,
        m2: keep > 0 ? s.m2 / keep : 0,
        sampleCov: s.sampleCov,
        fanIn: s.fanIn,
        tied: false,
      };
      addSimple(layer, ctx, keep > 0 ? 1 / keep : 0, out, NaN);
      return out;
    }
    case 'residual':
      return forwardResidual(layer, s, ctx);
  }
}

function forwardDense(layer: DenseConfig, s: Signal, ctx: Context): Signal {
  const sw2 = weightVarianceTimesFanIn(layer.init, s.width, layer.units);
  const constant = layer.init.name === 'constant' || layer.init.name === 'zeros';
  // Random W: Cov(z_a, z_b) = σ_w²·E[h_a·h_b] = σ_w²·(μ² + Cov(h_a, h_b)) — the input's mean becomes a per-unit offset.
  const base = constant
    ? constantPreActivation(layer, s)
    : { zMean: layer.biasInit, zVariance: sw2 * s.m2, zCov: sw2 * (s.mean * s.mean + s.sampleCov) };
  // A random bias adds σ_b² to every pre-activation's variance, and (shared by all samples) to their covariance.
  const sb2 = biasVariance(layer);
  const z = { ...base, zVariance: base.zVariance + sb2, zCov: base.zCov + sb2 };
  const { zMean, zVariance } = z;
  const m = activationMoments(layer.activation, zMean, zVariance, layer.units, zVariance > 0 ? z.zCov / zVariance : 0);
  const n = layer.units;
  const forwardSpread = m.m2 > 0 ? (m.m4 - m.m2 * m.m2) / (n * m.m2 * m.m2) : 0;
  const backwardSpread = m.d2 > 0 ? (3 * m.d4 - m.d2 * m.d2) / (n * m.d2 * m.d2) : 0;
  const isOutput = layer.path === ctx.outputPath;
  const activationGain = isOutput && ctx.fusedOutput ? 1 : m.d2;
  const prediction: LayerPrediction = {
    path: layer.path,
    kind: 'dense',
    preActivationVariance: zVariance + zMean * zMean,
    gain: sw2 * activationGain,
    relativeGradNorm: NaN,
    saturatedFraction: saturation(layer.activation, zMean, zVariance, ctx.threshold),
    weightVariance: sw2,
  };
  // softmax+crossentropy: Σᵢ δᵢ = Σᵢ (pᵢ − yᵢ) = 0, so constant output weights pass no gradient down at all.
  const blocksGradient = constant && isOutput && ctx.fusedOutput && layer.activation.name === 'softmax';
  addTrace(ctx, prediction, {
    logActivationGain: Math.log(activationGain),
    logWeightGain: blocksGradient ? -Infinity : Math.log(sw2),
    logTypicalShift: Number.isFinite(backwardSpread) && !constant ? -backwardSpread / 2 : 0,
    logInputSqNorm: Math.log(s.width * s.m2),
    logGain: NaN,
    constantWeights: constant,
    logUnits: Math.log(n),
    outputTied: constant,
  });
  const typical = Number.isFinite(forwardSpread) && !constant ? Math.exp(-forwardSpread / 2) : 1;
  return {
    width: n,
    shape: [n],
    mean: m.mean,
    m2: m.m2 * typical,
    sampleCov: m.cov * typical,
    fanIn: constant ? Infinity : s.width,
    tied: constant,
    source: { activation: layer.activation, mean: zMean, variance: zVariance },
  };
}

/**
 * Constant weights c (Wᵢⱼ = c, zeros: c = 0): zᵢ = c·S + b with S = Σⱼ hⱼ the same for every unit, so the
 * mean does not vanish and the input's units add coherently when they are tied:
 * E[S] = n·μ, Var(S) = n²·(m − μ²) (tied input) or n·(m − μ²) (independent units). z is taken as Gaussian,
 * which is only approximate (after the first layer z is a deterministic function of the first layer's z).
 */
function constantPreActivation(layer: DenseConfig, s: Signal): { zMean: number; zVariance: number; zCov: number } {
  const c = layer.init.name === 'constant' ? layer.init.scale : 0;
  const n = s.width;
  const coherence = s.tied ? n * n : n;
  const spread = Math.max(0, s.m2 - s.mean * s.mean);
  return {
    zMean: c * n * s.mean + layer.biasInit,
    zVariance: c * c * coherence * spread,
    zCov: c * c * coherence * s.sampleCov,
  };
}

function forwardResidual(layer: ResidualConfig, s: Signal, ctx: Context): Signal {
  const prediction: LayerPrediction = {
    path: layer.path,
    kind: 'residual',
    preActivationVariance: NaN,
    gain: NaN,
    relativeGradNorm: NaN,
    saturatedFraction: NaN,
    weightVariance: NaN,
  };
  const trace = addTrace(ctx, prediction, {
    logActivationGain: 0,
    logWeightGain: 0,
    logTypicalShift: 0,
    logInputSqNorm: Math.log(s.width * s.m2),
    logGain: NaN,
    constantWeights: false,
    logUnits: 0,
    outputTied: false,
  });
  const branch = forwardChain(layer.layers, s, ctx);
  let skip = s;
  if (layer.projection) {
    const sw2 = weightVarianceTimesFanIn(layer.projectionInit, s.width, branch.width);
    prediction.weightVariance = sw2;
    trace.logWeightGain = Math.log(sw2);
    skip = {
      width: branch.width,
      shape: branch.shape,
      mean: 0,
      m2: sw2 * s.m2,
      sampleCov: sw2 * (s.mean * s.mean + s.sampleCov),
      fanIn: s.width,
      tied: false,
    };
  }
  // x + f(x): second moments add, plus the cross term of the means (the zero-mean parts are uncorrelated).
  const tied = skip.tied && branch.tied;
  trace.outputTied = tied;
  const out = {
    width: branch.width,
    shape: branch.shape,
    mean: skip.mean + branch.mean,
    m2: skip.m2 + branch.m2 + 2 * skip.mean * branch.mean,
    sampleCov: skip.sampleCov + branch.sampleCov,
    fanIn: Math.max(skip.fanIn, branch.fanIn),
    tied,
  };
  prediction.preActivationVariance = out.m2 - out.mean * out.mean;
  return out;
}

/**
 * Typical (1/n)·Σᵢ E[v]/vᵢ over a BatchNorm layer's n units. vᵢ = Σⱼ Wᵢⱼ²·sⱼ sums k = fan-in terms, so
 * vᵢ/E[v] ~ χ²ₖ/k = Gamma(κ = k/2, rate κ) (Gaussian weights): mean κ/(κ − 1), infinite for k ≤ 2 — where a
 * run sees the n units' sample, i.e. the mean truncated below the 1/n quantile (k = 2, n = 32: ≈ 2.9, a
 * 2-feature input layer before BatchNorm). Times 1 + 2/(B−1) for the batch estimate of each variance.
 */
function inverseVarianceFactor(fanIn: number, width: number, batchSize: number): number {
  const sampling = batchSize > 1 ? 1 + 2 / (batchSize - 1) : 1;
  if (!(fanIn < 8)) return sampling * (Number.isFinite(fanIn) ? fanIn / (fanIn - 2) : 1);
  const kappa = fanIn / 2;
  const logGammaKappa = logGammaHalfInteger(kappa);
  // P(X < x) ≈ (κx)^κ/Γ(κ+1) for small x → the 1/n quantile.
  const xMin = Math.pow((Math.exp(logGammaKappa) * kappa) / Math.max(1, width), 1 / kappa) / kappa;
  // ∫_{xMin}^∞ f(x)/x dx = ∫ f(eᵗ) dt, trapezoid in t = ln x up to x = 40 (Gamma tail beyond: e^{−40κ}).
  const steps = 400;
  const t0 = Math.log(xMin);
  const h = (Math.log(40) - t0) / steps;
  let sum = 0;
  for (let i = 0; i <= steps; i++) {
    const t = t0 + i * h;
    const density = Math.exp(kappa * Math.log(kappa) + (kappa - 1) * t - kappa * Math.exp(t) - logGammaKappa);
    sum += (i === 0 || i === steps ? 0.5 : 1) * density;
  }
  return sampling * sum * h;
}

/** ln Γ(x) for x a positive multiple of ½, by Γ(x+1) = x·Γ(x) from Γ(1) = 1 or Γ(½) = √π. */
function logGammaHalfInteger(x: number): number {
  let value = Number.isInteger(x) ? 0 : 0.5 * Math.log(Math.PI);
  for (let y = Number.isInteger(x) ? 1 : 0.5; y < x; y++) value += Math.log(y);
  return value;
}

// ---------------------------------------------------------------- backward

/** The backward signal: log ‖∂L/∂h‖² per sample (relative: the model output starts at 0), and whether it is tied. */
interface Gradient {
  logSq: number;
  tied: boolean;
  /**
   * Over the positions of a [C, …] signal: E[δ_p·δ_p′]/E[δ_p²] for two positions p ≠ p′ of one channel, the part of
   * the gradient every position shares (1 below a global average, which spreads g/P to every position); 0 for
   * flat signals. Conv weight gradients sum it coherently over positions (forwardConv).
   */
  share: number;
}

/**
 * Walks the chain from its output to its input and stores log ‖∂L/∂W‖² in relativeGradNorm of every layer
 * with weights. Returns the gradient at the chain's input.
 */
function backwardChain(layers: LayerConfig[], gradient: Gradient, ctx: Context): Gradient {
  let g = gradient;
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    const trace = ctx.traces.get(layer.path)!;
    if (layer.kind === 'dense' || layer.kind === 'conv1d' || layer.kind === 'conv2d') {
      const logDelta = g.logSq + trace.logActivationGain + trace.logTypicalShift;
      // The activation's mask keeps E[φ′]²/E[φ′²] of the shared part; Wᵀ (a transposed convolution) keeps it all.
      const share = trace.spatial ? g.share * trace.spatial.maskCoherence : 0;
      trace.prediction.relativeGradNorm = logDelta + trace.logInputSqNorm + spatialCoherence(trace, share);
      // Constant W: Wᵀδ = c·(Σᵢ δᵢ)·1, and (Σᵢ δᵢ)² = n_out·‖δ‖² when δ is tied, ≈ ‖δ‖² otherwise.
      const coherent = trace.constantWeights && g.tied ? trace.logUnits : 0;
      g = { logSq: logDelta + trace.logWeightGain + coherent, tied: trace.constantWeights, share };
    } else if (layer.kind === 'residual') {
      g = backwardResidual(layer, trace, g, ctx);
    } else if (layer.kind === 'simple_rnn' || layer.kind === 'lstm' || layer.kind === 'gru') {
      // logInputSqNorm holds the whole weight-gradient factor here (predict-layers.ts, forwardRecurrent).
      trace.prediction.relativeGradNorm = g.logSq + trace.logInputSqNorm;
      g = { logSq: g.logSq + trace.logGain, tied: false, share: 0 };
    } else {
      g = {
        logSq: g.logSq + trace.logGain,
        tied: g.tied && trace.outputTied && layer.kind !== 'dropout',
        share: trace.shareIn ? trace.shareIn(g.share) : g.share,
      };
    }
  }
  return g;
}

/** ∂L/∂x = Sᵀ·g + J_fᵀ·g: squared norms add (independent paths); S = I, or the projection with gain σ_p². */
function backwardResidual(layer: ResidualConfig, trace: Trace, g: Gradient, ctx: Context): Gradient {
  const branch = backwardChain(layer.layers, g, ctx);
  const skip = g.logSq + trace.logWeightGain;
  if (layer.projection) trace.prediction.relativeGradNorm = g.logSq + trace.logInputSqNorm;
  const total = logAddExp(skip, branch.logSq);
  trace.prediction.gain = Math.exp(total - g.logSq);
  // The shared parts add as the squared norms do.
  const share =
    total === -Infinity ? 0 : g.share * Math.exp(skip - total) + branch.share * Math.exp(branch.logSq - total);
  return { logSq: total, tied: branch.tied && g.tied && !layer.projection, share };
}

/**
 * log of the coherent sum over positions in a conv weight gradient ∂L/∂W[f,c,k] = Σ_p δ[f,p]·x[c,p+k]: the P terms
 * add as squares where they are independent and as amplitudes in the part δ and x share across positions, so
 * E[(∂L/∂W)²] = P·E[δ²]·E[x²]·(1 + (P − 1)·share_δ·share_x).
 */
function spatialCoherence(trace: Trace, share: number): number {
  if (!trace.spatial) return 0;
  const { positions, inputShare } = trace.spatial;
  return Math.log1p(Math.max(0, positions - 1) * share * inputShare);
}

function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const hi = Math.max(a, b);
  return hi + Math.log(Math.exp(a - hi) + Math.exp(b - hi));
}

/** Constant-initialised chains (predict-symmetric.ts): relativeGradNorm holds log ‖∂L/∂W‖² as elsewhere. */
function addSymmetricChain(config: ModelConfig, input: Signal, ctx: Context): void {
  const layers = predictSymmetricChain(config, {
    inputWidth: input.width,
    inputSecondMoment: input.m2,
    batchSize: ctx.batchSize,
    threshold: ctx.threshold,
    fusedOutput: ctx.fusedOutput,
  });
  config.layers.forEach((layer, i) => {
    const s = layers[i]!;
    const prediction: LayerPrediction = {
      path: layer.path,
      kind: layer.kind,
      preActivationVariance: s.secondMoment,
      gain: s.gain,
      relativeGradNorm: s.logGradSq,
      saturatedFraction: s.saturatedFraction,
      weightVariance: s.weightVariance,
    };
    ctx.order.push(prediction);
    ctx.traces.set(layer.path, { prediction } as Trace);
  });
}

// ---------------------------------------------------------------- initialisation and activations

/** Var(b) of the layer's bias initialiser: uniform(a) a²/3, normal(s) s², a constant 0. */
function biasVariance(layer: DenseConfig): number {
  const r = layer.biasRandom;
  if (!r) return 0;
  return r.name === 'uniform' ? (r.scale * r.scale) / 3 : r.name === 'normal' ? r.scale * r.scale : 0;
}
