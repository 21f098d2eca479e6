/**
 * The WebAssembly backend: one fixed-size WebAssembly.Memory per model, the SIMD matrix kernels (wasm-gemm.ts)
 * and the SIMD elementwise kernels (elementwise-codegen.ts) instantiated on it. The caller places every buffer
 * of the model in `buffer` (an Arena over it, below `capacityFloats`); an operation whose arrays are all views of
 * that memory runs in wasm with their byte offsets, anything else runs the reference kernels (correct, slower).
 * Lengths are checked before a call, because wasm only bounds-checks the memory as a whole.
 * Nothing here is global except the compiled module: the memory lives and dies with the backend object.
 */
import { ACTIVATION_KERNELS, type ActivationKernel, type ActivationParams } from '../activations';
import { addRowVector, JS_BACKEND, type Backend } from '../backend';
import type { ActivationName } from '../config';
import { gemmNN, gemmNT, gemmTN } from '../gemm';
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
} from '../reference-kernels';
import { adamUpdate, rmspropUpdate, sgdUpdate } from '../update-rules';
import type { AdamStep, RmspropStep, SgdStep, UpdateNorms } from '../update-rules';
import { compiledModule, encodeModule } from './emitter';
import { generateElementwiseModule } from './elementwise-codegen';
import type { ParallelGemm } from './parallel-gemm';
import { createWasmKernels, isShared, type WasmKernels } from './wasm-gemm';

/** The generated functions (argument lists in elementwise-codegen.ts and update-codegen.ts). */
type Exported = (...args: number[]) => number;
type ElementwiseExports = Record<
  | 'addRowVector'
  | 'columnSums'
  | 'batchNormStatistics'
  | 'batchNormNormalize'
  | 'batchNormGradSums'
  | 'batchNormInputGrad'
  | 'sumOfSquares'
  | 'sgd'
  | 'sgdMomentum'
  | 'sgdNesterov'
  | 'adam'
  | 'rmsprop'
  | 'rmspropMomentum'
  | 'sum'
  | 'squaredDeviations'
  | 'countNonFinite'
  | 'countAbsAbove'
  | 'countDeadUnits'
  | 'gatherColumns'
  | 'scatterColumns'
  | 'maxPool'
  | 'maxPoolBackward',
  Exported
> &
  Record<string, Exported>;

/** Activations with SIMD kernels; the backward pass reads y (true) or z (false). */
const SIMD_ACTIVATIONS: ReadonlyArray<[ActivationName, string, boolean]> = [
  ['sigmoid', 'sigmoid', true],
  ['tanh', 'tanh', true],
  ['relu', 'relu', false],
  ['leaky_relu', 'leakyRelu', false],
];

/** By memory sharing (a shared memory needs a module importing it as shared). */
const elementwiseModules = new Map<boolean, WebAssembly.Module | null>();

function compileElementwise(shared: boolean): WebAssembly.Module | null {
  return compiledModule(elementwiseModules, shared, () => encodeModule(generateElementwiseModule(), shared));
}

export class WasmBackend implements Backend {
  readonly name = 'wasm';
  /** The memory's buffer; it never grows, so its identity marks the operands the kernels can take. */
  readonly buffer: ArrayBuffer;
  private readonly ew: ElementwiseExports;
  /** Two float64 results of an optimizer update (‖w‖², ‖Δw‖²), just above the caller's floats. */
  private readonly slotByteOffset: number;
  private readonly slot: Float64Array;
  private readonly activations = new Map<ActivationName, ActivationKernel>();

  /**
   * A memory with room for `capacityFloats` floats from byte 0 (plus the kernels' own scratch), or null without SIMD.
   * `parallel` (opt-in): a shared memory whose large matrix products a helper thread shares (parallel-gemm.ts).
   * `fusedMultiplyAdd` (default true): the matrix kernels use relaxed SIMD's multiply-add where the runtime has it.
   */
  static create(capacityFloats: number, parallel?: ParallelGemm, fusedMultiplyAdd = true): WasmBackend | null {
    if (typeof WebAssembly !== 'object') return null;
    const slotByteOffset = 16 * Math.ceil((4 * capacityFloats) / 16);
    const kernels = createWasmKernels(slotByteOffset + 16, { fusedMultiplyAdd, ...(parallel ? { parallel } : {}) });
    const module = kernels ? compileElementwise(isShared(kernels.memory)) : null;
    if (!kernels || !module) return null;
    const exports = new WebAssembly.Instance(module, { env: { memory: kernels.memory } })
      .exports as unknown as ElementwiseExports;
    return new WasmBackend(kernels, exports, slotByteOffset, capacityFloats);
  }

