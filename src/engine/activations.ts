/**
 * Activation functions as forward/derivative pairs on Float32Array blocks (TF Playground's nn.ts layout,
 * but a block of rows × cols per call instead of one scalar, so there is no closure per element).
 * `z` is the pre-activation, `y` the output; backward writes dz = dy ⊙ f'(z) (softmax: the Jacobian product).
 */
import type { ActivationConfig, ActivationName } from './config';
import type { Arena } from './arena';

export interface ActivationParams {
  /** leaky_relu negative slope, elu alpha (prelu keeps its per-unit slopes below). */
  alpha: number;
  /** prelu: learned slope per unit (length cols); null for every other activation. */
  slopes: Float32Array | null;
  /** prelu: ∂loss/∂slope per unit, overwritten by backward. */
  slopeGrad: Float32Array | null;
}

export interface ActivationKernel {
  forward(z: Float32Array, y: Float32Array, rows: number, cols: number, p: ActivationParams): void;
  backward(
    z: Float32Array,
    y: Float32Array,
    dy: Float32Array,
    dz: Float32Array,
    rows: number,
    cols: number,
    p: ActivationParams,
  ): void;
}

// SELU constants as in PyTorch (Klambauer et al. 2017).
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;
// PyTorch softplus: beta 1, above threshold 20 the function is the identity.
const SOFTPLUS_THRESHOLD = 20;
const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;

/** Numerically stable logistic σ(x). */
export function sigmoidScalar(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * erf(x) from the complementary error function of Numerical Recipes (erfcc, Chebyshev fit):
 * fractional error below 1.2e-7 everywhere, enough for float32 GELU and its gradient checks.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.5 * ax);
  const poly =
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
                    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(poly);
  return x >= 0 ? 1 - erfc : erfc - 1;
}

/** dst[0..n) = src[0..n) without creating views (no allocation in the training loop). */
export function copy(src: Float32Array, dst: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) dst[i] = src[i]!;
}

const linear: ActivationKernel = {
  forward(z, y, rows, cols) {
    if (z !== y) copy(z, y, rows * cols);
  },
  backward(_z, _y, dy, dz, rows, cols) {
    if (dz !== dy) copy(dy, dz, rows * cols);
  },
};

const sigmoid: ActivationKernel = {
  forward(z, y, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) y[i] = sigmoidScalar(z[i]!);
  },
  // σ'(z) = σ(1 − σ)
  backward(_z, y, dy, dz, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) dz[i] = dy[i]! * y[i]! * (1 - y[i]!);
  },
};

const tanh: ActivationKernel = {
  forward(z, y, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) y[i] = Math.tanh(z[i]!);
  },
  // tanh'(z) = 1 − tanh²
  backward(_z, y, dy, dz, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) dz[i] = dy[i]! * (1 - y[i]! * y[i]!);
  },
};

const relu: ActivationKernel = {
  forward(z, y, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) y[i] = z[i]! > 0 ? z[i]! : 0;
  },
  // PyTorch's threshold_backward: gradient passes where z > 0.
  backward(z, _y, dy, dz, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) dz[i] = z[i]! > 0 ? dy[i]! : 0;
  },
};

const leakyRelu: ActivationKernel = {
  forward(z, y, rows, cols, p) {
    for (let i = 0, n = rows * cols; i < n; i++) y[i] = z[i]! > 0 ? z[i]! : p.alpha * z[i]!;
  },
  backward(z, _y, dy, dz, rows, cols, p) {
    for (let i = 0, n = rows * cols; i < n; i++) dz[i] = z[i]! > 0 ? dy[i]! : p.alpha * dy[i]!;
  },
};

const prelu: ActivationKernel = {
  forward(z, y, rows, cols, p) {
    const a = p.slopes!;
    for (let r = 0, i = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++, i++) y[i] = z[i]! > 0 ? z[i]! : a[c]! * z[i]!;
    }
  },
  // ∂y/∂z = 1 or a_c; ∂loss/∂a_c = Σ_batch dy·z over z ≤ 0.
  backward(z, _y, dy, dz, rows, cols, p) {
    const a = p.slopes!;
    const da = p.slopeGrad!;
    da.fill(0);
    for (let r = 0, i = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++, i++) {
        if (z[i]! > 0) {
          dz[i] = dy[i]!;
        } else {
          dz[i] = a[c]! * dy[i]!;
          da[c] = da[c]! + dy[i]! * z[i]!;
        }
      }
    }
  },
};

