/** Fully connected layer fused with its activation: z = x·Wᵀ + b, y = f(z). W is [out][in] as in PyTorch. */
import { ActivationOp } from '../activations';
import type { Backend } from '../backend';
import type { DenseConfig, Shape } from '../config';
import { initializeWeights } from '../init';
import { paramTensor } from './layer';
import type { BuildContext, Layer, LayerWiring, ParamTensor } from './layer';

export class DenseLayer implements Layer {
  readonly kind = 'dense';
  readonly path: string;
  readonly inputWidth: number;
  readonly outputWidth: number;
  readonly outputShape: Shape;
  readonly output: Float32Array;
  readonly outputGrad: Float32Array;
  /** z = x·Wᵀ + b (the same buffer as `output` for a linear activation). */
  readonly preActivation: Float32Array;
  readonly activation: ActivationOp;
  readonly weight: ParamTensor;
  readonly bias: ParamTensor;
  readonly params: ParamTensor[];
  readonly children = [];
  /** ∂loss/∂z (the same buffer as `outputGrad` for a linear activation). */
  private readonly preActivationGrad: Float32Array;
  private readonly input: Float32Array;
  /** Null when nothing reads ∂loss/∂input (first layer in training): its product is skipped. */
  private readonly inputGrad: Float32Array | null;
  private readonly batch: number;
  private readonly backend: Backend;

  constructor(config: DenseConfig, wiring: LayerWiring, ctx: BuildContext) {
    const { arena, batch } = ctx;
    this.path = config.path;
    this.batch = batch;
    this.backend = ctx.backend;
    this.input = wiring.input;
    this.inputGrad = wiring.skipInputGrad ? null : wiring.inputGrad;
    this.inputWidth = wiring.inputWidth;
    this.outputWidth = config.units;
    this.outputShape = [config.units];
    this.weight = paramTensor(ctx, config.path, 'weight', [config.units, wiring.inputWidth]);
    this.bias = paramTensor(ctx, config.path, 'bias', [config.units]);
    if (ctx.initialize) initializeWeights(this.weight.data, config.units, wiring.inputWidth, config.init, ctx.initRng);
    if (!ctx.shared) this.bias.data.fill(config.biasInit);
    // Drawn after the weights, from the same stream: a spec without a random bias draws exactly as before.
    if (ctx.initialize && config.biasRandom)
      initializeWeights(this.bias.data, config.units, 1, config.biasRandom, ctx.initRng);
    this.activation = new ActivationOp(
      config.activation,
      config.units,
      arena,
      ctx.backend.activationKernel(config.activation.name),
      ctx.shared?.params.get(`${config.path}#slope`),
    );
    const isLinear = config.activation.name === 'linear';
    this.preActivation = arena.alloc(batch * config.units);
    this.output = isLinear ? this.preActivation : arena.alloc(batch * config.units);
    this.outputGrad = arena.alloc(batch * config.units);
    this.preActivationGrad = isLinear ? this.outputGrad : arena.alloc(batch * config.units);
    this.params = [this.weight, this.bias];
    const { slopes, slopeGrad } = this.activation.params;
    if (slopes && slopeGrad) {
      this.params.push({ path: config.path, name: 'slope', shape: [config.units], data: slopes, grad: slopeGrad });
    }
  }

  forward(): void {
    const { batch, inputWidth, outputWidth } = this;
    const z = this.preActivation;
    this.backend.gemmNT(batch, outputWidth, inputWidth, this.input, this.weight.data, z);
    this.backend.addRowVector(z, this.bias.data, batch, outputWidth);
    this.activation.forward(z, this.output, batch);
  }

  backward(): void {
    const { batch, inputWidth, outputWidth } = this;
    const dz = this.preActivationGrad;
    this.activation.backward(this.preActivation, this.output, this.outputGrad, dz, batch);
    // dW = dZᵀ·X, db = Σ_batch dZ, dX = dZ·W
    const backend = this.backend;
    backend.gemmTN(outputWidth, inputWidth, batch, dz, this.input, this.weight.grad);
    backend.columnSums(dz, batch, outputWidth, this.bias.grad);
    if (this.inputGrad) backend.gemmNN(batch, inputWidth, outputWidth, dz, this.weight.data, this.inputGrad);
  }
}