  private constructor(
    private readonly kernels: WasmKernels,
    exports: ElementwiseExports,
    slotByteOffset: number,
    readonly capacityFloats: number,
  ) {
    // A SharedArrayBuffer in parallel mode; typed arrays over it behave the same here.
    this.buffer = kernels.memory.buffer as ArrayBuffer;
    this.ew = exports;
    this.slotByteOffset = slotByteOffset;
    this.slot = new Float64Array(this.buffer, slotByteOffset, 2);
    for (const [name, stem, fromOutput] of SIMD_ACTIVATIONS) {
      this.activations.set(
        name,
        this.simdActivation(name, this.ew[`${stem}Forward`]!, this.ew[`${stem}Backward`]!, fromOutput),
      );
    }
  }

  /** Whether the matrix kernels run on relaxed SIMD's multiply-add (an FMA on current CPUs). */
  get fusedMultiplyAdd(): boolean {
    return this.kernels.fusedMultiplyAdd;
  }

  gemmNT(m: number, n: number, k: number, A: Float32Array, B: Float32Array, C: Float32Array, accumulate = false): void {
    if (this.holds(A, m * k) && this.holds(B, n * k) && this.holds(C, m * n)) {
      this.kernels.gemmNT(m, n, k, A.byteOffset, B.byteOffset, C.byteOffset, accumulate);
    } else {
      gemmNT(m, n, k, A, B, C, accumulate);
    }
  }

  gemmNN(m: number, n: number, k: number, A: Float32Array, B: Float32Array, C: Float32Array, accumulate = false): void {
    if (this.holds(A, m * k) && this.holds(B, k * n) && this.holds(C, m * n)) {
      this.kernels.gemmNN(m, n, k, A.byteOffset, B.byteOffset, C.byteOffset, accumulate);
    } else {
      gemmNN(m, n, k, A, B, C, accumulate);
    }
  }

  gemmTN(m: number, n: number, k: number, A: Float32Array, B: Float32Array, C: Float32Array, accumulate = false): void {
    if (this.holds(A, k * m) && this.holds(B, k * n) && this.holds(C, m * n)) {
      this.kernels.gemmTN(m, n, k, A.byteOffset, B.byteOffset, C.byteOffset, accumulate);
    } else {
      gemmTN(m, n, k, A, B, C, accumulate);
    }
  }

  addRowVector(z: Float32Array, v: Float32Array, rows: number, cols: number): void {
    if (this.holds(z, rows * cols) && this.holds(v, cols)) this.ew.addRowVector(z.byteOffset, v.byteOffset, rows, cols);
    else addRowVector(z, v, rows, cols);
  }

  columnSums(m: Float32Array, rows: number, cols: number, out: Float32Array): void {
    if (this.holds(m, rows * cols) && this.holds(out, cols))
      this.ew.columnSums(m.byteOffset, rows, cols, out.byteOffset);
    else columnSums(m, rows, cols, out);
  }

