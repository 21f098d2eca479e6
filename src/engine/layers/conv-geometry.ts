/**
 * Geometry of convolution and pooling windows, and the im2col/col2im copies that turn a convolution into a matrix
 * product. A 1-d signal [C, L] is handled as an image [C, 1, L] with a 1-high window, so one code path serves both.
 */
import type { ConvConfig, PoolConfig, Shape } from '../config';

/** One sample's window sweep: input [channels, height, width] → output positions outHeight × outWidth. */
export interface WindowGeometry {
  channels: number;
  height: number;
  width: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  /** Padding before the first row/column ('same': floor(total/2), the rest on the far side, as TF). */
  padTop: number;
  padLeft: number;
  outHeight: number;
  outWidth: number;
}

/** Output length and leading padding of one spatial axis. */
export function axisGeometry(
  length: number,
  kernel: number,
  stride: number,
  dilation: number,
  padding: 'valid' | 'same',
): { out: number; padBefore: number } {
  const span = dilation * (kernel - 1) + 1;
  if (padding === 'valid') return { out: Math.floor((length - span) / stride) + 1, padBefore: 0 };
  // TF's SAME: out = ceil(L/s); total = max((out − 1)·s + span − L, 0), the odd one on the far side.
  const out = Math.ceil(length / stride);
  const total = Math.max((out - 1) * stride + span - length, 0);
  return { out, padBefore: Math.floor(total / 2) };
}

/** TF/Keras 'same' padding of one axis as [before, after]: the total that gives ceil(L / stride) outputs, the odd one after. */
export function samePadding(length: number, kernel: number, stride: number, dilation: number): [number, number] {
  const { out, padBefore } = axisGeometry(length, kernel, stride, dilation, 'same');
  const total = Math.max((out - 1) * stride + dilation * (kernel - 1) + 1 - length, 0);
  return [padBefore, total - padBefore];
}

/** The window geometry of a conv or pool layer on `inputShape` ([C, L] or [C, H, W]); throws on a misfit. */
export function windowGeometry(config: ConvConfig | PoolConfig, inputShape: Shape): WindowGeometry {
  const kernel = 'kernel' in config ? config.kernel : config.pool;
  // Pooling windows are not dilated.
  const dilation = 'dilation' in config ? config.dilation : kernel.map(() => 1);
  if (inputShape.length !== kernel.length + 1) {
    const wanted = kernel.length === 1 ? '[channels, length]' : '[channels, height, width]';
    throw new Error(`${config.path}: a ${config.kind} layer needs ${wanted} input, got [${inputShape.join(', ')}]`);
  }
  if (config.stride.length !== kernel.length || dilation.length !== kernel.length) {
    throw new Error(`${config.path}: the window, stride and dilation need one entry per spatial axis`);
  }
  // A 1-d window is a 2-d one of height 1.
  const lift = (a: readonly number[]): number[] => (a.length === 1 ? [1, a[0]!] : [a[0]!, a[1]!]);
  const [height, width] = lift(inputShape.slice(1));
  const [kernelH, kernelW] = lift(kernel);
  const [strideH, strideW] = lift(config.stride);
  const [dilationH, dilationW] = lift(dilation);
  const rows = axisGeometry(height!, kernelH!, strideH!, dilationH!, config.padding);
  const cols = axisGeometry(width!, kernelW!, strideW!, dilationW!, config.padding);
  if (rows.out < 1 || cols.out < 1) {
    throw new Error(`${config.path}: the ${config.kind} window is larger than its input [${inputShape.join(', ')}]`);
  }
  return {
    channels: inputShape[0]!,
    height: height!,
    width: width!,
    kernelH: kernelH!,
    kernelW: kernelW!,
    strideH: strideH!,
    strideW: strideW!,
    dilationH: dilationH!,
    dilationW: dilationW!,
    padTop: rows.padBefore,
    padLeft: cols.padBefore,
    outHeight: rows.out,
    outWidth: cols.out,
  };
}

/** Per-sample output shape with `channels` channels, 1-d or 2-d like the input. */
export function windowOutputShape(g: WindowGeometry, channels: number, spatialAxes: number): number[] {
  return spatialAxes === 1 ? [channels, g.outWidth] : [channels, g.outHeight, g.outWidth];
}

