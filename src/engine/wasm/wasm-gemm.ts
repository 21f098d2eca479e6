/**
 * WebAssembly SIMD matrix products over one WebAssembly.Memory. Same contracts as gemm.ts, with byte offsets into
 * `memory` in place of Float32Array views:
 *   gemmNT: C[m×n] (+)= A[m×k]·B[n×k]ᵀ   gemmNN: C (+)= A[m×k]·B[k×n]   gemmTN: C (+)= A[k×m]ᵀ·B[k×n]
 * The module imports its memory, created here at a fixed size (initial = maximum, never grown): growing would
 * detach every ArrayBuffer view of it, and the engine's Arena places all model buffers in it once.
 * Kernels are generated at load time (gemm-codegen.ts) and compiled synchronously: the module is a few KB.
 * Sums are float32 in a fixed order. With baseline SIMD (separate multiply and add) results are identical on every
 * machine; where the runtime has relaxed SIMD (V8 ≥ 11.4: VS Code's Electron, Node ≥ 22) the kernels use its
 * multiply-add, an FMA on x64 CPUs with FMA3 and on arm64: the same bits on the same host, the last bits differ from
 * baseline SIMD's.
 */
import { compiledModule } from './emitter';
import { generateGemmModule } from './gemm-codegen';
import {
  GEMM_NN,
  GEMM_NT,
  GEMM_TN,
  type GemmHelper,
  type GemmKind,
  PARALLEL_MIN_FLOPS,
  PARALLEL_MIN_ROWS,
  type ParallelGemm,
  parallelSplit,
} from './parallel-gemm';

export interface WasmKernels {
  readonly memory: WebAssembly.Memory;
  /** Whether the relaxed-SIMD multiply-add is in use (faster; rounding then depends on the CPU). */
  readonly fusedMultiplyAdd: boolean;
  /** The kernels' own scratch starts here (≥ the requested memoryBytes): place every operand below it. */
  readonly scratchByteOffset: number;
  gemmNT(
    m: number,
    n: number,
    k: number,
    aByteOffset: number,
    bByteOffset: number,
    cByteOffset: number,
    accumulate?: boolean,
  ): void;
  gemmNN(
    m: number,
    n: number,
    k: number,
    aByteOffset: number,
    bByteOffset: number,
    cByteOffset: number,
    accumulate?: boolean,
  ): void;
  gemmTN(
    m: number,
    n: number,
    k: number,
    aByteOffset: number,
    bByteOffset: number,
    cByteOffset: number,
    accumulate?: boolean,
  ): void;
  /**
   * Rows [rowStart, rowEnd) of C of the whole m×n product `kind` (the kernel path is chosen from the whole shape,
   * so any split at multiples of 8 rows gives the one-thread result). For the parallel helper.
   */
  gemmRows(
    kind: GemmKind,
    m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    c: number,
    accumulate: boolean,
    rowStart: number,
    rowEnd: number,
  ): void;
  /** Whether a helper thread shares the large products (TrainOptions.parallel). */
  readonly parallel: boolean;
}

export interface WasmKernelOptions {
  /**
   * Use the relaxed-SIMD multiply-add where the runtime supports it (default true; Node 20 has it only behind
   * --experimental-wasm-relaxed-simd). False: baseline SIMD, the same bits on every machine.
   */
  fusedMultiplyAdd?: boolean;
  /** Opt-in helper thread: the memory is then shared (SharedArrayBuffer) and the scratch doubled. Default none. */
  parallel?: ParallelGemm;
}

/** (m, nc, kc, a, aRowStride, aColStride, b, ldb, c, ldc, overwrite, aStrip) and (m, nc, kc, a, lda, b, ldb, c, ldc, overwrite). */
type BroadcastBlock = (
  ...args: [number, number, number, number, number, number, number, number, number, number, number, number]
) => void;
type DotBlock = (...args: [number, number, number, number, number, number, number, number, number, number]) => void;

interface BlockExports {
  broadcastBlock: BroadcastBlock;
  broadcastBlockAdjacentRows: BroadcastBlock;
  dotBlock: DotBlock;
  transposeBlock: (
    rows: number,
    cols: number,
    src: number,
    ldSrc: number,
    dst: number,
    ldDst: number,
    accumulate: number,
  ) => void;
  copyRows: (rows: number, rowBytes: number, src: number, ldSrc: number, dst: number, ldDst: number) => void;
}

const PAGE_BYTES = 65536;
/** Terms of the sum per block: a tile's A and B strips (≤ 4 × 1 KB each) stay in L1 across a block. */
const K_BLOCK = 256;
/** Columns of C per block: the K_BLOCK×N_BLOCK block of B (128 KB) stays in L2 while every row of A meets it. */
const N_BLOCK = 128;

