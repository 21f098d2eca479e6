/**
 * Gaussian expectations E[f(U)], U ~ N(mean, variance), for the mean-field prediction (predict.ts), and the
 * moments of every activation under such a Gaussian.
 *
 * Two rules, both with nodes computed once and cached at module level:
 * - Gauss–Hermite (probabilists' form, 64 nodes) for functions that are smooth on the Gaussian's scale:
 *   exponentially accurate there (tanh'² at variance 1: ~1e-7).
 * - Composite Gauss–Legendre (6 nodes per panel) over [mean − 10σ, mean + 10σ] with breakpoints at u = 0
 *   and ±64, panels at most σ wide and about ½ wide near 0 (see panelWidth). Needed because
 *   Gauss–Hermite alone fails where the integrand has a kink at 0 (ReLU family, ELU, SELU: ~1e-3 error) or
 *   varies much faster than σ: E[tanh'(u)²] at variance 100 is off by 80–90 % even with 128 Hermite nodes,
 *   and a saturating network is exactly the case the prediction must get right. The panel rule is accurate
 *   to ~1e-8 or better on all of these (tests check 1e-7 against brute-force integration).
 */

import { erf, sigmoidScalar, softplusScalar } from '../engine/activations';
import type { ActivationConfig } from '../engine/config';

export interface QuadratureRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

const HERMITE_NODES = 64;
const LEGENDRE_NODES = 6;
/** Integration range in standard deviations: the Gaussian tail beyond 10σ is below 1e-23. */
const RANGE_SIGMAS = 10;
/** Largest σ for which the Hermite rule is used on smooth integrands. */
const HERMITE_MAX_SIGMA = 1;

const hermiteCache = new Map<number, QuadratureRule>();
const legendreCache = new Map<number, QuadratureRule>();

/**
 * Probabilists' Gauss–Hermite rule: E_{z~N(0,1)}[f(z)] ≈ Σ wᵢ f(xᵢ), Σ wᵢ = 1.
 * Nodes of the physicists' Hermite polynomial Hₙ by Newton's method on the normalised recurrence
 * (Numerical Recipes `gauher`), then x = √2·t and w = w_phys/√π.
 */
export function gaussHermite(n: number): QuadratureRule {
  const cached = hermiteCache.get(n);
  if (cached) return cached;
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  const pim4 = Math.pow(Math.PI, -0.25);
  let z = 0;
  for (let i = 0; i < Math.floor((n + 1) / 2); i++) {
    // Initial guesses for the largest roots, then each from the previous ones (NR).
    if (i === 0) z = Math.sqrt(2 * n + 1) - 1.85575 * Math.pow(2 * n + 1, -0.16667);
    else if (i === 1) z -= (1.14 * Math.pow(n, 0.426)) / z;
    else if (i === 2) z = 1.86 * z - (0.86 * nodes[0]!) / Math.SQRT2;
    else if (i === 3) z = 1.91 * z - (0.91 * nodes[1]!) / Math.SQRT2;
    else z = 2 * z - nodes[i - 2]! / Math.SQRT2;
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p1 = pim4;
      let p2 = 0;
      for (let j = 1; j <= n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / j) * p2 - Math.sqrt((j - 1) / j) * p3;
      }
      derivative = Math.sqrt(2 * n) * p2;
      const step = p1 / derivative;
      z -= step;
      if (Math.abs(step) < 1e-15) break;
    }
    const w = 2 / (derivative * derivative) / Math.sqrt(Math.PI);
    nodes[i] = z * Math.SQRT2;
    nodes[n - 1 - i] = -z * Math.SQRT2;
    weights[i] = w;
    weights[n - 1 - i] = w;
  }
  const rule = { nodes, weights };
  hermiteCache.set(n, rule);
  return rule;
}

/** Gauss–Legendre rule on [−1, 1] by Newton's method on Pₙ (Numerical Recipes `gauleg`). */
export function gaussLegendre(n: number): QuadratureRule {
  const cached = legendreCache.get(n);
  if (cached) return cached;
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < Math.floor((n + 1) / 2); i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p1 = 1;
      let p2 = 0;
      for (let j = 1; j <= n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = ((2 * j - 1) * z * p2 - (j - 1) * p3) / j;
      }
      derivative = (n * (z * p1 - p2)) / (z * z - 1);
      const step = p1 / derivative;
      z -= step;
      if (Math.abs(step) < 1e-15) break;
    }
    const w = 2 / ((1 - z * z) * derivative * derivative);
    nodes[i] = -z;
    nodes[n - 1 - i] = z;
    weights[i] = w;
    weights[n - 1 - i] = w;
  }
  const rule = { nodes, weights };
  legendreCache.set(n, rule);
  return rule;
}

