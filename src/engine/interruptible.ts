/**
 * Deadlines inside one matrix product. A layer of a wide net (2048 × 2048 on a batch of 1024: 4 G multiply-adds)
 * takes longer than the slack a deadline allows, so the trainer's backend splits every product above CHUNK_MACS
 * into slices of rows (of the reduction, for AᵀB) and asks `interrupted` between slices; true ends the step with
 * StepInterrupted, which the trainer catches and abandons (the partial step is neither counted nor recorded).
 *
 * Slices are at least MIN_SLICE_ROWS rows, so re-packing the other operand per slice costs ≤ 1/64 of its work.
 * Products at or below CHUNK_MACS run untouched; above it, the slicing is a pure function of the shape, so a
 * machine's results stay deterministic — equal to one call's up to float32 rounding (slices may group rows into
 * micro-kernels differently, and a sliced AᵀB sums its reduction in parts), not bit for bit.
 */
import type { Backend } from './backend';

/** ≈ 10–40 ms of work on this engine's gemm: the deadline's resolution inside a product. */
export const CHUNK_MACS = 1 << 28;
const MIN_SLICE_ROWS = 64;

/** Thrown out of a sliced product when `interrupted` answers true. */
export class StepInterrupted extends Error {
  constructor() {
    super('step interrupted');
    this.name = 'StepInterrupted';
  }
}

export interface Slicing {
  chunkMacs: number;
  minSliceRows: number;
}

const SLICING: Slicing = { chunkMacs: CHUNK_MACS, minSliceRows: MIN_SLICE_ROWS };

/** Rows per slice when each row costs `rowMacs`; 0 means: do not slice. */
export function sliceRows(rows: number, rowMacs: number, slicing: Slicing = SLICING): number {
  if (rows * rowMacs <= slicing.chunkMacs) return 0;
  const slice = Math.max(slicing.minSliceRows, Math.floor(slicing.chunkMacs / Math.max(1, rowMacs)));
  return slice >= rows ? 0 : slice;
}

/**
 * `inner` with its three products sliced and checked; every other kernel is inner's own (prototype delegation,
 * so kernels a backend adds later are delegated too). `slicing` exists for tests.
 */
export function interruptibleGemms(inner: Backend, interrupted: () => boolean, slicing: Slicing = SLICING): Backend {
  const backend = Object.create(inner) as Backend;
  const check = (): void => {
    if (interrupted()) throw new StepInterrupted();
  };
  // C[m×n] (+)= A[m×k]·op(B): slices of A's and C's rows.
  const byRows =
    (product: Backend['gemmNT']): Backend['gemmNT'] =>
    (m, n, k, A, B, C, accumulate = false) => {
      const slice = sliceRows(m, n * k, slicing);
      if (slice === 0) return product.call(inner, m, n, k, A, B, C, accumulate);
      for (let r = 0; r < m; r += slice) {
        if (r > 0) check();
        const rows = Math.min(slice, m - r);
        product.call(
          inner,
          rows,
          n,
          k,
          A.subarray(r * k, (r + rows) * k),
          B,
          C.subarray(r * n, (r + rows) * n),
          accumulate,
        );
      }
    };
  backend.gemmNT = byRows(inner.gemmNT);
  backend.gemmNN = byRows(inner.gemmNN);
  // C[m×n] (+)= A[k×m]ᵀ·B[k×n]: slices of the reduction (rows of A and B), accumulated into C.
  backend.gemmTN = (m, n, k, A, B, C, accumulate = false) => {
    const slice = sliceRows(k, m * n, slicing);
    if (slice === 0) return inner.gemmTN(m, n, k, A, B, C, accumulate);
    for (let r = 0; r < k; r += slice) {
      if (r > 0) check();
      const rows = Math.min(slice, k - r);
      inner.gemmTN(
        m,
        n,
        rows,
        A.subarray(r * m, (r + rows) * m),
        B.subarray(r * n, (r + rows) * n),
        C,
        accumulate || r > 0,
      );
    }
  };
  return backend;
}