/** Lowest output column whose input column o·stride + offset is ≥ 0. */
function firstValid(offset: number, stride: number, outs: number): number {
  return Math.min(offset < 0 ? Math.ceil(-offset / stride) : 0, outs);
}

/** One past the last output column whose input column o·stride + offset is < size (never below `lo`). */
function endValid(offset: number, stride: number, size: number, outs: number, lo: number): number {
  return Math.max(offset >= size ? 0 : Math.min(outs, Math.floor((size - 1 - offset) / stride) + 1), lo);
}

/** Floats of im2col scratch a tile may hold: 1 M (4 MB) — the whole batch of a small CNN, bounded for a large one. */
const TILE_FLOATS = 1 << 20;

/**
 * Samples per im2col tile for a kernel of `patch` rows over `positions` output positions: as many as fit
 * TILE_FLOATS, at least 1, at most the batch (then the forward pass's columns serve the backward pass too).
 */
export function convTileSamples(batch: number, patch: number, positions: number): number {
  return Math.max(1, Math.min(batch, Math.floor(TILE_FLOATS / (patch * positions))));
}

/**
 * The im2col copy as a table of runs, three int32 per kernel row r = (c·kh + i)·kw + j and output row oy, at
 * runs[(r·OH + oy)·3]: src, lo, hi — col[r][oy·OW + ox] = x[src + ox·strideW] (an index within the sample) for
 * lo ≤ ox < hi, and 0 outside (the padding; lo = hi = 0 for a row wholly in it). Built once per layer; the backends'
 * gatherColumns / scatterColumns then copy runs (SIMD in wasm when strideW is 1) instead of re-deriving the geometry.
 */
export function im2colRuns(g: WindowGeometry, runs: Int32Array): void {
  const { channels, height, width, kernelH, kernelW, strideH, strideW, dilationH, dilationW, outHeight, outWidth } = g;
  let t = 0;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < kernelH; i++) {
      for (let j = 0; j < kernelW; j++) {
        const colOffset = j * dilationW - g.padLeft;
        const lo = firstValid(colOffset, strideW, outWidth);
        const hi = endValid(colOffset, strideW, width, outWidth, lo);
        for (let oy = 0; oy < outHeight; oy++, t += 3) {
          const iy = oy * strideH - g.padTop + i * dilationH;
          const inside = iy >= 0 && iy < height;
          runs[t] = inside ? (c * height + iy) * width + colOffset : 0;
          runs[t + 1] = inside ? lo : 0;
          runs[t + 2] = inside ? hi : 0;
        }
      }
    }
  }
}

/** Entries of the im2col run table of a geometry (im2colRuns). */
export function im2colRunsLength(g: WindowGeometry): number {
  return 3 * g.channels * g.kernelH * g.kernelW * g.outHeight;
}

/**
 * Max pooling as a table, window-cell major so four neighbouring outputs' cells sit side by side: index[k·P4 + p] is
 * the k-th cell (row-major) of output position p's window, as an index within its channel plane, P4 = P rounded up
 * to a multiple of 4 (the positions past P repeat the last one). A window cell in the padding repeats the window's
 * first real element, which can never displace the running maximum, so the kernels need no padding case.
 */
export function poolIndex(g: WindowGeometry, index: Int32Array): void {
  const { height, width, kernelH, kernelW, strideH, strideW, outHeight, outWidth } = g;
  const positions = outHeight * outWidth;
  const p4 = poolRowLength(positions);
  for (let p = 0; p < p4; p++) {
    const at = Math.min(p, positions - 1);
    const top = Math.floor(at / outWidth) * strideH - g.padTop;
    const left = (at % outWidth) * strideW - g.padLeft;
    const first = Math.max(top, 0) * width + Math.max(left, 0);
    for (let i = 0, k = 0; i < kernelH; i++) {
      for (let j = 0; j < kernelW; j++, k++) {
        const iy = top + i;
        const ix = left + j;
        index[k * p4 + p] = iy < 0 || iy >= height || ix < 0 || ix >= width ? first : iy * width + ix;
      }
    }
  }
}

/** P4 of poolIndex: positions rounded up to a multiple of 4. */
export function poolRowLength(positions: number): number {
  return 4 * Math.ceil(positions / 4);
}

/** Entries of a geometry's max-pool table. */
export function poolIndexLength(g: WindowGeometry): number {
  return g.kernelH * g.kernelW * poolRowLength(g.outHeight * g.outWidth);
}