/** Nodes u and weights w (summing to 1) of one expectation; views into module buffers, valid until the next call. */
export interface GaussianNodes {
  u: Float64Array;
  w: Float64Array;
  count: number;
}

let nodeU = new Float64Array(1024);
let nodeW = new Float64Array(1024);

/**
 * Nodes and weights with Σ w·f(u) ≈ E[f(U)], U ~ N(mean, variance).
 * `smooth`: the integrand has no kink and no feature narrower than ~1 around 0, so Gauss–Hermite may be used
 * when σ ≤ 1. A zero variance gives the single point `mean`; a non-finite one (an overflowed, exploded
 * signal) the single point NaN.
 */
export function gaussianNodes(mean: number, variance: number, smooth: boolean): GaussianNodes {
  if (!Number.isFinite(mean) || !Number.isFinite(variance)) return single(NaN);
  const sigma = variance > 0 ? Math.sqrt(variance) : 0;
  if (!(sigma > 1e-300)) return single(mean);
  if (smooth && sigma <= HERMITE_MAX_SIGMA) {
    const { nodes, weights } = gaussHermite(HERMITE_NODES);
    for (let i = 0; i < nodes.length; i++) {
      nodeU[i] = mean + sigma * nodes[i]!;
      nodeW[i] = weights[i]!;
    }
    return { u: nodeU, w: nodeW, count: nodes.length };
  }
  return panelNodes(mean, sigma);
}

function single(u: number): GaussianNodes {
  nodeU[0] = u;
  nodeW[0] = 1;
  return { u: nodeU, w: nodeW, count: 1 };
}

/** |u| below which every activation still bends; beyond it φ is linear or constant to double precision. */
const CORE = 64;

/**
 * Width of the panel starting at a (before the cap at σ). In the core, ½ near 0, halving towards 0 and
 * doubling away from it. Outside, also never finer than 1e-4·σ: there φ is on its asymptote and the density
 * varies by < 1e-8 across such a panel, so the integrand is a polynomial of degree ≤ 4 that Gauss–Legendre
 * integrates exactly — which keeps σ = 1e100 at ~60 panels instead of ~1000.
 */
function panelWidth(a: number, sigma: number): number {
  const width = Math.max(0.5, a < 0 ? -a / 2 : a);
  const outsideCore = a < 0 ? -a > CORE : a >= CORE;
  return outsideCore ? Math.max(width, 1e-4 * sigma) : width;
}

/** Composite Gauss–Legendre over [mean − 10σ, mean + 10σ] with the Gaussian density folded into the weights. */
function panelNodes(mean: number, sigma: number): GaussianNodes {
  const { nodes, weights } = gaussLegendre(LEGENDRE_NODES);
  const hi = mean + RANGE_SIGMAS * sigma;
  const densityScale = 1 / (sigma * Math.sqrt(2 * Math.PI));
  let count = 0;
  let a = mean - RANGE_SIGMAS * sigma;
  while (a < hi) {
    let b = Math.min(hi, a + Math.min(sigma, panelWidth(a, sigma)));
    if (a < -CORE && b > -CORE) b = -CORE;
    if (a < 0 && b > 0) b = 0; // kinks of piecewise activations sit at u = 0
    if (!(b > a)) b = hi; // σ below the spacing of doubles at this mean: one panel
    if (!(b > a)) break;
    if (count + nodes.length > nodeU.length) growNodeBuffers();
    const half = (b - a) / 2;
    const mid = (a + b) / 2;
    for (let i = 0; i < nodes.length; i++, count++) {
      const u = mid + half * nodes[i]!;
      const t = (u - mean) / sigma;
      nodeU[count] = u;
      nodeW[count] = weights[i]! * half * densityScale * Math.exp(-0.5 * t * t);
    }
    a = b;
  }
  return { u: nodeU, w: nodeW, count };
}