/**
 * gemmNT with short sums (k ≤ 32, e.g. a first layer on 2-D inputs) runs faster on a transposed copy of B
 * (measured 3× at k = 2, +10–35% at k = 16); with longer sums or few rows the dot-product kernel wins.
 */
const NT_TRANSPOSE_MAX_K = 32;
const NT_TRANSPOSE_MIN_M = 8;
/** Dense copies of B's blocks (n > N_BLOCK) pay from 4 rows of A on (measured +12% at m = 4, +25% at m = 64). */
const COPY_B_MIN_M = 4;
/**
 * Scratch above the caller's bytes: one packed or transposed K_BLOCK×N_BLOCK block of B, one 4-row strip of A,
 * and the transposed result of a narrow gemmTN (n < 16).
 */
const B_BLOCK_BYTES = 4 * K_BLOCK * N_BLOCK;
const A_STRIP_BYTES = 16 * K_BLOCK;
const C_TRANSPOSED_BYTES = 4 * PAGE_BYTES;
const SCRATCH_BYTES = PAGE_BYTES * Math.ceil((B_BLOCK_BYTES + A_STRIP_BYTES + C_TRANSPOSED_BYTES) / PAGE_BYTES);

/** Null when WebAssembly or its SIMD extension is unavailable, or the memory cannot be reserved. */
export function createWasmKernels(memoryBytes: number, options: WasmKernelOptions = {}): WasmKernels | null {
  if (typeof WebAssembly !== 'object') return null;
  const shared = options.parallel !== undefined;
  // Parallel mode: a second scratch area, the helper's, above the main thread's.
  const scratchBytes = shared ? 2 * SCRATCH_BYTES : SCRATCH_BYTES;
  let memory: WebAssembly.Memory;
  try {
    const pages = Math.ceil(memoryBytes / PAGE_BYTES) + scratchBytes / PAGE_BYTES;
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared });
  } catch {
    return null;
  }
  const wantFused = options.fusedMultiplyAdd !== false;
  const fused = wantFused ? instantiate(memory, true) : null;
  const blocks = fused ?? instantiate(memory, false);
  if (blocks === null) return null;
  const scratch = memory.buffer.byteLength - scratchBytes;
  const module = gemmModule(fused !== null, shared)!;
  const helper = options.parallel?.attach(memory, scratch + SCRATCH_BYTES, fused !== null, module) ?? null;
  const minFlops = options.parallel?.minFlops ?? PARALLEL_MIN_FLOPS;
  return new SimdGemm(memory, blocks, fused !== null, scratch, helper, minFlops);
}

/**
 * The helper thread's kernels: the main thread's compiled `module` (ParallelGemm.attach) on its (shared) memory,
 * with the helper's scratch at `scratchByteOffset` (SCRATCH_BYTES long). Null when it cannot be instantiated.
 */
export function attachWasmKernels(
  memory: WebAssembly.Memory,
  scratchByteOffset: number,
  fusedMultiplyAdd: boolean,
  module: WebAssembly.Module,
): WasmKernels | null {
  let blocks: BlockExports;
  try {
    blocks = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as BlockExports;
  } catch {
    return null;
  }
  return new SimdGemm(memory, blocks, fusedMultiplyAdd, scratchByteOffset, null, Infinity);
}

/** Whether this runtime compiles relaxed SIMD (the fused kernels' module validates). */
export function relaxedSimdSupported(): boolean {
  return typeof WebAssembly === 'object' && gemmModule(true, false) !== null;
}

/** Compiled modules by multiply-add flavour and memory sharing (null: not supported here). */
const gemmModules = new Map<string, WebAssembly.Module | null>();

function gemmModule(fusedMultiplyAdd: boolean, shared: boolean): WebAssembly.Module | null {
  return compiledModule(gemmModules, `${fusedMultiplyAdd}/${shared}`, () =>
    generateGemmModule({ fusedMultiplyAdd }, shared),
  );
}

function instantiate(memory: WebAssembly.Memory, fusedMultiplyAdd: boolean): BlockExports | null {
  const module = gemmModule(fusedMultiplyAdd, isShared(memory));
  if (!module) return null;
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as BlockExports;
}

/** A shared memory's buffer is a SharedArrayBuffer (its modules must import it as shared). */
export function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;
}

/**
 * Walks the cache blocks of each product and calls the generated block kernels. Degenerate shapes are rerouted to
 * the kernel that vectorises them where the memory layouts coincide: with k = 1, A·Bᵀ = A·B (B[n×1] is B[1×n]);
 * with n = 1, A·B = A·(Bᵀ)ᵀ (B[k×1] is B[1×k]) and Aᵀ·B is the 1×m row Bᵀ·A stored in the same m floats.
 */
