/**
 * WebAssembly SIMD matrix products over one WebAssembly.Memory. Same contracts as gemm.ts, with byte offsets into
 * `memory` in place of Float32Array views:
 *   gemmNT: C[m×n] (+)= A[m×k]·B[n×k]ᵀ   gemmNN: C (+)= A[m×k]·B[k×n]   gemmTN: C (+)= A[k×m]ᵀ·B[k×n]
 * The module imports its memory, created here at a fixed size (initial = maximum, never grown): growing would
 * detach every ArrayBuffer view of it, and the engine's Arena places all model buffers in it once.
 * Kernels are generated at load time (gemm-codegen.ts) and compiled synchronously: the module is a few KB.
 * Sums are float32 in a fixed order: results are identical on every machine unless `fusedMultiplyAdd` is on.
 */
import { generateGemmModule } from './gemm-codegen';

export interface WasmKernels {
  readonly memory: WebAssembly.Memory;
  /** Whether the relaxed-SIMD multiply-add is in use (faster; rounding then depends on the CPU). */
  readonly fusedMultiplyAdd: boolean;
  gemmNT(m: number, n: number, k: number, aByteOffset: number, bByteOffset: number, cByteOffset: number, accumulate?: boolean): void;
  gemmNN(m: number, n: number, k: number, aByteOffset: number, bByteOffset: number, cByteOffset: number, accumulate?: boolean): void;
  gemmTN(m: number, n: number, k: number, aByteOffset: number, bByteOffset: number, cByteOffset: number, accumulate?: boolean): void;
}

export interface WasmKernelOptions {
  /** Use relaxed-SIMD FMA when the runtime supports it (Node 20 does not by default). Default false. */
  fusedMultiplyAdd?: boolean;
}

/** (m, nc, kc, a, aRowStride, aColStride, b, ldb, c, ldc, overwrite) and (m, nc, kc, a, lda, b, ldb, c, ldc, overwrite). */
type BroadcastBlock = (...args: [number, number, number, number, number, number, number, number, number, number, number]) => void;
type DotBlock = (...args: [number, number, number, number, number, number, number, number, number, number]) => void;

interface BlockExports {
  broadcastBlock: BroadcastBlock;
  broadcastBlockAdjacentRows: BroadcastBlock;
  dotBlock: DotBlock;
}

const PAGE_BYTES = 65536;
/** Terms of the sum per block: a tile's A and B strips (≤ 4 × 1 KB each) stay in L1 across a block. */
const K_BLOCK = 256;
/** Columns of C per block: the K_BLOCK×N_BLOCK block of B (128 KB) stays in L2 while every row of A meets it. */
const N_BLOCK = 128;

/** Null when WebAssembly or its SIMD extension is unavailable, or the memory cannot be reserved. */
export function createWasmKernels(memoryBytes: number, options: WasmKernelOptions = {}): WasmKernels | null {
  if (typeof WebAssembly !== 'object') return null;
  let memory: WebAssembly.Memory;
  try {
    const pages = Math.max(1, Math.ceil(memoryBytes / PAGE_BYTES));
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  } catch {
    return null;
  }
  const wantFused = options.fusedMultiplyAdd === true;
  const fused = wantFused ? instantiate(memory, true) : null;
  const blocks = fused ?? instantiate(memory, false);
  if (blocks === null) return null;
  return makeKernels(memory, blocks, fused !== null);
}

function instantiate(memory: WebAssembly.Memory, fusedMultiplyAdd: boolean): BlockExports | null {
  const bytes = generateGemmModule({ fusedMultiplyAdd });
  if (!WebAssembly.validate(bytes)) return null;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  return instance.exports as unknown as BlockExports;
}

function makeKernels(memory: WebAssembly.Memory, blocks: BlockExports, fusedMultiplyAdd: boolean): WasmKernels {
  const { broadcastBlock, broadcastBlockAdjacentRows, dotBlock } = blocks;
  /** Handles the empty cases; returns false when there is nothing left to multiply. */
  const nonEmpty = (m: number, n: number, k: number, c: number, accumulate: boolean): boolean => {
    if (m <= 0 || n <= 0) return false;
    if (k > 0) return true;
    if (!accumulate) new Float32Array(memory.buffer, c, m * n).fill(0);
    return false;
  };
  const ntBlocks = (m: number, n: number, k: number, a: number, b: number, c: number, accumulate: boolean): void => {
    for (let j0 = 0; j0 < n; j0 += N_BLOCK) {
      const nc = Math.min(N_BLOCK, n - j0);
      for (let p0 = 0; p0 < k; p0 += K_BLOCK) {
        const overwrite = p0 === 0 && !accumulate ? 1 : 0;
        dotBlock(m, nc, Math.min(K_BLOCK, k - p0), a + 4 * p0, 4 * k, b + 4 * (j0 * k + p0), 4 * k, c + 4 * j0, 4 * n, overwrite);
      }
    }
  };
  const nnBlocks = (m: number, n: number, k: number, a: number, b: number, c: number, accumulate: boolean): void => {
    for (let j0 = 0; j0 < n; j0 += N_BLOCK) {
      const nc = Math.min(N_BLOCK, n - j0);
      for (let p0 = 0; p0 < k; p0 += K_BLOCK) {
        const overwrite = p0 === 0 && !accumulate ? 1 : 0;
        broadcastBlock(m, nc, Math.min(K_BLOCK, k - p0), a + 4 * p0, 4 * k, 4, b + 4 * (p0 * n + j0), 4 * n,
          c + 4 * j0, 4 * n, overwrite);
      }
    }
  };
  const tnBlocks = (m: number, n: number, k: number, a: number, b: number, c: number, accumulate: boolean): void => {
    for (let j0 = 0; j0 < n; j0 += N_BLOCK) {
      const nc = Math.min(N_BLOCK, n - j0);
      for (let p0 = 0; p0 < k; p0 += K_BLOCK) {
        const overwrite = p0 === 0 && !accumulate ? 1 : 0;
        broadcastBlockAdjacentRows(m, nc, Math.min(K_BLOCK, k - p0), a + 4 * p0 * m, 4, 4 * m, b + 4 * (p0 * n + j0),
          4 * n, c + 4 * j0, 4 * n, overwrite);
      }
    }
  };
  // Degenerate shapes are rerouted to the kernel that vectorises them, where the memory layouts coincide:
  // with k = 1, A·Bᵀ = A·B (B[n×1] is B[1×n]); with n = 1, A·B = A·(Bᵀ)ᵀ (B[k×1] is B[1×k]) and
  // Aᵀ·B is the 1×m row (Bᵀ·A) stored in the same m floats.
  return {
    memory,
    fusedMultiplyAdd,
    gemmNT(m, n, k, a, b, c, accumulate = false) {
      if (nonEmpty(m, n, k, c, accumulate)) (k === 1 ? nnBlocks : ntBlocks)(m, n, k, a, b, c, accumulate);
    },
    gemmNN(m, n, k, a, b, c, accumulate = false) {
      if (nonEmpty(m, n, k, c, accumulate)) (n === 1 ? ntBlocks : nnBlocks)(m, n, k, a, b, c, accumulate);
    },
    gemmTN(m, n, k, a, b, c, accumulate = false) {
      if (!nonEmpty(m, n, k, c, accumulate)) return;
      if (n === 1) tnBlocks(1, m, k, b, a, c, accumulate);
      else tnBlocks(m, n, k, a, b, c, accumulate);
    },
  };
}