const elu: ActivationKernel = {
  forward(z, y, rows, cols, p) {
    for (let i = 0, n = rows * cols; i < n; i++) y[i] = z[i]! > 0 ? z[i]! : p.alpha * Math.expm1(z[i]!);
  },
  // z ≤ 0: α·e^z
  backward(z, _y, dy, dz, rows, cols, p) {
    for (let i = 0, n = rows * cols; i < n; i++) dz[i] = z[i]! > 0 ? dy[i]! : dy[i]! * p.alpha * Math.exp(z[i]!);
  },
};

const selu: ActivationKernel = {
  forward(z, y, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) {
      y[i] = z[i]! > 0 ? SELU_SCALE * z[i]! : SELU_SCALE * SELU_ALPHA * Math.expm1(z[i]!);
    }
  },
  backward(z, _y, dy, dz, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) {
      dz[i] = dy[i]! * (z[i]! > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(z[i]!));
    }
  },
};

const gelu: ActivationKernel = {
  // Exact GELU (PyTorch default): z·Φ(z), Φ(z) = ½(1 + erf(z/√2)).
  forward(z, y, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) y[i] = 0.5 * z[i]! * (1 + erf(z[i]! * INV_SQRT2));
  },
  // d/dz z·Φ(z) = Φ(z) + z·φ(z)
  backward(z, _y, dy, dz, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) {
      const x = z[i]!;
      const cdf = 0.5 * (1 + erf(x * INV_SQRT2));
      const pdf = INV_SQRT_2PI * Math.exp(-0.5 * x * x);
      dz[i] = dy[i]! * (cdf + x * pdf);
    }
  },
};

const softplus: ActivationKernel = {
  forward(z, y, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) {
      const x = z[i]!;
      y[i] = x > SOFTPLUS_THRESHOLD ? x : Math.log1p(Math.exp(x));
    }
  },
  // softplus' = σ(z), 1 above the threshold
  backward(z, _y, dy, dz, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) {
      const x = z[i]!;
      dz[i] = x > SOFTPLUS_THRESHOLD ? dy[i]! : dy[i]! * sigmoidScalar(x);
    }
  },
};

const swish: ActivationKernel = {
  forward(z, y, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) y[i] = z[i]! * sigmoidScalar(z[i]!);
  },
  // d/dz z·σ(z) = σ + z·σ(1 − σ)
  backward(z, _y, dy, dz, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) {
      const s = sigmoidScalar(z[i]!);
      dz[i] = dy[i]! * (s + z[i]! * s * (1 - s));
    }
  },
};

const softmax: ActivationKernel = {
  // Row-wise, shifted by the row maximum for stability.
  forward(z, y, rows, cols) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let max = -Infinity;
      for (let c = 0; c < cols; c++) if (z[o + c]! > max) max = z[o + c]!;
      let sum = 0;
      for (let c = 0; c < cols; c++) {
        const e = Math.exp(z[o + c]! - max);
        y[o + c] = e;
        sum += e;
      }
      for (let c = 0; c < cols; c++) y[o + c] = y[o + c]! / sum;
    }
  },
  // Jacobian product: dz = y ⊙ (dy − Σ_c dy·y)
  backward(_z, y, dy, dz, rows, cols) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let dot = 0;
      for (let c = 0; c < cols; c++) dot += dy[o + c]! * y[o + c]!;
      for (let c = 0; c < cols; c++) dz[o + c] = y[o + c]! * (dy[o + c]! - dot);
    }
  },
};

// Activations of imported models (Keras, ONNX, PyTorch), derivatives as PyTorch's autograd computes them.
const exponential: ActivationKernel = {
  forward(z, y, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) y[i] = Math.exp(z[i]!);
  },
  backward(_z, y, dy, dz, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) dz[i] = dy[i]! * y[i]!;
  },
};

/** z / (1 + |z|); f' = 1 / (1 + |z|)². */
const softsign: ActivationKernel = {
  forward(z, y, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) y[i] = z[i]! / (1 + Math.abs(z[i]!));
  },
  backward(z, _y, dy, dz, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) {
      const d = 1 + Math.abs(z[i]!);
      dz[i] = dy[i]! / (d * d);
    }
  },
};

/** PyTorch's (and Keras 3's) relu6(z + 3) / 6; f' = 1/6 strictly inside (−3, 3), else 0 (hardsigmoid_backward). */
const hardSigmoid: ActivationKernel = {
  forward(z, y, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) y[i] = Math.min(Math.max(z[i]! + 3, 0), 6) / 6;
  },
  backward(z, _y, dy, dz, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) dz[i] = z[i]! > -3 && z[i]! < 3 ? dy[i]! / 6 : 0;
  },
};

