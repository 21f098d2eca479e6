/**
 * Dense matrix products on row-major Float32Array views. The three shapes the dense layer needs:
 *   forward   Y[B×out]  = X[B×in] · W[out×in]ᵀ   → gemmNT(B, out, in, X, W, Y)
 *   backward  dX[B×in]  = dZ[B×out] · W[out×in]  → gemmNN(B, in, out, dZ, W, dX)
 *   weights   dW[out×in] = dZ[B×out]ᵀ · X[B×in]  → gemmTN(out, in, B, dZ, X, dW)
 * `accumulate` adds into C instead of overwriting it.
 *
 * PLACEHOLDER: straightforward reference loops; a tuned kernel replaces these (same signatures).
 */

/** C[m×n] (+)= A[m×k] · B[n×k]ᵀ */
export function gemmNT(m: number, n: number, k: number, A: Float32Array, B: Float32Array, C: Float32Array, accumulate = false): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = accumulate ? C[i * n + j]! : 0;
      for (let p = 0; p < k; p++) s += A[i * k + p]! * B[j * k + p]!;
      C[i * n + j] = s;
    }
  }
}

/** C[m×n] (+)= A[m×k] · B[k×n] */
export function gemmNN(m: number, n: number, k: number, A: Float32Array, B: Float32Array, C: Float32Array, accumulate = false): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = accumulate ? C[i * n + j]! : 0;
      for (let p = 0; p < k; p++) s += A[i * k + p]! * B[p * n + j]!;
      C[i * n + j] = s;
    }
  }
}

/** C[m×n] (+)= A[k×m]ᵀ · B[k×n] */
export function gemmTN(m: number, n: number, k: number, A: Float32Array, B: Float32Array, C: Float32Array, accumulate = false): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = accumulate ? C[i * n + j]! : 0;
      for (let p = 0; p < k; p++) s += A[p * m + i]! * B[p * n + j]!;
      C[i * n + j] = s;
    }
  }
}
