/**
 * The optimizers' per-tensor update rules (PyTorch's torch.optim, single-tensor path), as plain loops: the
 * reference the WebAssembly versions (wasm/update-codegen.ts) are tested against. Weight decay is added to the
 * gradient inside the update (decay = 0 for tensors that are not decayed). When `norms` is given, the update also
 * measures ‖w‖² before it and ‖Δw‖² of it, in float64.
 */

/** ‖w‖² before an update and ‖Δw‖² of it. */
export interface UpdateNorms {
  before: number;
  delta: number;
}

export interface SgdStep {
  lr: number;
  decay: number;
  momentum: number;
  nesterov: boolean;
  /** The first update copies the gradient into the momentum buffer (buf = g). */
  firstStep: boolean;
}

export interface AdamStep {
  decay: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** lr/(1 − β₁ᵗ) */
  stepSize: number;
  /** √(1 − β₂ᵗ) */
  sqrtCorrection2: number;
  /** AdamW's decoupled decay lr·λ: w ·= 1 − shrink before the step (PyTorch's AdamW); absent or 0 for Adam. */
  shrink?: number;
}

export interface RmspropStep {
  lr: number;
  decay: number;
  rho: number;
  eps: number;
  momentum: number;
}

/** g += λw; momentum: buf = μ·buf + g (buf = g on the first step), g = nesterov ? g + μ·buf : buf; w −= lr·g */
export function sgdUpdate(
  w: Float32Array,
  grad: Float32Array,
  buf: Float32Array | null,
  h: SgdStep,
  norms: UpdateNorms | null,
): void {
  const { lr, decay, momentum, nesterov, firstStep } = h;
  let before = 0;
  let delta = 0;
  for (let i = 0; i < w.length; i++) {
    let g = grad[i]! + decay * w[i]!;
    if (buf !== null) {
      const b = firstStep ? g : momentum * buf[i]! + g;
      buf[i] = b;
      g = nesterov ? g + momentum * b : b;
    }
    const old = w[i]!;
    w[i] = old - lr * g;
    const d = w[i]! - old;
    before += old * old;
    delta += d * d;
  }
  if (norms) setNorms(norms, before, delta);
}

/**
 * m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²; w −= lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + eps). AdamW: `shrink` decays w first
 * (w ·= 1 − lr·λ, rounded to float32 as PyTorch's in-place mul_) and `decay` is 0.
 */
export function adamUpdate(
  w: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  h: AdamStep,
  norms: UpdateNorms | null,
): void {
  const { decay, beta1, beta2, eps, stepSize, sqrtCorrection2 } = h;
  const keep = 1 - (h.shrink ?? 0);
  let before = 0;
  let delta = 0;
  for (let i = 0; i < w.length; i++) {
    const g = grad[i]! + decay * w[i]!;
    m[i] = beta1 * m[i]! + (1 - beta1) * g;
    v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
    const denominator = Math.sqrt(v[i]!) / sqrtCorrection2 + eps;
    const old = w[i]!;
    const decayed = keep === 1 ? old : Math.fround(old * keep);
    w[i] = decayed - (stepSize * m[i]!) / denominator;
    const d = w[i]! - old;
    before += old * old;
    delta += d * d;
  }
  if (norms) setNorms(norms, before, delta);
}

/** v = ρv + (1−ρ)g²; a = √v + eps; momentum: buf = μ·buf + g/a, w −= lr·buf; else w −= lr·g/a */
export function rmspropUpdate(
  w: Float32Array,
  grad: Float32Array,
  v: Float32Array,
  buf: Float32Array | null,
  h: RmspropStep,
  norms: UpdateNorms | null,
): void {
  const { lr, decay, rho, eps, momentum } = h;
  let before = 0;
  let delta = 0;
  for (let i = 0; i < w.length; i++) {
    const g = grad[i]! + decay * w[i]!;
    v[i] = rho * v[i]! + (1 - rho) * g * g;
    let update = g / (Math.sqrt(v[i]!) + eps);
    if (buf !== null) {
      buf[i] = momentum * buf[i]! + update;
      update = buf[i]!;
    }
    const old = w[i]!;
    w[i] = old - lr * update;
    const d = w[i]! - old;
    before += old * old;
    delta += d * d;
  }
  if (norms) setNorms(norms, before, delta);
}

function setNorms(norms: UpdateNorms, before: number, delta: number): void {
  norms.before = before;
  norms.delta = delta;
}

export interface AdagradStep {
  lr: number;
  decay: number;
  eps: number;
}

/** PyTorch's Adagrad (lr_decay 0): g += λw; sum += g²; w −= lr · g / (√sum + eps) */
export function adagradUpdate(
  w: Float32Array,
  grad: Float32Array,
  sum: Float32Array,
  h: AdagradStep,
  norms: UpdateNorms | null,
): void {
  const { lr, decay, eps } = h;
  let before = 0;
  let delta = 0;
  for (let i = 0; i < w.length; i++) {
    const g = grad[i]! + decay * w[i]!;
    sum[i] = sum[i]! + g * g;
    const old = w[i]!;
    w[i] = old - (lr * g) / (Math.sqrt(sum[i]!) + eps);
    const d = w[i]! - old;
    before += old * old;
    delta += d * d;
  }
  if (norms) setNorms(norms, before, delta);
}
