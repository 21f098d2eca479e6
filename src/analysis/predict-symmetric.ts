/**
 * Gradient-flow prediction for symmetric networks: every dense layer constant-initialised (Wᵢⱼ = c, zeros:
 * c = 0). Then every unit of a layer carries the same value, and the net is a scalar chain
 * z¹ = c·Σⱼxⱼ + b → zˡ = c·nₗ₋₁·φ(zˡ⁻¹) + b → … — nothing like the mean field's iid picture. Only z¹ is
 * Gaussian, so the chain is followed exactly on equal-probability quantiles of z¹ ("particles").
 *
 * Backward, per sample: every unit of layer l has the same δˡ, each input unit receives c·Σᵢδᵢ = c·nₗ·δˡ,
 * and ∂L/∂Wˡ = (Σ_b δˡ_b·hˡ⁻¹_b)·𝟙𝟙ᵀ. The batch sum is signed and often coherent (a saturated tanh chain
 * outputs ±c·n with the sign of its input, so ŷ·h > 0 in every sample), and per-sample values are heavy-tailed
 * (samples near a fixed point of the chain keep their gradient) — so the prediction averages ln‖∂L/∂Wˡ‖²
 * over seeded virtual batches of particles with targets drawn as the data would (deterministic), which is
 * what one run of the engine measures.
 */
import type { ActivationConfig, DenseConfig, LayerConfig, ModelConfig } from '../engine/config';
import { Rng } from '../engine/rng';
import { activationPair, normalQuantile } from './quadrature';

export interface SymmetricLayer {
  /** E[z²] (E[h²] for activation layers). */
  secondMoment: number;
  /** Total-norm backward gain, σ_w²·n_out·E[φ'²] for a dense layer (the n_out: tied δ add coherently). */
  gain: number;
  /** E over virtual batches of ln ‖∂L/∂W‖² (NaN without weights); only differences between layers matter. */
  logGradSq: number;
  saturatedFraction: number;
  weightVariance: number;
}

export interface SymmetricOptions {
  inputWidth: number;
  /** E[x²] of a feature. */
  inputSecondMoment: number;
  batchSize: number;
  threshold: number;
  /** Loss takes ∂L/∂logits (softmax+crossentropy, sigmoid+bce). */
  fusedOutput: boolean;
}

const VIRTUAL_BATCHES = 128;

/** Only dense (constant/zeros) and activation layers, dense first and last, softmax only at the end. */
export function isSymmetricChain(config: ModelConfig): boolean {
  const layers = config.layers;
  const constantDense = (l: LayerConfig) =>
    l.kind === 'dense' && (l.init.name === 'constant' || l.init.name === 'zeros');
  return (
    layers.length > 0 &&
    constantDense(layers[0]!) &&
    constantDense(layers[layers.length - 1]!) &&
    layers.every(
      (l, i) =>
        (constantDense(l) || l.kind === 'activation') &&
        (i === layers.length - 1 || activationOf(l).name !== 'softmax'),
    )
  );
}

export function predictSymmetricChain(config: ModelConfig, options: SymmetricOptions): SymmetricLayer[] {
  const chain = forwardParticles(config, options);
  const deltas = backwardParticles(config, chain);
  const logGradSq = virtualBatchLogNorms(config, options, chain, deltas);
  return config.layers.map((layer, i) => {
    const z = chain.pre[i]!;
    const fused = i === config.layers.length - 1 && options.fusedOutput;
    const { df } = scalarPair(layer);
    const meanDerivativeSq = fused ? 1 : average(z, (u) => df(u) ** 2);
    const weightVariance = layer.kind === 'dense' ? chain.widths[i]! * constantOf(layer) ** 2 : NaN;
    return {
      secondMoment: average(z, (u) => u * u),
      gain: layer.kind === 'dense' ? weightVariance * layer.units * meanDerivativeSq : meanDerivativeSq,
      logGradSq: logGradSq[i]!,
      saturatedFraction: saturatedFraction(activationOf(layer), z, options.threshold),
      weightVariance,
    };
  });
}