class SimdGemm implements WasmKernels {
  constructor(
    readonly memory: WebAssembly.Memory,
    private readonly blocks: BlockExports,
    readonly fusedMultiplyAdd: boolean,
    readonly scratchByteOffset: number,
    private readonly helper: GemmHelper | null,
    private readonly minFlops: number,
  ) {}

  get parallel(): boolean {
    return this.helper !== null;
  }

  gemmNT(m: number, n: number, k: number, a: number, b: number, c: number, accumulate = false): void {
    if (this.nonEmpty(m, n, k, c, accumulate)) this.split(GEMM_NT, m, n, k, a, b, c, accumulate);
  }

  gemmNN(m: number, n: number, k: number, a: number, b: number, c: number, accumulate = false): void {
    if (this.nonEmpty(m, n, k, c, accumulate)) this.split(GEMM_NN, m, n, k, a, b, c, accumulate);
  }

  gemmTN(m: number, n: number, k: number, a: number, b: number, c: number, accumulate = false): void {
    if (this.nonEmpty(m, n, k, c, accumulate)) this.split(GEMM_TN, m, n, k, a, b, c, accumulate);
  }

  /**
   * Large products with a helper: rows [split, m) go to the helper while this thread does [0, split). Narrow ones
   * (n < 16) keep one thread: gemmTN runs those column-wise (see tnRows).
   */
  private split(
    kind: GemmKind,
    m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    c: number,
    accumulate: boolean,
  ): void {
    const helper = this.helper;
    if (helper === null || 2 * m * n * k < this.minFlops || n < 16 || m < 2 * PARALLEL_MIN_ROWS) {
      this.gemmRows(kind, m, n, k, a, b, c, accumulate, 0, m);
      return;
    }
    const middle = parallelSplit(m);
    if (!helper.start(kind, m, n, k, a, b, c, accumulate, middle, m)) {
      this.gemmRows(kind, m, n, k, a, b, c, accumulate, 0, m);
      return;
    }
    try {
      this.gemmRows(kind, m, n, k, a, b, c, accumulate, 0, middle);
    } finally {
      // Always wait: the helper must not go on writing C once this product has returned (or thrown).
      if (!helper.finish()) this.gemmRows(kind, m, n, k, a, b, c, accumulate, middle, m);
    }
  }

  gemmRows(
    kind: GemmKind,
    m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    c: number,
    accumulate: boolean,
    rowStart: number,
    rowEnd: number,
  ): void {
    if (rowEnd <= rowStart) return;
    if (kind === GEMM_NT) this.ntRows(m, n, k, a, b, c, accumulate, rowStart, rowEnd);
    else if (kind === GEMM_NN) this.nnRows(m, n, k, a, b, c, accumulate, rowStart, rowEnd);
    else this.tnRows(m, n, k, a, b, c, accumulate, rowStart, rowEnd);
  }

  private ntRows(
    m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    c: number,
    accumulate: boolean,
    r0: number,
    r1: number,
  ): void {
    const rows = r1 - r0;
    a += 4 * r0 * k;
    c += 4 * r0 * n;
    if (k === 1) this.broadcastBlocks(false, false, rows, n, k, a, 4 * k, 4, b, c, accumulate);
    else if (k <= NT_TRANSPOSE_MAX_K && m >= NT_TRANSPOSE_MIN_M)
      this.broadcastBlocks(false, true, rows, n, k, a, 4 * k, 4, b, c, accumulate);
    else this.dotBlocks(false, rows, n, k, a, b, c, accumulate);
  }

  private nnRows(
    _m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    c: number,
    accumulate: boolean,
    r0: number,
    r1: number,
  ): void {
    const rows = r1 - r0;
    a += 4 * r0 * k;
    c += 4 * r0 * n;
    if (n === 1) this.dotBlocks(false, rows, n, k, a, b, c, accumulate);
    else if (n < 4)
      this.dotBlocks(true, rows, n, k, a, b, c, accumulate); // a 4-wide tile would be mostly padding
    else this.broadcastBlocks(false, false, rows, n, k, a, 4 * k, 4, b, c, accumulate);
  }

