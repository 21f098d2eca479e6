/** Fully connected layer fused with its activation: z = x·Wᵀ + b, y = f(z). W is [out][in] as in PyTorch. */
import { ActivationOp } from '../activations';
import type { DenseConfig } from '../config';
import { gemmNN, gemmNT, gemmTN } from '../gemm';
import { initializeWeights } from '../init';
import { columnSums, paramTensor } from './layer';
import type { BuildContext, Layer, LayerWiring, ParamTensor } from './layer';

export class DenseLayer implements Layer {
  readonly kind = 'dense';
  readonly path: string;
  readonly inputWidth: number;
  readonly outputWidth: number;
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
  private readonly inputGrad: Float32Array;
  private readonly batch: number;

  constructor(config: DenseConfig, wiring: LayerWiring, ctx: BuildContext) {
    const { arena, batch } = ctx;
    this.path = config.path;
    this.batch = batch;
    this.input = wiring.input;
    this.inputGrad = wiring.inputGrad;
    this.inputWidth = wiring.inputWidth;
    this.outputWidth = config.units;
    this.weight = paramTensor(arena, config.path, 'weight', [config.units, wiring.inputWidth]);
    this.bias = paramTensor(arena, config.path, 'bias', [config.units]);
    initializeWeights(this.weight.data, config.units, wiring.inputWidth, config.init, ctx.initRng);
    this.bias.data.fill(config.biasInit);
    this.activation = new ActivationOp(config.activation, config.units, arena);
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
    const b = this.bias.data;
    gemmNT(batch, outputWidth, inputWidth, this.input, this.weight.data, z);
    for (let r = 0, i = 0; r < batch; r++) {
      for (let c = 0; c < outputWidth; c++, i++) z[i] = z[i]! + b[c]!;
    }
    this.activation.forward(z, this.output, batch);
  }

  backward(): void {
    const { batch, inputWidth, outputWidth } = this;
    const dz = this.preActivationGrad;
    this.activation.backward(this.preActivation, this.output, this.outputGrad, dz, batch);
    // dW = dZᵀ·X, db = Σ_batch dZ, dX = dZ·W
    gemmTN(outputWidth, inputWidth, batch, dz, this.input, this.weight.grad);
    columnSums(dz, batch, outputWidth, this.bias.grad);
    gemmNN(batch, inputWidth, outputWidth, dz, this.weight.data, this.inputGrad);
  }
}