interface Particles {
  /** z¹ quantiles, equally likely. */
  nodes: number[];
  /** z and h = φ(z) per layer and particle. */
  pre: number[][];
  post: number[][];
  /** Input width of every layer. */
  widths: number[];
  /** z¹ = b + scale·x∥, x∥ = Σⱼxⱼ/√n₀ the data's component along 𝟙/√n₀ (scale = c·√n₀). */
  bias: number;
  scale: number;
}

function forwardParticles(config: ModelConfig, options: SymmetricOptions): Particles {
  const first = config.layers[0] as DenseConfig;
  // Enough particles to resolve the batch's extreme samples (where a fixed point of the chain sits).
  const count = Math.min(4096, Math.max(1024, 64 * options.batchSize));
  const sigma = Math.abs(constantOf(first)) * Math.sqrt(options.inputWidth * options.inputSecondMoment);
  const nodes = Array.from({ length: count }, (_, k) => first.biasInit + sigma * normalQuantile((k + 0.5) / count));
  const chain: Particles = {
    nodes,
    pre: [],
    post: [],
    widths: [],
    bias: first.biasInit,
    scale: constantOf(first) * Math.sqrt(options.inputWidth),
  };
  let width = options.inputWidth;
  for (const [i, layer] of config.layers.entries()) {
    const h = chain.post[i - 1] ?? [];
    const z =
      layer.kind !== 'dense' ? h : i === 0 ? nodes : h.map((x) => constantOf(layer) * width * x + layer.biasInit);
    chain.widths.push(width);
    if (layer.kind === 'dense') width = layer.units;
    chain.pre.push(z);
    chain.post.push(z.map(scalarPair(layer).f));
  }
  return chain;
}

/**
 * δ of every dense layer below the output per particle, for a unit s = Σᵢ δᵢ at the output layer's
 * pre-activations (the tied layers below see the output only through s).
 */
function backwardParticles(config: ModelConfig, chain: Particles): (number[] | null)[] {
  const layers = config.layers;
  const last = layers.length - 1;
  const deltas: (number[] | null)[] = layers.map(() => null);
  let g = chain.nodes.map(() => constantOf(layers[last] as DenseConfig));
  for (let i = last - 1; i >= 0; i--) {
    const layer = layers[i]!;
    const { df } = scalarPair(layer);
    const delta = g.map((gk, k) => gk * df(chain.pre[i]![k]!));
    if (layer.kind === 'dense') {
      deltas[i] = delta;
      g = delta.map((d) => constantOf(layer) * layer.units * d);
    } else {
      g = delta;
    }
  }
  return deltas;
}

/** Mean over seeded virtual batches of ln ‖∂L/∂Wˡ‖² for every dense layer (NaN for the others). */
function virtualBatchLogNorms(
  config: ModelConfig,
  options: SymmetricOptions,
  chain: Particles,
  deltas: (number[] | null)[],
): number[] {
  const layers = config.layers;
  const last = layers.length - 1;
  const output = layers[last] as DenseConfig;
  const B = options.batchSize;
  const rng = new Rng(0x5eed);
  const sums = layers.map((l) => (l.kind === 'dense' ? 0 : NaN));
  const samples = new Array<number>(B);
  const s = new Float64Array(B); // Σᵢ δᵢ at the output, per sample
  const outputDelta = new Float64Array(B * output.units);
  for (let v = 0; v < VIRTUAL_BATCHES; v++) {
    for (let b = 0; b < B; b++) {
      samples[b] = rng.int(chain.nodes.length);
      s[b] = drawOutputDelta(
        config,
        options,
        chain,
        samples[b]!,
        rng,
        outputDelta.subarray(b * output.units, (b + 1) * output.units),
      );
    }
    for (let i = 0; i <= last; i++) {
      const layer = layers[i]!;
      if (layer.kind !== 'dense') continue;
      let total = 0;
      if (i === last) {
        for (let unit = 0; unit < output.units; unit++)
          total += inputProjectionSq(options, chain, i, samples, (b) => outputDelta[b * output.units + unit]!);
      } else {
        const delta = deltas[i]!;
        total = layer.units * inputProjectionSq(options, chain, i, samples, (b) => s[b]! * delta[samples[b]!]!);
      }
      sums[i] = sums[i]! + Math.log(total) / VIRTUAL_BATCHES;
    }
  }
  return sums;
}

