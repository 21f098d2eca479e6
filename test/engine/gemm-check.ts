/** Checks of the wasm matrix kernels against the reference loops, shared by the baseline and relaxed-SIMD tests. */
import { expect } from 'vitest';
import { Arena } from '../../src/engine/arena';
import { gemmNNRef, gemmNTRef, gemmTNRef } from '../../src/engine/gemm-reference';
import { Rng } from '../../src/engine/rng';
import type { WasmKernels } from '../../src/engine/wasm/wasm-gemm';

export type Name = 'gemmNT' | 'gemmNN' | 'gemmTN';
type Gemm = (
  m: number,
  n: number,
  k: number,
  A: Float32Array,
  B: Float32Array,
  C: Float32Array,
  accumulate?: boolean,
) => void;
const REFERENCE: Record<Name, Gemm> = { gemmNT: gemmNTRef, gemmNN: gemmNNRef, gemmTN: gemmTNRef };
export const NAMES: Name[] = ['gemmNT', 'gemmNN', 'gemmTN'];
const EPS32 = 2 ** -23;
export const MEMORY_BYTES = 16 << 20;

/** (A(i,p), B(p,j)) element indices of each product's storage layout. */
function termIndices(name: Name, m: number, n: number, k: number, i: number, j: number, p: number): [number, number] {
  if (name === 'gemmNT') return [i * k + p, j * k + p];
  if (name === 'gemmNN') return [i * k + p, p * n + j];
  return [p * m + i, p * n + j];
}

function fill(rng: Rng, view: Float32Array): Float32Array {
  for (let i = 0; i < view.length; i++) view[i] = rng.range(-1, 1);
  return view;
}

/**
 * Runs kernels[name] on views placed in the wasm memory at `floatOffset` (not 16-byte aligned when odd) and checks
 * it against the reference loops with the float32 summation bound (k+2)·ε·(Σ|A·B| + |C₀|); checks the floats just
 * outside C are untouched.
 */
export function expectWasmMatches(
  kernels: WasmKernels,
  name: Name,
  m: number,
  n: number,
  k: number,
  accumulate: boolean,
  floatOffset = 0,
): void {
  const rng = new Rng(m * 1_000_003 + n * 1009 + k * 7 + (accumulate ? 1 : 0));
  const arena = new Arena(MEMORY_BYTES / 4 - floatOffset, kernels.memory.buffer, 4 * floatOffset);
  const A = fill(rng, arena.alloc(m * k));
  const B = fill(rng, arena.alloc(k * n));
  const guarded = arena.alloc(m * n + 2);
  guarded.fill(777);
  const C = fill(rng, guarded.subarray(1, 1 + m * n));
  const initial = new Float32Array(C);
  const expected = new Float32Array(C);
  REFERENCE[name](m, n, k, A, B, expected, accumulate);
  kernels[name](m, n, k, A.byteOffset, B.byteOffset, C.byteOffset, accumulate);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let scale = accumulate ? Math.abs(initial[i * n + j]!) : 0;
      for (let p = 0; p < k; p++) {
        const [ia, ib] = termIndices(name, m, n, k, i, j, p);
        scale += Math.abs(A[ia]! * B[ib]!);
      }
      const error = Math.abs(C[i * n + j]! - expected[i * n + j]!);
      if (!(error <= (k + 2) * EPS32 * scale + 1e-30)) {
        expect.fail(
          `${name} ${m}×${n}×${k} acc=${accumulate} at (${i},${j}): got ${C[i * n + j]}, reference ${expected[i * n + j]}`,
        );
      }
    }
  }
  expect([guarded[0], guarded[m * n + 1]]).toEqual([777, 777]);
}

export const SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 12, 13];
export const BLOCK_SHAPES: Array<[number, number, number]> = [
  [5, 130, 257],
  [17, 129, 300],
  [64, 256, 513],
  [3, 10, 784],
  [512, 10, 20],
  [9, 1, 600],
  [1, 300, 70],
  [200, 2, 1],
  [40, 300, 30],
  [33, 65, 2],
  [130, 3, 300],
  [6000, 3, 5],
  [70, 10, 300],
  [9000, 15, 3],
];
