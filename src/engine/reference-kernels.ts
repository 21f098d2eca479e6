/**
 * The pure-TypeScript reference kernels of the statistics and reductions: what JS_BACKEND runs and what the
 * WebAssembly versions (wasm/statistics-codegen.ts, elementwise-codegen.ts) are tested against. Sums in float64.
 * Imports nothing: backend.ts and the layers both build on it.
 */

export function sumOfSquares(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return s;
}

export function sum(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

/** Σ (a − mean)²: the second pass of a two-pass variance. */
export function squaredDeviations(a: Float32Array, mean: number): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - mean) * (a[i]! - mean);
  return s;
}

export function countNonFinite(a: Float32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) n++;
  return n;
}

/** Elements with |a| > threshold. */
export function countAbsAbove(a: Float32Array, threshold: number): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]!) > threshold) n++;
  return n;
}

/** Columns of z (rows × cols) whose every element is ≤ 0. */
export function countDeadUnits(z: Float32Array, rows: number, cols: number): number {
  let dead = 0;
  for (let c = 0; c < cols; c++) {
    let alive = false;
    for (let r = 0; r < rows && !alive; r++) alive = z[r * cols + c]! > 0;
    if (!alive) dead++;
  }
  return dead;
}

/** out[c] = Σ_r m[r][c] with a float64 accumulator per column. */
export function columnSums(m: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let c = 0; c < cols; c++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += m[r * cols + c]!;
    out[c] = s;
  }
}
