/**
 * The direct definitions the conv layer's table-driven kernels (backend gatherColumns / scatterColumns / maxPool) are
 * tested against: im2col, its adjoint col2im, and max pooling of one plane, written as plain loops over the
 * geometry (conv-geometry.ts windowGeometry).
 */
import type { WindowGeometry } from '../../src/engine/layers/conv-geometry';

/**
 * col[(c·kh + i)·kw + j][base + oy·OW + ox] = x[c][oy·sh − padTop + i·dh][ox·sw − padLeft + j·dw] (0 in the
 * padding), for the sample starting at x[offset]; a tile of samples sits side by side in col (rowLength).
 */
export function im2col(
  x: Float32Array,
  offset: number,
  g: WindowGeometry,
  col: Float32Array,
  rowLength = g.outHeight * g.outWidth,
  base = 0,
): void {
  let row = 0;
  for (let c = 0; c < g.channels; c++)
    for (let i = 0; i < g.kernelH; i++)
      for (let j = 0; j < g.kernelW; j++, row++)
        for (let oy = 0; oy < g.outHeight; oy++)
          for (let ox = 0; ox < g.outWidth; ox++) {
            const iy = oy * g.strideH - g.padTop + i * g.dilationH;
            const ix = ox * g.strideW - g.padLeft + j * g.dilationW;
            const inside = iy >= 0 && iy < g.height && ix >= 0 && ix < g.width;
            col[row * rowLength + base + oy * g.outWidth + ox] = inside
              ? x[offset + (c * g.height + iy) * g.width + ix]!
              : 0;
          }
}

/** The adjoint of im2col: dx[offset + …] = Σ of the col entries that copied each input element, in row order. */
export function col2im(
  col: Float32Array,
  g: WindowGeometry,
  dx: Float32Array,
  offset: number,
  rowLength = g.outHeight * g.outWidth,
  base = 0,
): void {
  dx.fill(0, offset, offset + g.channels * g.height * g.width);
  let row = 0;
  for (let c = 0; c < g.channels; c++)
    for (let i = 0; i < g.kernelH; i++)
      for (let j = 0; j < g.kernelW; j++, row++)
        for (let oy = 0; oy < g.outHeight; oy++)
          for (let ox = 0; ox < g.outWidth; ox++) {
            const iy = oy * g.strideH - g.padTop + i * g.dilationH;
            const ix = ox * g.strideW - g.padLeft + j * g.dilationW;
            if (iy < 0 || iy >= g.height || ix < 0 || ix >= g.width) continue;
            const k = offset + (c * g.height + iy) * g.width + ix;
            dx[k] = dx[k]! + col[row * rowLength + base + oy * g.outWidth + ox]!;
          }
}

/**
 * Max pooling of one channel plane (starting at x[plane]) into out[o …]; argmax receives each winner's index within
 * its sample (which starts at x[sample]). The direct definition the table-driven kernels (backend maxPool, which the
 * layer runs) are tested against. Strictly greater keeps the first maximum, as PyTorch; a NaN wins and stays,
 * so a non-finite input is not hidden by the pooling.
 */
export function maxPlane(
  x: Float32Array,
  sample: number,
  plane: number,
  g: WindowGeometry,
  out: Float32Array,
  argmax: Float32Array,
  o: number,
): void {
  const { width, height, kernelH, kernelW, strideH, strideW, outHeight, outWidth, padTop, padLeft } = g;
  for (let oy = 0; oy < outHeight; oy++) {
    const top = oy * strideH - padTop;
    const y0 = top > 0 ? top : 0;
    const rows = (top + kernelH < height ? top + kernelH : height) - y0;
    for (let ox = 0; ox < outWidth; ox++, o++) {
      const left = ox * strideW - padLeft;
      const x0 = left > 0 ? left : 0;
      const cols = (left + kernelW < width ? left + kernelW : width) - x0;
      let at = plane + y0 * width + x0;
      let best = x[at]!;
      // The window's first element starts the search; then strictly greater wins, and a NaN wins unless one already did.
      for (let y = 0, row = at; y < rows; y++, row += width) {
        for (let i = row, end = row + cols; i < end; i++) {
          const v = x[i]!;
          if (!(v <= best) && best === best) {
            best = v;
            at = i;
          }
        }
      }
      out[o] = best;
      argmax[o] = at - sample;
    }
  }
}
