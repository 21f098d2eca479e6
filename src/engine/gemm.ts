/**
 * Dense matrix products on row-major Float32Array views. The three shapes the dense layer needs:
 *   forward   Y[B×out]  = X[B×in] · W[out×in]ᵀ   → gemmNT(B, out, in, X, W, Y)
 *   backward  dX[B×in]  = dZ[B×out] · W[out×in]  → gemmNN(B, in, out, dZ, W, dX)
 *   weights   dW[out×in] = dZ[B×out]ᵀ · X[B×in]  → gemmTN(out, in, B, dZ, X, dW)
 * `accumulate` adds into C instead of overwriting it. The plain loops these must match are in gemm-reference.ts.
 *
 * How (GotoBLAS/BLIS structure, in scalar JS): all three shapes reduce to one strided product
 * C(i,j) = Σ_p A(i,p)·B(p,j). Blocks of A and B are copied ("packed") into float64 scratch panels laid out in the
 * exact order a 4×4 register-tiled micro-kernel reads them, so every shape runs the same unit-stride inner loop —
 * the transposed-operand products cost the same as the forward one. Why float64 panels: V8 then loads doubles
 * directly instead of converting each float32 load (measured ~15% faster). Partial panels are zero-padded so the
 * kernel never branches inside its loop; the edge tiles are written through a small tile buffer.
 * Scratch is module-level and only grows (at most KC·NC + MC·KC doubles): nothing is allocated per call.
 * These are the reference kernels of the JS backend; the WebAssembly SIMD ones are in wasm/ (see backend.ts).
 */

/** Rows × columns of the register tile held in 16 local accumulators. */
const MR = 4;
const NR = 4;
/** k-block: a 4×KC panel of A and of B (8 KB each as float64) stay in L1 while the micro-kernel runs. */
const KC = 256;
/** m-block: the packed MC×KC block of A (128 KB) stays in L2 while it meets every B panel. */
const MC = 64;
/** n-block: bounds the packed KC×NC block of B (1 MB). */
const NC = 512;
/**
 * When m or n is at most this, the product is computed unpacked, four output rows at a time: zero-padding a thin
 * side to a 4-wide panel would waste most of the tile, and packing would cost as much as the product itself.
 */
const THIN = 2;

let packedA = new Float64Array(0);
let packedB = new Float64Array(0);
/** Receives an edge tile before its valid part is copied into C. */
const edgeTile = new Float32Array(MR * NR);

/** C[m×n] (+)= A[m×k] · B[n×k]ᵀ */
export function gemmNT(
  m: number,
  n: number,
  k: number,
  A: Float32Array,
  B: Float32Array,
  C: Float32Array,
  accumulate = false,
): void {
  gemmStrided(m, n, k, A, k, 1, B, 1, k, C, accumulate);
}

/** C[m×n] (+)= A[m×k] · B[k×n] */
export function gemmNN(
  m: number,
  n: number,
  k: number,
  A: Float32Array,
  B: Float32Array,
  C: Float32Array,
  accumulate = false,
): void {
  gemmStrided(m, n, k, A, k, 1, B, n, 1, C, accumulate);
}

/** C[m×n] (+)= A[k×m]ᵀ · B[k×n] */
export function gemmTN(
  m: number,
  n: number,
  k: number,
  A: Float32Array,
  B: Float32Array,
  C: Float32Array,
  accumulate = false,
): void {
  gemmStrided(m, n, k, A, 1, m, B, n, 1, C, accumulate);
}

/**
 * C[m×n] (+)= A·B with A(i,p) = A[i·aRowStride + p·aColStride] and B(p,j) = B[p·bRowStride + j·bColStride];
 * C is dense row-major. Loops: k-blocks, then n-blocks (pack B once), then m-blocks (pack A), then tiles.
 */
function gemmStrided(
  m: number,
  n: number,
  k: number,
  A: Float32Array,
  aRowStride: number,
  aColStride: number,
  B: Float32Array,
  bRowStride: number,
  bColStride: number,
  C: Float32Array,
  accumulate: boolean,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) C.fill(0, 0, m * n);
    return;
  }
  if (n <= THIN) {
    multiplyThin(m, n, k, A, aRowStride, aColStride, B, bRowStride, bColStride, C, n, 1, accumulate);
    return;
  }
  if (m <= THIN) {
    // Cᵀ = Bᵀ·Aᵀ: the wide side becomes the rows that the thin kernel tiles by four.
    multiplyThin(n, m, k, B, bColStride, bRowStride, A, aColStride, aRowStride, C, 1, n, accumulate);
    return;
  }
  ensureScratch(Math.min(m, MC), Math.min(n, NC), Math.min(k, KC));
  const pa = packedA;
  const pb = packedB;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    // Later k-blocks add onto the partial sums the earlier ones stored.
    const add = accumulate || p0 > 0;
    for (let j0 = 0; j0 < n; j0 += NC) {
      const nc = Math.min(NC, n - j0);
      // B(p,j) as "row j, column p" of the panel source: row stride bColStride, column stride bRowStride.
      packPanels(B, bColStride, bRowStride, j0, nc, p0, kc, pb);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = Math.min(MC, m - i0);
        packPanels(A, aRowStride, aColStride, i0, mc, p0, kc, pa);
        multiplyPackedBlock(mc, nc, kc, pa, pb, C, i0 * n + j0, n, add);
      }
    }
  }
}