function growNodeBuffers(): void {
  const u = new Float64Array(nodeU.length * 2);
  const w = new Float64Array(nodeW.length * 2);
  u.set(nodeU);
  w.set(nodeW);
  nodeU = u;
  nodeW = w;
}

/** Receives one quadrature node u and its weight (weights sum to 1 over a call). */
export type NodeVisitor = (u: number, weight: number) => void;

/** Visits the nodes of gaussianNodes (convenience for tests and one-off expectations). */
export function forEachGaussianNode(mean: number, variance: number, smooth: boolean, visit: NodeVisitor): void {
  const { u, w, count } = gaussianNodes(mean, variance, smooth);
  const us = u.slice(0, count);
  const ws = w.slice(0, count);
  for (let i = 0; i < count; i++) visit(us[i]!, ws[i]!);
}

/** E[f(U)], U ~ N(mean, variance), by the rules above. */
export function gaussianExpectation(f: (u: number) => number, mean: number, variance: number, smooth = false): number {
  let sum = 0;
  forEachGaussianNode(mean, variance, smooth, (u, w) => {
    sum += w * f(u);
  });
  return sum;
}

/**
 * Complementary error function, Numerical Recipes `erfcc` (Chebyshev fit): fractional error < 1.2e-7
 * everywhere, including the far tail (so small saturation fractions keep their relative accuracy).
 */
