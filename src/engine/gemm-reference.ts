/**
 * Reference matrix products: the plain triple loops, kept as the definition of what `gemm.ts` computes and as the
 * oracle its tests compare against. Row-major Float32Array views; `accumulate` adds into C instead of overwriting.
 * Sums run in float64 (JS numbers) and are rounded to float32 once, when stored.
 */

/** C[m×n] (+)= A[m×k] · B[n×k]ᵀ */
export function gemmNTRef(
  m: number,
  n: number,
  k: number,
  A: Float32Array,
  B: Float32Array,
  C: Float32Array,
  accumulate = false,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = accumulate ? C[i * n + j]! : 0;
      for (let p = 0; p < k; p++) s += A[i * k + p]! * B[j * k + p]!;
      C[i * n + j] = s;
    }
  }
}

/** C[m×n] (+)= A[m×k] · B[k×n] */
export function gemmNNRef(
  m: number,
  n: number,
  k: number,
  A: Float32Array,
  B: Float32Array,
  C: Float32Array,
  accumulate = false,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = accumulate ? C[i * n + j]! : 0;
      for (let p = 0; p < k; p++) s += A[i * k + p]! * B[p * n + j]!;
      C[i * n + j] = s;
    }
  }
}

/** C[m×n] (+)= A[k×m]ᵀ · B[k×n] */
export function gemmTNRef(
  m: number,
  n: number,
  k: number,
  A: Float32Array,
  B: Float32Array,
  C: Float32Array,
  accumulate = false,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = accumulate ? C[i * n + j]! : 0;
      for (let p = 0; p < k; p++) s += A[p * m + i]! * B[p * n + j]!;
      C[i * n + j] = s;
    }
  }
}
