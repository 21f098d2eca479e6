/**
 * Residual block y = s(x) + f(x) (He et al. 2016): f is the chain of child layers, s is the identity or,
 * with `projection`, a learned linear map P[out][in] without bias.
 */
import type { Backend } from '../backend';
import type { LayerConfig, ResidualConfig, Shape } from '../config';
import { initializeWeights } from '../init';
import { paramTensor } from './layer';
import type { BuildContext, Layer, LayerWiring, ParamTensor } from './layer';

/** Builds a chain of layers on a wiring (injected to avoid a module cycle with the layer factory). */
export type ChainBuilder = (configs: LayerConfig[], wiring: LayerWiring, ctx: BuildContext) => Layer[];

export class ResidualLayer implements Layer {
  readonly kind = 'residual';
  readonly path: string;
  readonly inputWidth: number;
  readonly outputWidth: number;
  readonly outputShape: Shape;
  readonly output: Float32Array;
  readonly outputGrad: Float32Array;
  /** The projection P, or null for an identity skip. */
  readonly weight: ParamTensor | null;
  readonly params: ParamTensor[];
  readonly children: Layer[];
  /** ∂loss/∂x through the branch only (the skip path is added in backward). */
  private readonly branchInputGrad: Float32Array;
  private readonly input: Float32Array;
  private readonly inputGrad: Float32Array;
  /** Nothing reads ∂loss/∂input (the block is the model's first layer in training). */
  private readonly skipInputGrad: boolean;
  private readonly batch: number;
  private readonly backend: Backend;

  constructor(config: ResidualConfig, wiring: LayerWiring, ctx: BuildContext, buildChain: ChainBuilder) {
    const { arena, batch } = ctx;
    if (config.layers.length === 0) throw new Error(`${config.path}: a residual block needs at least one layer`);
    this.path = config.path;
    this.batch = batch;
    this.backend = ctx.backend;
    this.input = wiring.input;
    this.inputGrad = wiring.inputGrad;
    this.skipInputGrad = wiring.skipInputGrad === true;
    this.inputWidth = wiring.inputWidth;
    this.branchInputGrad = arena.alloc(batch * wiring.inputWidth);
    this.children = buildChain(config.layers, { ...wiring, inputGrad: this.branchInputGrad }, ctx);
    this.outputWidth = this.children[this.children.length - 1]!.outputWidth;
    this.outputShape = this.children[this.children.length - 1]!.outputShape;
    if (!config.projection && this.outputWidth !== this.inputWidth) {
      throw new Error(
        `${config.path}: the branch maps ${this.inputWidth} to ${this.outputWidth} units; an identity skip needs a projection`,
      );
    }
    this.weight = config.projection
      ? paramTensor(ctx, config.path, 'projection', [this.outputWidth, this.inputWidth])
      : null;
    if (this.weight && ctx.initialize)
      initializeWeights(this.weight.data, this.outputWidth, this.inputWidth, config.projectionInit, ctx.initRng);
    this.params = this.weight ? [this.weight] : [];
    this.output = arena.alloc(batch * this.outputWidth);
    this.outputGrad = arena.alloc(batch * this.outputWidth);
  }

  forward(training: boolean): void {
    const { children, output, input } = this;
    for (let i = 0; i < children.length; i++) children[i]!.forward(training);
    const branch = children[children.length - 1]!.output;
    if (this.weight) {
      this.backend.gemmNT(this.batch, this.outputWidth, this.inputWidth, input, this.weight.data, output);
      for (let i = 0; i < output.length; i++) output[i] = output[i]! + branch[i]!;
    } else {
      for (let i = 0; i < output.length; i++) output[i] = input[i]! + branch[i]!;
    }
  }

  backward(): void {
    const { children, outputGrad: dy, inputGrad: dx, branchInputGrad } = this;
    const last = children[children.length - 1]!.outputGrad;
    for (let i = 0; i < dy.length; i++) last[i] = dy[i]!;
    for (let i = children.length - 1; i >= 0; i--) children[i]!.backward();
    if (this.weight) {
      // dP = dYᵀ·X, dX = dY·P + dX_branch
      this.backend.gemmTN(this.outputWidth, this.inputWidth, this.batch, dy, this.input, this.weight.grad);
      if (this.skipInputGrad) return;
      this.backend.gemmNN(this.batch, this.inputWidth, this.outputWidth, dy, this.weight.data, dx);
      for (let i = 0; i < dx.length; i++) dx[i] = dx[i]! + branchInputGrad[i]!;
    } else if (!this.skipInputGrad) {
      for (let i = 0; i < dx.length; i++) dx[i] = dy[i]! + branchInputGrad[i]!;
    }
  }
}