  /** A is k×m: C's rows [r0, r1) are A's columns [r0, r1) (row stride 4·m kept). The narrow paths need r0 = 0, r1 = m. */
  private tnRows(
    m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    c: number,
    accumulate: boolean,
    r0: number,
    r1: number,
  ): void {
    const narrow = n === 1 || (n < 16 && n % 8 !== 0 && 4 * n * m <= C_TRANSPOSED_BYTES);
    if (!narrow) {
      this.broadcastBlocks(true, false, r1 - r0, n, k, a + 4 * r0, 4, 4 * m, b, c + 4 * r0 * n, accumulate);
      return;
    }
    if (r0 !== 0 || r1 !== m) throw new Error('gemmTN with fewer than 16 columns runs on one thread');
    if (n === 1) {
      this.broadcastBlocks(true, false, 1, m, k, b, 4, 4, a, c, accumulate);
    } else {
      // Few columns that fill the 8-wide tiles poorly: Cᵀ[n×m] = Bᵀ·A runs its vectors along m instead, then
      // C (+)= (Cᵀ)ᵀ. Measured at m = 512, k = 784: n = 6: 13 → 21 GFLOP/s, n = 10: 19 → 25; n = 8: 27 → 25.
      const cTransposed = this.scratchByteOffset + B_BLOCK_BYTES + A_STRIP_BYTES;
      this.broadcastBlocks(true, false, n, m, k, b, 4, 4 * n, a, cTransposed, false);
      this.blocks.transposeBlock(n, m, cTransposed, 4 * m, c, 4 * n, accumulate ? 1 : 0);
    }
  }

  /** Handles the empty cases; returns false when there is nothing left to multiply. */
  private nonEmpty(m: number, n: number, k: number, c: number, accumulate: boolean): boolean {
    if (m <= 0 || n <= 0) return false;
    if (k > 0) return true;
    if (!accumulate) new Float32Array(this.memory.buffer, c, m * n).fill(0);
    return false;
  }

  /** C[m×n] (+)= A[m×k]·B[n×k]ᵀ on dotBlock, or A·B for B[k×n] (`bKByN`) via transposed blocks in scratch. */
  private dotBlocks(
    bKByN: boolean,
    m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    c: number,
    accumulate: boolean,
  ): void {
    const scratch = this.scratchByteOffset;
    for (let j0 = 0; j0 < n; j0 += N_BLOCK) {
      const nc = Math.min(N_BLOCK, n - j0);
      for (let p0 = 0; p0 < k; p0 += K_BLOCK) {
        const kc = Math.min(K_BLOCK, k - p0);
        const overwrite = p0 === 0 && !accumulate ? 1 : 0;
        if (bKByN) this.blocks.transposeBlock(kc, nc, b + 4 * (p0 * n + j0), 4 * n, scratch, 4 * kc, 0);
        this.blocks.dotBlock(
          m,
          nc,
          kc,
          a + 4 * p0,
          4 * k,
          bKByN ? scratch : b + 4 * (j0 * k + p0),
          bKByN ? 4 * kc : 4 * k,
          c + 4 * j0,
          4 * n,
          overwrite,
        );
      }
    }
  }

  /**
   * C[m×n] (+)= A·B on broadcastBlock; A(i,p) at a + i·aRowStride + p·aColStride. B is k×n row-major, or n×k
   * (`bTransposed`, gemmNT). A kc×nc block of B narrower than B is first copied densely (see copyRows in
   * gemm-codegen.ts); a transposed one is transposed into scratch.
   */
  private broadcastBlocks(
    adjacentRows: boolean,
    bTransposed: boolean,
    m: number,
    n: number,
    k: number,
    a: number,
    aRowStride: number,
    aColStride: number,
    b: number,
    c: number,
    accumulate: boolean,
  ): void {
    const { broadcastBlock, broadcastBlockAdjacentRows, transposeBlock, copyRows } = this.blocks;
    const block = adjacentRows ? broadcastBlockAdjacentRows : broadcastBlock;
    const scratch = this.scratchByteOffset;
    const inScratch = bTransposed || (n > N_BLOCK && m >= COPY_B_MIN_M);
    for (let j0 = 0; j0 < n; j0 += N_BLOCK) {
      const nc = Math.min(N_BLOCK, n - j0);
      for (let p0 = 0; p0 < k; p0 += K_BLOCK) {
        const kc = Math.min(K_BLOCK, k - p0);
        const overwrite = p0 === 0 && !accumulate ? 1 : 0;
        if (bTransposed) transposeBlock(nc, kc, b + 4 * (j0 * k + p0), 4 * k, scratch, 4 * nc, 0);
        else if (inScratch) copyRows(kc, 4 * nc, b + 4 * (p0 * n + j0), 4 * n, scratch, 4 * nc);
        block(
          m,
          nc,
          kc,
          a + p0 * aColStride,
          aRowStride,
          aColStride,
          inScratch ? scratch : b + 4 * (p0 * n + j0),
          inScratch ? 4 * nc : 4 * n,
          c + 4 * j0,
          4 * n,
          overwrite,
          scratch + B_BLOCK_BYTES,
        );
      }
    }
  }
}
