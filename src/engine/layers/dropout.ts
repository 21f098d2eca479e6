/** Inverted dropout: in training each unit is kept with probability 1 − rate and scaled by 1/(1 − rate). */
import type { DropoutConfig, Shape } from '../config';
import type { Rng } from '../rng';
import type { BuildContext, Layer, LayerWiring, ParamTensor } from './layer';

export class DropoutLayer implements Layer {
  readonly kind = 'dropout';
  readonly path: string;
  readonly inputWidth: number;
  readonly outputWidth: number;
  readonly outputShape: Shape;
  readonly output: Float32Array;
  readonly outputGrad: Float32Array;
  readonly params: ParamTensor[] = [];
  readonly children = [];
  /** Per-element multiplier of the last training forward pass: 0 or 1/(1 − rate). */
  readonly mask: Float32Array;
  /** When true the next forward passes reuse `mask` (gradient checks need a fixed mask). */
  maskFrozen = false;
  private readonly rate: number;
  private readonly input: Float32Array;
  private readonly inputGrad: Float32Array;
  private readonly rng: Rng;
  private lastForwardTraining = false;

  constructor(config: DropoutConfig, wiring: LayerWiring, ctx: BuildContext) {
    this.path = config.path;
    this.rate = config.rate;
    this.rng = ctx.dropoutRng;
    this.input = wiring.input;
    this.inputGrad = wiring.inputGrad;
    this.inputWidth = wiring.inputWidth;
    this.outputWidth = wiring.inputWidth;
    this.outputShape = wiring.inputShape ?? [wiring.inputWidth];
    const size = ctx.batch * this.outputWidth;
    this.output = ctx.arena.alloc(size);
    this.outputGrad = ctx.arena.alloc(size);
    this.mask = ctx.arena.alloc(size);
  }

  forward(training: boolean): void {
    const { input, output, mask } = this;
    this.lastForwardTraining = training && this.rate > 0;
    if (!this.lastForwardTraining) {
      for (let i = 0; i < output.length; i++) output[i] = input[i]!;
      return;
    }
    if (!this.maskFrozen) this.sampleMask();
    for (let i = 0; i < output.length; i++) output[i] = input[i]! * mask[i]!;
  }

  backward(): void {
    const { inputGrad, outputGrad, mask } = this;
    if (!this.lastForwardTraining) {
      for (let i = 0; i < inputGrad.length; i++) inputGrad[i] = outputGrad[i]!;
      return;
    }
    for (let i = 0; i < inputGrad.length; i++) inputGrad[i] = outputGrad[i]! * mask[i]!;
  }

  private sampleMask(): void {
    const keep = 1 - this.rate;
    // rate ≥ 1 drops everything (PyTorch returns zeros).
    const scale = keep > 0 ? 1 / keep : 0;
    const mask = this.mask;
    for (let i = 0; i < mask.length; i++) mask[i] = this.rng.uniform() < keep ? scale : 0;
  }
}
