/**
 * Max and average pooling over the spatial axes of [C, L] or [C, H, W] input, per channel, as Keras'
 * MaxPooling/AveragePooling: 'same' padding never enters a window — max ignores it, the average divides by the count
 * of real elements (PyTorch's count_include_pad=False). No parameters.
 */
import type { PoolConfig, Shape } from '../config';
import type { Backend } from '../backend';
import { poolIndex, poolIndexLength, windowGeometry, windowOutputShape, type WindowGeometry } from './conv-geometry';
import type { BuildContext, Layer, LayerWiring, ParamTensor } from './layer';

export class PoolLayer implements Layer {
  readonly kind: PoolConfig['kind'];
  readonly path: string;
  readonly inputWidth: number;
  readonly outputWidth: number;
  readonly outputShape: Shape;
  readonly output: Float32Array;
  readonly outputGrad: Float32Array;
  readonly params: ParamTensor[] = [];
  readonly children = [];
  readonly geometry: WindowGeometry;
  /** Max pooling: per output element, the index within its sample of the input that won (first maximum, as PyTorch). */
  private readonly argmax: Float32Array;
  private readonly input: Float32Array;
  private readonly inputGrad: Float32Array;
  private readonly batch: number;
  private readonly backend: Backend;
  /** Max pooling: each output position's window as plane indices (poolIndex), an int32 view of arena floats. */
  private readonly index: Int32Array;
  private readonly window: number;

  constructor(config: PoolConfig, wiring: LayerWiring, ctx: BuildContext) {
    const inputShape = wiring.inputShape ?? [wiring.inputWidth];
    this.kind = config.kind;
    this.path = config.path;
    this.batch = ctx.batch;
    this.input = wiring.input;
    this.inputGrad = wiring.inputGrad;
    this.inputWidth = wiring.inputWidth;
    this.geometry = windowGeometry(config, inputShape);
    const g = this.geometry;
    this.outputShape = windowOutputShape(g, g.channels, config.pool.length);
    this.outputWidth = g.channels * g.outHeight * g.outWidth;
    const size = ctx.batch * this.outputWidth;
    this.output = ctx.arena.alloc(size);
    this.outputGrad = ctx.arena.alloc(size);
    // Indices below 2²⁴ are exact in float32; the arena holds only floats.
    this.argmax = config.kind === 'maxpool' ? ctx.arena.alloc(size) : new Float32Array(0);
    this.backend = ctx.backend;
    this.window = g.kernelH * g.kernelW;
    const table = ctx.arena.alloc(config.kind === 'maxpool' ? poolIndexLength(g) : 0);
    this.index = new Int32Array(table.buffer, table.byteOffset, table.length);
    if (config.kind === 'maxpool') poolIndex(g, this.index);
  }

  forward(): void {
    const g = this.geometry;
    const planeSize = g.height * g.width;
    if (this.kind === 'maxpool') {
      const positions = g.outHeight * g.outWidth;
      this.backend.maxPool(
        this.input,
        0,
        this.inputWidth,
        this.batch,
        g.channels,
        planeSize,
        this.index,
        positions,
        this.window,
        this.output,
        this.argmax,
      );
      return;
    }
    for (let s = 0, o = 0; s < this.batch; s++) {
      const sample = s * this.inputWidth;
      for (let c = 0; c < g.channels; c++, o += g.outHeight * g.outWidth) {
        averagePlane(this.input, sample + c * planeSize, g, this.output, o);
      }
    }
  }

  backward(): void {
    const dy = this.outputGrad;
    const dx = this.inputGrad;
    if (this.kind === 'maxpool') {
      const { batch, outputWidth, inputWidth } = this;
      this.backend.maxPoolBackward(dy, this.argmax, batch, outputWidth, dx, inputWidth, inputWidth);
      return;
    }
    dx.fill(0);
    const g = this.geometry;
    for (let s = 0, o = 0; s < this.batch; s++) {
      for (let c = 0; c < g.channels; c++) {
        const plane = s * this.inputWidth + c * g.height * g.width;
        for (let oy = 0; oy < g.outHeight; oy++) {
          const top = oy * g.strideH - g.padTop;
          const y0 = Math.max(top, 0);
          const y1 = Math.min(top + g.kernelH, g.height);
          for (let ox = 0; ox < g.outWidth; ox++, o++) {
            const left = ox * g.strideW - g.padLeft;
            const x0 = Math.max(left, 0);
            const x1 = Math.min(left + g.kernelW, g.width);
            // ∂/∂x of the average: dy / count to every real element of the window.
            this.spread(plane, y0, y1, x0, x1, dy[o]! / ((y1 - y0) * (x1 - x0)));
          }
        }
      }
    }
  }

  private spread(plane: number, y0: number, y1: number, x0: number, x1: number, share: number): void {
    const { width } = this.geometry;
    const dx = this.inputGrad;
    for (let y = y0; y < y1; y++) {
      for (let i = plane + y * width + x0, end = plane + y * width + x1; i < end; i++) dx[i] = dx[i]! + share;
    }
  }
}

/** Average pooling of one channel plane over the real elements of each window. */
function averagePlane(x: Float32Array, plane: number, g: WindowGeometry, out: Float32Array, o: number): void {
  const { width, height, kernelH, kernelW, strideH, strideW, outHeight, outWidth } = g;
  for (let oy = 0; oy < outHeight; oy++) {
    const top = oy * strideH - g.padTop;
    const y0 = Math.max(top, 0);
    const y1 = Math.min(top + kernelH, height);
    for (let ox = 0; ox < outWidth; ox++, o++) {
      const left = ox * strideW - g.padLeft;
      const x0 = Math.max(left, 0);
      const x1 = Math.min(left + kernelW, width);
      let sum = 0;
      for (let y = y0; y < y1; y++) {
        for (let i = plane + y * width + x0, end = plane + y * width + x1; i < end; i++) sum += x[i]!;
      }
      out[o] = sum / ((y1 - y0) * (x1 - x0));
    }
  }
}
