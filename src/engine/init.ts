/**
 * Weight initialisers for a matrix W[out][in] (PyTorch layout). Fans as in PyTorch for a Linear layer:
 * fan_in = in, fan_out = out. Normals are plain (not truncated).
 */
import type { InitConfig } from './config';
import type { Rng } from './rng';

/**
 * Fills `w` (length out·in, row-major W[out][in]) according to `init`. `fans` overrides the fans the variance
 * scalings use (a conv kernel [filters][C·k]: fan_in = C·k, fan_out = filters·k, as PyTorch); default in and out.
 */
export function initializeWeights(
  w: Float32Array,
  out: number,
  inp: number,
  init: InitConfig,
  rng: Rng,
  fans: { fanIn: number; fanOut: number } = { fanIn: inp, fanOut: out },
): void {
  const { fanIn, fanOut } = fans;
  switch (init.name) {
    case 'zeros':
      return fillConstant(w, 0);
    case 'constant':
      return fillConstant(w, init.scale);
    case 'uniform':
      return fillUniform(w, init.scale, rng);
    case 'normal':
      return fillNormal(w, init.scale, rng);
    case 'glorot_uniform':
      return fillUniform(w, Math.sqrt(6 / (fanIn + fanOut)), rng);
    case 'glorot_normal':
      return fillNormal(w, Math.sqrt(2 / (fanIn + fanOut)), rng);
    case 'he_uniform':
      return fillUniform(w, Math.sqrt(6 / fanIn), rng);
    case 'he_normal':
      return fillNormal(w, Math.sqrt(2 / fanIn), rng);
    case 'lecun_uniform':
      return fillUniform(w, Math.sqrt(3 / fanIn), rng);
    case 'lecun_normal':
      return fillNormal(w, Math.sqrt(1 / fanIn), rng);
    case 'orthogonal':
      return fillOrthogonal(w, out, inp, init.scale, rng);
    case 'identity':
      return fillIdentity(w, out, inp, init.scale);
    default:
      throw new Error(`unknown initialiser "${(init as InitConfig).name}"`);
  }
}

function fillConstant(w: Float32Array, value: number): void {
  w.fill(value);
}

/** gain × I (IRNN, Le et al. 2015): only a square matrix has an identity, so anything else is an error. */
function fillIdentity(w: Float32Array, out: number, inp: number, gain: number): void {
  if (out !== inp) throw new Error(`the identity initialiser needs a square matrix, not ${out} × ${inp}`);
  w.fill(0);
  for (let i = 0; i < out; i++) w[i * inp + i] = gain;
}

/** U(−a, a) */
function fillUniform(w: Float32Array, a: number, rng: Rng): void {
  for (let i = 0; i < w.length; i++) w[i] = rng.range(-a, a);
}

/** N(0, std²) */
function fillNormal(w: Float32Array, std: number, rng: Rng): void {
  for (let i = 0; i < w.length; i++) w[i] = std * rng.normal();
}

/**
 * PyTorch's orthogonal_: a Gaussian matrix, transposed to be tall when rows < cols, QR-factorised,
 * Q's columns sign-corrected by diag(R) (modified Gram–Schmidt gives diag(R) > 0 already), transposed back,
 * times gain. Result: rows orthonormal when out ≤ in, columns orthonormal when out ≥ in.
 */
function fillOrthogonal(w: Float32Array, out: number, inp: number, gain: number, rng: Rng): void {
  const rows = out;
  const cols = inp;
  const gaussian = new Float64Array(rows * cols);
  for (let i = 0; i < gaussian.length; i++) gaussian[i] = rng.normal();
  const transpose = rows < cols;
  // Tall matrix A[m×n], m ≥ n, whose columns get orthonormalised.
  const m = transpose ? cols : rows;
  const n = transpose ? rows : cols;
  const a = transpose ? transposed(gaussian, rows, cols) : gaussian;
  orthonormalizeColumns(a, m, n);
  const q = transpose ? transposed(a, m, n) : a;
  for (let i = 0; i < w.length; i++) w[i] = gain * q[i]!;
}

function transposed(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c]!;
  return t;
}

/** Modified Gram–Schmidt on the n columns of a row-major m×n matrix, in place (float64), re-orthogonalised twice. */
function orthonormalizeColumns(a: Float64Array, m: number, n: number): void {
  for (let j = 0; j < n; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += a[i * n + k]! * a[i * n + j]!;
        for (let i = 0; i < m; i++) a[i * n + j] = a[i * n + j]! - dot * a[i * n + k]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += a[i * n + j]! * a[i * n + j]!;
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) a[i * n + j] = a[i * n + j]! / norm;
  }
}