/** Grows the packing buffers to hold an mc×kc block of A and a kc×nc block of B (rounded up to whole panels). */
function ensureScratch(mc: number, nc: number, kc: number): void {
  const aNeeded = roundUp(mc, MR) * kc;
  const bNeeded = roundUp(nc, NR) * kc;
  if (packedA.length < aNeeded) packedA = new Float64Array(aNeeded);
  if (packedB.length < bNeeded) packedB = new Float64Array(bNeeded);
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/**
 * Copies rows row0..row0+rows−1, columns p0..p0+kc−1 of a strided source into 4-row panels:
 * dst[panel·4·kc + p·4 + r] = src((row0 + panel·4 + r)·rowStride + (p0 + p)·colStride), zero past the last row.
 */
function packPanels(
  src: Float32Array,
  rowStride: number,
  colStride: number,
  row0: number,
  rows: number,
  p0: number,
  kc: number,
  dst: Float64Array,
): void {
  for (let r0 = 0; r0 < rows; r0 += 4) {
    const valid = Math.min(4, rows - r0);
    let s = (row0 + r0) * rowStride + p0 * colStride;
    let d = r0 * kc;
    if (valid === 4) {
      const s1 = rowStride;
      const s2 = 2 * rowStride;
      const s3 = 3 * rowStride;
      for (let p = 0; p < kc; p++, s += colStride, d += 4) {
        dst[d] = src[s]!;
        dst[d + 1] = src[s + s1]!;
        dst[d + 2] = src[s + s2]!;
        dst[d + 3] = src[s + s3]!;
      }
    } else {
      for (let p = 0; p < kc; p++, s += colStride, d += 4) {
        for (let r = 0; r < 4; r++) dst[d + r] = r < valid ? src[s + r * rowStride]! : 0;
      }
    }
  }
}

/** C block (mc×nc at cOffset, row stride ldc) (+)= packed A block · packed B block, one 4×4 tile at a time. */
function multiplyPackedBlock(
  mc: number,
  nc: number,
  kc: number,
  pa: Float64Array,
  pb: Float64Array,
  C: Float32Array,
  cOffset: number,
  ldc: number,
  add: boolean,
): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = Math.min(NR, nc - jr);
    for (let ir = 0; ir < mc; ir += MR) {
      const mr = Math.min(MR, mc - ir);
      const cTile = cOffset + ir * ldc + jr;
      if (mr === MR && nr === NR) {
        microKernel4x4(kc, pa, ir * kc, pb, jr * kc, C, cTile, ldc, add);
      } else {
        microKernel4x4(kc, pa, ir * kc, pb, jr * kc, edgeTile, 0, NR, false);
        storeEdgeTile(edgeTile, mr, nr, C, cTile, ldc, add);
      }
    }
  }
}

/**
 * The register tile: c_rc = Σ_p a[p·4+r]·b[p·4+c] for r, c < 4, in 16 float64 locals; then C (+)= c.
 * Deliberately unrolled by hand — V8 keeps the accumulators in registers only when they are plain locals.
 */