export function erfc(x: number): number {
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.5 * ax);
  const r =
    t *
    Math.exp(
      -ax * ax -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * Φ⁻¹(p), the standard normal quantile: Acklam's rational approximation (relative error < 1.2e-9),
 * with one Halley step on erfc for full double precision.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const a = [
    -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
    2.506628277459239,
  ];
  const b = [
    -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
  ];
  const c = [
    -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
    ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  let x: number;
  if (p < 0.02425) {
    x = tail(Math.sqrt(-2 * Math.log(p)));
  } else if (p > 1 - 0.02425) {
    x = -tail(Math.sqrt(-2 * Math.log(1 - p)));
  } else {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  }
  const e = 0.5 * erfc(-x / Math.SQRT2) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** P(U > threshold), U ~ N(mean, variance) (a step at `threshold` when the variance is 0). */
export function gaussianTail(threshold: number, mean: number, variance: number): number {
  if (!(variance > 0)) return mean > threshold ? 1 : 0;
  return 0.5 * erfc((threshold - mean) / Math.sqrt(2 * variance));
}

// ---------------------------------------------------------------- activation moments

/** Gaussian moments of an activation: E[φ], E[φ²], E[φ⁴], E[φ'²], E[φ'⁴], and the cross-sample covariance. */
export interface ActivationMoments {
  mean: number;
  m2: number;
  m4: number;
  d2: number;
  d4: number;
  /** Cov(φ(U_a), φ(U_b)) for two samples whose pre-activations have correlation ρ. */
  cov: number;
}

export type Scalar = (u: number) => number;

/** φ and φ' as the engine computes them (engine/activations.ts), plus whether φ is analytic (Hermite-safe). */
export function activationPair(a: ActivationConfig): { f: Scalar; df: Scalar; smooth: boolean } {
  const SELU_ALPHA = 1.6732632423543772;
  const SELU_SCALE = 1.0507009873554805;
  const alpha = a.alpha;
  switch (a.name) {
    case 'linear':
      return { f: (u) => u, df: () => 1, smooth: true };
    case 'sigmoid':
      return {
        f: sigmoidScalar,
        df: (u) => {
          const s = sigmoidScalar(u);
          return s * (1 - s);
        },
        smooth: true,
      };
    case 'tanh':
      return {
        f: Math.tanh,
        df: (u) => {
          const t = Math.tanh(u);
          return 1 - t * t;
        },
        smooth: true,
      };
    case 'relu':
      return { f: (u) => (u > 0 ? u : 0), df: (u) => (u > 0 ? 1 : 0), smooth: false };
    case 'leaky_relu':
    case 'prelu':
      return { f: (u) => (u > 0 ? u : alpha * u), df: (u) => (u > 0 ? 1 : alpha), smooth: false };
    case 'elu':
      return {
        f: (u) => (u > 0 ? u : alpha * Math.expm1(u)),
        df: (u) => (u > 0 ? 1 : alpha * Math.exp(u)),
        smooth: false,
      };
    case 'selu':
      return {
        f: (u) => SELU_SCALE * (u > 0 ? u : SELU_ALPHA * Math.expm1(u)),
        df: (u) => SELU_SCALE * (u > 0 ? 1 : SELU_ALPHA * Math.exp(u)),
        smooth: false,
      };
    case 'gelu': {
      // Φ(u) memoised: moments call f(u) then df(u) at the same node, and erf dominates the cost.
      let lastU = NaN;
      let lastCdf = 0;
      // Beyond |u| = 9, Φ is 0 or 1 to double precision (Φ(−9) ≈ 1e-19): skip erf on the far panels, which are most
      // of the nodes when the variance is large.
      const cdf = (u: number) =>
        u > 9 ? 1 : u < -9 ? 0 : u === lastU ? lastCdf : ((lastU = u), (lastCdf = 0.5 * (1 + erf(u * Math.SQRT1_2))));
      return {
        f: (u) => u * cdf(u),
        df: (u) => (u > 9 ? 1 : u < -9 ? 0 : cdf(u) + (u * Math.exp(-0.5 * u * u)) / Math.sqrt(2 * Math.PI)),
        smooth: true,
      };
    }
    case 'softplus':
      return {
        f: (u) => (u > 20 ? u : Math.log1p(Math.exp(u))),
        df: (u) => (u > 20 ? 1 : sigmoidScalar(u)),
        smooth: true,
      };
    case 'swish':
      return {
        f: (u) => u * sigmoidScalar(u),
        df: (u) => {
          const s = sigmoidScalar(u);
          return s + u * s * (1 - s);
        },
        smooth: true,
      };
    case 'exponential':
      return { f: Math.exp, df: Math.exp, smooth: true };
    case 'softsign':
      return { f: (u) => u / (1 + Math.abs(u)), df: (u) => 1 / (1 + Math.abs(u)) ** 2, smooth: false };
    case 'hard_sigmoid':
      return { f: (u) => Math.min(Math.max(u + 3, 0), 6) / 6, df: (u) => (u > -3 && u < 3 ? 1 / 6 : 0), smooth: false };
    case 'relu6':
      return { f: (u) => Math.min(Math.max(u, 0), 6), df: (u) => (u > 0 && u < 6 ? 1 : 0), smooth: false };
    case 'mish':
      return {
        f: (u) => u * Math.tanh(softplusScalar(u)),
        df: (u) => {
          const t = Math.tanh(softplusScalar(u));
          return t + u * (1 - t * t) * sigmoidScalar(u);
        },
        smooth: true,
      };
    case 'softmax':
      throw new Error('softmax is not elementwise');
  }
}

/** Hermite terms kept in the covariance series (the remainder is bounded by ρ^{K+1}·what is left of Var φ). */
const HERMITE_TERMS = 8;

/**
 * Moments of φ(U), U ~ N(mean, variance), and the covariance of φ between two samples whose pre-activations
 * have correlation `correlation` (ρ). Closed forms: linear; ReLU/leaky/PReLU at zero mean (E[φ²] = v(1+α²)/2,
 * E[φ'²] = (1+α²)/2, E[φ⁴] = 3v²(1+α⁴)/2, E[φ'⁴] = (1+α⁴)/2, E[φ] = √(v/2π)(1−α), covariance from the
 * arc-cosine kernel, Cho & Saul 2009). Quadrature otherwise, the covariance by the Hermite (dual-activation)
 * series Cov = Σ_{k≥1} ρᵏ·aₖ², aₖ² = E[φ(U)·Heₖ(ξ)]²/k!, ξ = (U − mean)/σ (Daniely et al. 2016).
 * `width` is only used by softmax (not elementwise; approximated).
 */
export function activationMoments(
  a: ActivationConfig,
  mean: number,
  variance: number,
  width: number,
  correlation = 0,
): ActivationMoments {
  const v = Math.max(0, variance);
  const rho = Math.max(-1, Math.min(1, correlation));
  if (a.name === 'linear') {
    return { mean, m2: mean * mean + v, m4: mean ** 4 + 6 * mean * mean * v + 3 * v * v, d2: 1, d4: 1, cov: rho * v };
  }
  if (mean === 0 && (a.name === 'relu' || a.name === 'leaky_relu' || a.name === 'prelu'))
    return reluMoments(a.name === 'relu' ? 0 : a.alpha, v, rho);
  if (a.name === 'softmax') return softmaxMoments(v, width);
  const { f, df, smooth } = activationPair(a);
  const sigma = Math.sqrt(v);
  const { u: us, w: ws, count } = gaussianNodes(mean, v, smooth);
  let m1 = 0;
  let m2 = 0;
  let m4 = 0;
  let d2 = 0;
  let d4 = 0;
  const hermite = rho !== 0 && sigma > 0 ? new Float64Array(HERMITE_TERMS + 1) : null; // E[φ·Heₖ(ξ)]
  for (let i = 0; i < count; i++) {
    const u = us[i]!;
    const w = ws[i]!;
    const y = f(u);
    const d = df(u);
    const wy2 = w * y * y;
    const wd2 = w * d * d;
    m1 += w * y;
    m2 += wy2;
    m4 += wy2 * y * y;
    d2 += wd2;
    d4 += wd2 * d * d;
    if (hermite) addHermiteTerms(hermite, (u - mean) / sigma, w * y);
  }
  const cov = hermite ? hermiteCovariance(hermite, rho, m2 - m1 * m1) : 0;
  return { mean: m1, m2, m4, d2, d4, cov };
}

/** hermite[k] += wy·Heₖ(ξ), k ≥ 1, by He_{k+1} = ξ·Heₖ − k·He_{k−1}. */
function addHermiteTerms(hermite: Float64Array, xi: number, wy: number): void {
  let previous = 1;
  let current = xi;
  for (let k = 1; k < hermite.length; k++) {
    hermite[k] = hermite[k]! + wy * current;
    const next = xi * current - k * previous;
    previous = current;
    current = next;
  }
}

function hermiteCovariance(hermite: Float64Array, rho: number, variance: number): number {
  let cov = 0;
  let explained = 0;
  let factorial = 1;
  for (let k = 1; k < hermite.length; k++) {
    factorial *= k;
    const ak2 = (hermite[k]! * hermite[k]!) / factorial;
    cov += Math.pow(rho, k) * ak2;
    explained += ak2;
  }
  // Unexplained variance sits in higher orders: count it at ρ^{K+1} (exact in the limits ρ → 0 and ρ → 1).
  return cov + Math.pow(rho, hermite.length) * Math.max(0, variance - explained);
}

/** Leaky ReLU φ(u) = αu + (1−α)·relu(u), u ~ N(0, v): closed forms (α = 0: ReLU). */
function reluMoments(alpha: number, v: number, rho: number): ActivationMoments {
  const a2 = 1 + alpha * alpha;
  const a4 = 1 + alpha ** 4;
  const mean = Math.sqrt(v / (2 * Math.PI)) * (1 - alpha);
  // E[relu(u_a)·relu(u_b)] = v/(2π)·(√(1−ρ²) + (π − arccos ρ)·ρ); E[u_a·relu(u_b)] = ρv/2.
  const reluProduct = (v / (2 * Math.PI)) * (Math.sqrt(1 - rho * rho) + (Math.PI - Math.acos(rho)) * rho);
  const product = alpha * alpha * rho * v + alpha * (1 - alpha) * rho * v + (1 - alpha) ** 2 * reluProduct;
  return { mean, m2: (v * a2) / 2, m4: (3 * v * v * a4) / 2, d2: a2 / 2, d4: a4 / 2, cov: product - mean * mean };
}

/**
 * Softmax over n units with iid logits N(μ, v), large-n approximation: pᵢ ≈ e^{zᵢ}/(n·E[e^z]), so
 * E[p²] ≈ e^v/n²; the Jacobian is dominated by its diagonal pᵢ(1 − pᵢ) ≈ pᵢ, hence E[(∂p/∂z)²] ≈ E[p²].
 */
function softmaxMoments(v: number, n: number): ActivationMoments {
  if (n <= 1) return { mean: 1, m2: 1, m4: 1, d2: 0, d4: 0, cov: 0 };
  const m2 = Math.min(1, Math.exp(v) / (n * n));
  return { mean: 1 / n, m2, m4: m2 * m2, d2: m2, d4: m2 * m2, cov: 0 };
}
