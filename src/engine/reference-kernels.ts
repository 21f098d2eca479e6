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
 * im2col of n samples by a run table (conv-geometry.ts im2colRuns) of `rows` kernel rows over outHeight × outWidth
 * positions (P): col[r][s·P + oy·OW + ox] = x[offset + s·stride + src + ox·strideW] for lo ≤ ox < hi of run (r, oy),
 * 0 elsewhere. col is [rows][n·P].
 */
export function gatherColumns(
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
  const positions = outHeight * outWidth;
  const rowLength = n * positions;
  for (let s = 0; s < n; s++) {
    const sample = offset + s * stride;
    for (let r = 0, t = 0; r < rows; r++) {
      for (let oy = 0, o = r * rowLength + s * positions; oy < outHeight; oy++, o += outWidth, t += 3) {
        const src = sample + runs[t]!;
        const lo = runs[t + 1]!;
        const hi = runs[t + 2]!;
        for (let ox = 0; ox < lo; ox++) col[o + ox] = 0;
        for (let ox = lo; ox < hi; ox++) col[o + ox] = x[src + ox * strideW]!;
        for (let ox = hi; ox < outWidth; ox++) col[o + ox] = 0;
      }
    }
  }
}

/**
 * The adjoint of gatherColumns (col2im): per sample s, dx[offset + s·stride …+ width] is zeroed, then each run adds
 * its col entries onto the input elements they were copied from, runs in row order (col2im's order, so the float
 * sums round alike).
 */
export function scatterColumns(
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
  const positions = outHeight * outWidth;
  const rowLength = n * positions;
  for (let s = 0; s < n; s++) {
    const sample = offset + s * stride;
    dx.fill(0, sample, sample + width);
    for (let r = 0, t = 0; r < rows; r++) {
      for (let oy = 0, o = r * rowLength + s * positions; oy < outHeight; oy++, o += outWidth, t += 3) {
        const dst = sample + runs[t]!;
        for (let ox = runs[t + 1]!, hi = runs[t + 2]!; ox < hi; ox++) {
          const k = dst + ox * strideW;
          dx[k] = dx[k]! + col[o + ox]!;
        }
      }
    }
  }
}

/**
 * Max pooling by a table (conv-geometry.ts poolIndex) over n samples of `channels` planes of planeSize floats, the
 * first at x[offset], one every `stride` floats: out[s][c][p] = the first maximum of plane[index[k·P4 + p]] over
 * k (strictly greater wins; a NaN wins unless one already did, so it is not hidden), argmax[s][c][p] = its index
 * within the sample, as a float (exact below 2²⁴). out and argmax are [n][channels][P].
 */
export function maxPool(
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
  let o = 0;
  const p4 = 4 * Math.ceil(positions / 4);
  for (let s = 0; s < n; s++) {
    for (let c = 0; c < channels; c++) {
      const plane = offset + s * stride + c * planeSize;
      for (let p = 0; p < positions; p++, o++) {
        let at = index[p]!;
        let best = x[plane + at]!;
        for (let k = 1; k < window; k++) {
          const i = index[k * p4 + p]!;
          const v = x[plane + i]!;
          if (v > best || (v !== v && best === best)) {
            best = v;
            at = i;
          }
        }
        out[o] = best;
        argmax[o] = at + c * planeSize;
      }
    }
  }
}

/**
 * The gradient of max pooling: dx (n samples of `width` floats, one every `stride` from dx[0]) is zeroed, then each
 * output's dy is added to the input element that won (argmax: index within the sample, as maxPool wrote it), in
 * output order. dy and argmax are [n][outputs].
 */
export function maxPoolBackward(
  dy: Float32Array,
  argmax: Float32Array,
  n: number,
  outputs: number,
  dx: Float32Array,
  stride: number,
  width: number,
): void {
  for (let s = 0, o = 0; s < n; s++) {
    const sample = s * stride;
    dx.fill(0, sample, sample + width);
    for (let e = 0; e < outputs; e++, o++) {
      const k = sample + argmax[o]!;
      dx[k] = dx[k]! + dy[o]!;
    }
  }
}

/**
 * BatchNorm over features (x is rows × cols, a column per unit), the forward statistics: per column the mean and
 * Σ(x − mean)², float64, summed over the rows in order (a two-pass variance).
 */
export function batchNormStatistics(
  x: Float32Array,
  rows: number,
  cols: number,
  means: Float64Array,
  squares: Float64Array,
): void {
  means.fill(0, 0, cols);
  squares.fill(0, 0, cols);
  for (let r = 0, row = 0; r < rows; r++, row += cols)
    for (let c = 0; c < cols; c++) means[c] = means[c]! + x[row + c]!;
  for (let c = 0; c < cols; c++) means[c] = means[c]! / rows;
  for (let r = 0, row = 0; r < rows; r++, row += cols) {
    for (let c = 0; c < cols; c++) {
      const d = x[row + c]! - means[c]!;
      squares[c] = squares[c]! + d * d;
    }
  }
}

/** x̂ = (x − mean)·invStd (float64, then rounded), y = γ·x̂ + β from the unrounded x̂. */
export function batchNormNormalize(
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
  for (let r = 0, row = 0; r < rows; r++, row += cols) {
    for (let c = 0; c < cols; c++) {
      const xhat = (x[row + c]! - mean[c]!) * invStd[c]!;
      normalized[row + c] = xhat;
      y[row + c] = gamma[c]! * xhat + beta[c]!;
    }
  }
}

/** Per column Σ dy·x̂ and Σ dy, float64, over the rows in order (dγ and dβ before rounding). */
export function batchNormGradSums(
  dy: Float32Array,
  normalized: Float32Array,
  rows: number,
  cols: number,
  dGamma: Float64Array,
  dBeta: Float64Array,
): void {
  dGamma.fill(0, 0, cols);
  dBeta.fill(0, 0, cols);
  for (let r = 0, row = 0; r < rows; r++, row += cols) {
    for (let c = 0; c < cols; c++) {
      dGamma[c] = dGamma[c]! + dy[row + c]! * normalized[row + c]!;
      dBeta[c] = dBeta[c]! + dy[row + c]!;
    }
  }
}

/**
 * dx of BatchNorm over features: training (batch statistics, n = rows) dx = scale/n · (n·dy − dβ − x̂·dγ);
 * evaluation dx = scale·dy; scale = γ·invStd per column, all in float64.
 */
export function batchNormInputGrad(
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
  const n = rows;
  for (let r = 0, row = 0; r < rows; r++, row += cols) {
    for (let c = 0; c < cols; c++) {
      dx[row + c] = training
        ? (scale[c]! / n) * (n * dy[row + c]! - dBeta[c]! - normalized[row + c]! * dGamma[c]!)
        : scale[c]! * dy[row + c]!;
    }
  }
}