function microKernel4x4(
  kc: number,
  pa: Float64Array,
  aOffset: number,
  pb: Float64Array,
  bOffset: number,
  C: Float32Array,
  o: number,
  ldc: number,
  add: boolean,
): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0,
    c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0,
    c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  for (let ia = aOffset, ib = bOffset, end = aOffset + 4 * kc; ia < end; ia += 4, ib += 4) {
    const a0 = pa[ia]!,
      a1 = pa[ia + 1]!,
      a2 = pa[ia + 2]!,
      a3 = pa[ia + 3]!;
    let b = pb[ib]!;
    c00 += a0 * b;
    c10 += a1 * b;
    c20 += a2 * b;
    c30 += a3 * b;
    b = pb[ib + 1]!;
    c01 += a0 * b;
    c11 += a1 * b;
    c21 += a2 * b;
    c31 += a3 * b;
    b = pb[ib + 2]!;
    c02 += a0 * b;
    c12 += a1 * b;
    c22 += a2 * b;
    c32 += a3 * b;
    b = pb[ib + 3]!;
    c03 += a0 * b;
    c13 += a1 * b;
    c23 += a2 * b;
    c33 += a3 * b;
  }
  if (add) {
    C[o] = C[o]! + c00;
    C[o + 1] = C[o + 1]! + c01;
    C[o + 2] = C[o + 2]! + c02;
    C[o + 3] = C[o + 3]! + c03;
    o += ldc;
    C[o] = C[o]! + c10;
    C[o + 1] = C[o + 1]! + c11;
    C[o + 2] = C[o + 2]! + c12;
    C[o + 3] = C[o + 3]! + c13;
    o += ldc;
    C[o] = C[o]! + c20;
    C[o + 1] = C[o + 1]! + c21;
    C[o + 2] = C[o + 2]! + c22;
    C[o + 3] = C[o + 3]! + c23;
    o += ldc;
    C[o] = C[o]! + c30;
    C[o + 1] = C[o + 1]! + c31;
    C[o + 2] = C[o + 2]! + c32;
    C[o + 3] = C[o + 3]! + c33;
  } else {
    C[o] = c00;
    C[o + 1] = c01;
    C[o + 2] = c02;
    C[o + 3] = c03;
    o += ldc;
    C[o] = c10;
    C[o + 1] = c11;
    C[o + 2] = c12;
    C[o + 3] = c13;
    o += ldc;
    C[o] = c20;
    C[o + 1] = c21;
    C[o + 2] = c22;
    C[o + 3] = c23;
    o += ldc;
    C[o] = c30;
    C[o + 1] = c31;
    C[o + 2] = c32;
    C[o + 3] = c33;
  }
}

/** Writes the valid mr×nr corner of a 4×4 tile into C (the rest of the tile is zero padding). */
function storeEdgeTile(
  tile: Float32Array,
  mr: number,
  nr: number,
  C: Float32Array,
  o: number,
  ldc: number,
  add: boolean,
): void {
  for (let r = 0; r < mr; r++, o += ldc) {
    for (let c = 0; c < nr; c++) {
      if (add) C[o + c] = C[o + c]! + tile[r * NR + c]!;
      else C[o + c] = tile[r * NR + c]!;
    }
  }
}

/**
 * C(r,c) (+)= Σ_p X(r,p)·Y(p,c) for a product with few columns, straight from the strided operands:
 * X(r,p) = X[r·xRowStride + p·xColStride], Y(p,c) = Y[p·yRowStride + c·yColStride], C(r,c) = C[r·cRowStride + c·cColStride].
 * Four rows share each Y load; the last rows (fewer than four) fall back to single dot products.
 */
function multiplyThin(
  rows: number,
  cols: number,
  k: number,
  X: Float32Array,
  xRowStride: number,
  xColStride: number,
  Y: Float32Array,
  yRowStride: number,
  yColStride: number,
  C: Float32Array,
  cRowStride: number,
  cColStride: number,
  accumulate: boolean,
): void {
  for (let c = 0; c < cols; c++) {
    let r = 0;
    for (; r + 4 <= rows; r += 4) {
      dot4Rows(
        k,
        X,
        r * xRowStride,
        xRowStride,
        xColStride,
        Y,
        c * yColStride,
        yRowStride,
        C,
        r * cRowStride + c * cColStride,
        cRowStride,
        accumulate,
      );
    }
    for (; r < rows; r++) {
      let sum = 0;
      for (let p = 0, x = r * xRowStride, y = c * yColStride; p < k; p++, x += xColStride, y += yRowStride)
        sum += X[x]! * Y[y]!;
      const o = r * cRowStride + c * cColStride;
      C[o] = accumulate ? C[o]! + sum : sum;
    }
  }
}

/** Four dot products X(r..r+3, ·)·y sharing the loads of y; results go to C[o], C[o+ldc], C[o+2ldc], C[o+3ldc]. */
function dot4Rows(
  k: number,
  X: Float32Array,
  x: number,
  xRowStride: number,
  xColStride: number,
  Y: Float32Array,
  y: number,
  yStride: number,
  C: Float32Array,
  o: number,
  ldc: number,
  accumulate: boolean,
): void {
  const x1 = xRowStride,
    x2 = 2 * xRowStride,
    x3 = 3 * xRowStride;
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  for (let p = 0; p < k; p++, x += xColStride, y += yStride) {
    const yp = Y[y]!;
    s0 += X[x]! * yp;
    s1 += X[x + x1]! * yp;
    s2 += X[x + x2]! * yp;
    s3 += X[x + x3]! * yp;
  }
  if (accumulate) {
    C[o] = C[o]! + s0;
    C[o + ldc] = C[o + ldc]! + s1;
    C[o + 2 * ldc] = C[o + 2 * ldc]! + s2;
    C[o + 3 * ldc] = C[o + 3 * ldc]! + s3;
  } else {
    C[o] = s0;
    C[o + ldc] = s1;
    C[o + 2 * ldc] = s2;
    C[o + 3 * ldc] = s3;
  }
}
