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

/**
 * im2col of n samples by an index table (conv-geometry.ts im2colIndex): col[r][s·P + p] = x[offset + s·stride +
 * index[r·P + p]], 0 where the index is negative, for r < rows, p < P (positions), s < n. col is [rows][n·P].
 */
export function gatherColumns(
  x: Float32Array,
  offset: number,
  stride: number,
  n: number,
  index: Int32Array,
  rows: number,
  positions: number,
  col: Float32Array,
): void {
  const rowLength = n * positions;
  for (let s = 0; s < n; s++) {
    const sample = offset + s * stride;
    for (let r = 0; r < rows; r++) {
      const o = r * rowLength + s * positions;
      const q = r * positions;
      for (let p = 0; p < positions; p++) {
        const i = index[q + p]!;
        col[o + p] = i < 0 ? 0 : x[sample + i]!;
      }
    }
  }
}

/**
 * The adjoint of gatherColumns (col2im): per sample s, dx[offset + s·stride …+ width] is zeroed, then
 * dx[offset + s·stride + index[r·P + p]] += col[r][s·P + p] for rows r, then positions p, in that order (col2im's
 * order, so the float sums round alike); negative indices (padding) are dropped.
 */
export function scatterColumns(
  col: Float32Array,
  index: Int32Array,
  rows: number,
  positions: number,
  n: number,
  dx: Float32Array,
  offset: number,
  stride: number,
  width: number,
): void {
  const rowLength = n * positions;
  for (let s = 0; s < n; s++) {
    const sample = offset + s * stride;
    dx.fill(0, sample, sample + width);
    for (let r = 0; r < rows; r++) {
      const o = r * rowLength + s * positions;
      const q = r * positions;
      for (let p = 0; p < positions; p++) {
        const i = index[q + p]!;
        if (i >= 0) dx[sample + i] = dx[sample + i]! + col[o + p]!;
      }
    }
  }
}
