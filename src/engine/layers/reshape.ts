/** Layers that only change a sample's shape or reduce its spatial axes: flatten and global average pooling. */
import type { FlattenConfig, GlobalAvgPoolConfig, Shape } from '../config';
import type { BuildContext, Layer, LayerWiring, ParamTensor } from './layer';

/**
 * [C, …] → [C·…], as torch.flatten(x, 1). Buffers are already flat and row-major, so the layer owns none: its output
 * is its input and its output gradient is its input gradient (forward and backward do nothing).
 */
export class FlattenLayer implements Layer {
  readonly kind = 'flatten';
  readonly path: string;
  readonly inputWidth: number;
  readonly outputWidth: number;
  readonly outputShape: Shape;
  readonly output: Float32Array;
  readonly outputGrad: Float32Array;
  readonly params: ParamTensor[] = [];
  readonly children = [];

  constructor(config: FlattenConfig, wiring: LayerWiring) {
    this.path = config.path;
    this.inputWidth = wiring.inputWidth;
    this.outputWidth = wiring.inputWidth;
    this.outputShape = [wiring.inputWidth];
    this.output = wiring.input;
    this.outputGrad = wiring.inputGrad;
  }

  forward(): void {}

  backward(): void {}
}

/** Mean over the spatial axes: [C, L] or [C, H, W] → [C] (nn.AdaptiveAvgPool1d/2d(1) + flatten). */
export class GlobalAvgPoolLayer implements Layer {
  readonly kind = 'global_avgpool';
  readonly path: string;
  readonly inputWidth: number;
  readonly outputWidth: number;
  readonly outputShape: Shape;
  readonly output: Float32Array;
  readonly outputGrad: Float32Array;
  readonly params: ParamTensor[] = [];
  readonly children = [];
  private readonly input: Float32Array;
  private readonly inputGrad: Float32Array;
  private readonly positions: number;
  private readonly batch: number;

  constructor(config: GlobalAvgPoolConfig, wiring: LayerWiring, ctx: BuildContext) {
    const shape = wiring.inputShape ?? [wiring.inputWidth];
    if (shape.length < 2) {
      throw new Error(`${config.path}: global_avgpool needs [channels, …] input, got [${shape.join(', ')}]`);
    }
    this.path = config.path;
    this.batch = ctx.batch;
    this.input = wiring.input;
    this.inputGrad = wiring.inputGrad;
    this.inputWidth = wiring.inputWidth;
    this.outputWidth = shape[0]!;
    this.positions = wiring.inputWidth / shape[0]!;
    this.outputShape = [shape[0]!];
    this.output = ctx.arena.alloc(ctx.batch * this.outputWidth);
    this.outputGrad = ctx.arena.alloc(ctx.batch * this.outputWidth);
  }

  forward(): void {
    const { input, output, positions } = this;
    for (let o = 0, n = this.batch * this.outputWidth; o < n; o++) {
      let sum = 0;
      for (let i = o * positions, end = i + positions; i < end; i++) sum += input[i]!;
      output[o] = sum / positions;
    }
  }

  /** ∂/∂x = dy / positions at every position of the channel. */
  backward(): void {
    const { inputGrad, outputGrad, positions } = this;
    for (let o = 0, n = this.batch * this.outputWidth; o < n; o++) {
      const share = outputGrad[o]! / positions;
      for (let i = o * positions, end = i + positions; i < end; i++) inputGrad[i] = share;
    }
  }
}
