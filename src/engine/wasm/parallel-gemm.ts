/**
 * Opt-in second thread inside one matrix product (TrainOptions.parallel). The engine cannot start threads itself
 * (no node:* or DOM imports), so the host supplies a ParallelGemm: given the trainer's shared WebAssembly.Memory, it
 * runs the same generated kernels on a worker (attachWasmKernels in wasm-gemm.ts) over a row range of C, with its
 * own scratch. The main thread computes rows [0, split), the helper [split, m); the split is a multiple of 8 rows, so
 * both halves walk exactly the tiles and blocks of the one-thread product: results are bit-identical.
 */

/** Which product (contracts in wasm-gemm.ts). */
export const GEMM_NT = 0;
export const GEMM_NN = 1;
export const GEMM_TN = 2;
export type GemmKind = typeof GEMM_NT | typeof GEMM_NN | typeof GEMM_TN;

/**
 * A helper thread bound to one memory; start() hands off rows [rowStart, rowEnd) of C (false: the helper is no
 * longer bound to this memory, the caller computes them itself), finish() waits for a started handoff (false: the
 * helper failed before writing any of those rows — e.g. it lost its memory — and the caller computes them itself).
 */
export interface GemmHelper {
  start(
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
  ): boolean;
  finish(): boolean;
}

export interface ParallelGemm {
  /**
   * Binds the helper to a trainer's shared memory; it must use the kernels' scratch at `helperScratchByteOffset`
   * (the main thread's is elsewhere) and instantiate `module`, the compiled gemm module the main thread runs (posted
   * to the helper's thread, it shares its compiled code: no second compilation, the same code on both threads).
   * Null: no helper available (the products then run on one thread).
   */
  attach(
    memory: WebAssembly.Memory,
    helperScratchByteOffset: number,
    fusedMultiplyAdd: boolean,
    module: WebAssembly.Module,
  ): GemmHelper | null;
  /** Products below this many flops (2·m·n·k) stay on one thread; default PARALLEL_MIN_FLOPS. */
  readonly minFlops?: number;
}

/**
 * Products below this stay on one thread. A handoff to a helper that is polling for work costs ~1 µs (measured on
 * 2 Zen 5 cores: 128×64×64, 1 MFLOP: 18 → 10 µs; 64×64×64: 9.6 → 5.7 µs; 256³: 590 → 310 µs); one that has gone
 * to sleep (gemm-helper.ts: after ~1 ms without work) costs a futex wake-up (a few to tens of µs) once per burst of
 * products. 0.5 MFLOP ≈ 10 µs on one thread. W1 (30 × dense 64, batch 128, 1 MFLOP products): 2.05 → 1.45 ms/step.
 * Products with fewer than 2·PARALLEL_MIN_ROWS rows or 16 columns always stay on one thread (W4: batch 32).
 */
export const PARALLEL_MIN_FLOPS = 5e5;
/** Rows per half at least, and the split's granularity (a multiple of every row tile height). */
export const PARALLEL_MIN_ROWS = 32;
export const PARALLEL_ROW_ALIGN = 8;

/** The main thread's share: rows [0, split) — half of m rounded down to PARALLEL_ROW_ALIGN. */
export function parallelSplit(m: number): number {
  return PARALLEL_ROW_ALIGN * Math.floor(m / (2 * PARALLEL_ROW_ALIGN));
}
