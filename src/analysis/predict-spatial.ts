/**
 * Geometry and moments the mean-field prediction (predict.ts) needs for convolution, pooling and normalisation over
 * spatial or feature axes. Shapes are per sample, PyTorch's layout: [C, L] or [C, H, W] (engine/config.ts Shape).
 *
 * Convolution (Xiao et al. 2018, "Dynamical isometry and a mean field theory of CNNs"): on the average over channels
 * and positions a conv layer is a dense layer with fan_in = C·kernel area, so q and χ follow the dense recursion
 * with σ_w² = Var(W)·C·k. Zero padding only changes how many of a kernel's taps read a real input: forward
 * E[z²] = σ_w²·m·ρ + b², and the backward squared norm gains σ_w²·E[φ′²]·ρ, with ρ the mean fraction of in-bounds
 * taps (1 for 'valid', below 1 at the borders of 'same').
 */
import type { ActivationConfig, ConvConfig, PoolConfig, Shape } from '../engine/config';
import { axisGeometry } from '../engine/layers/conv-geometry';
import { activationPair } from './quadrature';

export interface ConvGeometry {
  outputShape: number[];
  /** Channels × kernel area: the number of terms each output sums (PyTorch's fan_in). */
  fanIn: number;
  /** filters × kernel area (PyTorch's fan_out). */
  fanOut: number;
  /** Mean fraction of the kernel's taps that land on the input rather than on zero padding. */
  inBounds: number;
}

/** Mean over output positions of the fraction of in-bounds taps along one axis. */
function axisInBounds(length: number, kernel: number, stride: number, dilation: number, padding: 'valid' | 'same') {
  const { out, padBefore: before } = axisGeometry(length, kernel, stride, dilation, padding);
  if (out <= 0) return 1;
  let inside = 0;
  for (let o = 0; o < out; o++) {
    for (let k = 0; k < kernel; k++) {
      const at = o * stride - before + k * dilation;
      if (at >= 0 && at < length) inside++;
    }
  }
  return inside / (out * kernel);
}

export function convGeometry(layer: ConvConfig, inputShape: Shape): ConvGeometry {
  const channels = inputShape[0] ?? 1;
  const spatial = inputShape.slice(1);
  const area = layer.kernel.reduce((a, k) => a * k, 1);
  const outputShape = [layer.filters];
  let inBounds = 1;
  spatial.forEach((length, axis) => {
    const k = layer.kernel[axis] ?? 1;
    const s = layer.stride[axis] ?? 1;
    const d = layer.dilation[axis] ?? 1;
    outputShape.push(Math.max(0, axisGeometry(length, k, s, d, layer.padding).out));
    inBounds *= axisInBounds(length, k, s, d, layer.padding);
  });
  return { outputShape, fanIn: channels * area, fanOut: layer.filters * area, inBounds };
}

/** Output shape of a pooling layer and its window's area. */
export function poolGeometry(layer: PoolConfig, inputShape: Shape): { outputShape: number[]; window: number } {
  const outputShape = [inputShape[0] ?? 1];
  inputShape.slice(1).forEach((length, axis) => {
    const k = layer.pool[axis] ?? 1;
    outputShape.push(Math.max(0, axisGeometry(length, k, layer.stride[axis] ?? k, 1, layer.padding).out));
  });
  return { outputShape, window: layer.pool.reduce((a, k) => a * k, 1) };
}

/**
 * E[y] and E[y²] of y = max of `window` inputs φ(zᵢ), zᵢ iid N(mean, variance): for a non-decreasing φ,
 * max φ(zᵢ) = φ(max zᵢ), whose density is n·ϕ(u)·Φ(u)^{n−1} (the largest of n iid normals). For φ that dip
 * (swish, GELU, mish) the same formula is an approximation. The inputs of one window are taken as independent:
 * neighbouring positions of a conv output share most of their inputs, so the real max spreads less (an upper bound).
 */
export function maxOfWindow(
  activation: ActivationConfig | null,
  mean: number,
  variance: number,
  window: number,
): { mean: number; m2: number } {
  const f = activation ? activationPair(activation).f : (u: number) => u;
  const sigma = Math.sqrt(Math.max(0, variance));
  if (!(sigma > 0)) {
    const y = f(mean);
    return { mean: y, m2: y * y };
  }
  return momentsOf(f, mean, sigma, Math.max(1, window));
}

/** Trapezoid over the standard normal's ±10σ on 4,001 points: the order statistic's density is smooth. */
function momentsOf(f: (u: number) => number, mean: number, sigma: number, n: number): { mean: number; m2: number } {
  const points = 4000;
  const h = 20 / points;
  let m1 = 0;
  let m2 = 0;
  for (let i = 0; i <= points; i++) {
    const u = -10 + i * h;
    const density = Math.exp(-0.5 * u * u) / Math.sqrt(2 * Math.PI);
    const cdf = standardNormalCdf(u);
    const weight = (i === 0 || i === points ? 0.5 : 1) * h * n * density * Math.pow(cdf, n - 1);
    const y = f(mean + sigma * u);
    m1 += weight * y;
    m2 += weight * y * y;
  }
  return { mean: m1, m2 };
}

/** Φ(u) by the Abramowitz–Stegun 7.1.26 erf (error < 1.5e-7), enough for a density weight. */
function standardNormalCdf(u: number): number {
  const x = Math.abs(u) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return u >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/**
 * Moments after averaging `count` inputs of one channel (avgpool window, global average over positions). The part
 * shared by the positions — the channel's offset across samples, `sampleCov`, and the mean — survives the average;
 * the rest is taken as uncorrelated between positions and shrinks by 1/count. Real feature maps are correlated over
 * neighbouring positions, so their variance shrinks less: this is the lower bound.
 */
export function averaged(
  mean: number,
  m2: number,
  sampleCov: number,
  count: number,
): { mean: number; m2: number; sampleCov: number } {
  const variance = Math.max(0, m2 - mean * mean);
  const shared = Math.min(variance, Math.max(0, sampleCov));
  return { mean, m2: mean * mean + shared + (variance - shared) / Math.max(1, count), sampleCov: shared };
}