/** min(max(z, 0), 6); f' = 1 strictly inside (0, 6), else 0 (PyTorch's hardtanh_backward). */
const relu6: ActivationKernel = {
  forward(z, y, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) y[i] = Math.min(Math.max(z[i]!, 0), 6);
  },
  backward(z, _y, dy, dz, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) dz[i] = z[i]! > 0 && z[i]! < 6 ? dy[i]! : 0;
  },
};

/** z·tanh(softplus(z)) (Misra 2019, PyTorch nn.Mish); f' = tanh(sp) + z·(1 − tanh²(sp))·σ(z). */
const mish: ActivationKernel = {
  forward(z, y, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) y[i] = z[i]! * Math.tanh(softplusScalar(z[i]!));
  },
  backward(z, _y, dy, dz, rows, cols) {
    for (let i = 0, n = rows * cols; i < n; i++) {
      const x = z[i]!;
      const t = Math.tanh(softplusScalar(x));
      dz[i] = dy[i]! * (t + x * (1 - t * t) * sigmoidScalar(x));
    }
  },
};

/** ln(1 + e^x) without overflow. */
export function softplusScalar(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** Name → implementation (kept apart from the math, as in TF Playground). */
export const ACTIVATION_KERNELS: Record<ActivationName, ActivationKernel> = {
  linear,
  sigmoid,
  tanh,
  relu,
  leaky_relu: leakyRelu,
  prelu,
  elu,
  selu,
  gelu,
  softplus,
  swish,
  softmax,
  exponential,
  softsign,
  hard_sigmoid: hardSigmoid,
  relu6,
  mish,
};

/**
 * Activations whose units can die: exactly flat (zero gradient) for every z ≤ 0. LeakyReLU, PReLU, ELU and SELU keep
 * a gradient below 0 — a unit that is negative on every input still learns — so they are the repairs, not the
 * patients (AutoTrainer's dying-ReLU repairs).
 */
export const RELU_FAMILY_NAMES: readonly ActivationName[] = ['relu', 'relu6'];
const RELU_FAMILY: ReadonlySet<ActivationName> = new Set(RELU_FAMILY_NAMES);
/** Activations that saturate on both sides (|z| large ⇒ f' ≈ 0; hard_sigmoid's is exactly 0 beyond ±3). */
export const SATURATING_NAMES: readonly ActivationName[] = ['sigmoid', 'tanh', 'hard_sigmoid'];
const SATURATING: ReadonlySet<ActivationName> = new Set(SATURATING_NAMES);

export function isReluFamily(name: ActivationName): boolean {
  return RELU_FAMILY.has(name);
}

export function isSaturating(name: ActivationName): boolean {
  return SATURATING.has(name);
}

/**
 * One activation applied to `units` columns: the kernel plus its parameters (prelu slopes live in the arena).
 * When `fusedWithLoss` is set, the loss writes ∂loss/∂z itself (softmax+crossentropy, sigmoid+bce),
 * so backward only passes the gradient through.
 */
export class ActivationOp {
  readonly name: ActivationName;
  readonly kernel: ActivationKernel;
  readonly params: ActivationParams;
  fusedWithLoss = false;

  /** `kernel` defaults to the reference pair; a backend may supply its own (Backend.activationKernel). */
  constructor(
    config: ActivationConfig,
    readonly units: number,
    arena: Arena,
    kernel?: ActivationKernel,
    /** PReLU: another build's slopes to use (the probe model's), instead of allocating and filling new ones. */
    shared?: { data: Float32Array; grad: Float32Array },
  ) {
    this.name = config.name;
    if (!ACTIVATION_KERNELS[config.name]) throw new Error(`unknown activation "${config.name}"`);
    this.kernel = kernel ?? ACTIVATION_KERNELS[config.name];
    const isPrelu = config.name === 'prelu';
    if (isPrelu && shared) {
      this.params = { alpha: config.alpha, slopes: shared.data, slopeGrad: shared.grad };
      return;
    }
    const slopes = isPrelu ? arena.alloc(units) : null;
    if (slopes) slopes.fill(config.alpha);
    this.params = { alpha: config.alpha, slopes, slopeGrad: isPrelu ? arena.alloc(units) : null };
  }

  forward(z: Float32Array, y: Float32Array, rows: number): void {
    this.kernel.forward(z, y, rows, this.units, this.params);
  }

  /** dz = dy ⊙ f'(z); with `fusedWithLoss`, dy already is ∂loss/∂z. */
  backward(z: Float32Array, y: Float32Array, dy: Float32Array, dz: Float32Array, rows: number): void {
    if (this.fusedWithLoss) {
      if (dz !== dy) copy(dy, dz, rows * this.units);
      if (this.params.slopeGrad) this.params.slopeGrad.fill(0);
      return;
    }
    this.kernel.backward(z, y, dy, dz, rows, this.units, this.params);
  }
}
