/**
 * The hot loops of a training step behind one interface: the pure-TypeScript reference kernels here, or the
 * WebAssembly SIMD kernels over one fixed-size memory (wasm/wasm-backend.ts). A model receives its backend when it
 * is built and passes it to every layer — there is no process-wide registration, so any number of models (one per
 * trainer) can live in one thread, each with its own memory, released with the model.
 */
import { ACTIVATION_KERNELS, type ActivationKernel } from './activations';
import type { ActivationName } from './config';
import { gemmNN, gemmNT, gemmTN } from './gemm';
import {
  batchNormGradSums,
  batchNormInputGrad,
  batchNormNormalize,
  batchNormStatistics,
  columnSums,
  countAbsAbove,
  countDeadUnits,
  countNonFinite,
  gatherColumns,
  maxPool,
  maxPoolBackward,
  scatterColumns,
  squaredDeviations,
  sum,
  sumOfSquares,
} from './reference-kernels';
import { adamUpdate, rmspropUpdate, sgdUpdate } from './update-rules';
import type { AdamStep, RmspropStep, SgdStep, UpdateNorms } from './update-rules';

export type BackendName = 'wasm' | 'js';

export interface Backend {
  readonly name: BackendName;
  /** The matrix kernels use relaxed SIMD's multiply-add (wasm, where the runtime has it). Absent: false. */
  readonly fusedMultiplyAdd?: boolean;
  /** C[m×n] (+)= A[m×k]·B[n×k]ᵀ (contracts in gemm.ts) */
  gemmNT(
    m: number,
    n: number,
    k: number,
    A: Float32Array,
    B: Float32Array,
    C: Float32Array,
    accumulate?: boolean,
  ): void;
  /** C[m×n] (+)= A[m×k]·B[k×n] */
  gemmNN(
    m: number,
    n: number,
    k: number,
    A: Float32Array,
    B: Float32Array,
    C: Float32Array,
    accumulate?: boolean,
  ): void;
  /** C[m×n] (+)= A[k×m]ᵀ·B[k×n] */
  gemmTN(
    m: number,
    n: number,
    k: number,
    A: Float32Array,
    B: Float32Array,
    C: Float32Array,
    accumulate?: boolean,
  ): void;
  /** z[r][c] += v[c] for r < rows, c < cols (the dense bias). */
  addRowVector(z: Float32Array, v: Float32Array, rows: number, cols: number): void;
  /** out[c] = Σ_r m[r][c], float64 sums in row order. */
  columnSums(m: Float32Array, rows: number, cols: number, out: Float32Array): void;
  /**
   * BatchNorm over features (rows × cols, a column per unit): its forward statistics, the normalisation, the sums of
   * its parameter gradients and its input gradient; contracts at the reference kernels of the same names
   * (reference-kernels.ts), whose float64 arithmetic every backend reproduces to the bit.
   */
  batchNormStatistics(x: Float32Array, rows: number, cols: number, means: Float64Array, squares: Float64Array): void;
  batchNormNormalize(
    x: Float32Array,
    rows: number,
    cols: number,
    mean: Float32Array,
    invStd: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    normalized: Float32Array,
    y: Float32Array,
  ): void;
  batchNormGradSums(
    dy: Float32Array,
    normalized: Float32Array,
    rows: number,
    cols: number,
    dGamma: Float64Array,
    dBeta: Float64Array,
  ): void;
  batchNormInputGrad(
    dy: Float32Array,
    normalized: Float32Array,
    rows: number,
    cols: number,
    scale: Float64Array,
    dGamma: Float64Array,
    dBeta: Float64Array,
    training: boolean,
    dx: Float32Array,
  ): void;
  /** Σ a², float64. */
  sumOfSquares(a: Float32Array): number;
  /** Σ a and Σ (a − mean)², float64 (a two-pass variance). */
  sum(a: Float32Array): number;
  squaredDeviations(a: Float32Array, mean: number): number;
  /** Counts of non-finite elements, of elements with |a| > threshold, of columns of z (rows × cols) with no element > 0. */
  countNonFinite(a: Float32Array): number;
  countAbsAbove(a: Float32Array, threshold: number): number;
  countDeadUnits(z: Float32Array, rows: number, cols: number): number;
  /**
   * A convolution's im2col of n samples by its run table (conv-geometry.ts im2colRuns), and the adjoint col2im;
   * contracts at the reference kernels of the same names (reference-kernels.ts).
   */
  gatherColumns(
    x: Float32Array,
    offset: number,
    stride: number,
    n: number,
    runs: Int32Array,
    rows: number,
    outHeight: number,
    outWidth: number,
    strideW: number,
    col: Float32Array,
  ): void;
  scatterColumns(
    col: Float32Array,
    runs: Int32Array,
    rows: number,
    outHeight: number,
    outWidth: number,
    strideW: number,
    n: number,
    dx: Float32Array,
    offset: number,
    stride: number,
    width: number,
  ): void;
  /** Max pooling of n samples by the layer's table (conv-geometry.ts poolIndex); contract at the reference maxPool. */
  maxPool(
    x: Float32Array,
    offset: number,
    stride: number,
    n: number,
    channels: number,
    planeSize: number,
    index: Int32Array,
    positions: number,
    window: number,
    out: Float32Array,
    argmax: Float32Array,
  ): void;
  /** The gradient of max pooling by its argmax; contract at the reference maxPoolBackward. */
  maxPoolBackward(
    dy: Float32Array,
    argmax: Float32Array,
    n: number,
    outputs: number,
    dx: Float32Array,
    stride: number,
    width: number,
  ): void;
  /** The kernel pair of an activation: the backend's own where it has one, else the reference. */
  activationKernel(name: ActivationName): ActivationKernel;
  /** Optimizer updates of one tensor (update-rules.ts); norms, when given, receive ‖w‖² before and ‖Δw‖². */
  sgd(w: Float32Array, grad: Float32Array, buf: Float32Array | null, h: SgdStep, norms: UpdateNorms | null): void;
  adam(
    w: Float32Array,
    grad: Float32Array,
    m: Float32Array,
    v: Float32Array,
    h: AdamStep,
    norms: UpdateNorms | null,
  ): void;
  rmsprop(
    w: Float32Array,
    grad: Float32Array,
    v: Float32Array,
    buf: Float32Array | null,
    h: RmspropStep,
    norms: UpdateNorms | null,
  ): void;
}

/** z[r][c] += v[c] (float32 adds, the same rounding as the SIMD kernel). */
export function addRowVector(z: Float32Array, v: Float32Array, rows: number, cols: number): void {
  for (let r = 0, i = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++, i++) z[i] = z[i]! + v[c]!;
  }
}

/** The reference backend: plain TypeScript on any Float32Array. Stateless, so one instance serves every model. */
export const JS_BACKEND: Backend = {
  name: 'js',
  gemmNT,
  gemmNN,
  gemmTN,
  addRowVector,
  columnSums,
  batchNormStatistics,
  batchNormNormalize,
  batchNormGradSums,
  batchNormInputGrad,
  sumOfSquares,
  sum,
  squaredDeviations,
  countNonFinite,
  countAbsAbove,
  countDeadUnits,
  gatherColumns,
  scatterColumns,
  maxPool,
  maxPoolBackward,
  activationKernel: (name) => ACTIVATION_KERNELS[name],
  sgd: sgdUpdate,
  adam: adamUpdate,
  rmsprop: rmspropUpdate,
};