  batchNormStatistics(x: Float32Array, rows: number, cols: number, means: Float64Array, squares: Float64Array): void {
    if (this.holds(x, rows * cols) && this.holds64(means, cols) && this.holds64(squares, cols))
      this.ew.batchNormStatistics(x.byteOffset, rows, cols, means.byteOffset, squares.byteOffset, rows);
    else batchNormStatistics(x, rows, cols, means, squares);
  }

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
  ): void {
    const n = rows * cols;
    if (
      this.holds(x, n) &&
      this.holds(normalized, n) &&
      this.holds(y, n) &&
      [mean, invStd, gamma, beta].every((v) => this.holds(v, cols))
    ) {
      this.ew.batchNormNormalize(
        x.byteOffset,
        rows,
        cols,
        mean.byteOffset,
        invStd.byteOffset,
        gamma.byteOffset,
        beta.byteOffset,
        normalized.byteOffset,
        y.byteOffset,
      );
    } else batchNormNormalize(x, rows, cols, mean, invStd, gamma, beta, normalized, y);
  }

  batchNormGradSums(
    dy: Float32Array,
    normalized: Float32Array,
    rows: number,
    cols: number,
    dGamma: Float64Array,
    dBeta: Float64Array,
  ): void {
    const n = rows * cols;
    if (this.holds(dy, n) && this.holds(normalized, n) && this.holds64(dGamma, cols) && this.holds64(dBeta, cols))
      this.ew.batchNormGradSums(dy.byteOffset, normalized.byteOffset, rows, cols, dGamma.byteOffset, dBeta.byteOffset);
    else batchNormGradSums(dy, normalized, rows, cols, dGamma, dBeta);
  }

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
  ): void {
    const n = rows * cols;
    if (
      this.holds(dy, n) &&
      this.holds(normalized, n) &&
      this.holds(dx, n) &&
      [scale, dGamma, dBeta].every((v) => this.holds64(v, cols))
    ) {
      this.ew.batchNormInputGrad(
        dy.byteOffset,
        normalized.byteOffset,
        rows,
        cols,
        scale.byteOffset,
        dGamma.byteOffset,
        dBeta.byteOffset,
        training ? 1 : 0,
        dx.byteOffset,
        rows,
      );
    } else batchNormInputGrad(dy, normalized, rows, cols, scale, dGamma, dBeta, training, dx);
  }

  sumOfSquares(a: Float32Array): number {
    return a.buffer === this.buffer ? this.ew.sumOfSquares(a.byteOffset, a.length) : sumOfSquares(a);
  }

  sum(a: Float32Array): number {
    return a.buffer === this.buffer ? this.ew.sum(a.byteOffset, a.length) : sum(a);
  }

  squaredDeviations(a: Float32Array, mean: number): number {
    return a.buffer === this.buffer
      ? this.ew.squaredDeviations(a.byteOffset, a.length, mean)
      : squaredDeviations(a, mean);
  }

  countNonFinite(a: Float32Array): number {
    return a.buffer === this.buffer ? this.ew.countNonFinite(a.byteOffset, a.length) : countNonFinite(a);
  }

  countAbsAbove(a: Float32Array, threshold: number): number {
    if (a.buffer !== this.buffer) return countAbsAbove(a, threshold);
    return this.ew.countAbsAbove(a.byteOffset, a.length, float32AtOrBelow(threshold));
  }

  countDeadUnits(z: Float32Array, rows: number, cols: number): number {
    return this.holds(z, rows * cols)
      ? this.ew.countDeadUnits(z.byteOffset, rows, cols)
      : countDeadUnits(z, rows, cols);
  }

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
  ): void {
    // The runs stay inside a sample (im2colRuns builds them so): only the extents are checked per call.
    const inWasm =
      n > 0 &&
      this.holdsRange(x, offset, (n - 1) * stride) &&
      this.holdsInts(runs, 3 * rows * outHeight) &&
      this.holds(col, rows * n * outHeight * outWidth);
    if (inWasm) {
      const address = x.byteOffset + 4 * offset;
      this.ew.gatherColumns(address, stride, n, runs.byteOffset, rows, outHeight, outWidth, strideW, col.byteOffset);
    } else gatherColumns(x, offset, stride, n, runs, rows, outHeight, outWidth, strideW, col);
  }

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
  ): void {
    const inWasm =
      n > 0 &&
      this.holds(col, rows * n * outHeight * outWidth) &&
      this.holdsInts(runs, 3 * rows * outHeight) &&
      this.holdsRange(dx, offset, (n - 1) * stride + width);
    if (inWasm) {
      this.ew.scatterColumns(
        col.byteOffset,
        runs.byteOffset,
        rows,
        outHeight,
        outWidth,
        strideW,
        n,
        dx.byteOffset + 4 * offset,
        stride,
        width,
      );
    } else scatterColumns(col, runs, rows, outHeight, outWidth, strideW, n, dx, offset, stride, width);
  }

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
  ): void {
    const outputs = n * channels * positions;
    // Table entries stay inside a plane (poolIndex builds them so): the extents are checked here.
    const inWasm =
      n > 0 &&
      window > 0 &&
      this.holdsRange(x, offset, (n - 1) * stride + channels * planeSize) &&
      this.holdsInts(index, 4 * Math.ceil(positions / 4) * window) &&
      this.holds(out, outputs) &&
      this.holds(argmax, outputs);
    if (inWasm) {
      this.ew.maxPool(
        x.byteOffset + 4 * offset,
        stride,
        n,
        channels,
        planeSize,
        index.byteOffset,
        positions,
        window,
        out.byteOffset,
        argmax.byteOffset,
      );
    } else maxPool(x, offset, stride, n, channels, planeSize, index, positions, window, out, argmax);
  }

  maxPoolBackward(
    dy: Float32Array,
    argmax: Float32Array,
    n: number,
    outputs: number,
    dx: Float32Array,
    stride: number,
    width: number,
  ): void {
    // argmax holds indices maxPool wrote (inside each sample): only the extents are checked here.
    const inWasm =
      n > 0 &&
      this.holds(dy, n * outputs) &&
      this.holds(argmax, n * outputs) &&
      this.holdsRange(dx, 0, (n - 1) * stride + width);
    if (inWasm) {
      this.ew.maxPoolBackward(dy.byteOffset, argmax.byteOffset, n, outputs, dx.byteOffset, stride, width);
    } else maxPoolBackward(dy, argmax, n, outputs, dx, stride, width);
  }

  activationKernel(name: ActivationName): ActivationKernel {
    return this.activations.get(name) ?? JS_BACKEND.activationKernel(name);
  }

  sgd(w: Float32Array, grad: Float32Array, buf: Float32Array | null, h: SgdStep, norms: UpdateNorms | null): void {
    const n = w.length;
    if (!this.holds(w, n) || !this.holds(grad, n) || (buf !== null && !this.holds(buf, n))) {
      sgdUpdate(w, grad, buf, h, norms);
      return;
    }
    const measure = norms ? 1 : 0;
    if (buf === null) {
      this.ew.sgd(w.byteOffset, grad.byteOffset, n, measure, this.slotByteOffset, h.lr, h.decay);
    } else {
      const update = h.nesterov ? this.ew.sgdNesterov : this.ew.sgdMomentum;
      update(
        w.byteOffset,
        grad.byteOffset,
        buf.byteOffset,
        n,
        measure,
        this.slotByteOffset,
        h.lr,
        h.firstStep ? 0 : h.momentum,
        h.momentum,
        h.decay,
      );
    }
    this.readNorms(norms);
  }

  adam(
    w: Float32Array,
    grad: Float32Array,
    m: Float32Array,
    v: Float32Array,
    h: AdamStep,
    norms: UpdateNorms | null,
  ): void {
    const n = w.length;
    if (!this.holds(w, n) || !this.holds(grad, n) || !this.holds(m, n) || !this.holds(v, n)) {
      adamUpdate(w, grad, m, v, h, norms);
      return;
    }
    this.ew.adam(
      w.byteOffset,
      grad.byteOffset,
      m.byteOffset,
      v.byteOffset,
      n,
      norms ? 1 : 0,
      this.slotByteOffset,
      h.beta1,
      1 - h.beta1,
      h.beta2,
      1 - h.beta2,
      h.stepSize,
      h.sqrtCorrection2,
      h.eps,
      h.decay,
    );
    this.readNorms(norms);
  }

  rmsprop(
    w: Float32Array,
    grad: Float32Array,
    v: Float32Array,
    buf: Float32Array | null,
    h: RmspropStep,
    norms: UpdateNorms | null,
  ): void {
    const n = w.length;
    if (!this.holds(w, n) || !this.holds(grad, n) || !this.holds(v, n) || (buf !== null && !this.holds(buf, n))) {
      rmspropUpdate(w, grad, v, buf, h, norms);
      return;
    }
    const measure = norms ? 1 : 0;
    if (buf === null) {
      this.ew.rmsprop(
        w.byteOffset,
        grad.byteOffset,
        v.byteOffset,
        n,
        measure,
        this.slotByteOffset,
        h.lr,
        h.rho,
        1 - h.rho,
        h.eps,
        h.decay,
      );
    } else {
      this.ew.rmspropMomentum(
        w.byteOffset,
        grad.byteOffset,
        v.byteOffset,
        buf.byteOffset,
        n,
        measure,
        this.slotByteOffset,
        h.lr,
        h.rho,
        1 - h.rho,
        h.eps,
        h.momentum,
        h.decay,
      );
    }
    this.readNorms(norms);
  }

  /** True when `a` views this memory with at least `length` doubles (throws if it is a view too short). */
  private holds64(a: Float64Array, length: number): boolean {
    if (a.buffer !== this.buffer) return false;
    if (a.length < length) throw new RangeError(`operand view of ${a.length} doubles is too short (needs ${length})`);
    return true;
  }

  /** True when `a` views this memory with at least `length` floats (throws if it is a view too short for the shape). */
  private holds(a: Float32Array, length: number): boolean {
    if (a.buffer !== this.buffer) return false;
    if (a.length < length) throw new RangeError(`operand view of ${a.length} floats is too short (needs ${length})`);
    return true;
  }

  /** True when `a` views this memory and a[offset … offset + length) lies inside it (throws if not). */
  private holdsRange(a: Float32Array, offset: number, length: number): boolean {
    if (a.buffer !== this.buffer) return false;
    if (offset < 0 || offset + length > a.length) {
      throw new RangeError(`operand range [${offset}, ${offset + length}) outside a view of ${a.length} floats`);
    }
    return true;
  }

  /** An int32 table in this memory with at least `length` entries. */
  private holdsInts(a: Int32Array, length: number): boolean {
    if (a.buffer !== this.buffer) return false;
    if (a.length < length) throw new RangeError(`index table of ${a.length} entries is too short (needs ${length})`);
    return true;
  }

  private readNorms(norms: UpdateNorms | null): void {
    if (!norms) return;
    norms.before = this.slot[0]!;
    norms.delta = this.slot[1]!;
  }

  /** Kernel pair calling `forward(z, y, n, alpha)` and `backward(y or z, dy, dz, n, alpha)`; other operands: the reference. */
  private simdActivation(
    name: ActivationName,
    forward: Exported,
    backward: Exported,
    fromOutput: boolean,
  ): ActivationKernel {
    const reference = ACTIVATION_KERNELS[name];
    return {
      forward: (z: Float32Array, y: Float32Array, rows: number, cols: number, p: ActivationParams): void => {
        const n = rows * cols;
        if (this.holds(z, n) && this.holds(y, n)) forward(z.byteOffset, y.byteOffset, n, p.alpha);
        else reference.forward(z, y, rows, cols, p);
      },
      backward: (z, y, dy, dz, rows, cols, p): void => {
        const n = rows * cols;
        const s = fromOutput ? y : z;
        if (this.holds(s, n) && this.holds(dy, n) && this.holds(dz, n))
          backward(s.byteOffset, dy.byteOffset, dz.byteOffset, n, p.alpha);
        else reference.backward(z, y, dy, dz, rows, cols, p);
      },
    };
  }
}

const float32Scratch = new Float32Array(1);
const float32Bits = new Int32Array(float32Scratch.buffer);

/**
 * The largest float32 t′ ≤ t: for any float32 a, |a| > t exactly when |a| > t′, so the kernel can compare in float32.
 */
function float32AtOrBelow(t: number): number {
  const rounded = Math.fround(t);
  if (rounded <= t || !Number.isFinite(rounded)) return rounded;
  if (rounded === 0) return -1.401298464324817e-45; // the negative float32 closest to 0
  float32Scratch[0] = rounded;
  float32Bits[0] = float32Bits[0]! + (rounded > 0 ? -1 : 1);
  return float32Scratch[0]!;
}
