/**
 * Edge-of-chaos initialisation from VGNet's own mean-field theory (Poole et al. 2016; Schoenholz et al. 2017):
 * the weight scale σ_w at which a deep stack of one activation neither shrinks nor grows gradients, χ₁ = 1, where
 *   q* = σ_w²·E[φ(√q*·ξ)²] + σ_b²   (the pre-activations' fixed-point variance)
 *   χ₁ = σ_w²·E[φ'(√q*·ξ)²]          (the gradient's per-layer gain),  ξ ~ N(0, 1).
 * W ~ N(0, σ_w²/fan_in), biases 0 (σ_b = 0). ReLU gives σ_w² = 2 (He), tanh σ_w = 1; sigmoid, whose φ is not
 * centred, needs σ_w ≈ 4–5 — which no named initialiser offers.
 */
import type { ActivationConfig } from '../../engine/config';
import { activationMoments } from '../quadrature';
import { Memo } from '../memo';

/** q* for σ_w (σ_b = 0), by fixed-point iteration from q = 1. */
function fixedPointVariance(a: ActivationConfig, sigmaW: number): number {
  let q = 1;
  for (let i = 0; i < 200; i++) {
    const next = sigmaW * sigmaW * activationMoments(a, 0, q, 1).m2;
    if (!Number.isFinite(next)) return NaN;
    if (Math.abs(next - q) <= 1e-10 * Math.max(1, q)) return next;
    q = next;
  }
  return q;
}

/** χ₁ at σ_w: the gradient's gain per layer at the fixed point. */
export function chiAt(a: ActivationConfig, sigmaW: number): number {
  const q = fixedPointVariance(a, sigmaW);
  return sigmaW * sigmaW * activationMoments(a, 0, Math.max(q, 1e-12), 1).d2;
}

/**
 * σ_w with χ₁ = 1 in [0.05, 50] (bisection on log σ_w; χ₁ grows with σ_w for the activations here), or null when
 * there is none (softmax; an activation whose gain never reaches 1).
 */
export function edgeOfChaosSigmaW(a: ActivationConfig): number | null {
  // Once per activation: a candidate asks for every layer, and the bisection (60 fixed points, each up to 200
  // quadratures) took 175 ms for a 30-layer stack — on the path from the measured verdict to the first fix run.
  return SIGMA_W.get(`${a.name}:${a.alpha}`, () => bisectSigmaW(a));
}

const SIGMA_W = new Memo<string, number | null>(32);

function bisectSigmaW(a: ActivationConfig): number | null {
  if (a.name === 'softmax') return null;
  let lo = Math.log(0.05);
  let hi = Math.log(50);
  const chi = (x: number): number => chiAt(a, Math.exp(x)) - 1;
  let fLo = chi(lo);
  const fHi = chi(hi);
  if (!Number.isFinite(fLo) || !Number.isFinite(fHi) || fLo > 0 || fHi < 0) return null;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    const f = chi(mid);
    if (!Number.isFinite(f)) return null;
    if (f < 0) {
      lo = mid;
      fLo = f;
    } else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}
