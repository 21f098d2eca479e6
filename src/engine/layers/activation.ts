/** A standalone activation layer: y = f(x), same width in and out (prelu owns one slope per unit). */
import { ActivationOp } from '../activations';
import type { ActivationLayerConfig, Shape } from '../config';
import type { BuildContext, Layer, LayerWiring, ParamTensor } from './layer';

export class ActivationLayer implements Layer {
  readonly kind = 'activation';
  readonly path: string;
  readonly inputWidth: number;
  readonly outputWidth: number;
  readonly outputShape: Shape;
  readonly output: Float32Array;
  readonly outputGrad: Float32Array;
  /** The pre-activation is this layer's input. */
  readonly preActivation: Float32Array;
  readonly activation: ActivationOp;
  readonly params: ParamTensor[] = [];
  readonly children = [];
  private readonly inputGrad: Float32Array;
  private readonly batch: number;

  constructor(config: ActivationLayerConfig, wiring: LayerWiring, ctx: BuildContext) {
    this.path = config.path;
    this.batch = ctx.batch;
    this.inputWidth = wiring.inputWidth;
    this.outputWidth = wiring.inputWidth;
    this.outputShape = wiring.inputShape ?? [wiring.inputWidth];
    this.preActivation = wiring.input;
    this.inputGrad = wiring.inputGrad;
    this.output = ctx.arena.alloc(ctx.batch * this.outputWidth);
    this.outputGrad = ctx.arena.alloc(ctx.batch * this.outputWidth);
    this.activation = new ActivationOp(
      config.activation,
      this.outputWidth,
      ctx.arena,
      ctx.backend.activationKernel(config.activation.name),
      ctx.shared?.params.get(`${config.path}#slope`),
    );
    const { slopes, slopeGrad } = this.activation.params;
    if (slopes && slopeGrad) {
      this.params.push({ path: config.path, name: 'slope', shape: [this.outputWidth], data: slopes, grad: slopeGrad });
    }
  }

  forward(): void {
    this.activation.forward(this.preActivation, this.output, this.batch);
  }

  backward(): void {
    this.activation.backward(this.preActivation, this.output, this.outputGrad, this.inputGrad, this.batch);
  }
}