/**
 * ‖Σ_b d_b·h_bᵀ‖² for one unit's δ values d_b over the batch and the layer's (tied) input h:
 * n_in·(Σ_b d_b h_b)². For the first layer the input is the data x: only its component along 𝟙/√n₀,
 * (z¹ − b)/(c√n₀), is tied to the particle; the other n₀ − 1 components are independent, adding (n₀ − 1)·E[x²]·Σ d_b².
 */
function inputProjectionSq(
  options: SymmetricOptions,
  chain: Particles,
  i: number,
  samples: number[],
  d: (b: number) => number,
): number {
  const n = chain.widths[i]!;
  let coherent = 0;
  if (i > 0) {
    const h = chain.post[i - 1]!;
    for (let b = 0; b < samples.length; b++) coherent += d(b) * h[samples[b]!]!;
    return n * coherent * coherent;
  }
  let squares = 0;
  for (let b = 0; b < samples.length; b++) {
    coherent += d(b) * (chain.scale !== 0 ? (chain.nodes[samples[b]!]! - chain.bias) / chain.scale : 0);
    squares += d(b) ** 2;
  }
  // With c = 0 nothing ties x to the particle: all n₀ components are independent.
  return coherent * coherent + (chain.scale !== 0 ? n - 1 : n) * options.inputSecondMoment * squares;
}

/**
 * Draws one sample's target and writes ∂L/∂(output pre-activation) per output unit (up to the loss's constant
 * factor); returns their sum. mse: y ~ N(0, 1) per unit, δ = (ŷ − y)·φ'(z); bce: fair 0/1 labels, δ = σ(z) − y
 * when fused; crossentropy: the logits are equal, so p = 1/K and δᵢ = 1/K − [i = label] (Σᵢ δᵢ = 0).
 */
function drawOutputDelta(
  config: ModelConfig,
  options: SymmetricOptions,
  chain: Particles,
  k: number,
  rng: Rng,
  out: Float64Array,
): number {
  const last = config.layers.length - 1;
  const z = chain.pre[last]![k]!;
  const yHat = chain.post[last]![k]!;
  const derivative = options.fusedOutput ? 1 : scalarPair(config.layers[last]!).df(z);
  const label = config.loss === 'crossentropy' ? rng.int(out.length) : -1;
  let sum = 0;
  for (let unit = 0; unit < out.length; unit++) {
    let delta: number;
    if (config.loss === 'crossentropy') delta = 1 / out.length - (unit === label ? 1 : 0);
    else if (config.loss === 'bce') delta = (yHat - rng.int(2)) * derivative;
    else delta = (yHat - rng.normal()) * derivative;
    out[unit] = delta;
    sum += delta;
  }
  return config.loss === 'crossentropy' ? 0 : sum; // exactly 0, not a rounding residue
}

function constantOf(layer: DenseConfig): number {
  return layer.init.name === 'constant' ? layer.init.scale : 0;
}

function activationOf(layer: LayerConfig): ActivationConfig {
  return layer.kind === 'dense' || layer.kind === 'activation' ? layer.activation : { name: 'linear', alpha: 1 };
}

/** φ, φ' of a layer in the chain; a softmax output is handled through the loss (identity here). */
function scalarPair(layer: LayerConfig): { f: (u: number) => number; df: (u: number) => number } {
  const a = activationOf(layer);
  return activationPair(a.name === 'softmax' ? { name: 'linear', alpha: 1 } : a);
}

function average(values: number[], f: (u: number) => number): number {
  let sum = 0;
  for (const v of values) sum += f(v);
  return sum / values.length;
}

/** sigmoid/tanh: share of particles with |z| > threshold; ReLU: with z ≤ 0; NaN otherwise. */
function saturatedFraction(a: ActivationConfig, z: number[], threshold: number): number {
  if (a.name === 'relu') return average(z, (u) => (u <= 0 ? 1 : 0));
  if (a.name === 'sigmoid' || a.name === 'tanh') return average(z, (u) => (Math.abs(u) > threshold ? 1 : 0));
  return NaN;
}
