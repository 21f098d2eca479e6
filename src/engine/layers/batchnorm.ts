/**
 * Batch normalisation over the batch axis (Ioffe & Szegedy 2015), PyTorch BatchNorm1d semantics:
 * training normalises with the batch mean and biased variance; the running mean/variance are updated with
 * `momentum` using the unbiased variance; evaluation uses the running statistics. γ = 1, β = 0 at init.
 */
import type { BatchNormConfig, Shape } from '../config';
import { paramTensor } from './layer';
import type { BuildContext, Layer, LayerWiring, ParamTensor } from './layer';

export class BatchNormLayer implements Layer {
  readonly kind = 'batchnorm';
  readonly path: string;
  readonly inputWidth: number;
  readonly outputWidth: number;
  readonly outputShape: Shape;
  readonly output: Float32Array;
  readonly outputGrad: Float32Array;
  readonly gamma: ParamTensor;
  /** β is the bias-like tensor whose gradient norm is recorded. */
  readonly bias: ParamTensor;
  readonly params: ParamTensor[];
  readonly children = [];
  readonly runningMean: Float32Array;
  readonly runningVar: Float32Array;
  readonly state: Readonly<Record<string, Float32Array>>;
  /** x̂ = (x − μ)/√(σ² + eps) of the last forward pass. */
  private readonly normalized: Float32Array;
  /** Mean used by the last forward pass per unit (batch mean in training, running mean in evaluation). */
  private readonly usedMean: Float32Array;
  /** 1/√(σ² + eps) per unit, of the last forward pass. */
  private readonly invStd: Float32Array;
  private readonly eps: number;
  private readonly momentum: number;
  private readonly input: Float32Array;
  private readonly inputGrad: Float32Array;
  private readonly batch: number;
  private lastForwardTraining = true;

  constructor(config: BatchNormConfig, wiring: LayerWiring, ctx: BuildContext) {
    const { arena, batch } = ctx;
    const width = wiring.inputWidth;
    this.path = config.path;
    this.eps = config.eps;
    this.momentum = config.momentum;
    this.batch = batch;
    this.input = wiring.input;
    this.inputGrad = wiring.inputGrad;
    this.inputWidth = width;
    this.outputWidth = width;
    this.outputShape = wiring.inputShape ?? [width];
    this.gamma = paramTensor(ctx, config.path, 'gamma', [width]);
    this.bias = paramTensor(ctx, config.path, 'beta', [width]);
    this.params = [this.gamma, this.bias];
    const shared = ctx.shared;
    this.runningMean = shared?.buffers.get(`${config.path}#runningMean`) ?? arena.alloc(width);
    this.runningVar = shared?.buffers.get(`${config.path}#runningVar`) ?? arena.alloc(width);
    if (!shared) {
      this.gamma.data.fill(1);
      this.runningVar.fill(1);
    }
    this.state = { runningMean: this.runningMean, runningVar: this.runningVar };
    this.output = arena.alloc(batch * width);
    this.outputGrad = arena.alloc(batch * width);
    this.normalized = arena.alloc(batch * width);
    this.usedMean = arena.alloc(width);
    this.invStd = arena.alloc(width);
  }

  forward(training: boolean): void {
    this.lastForwardTraining = training;
    for (let c = 0; c < this.outputWidth; c++) {
      if (training) {
        this.computeBatchStatistics(c);
      } else {
        this.usedMean[c] = this.runningMean[c]!;
        this.invStd[c] = 1 / Math.sqrt(this.runningVar[c]! + this.eps);
      }
      this.normalizeUnit(c);
    }
  }

  /** Batch mean and biased variance of unit c into usedMean/invStd; updates the running statistics. */
  private computeBatchStatistics(c: number): void {
    const { input, batch, outputWidth: w } = this;
    let sum = 0;
    for (let r = 0; r < batch; r++) sum += input[r * w + c]!;
    const mean = sum / batch;
    let squares = 0;
    for (let r = 0; r < batch; r++) {
      const d = input[r * w + c]! - mean;
      squares += d * d;
    }
    const variance = squares / batch;
    // PyTorch feeds the unbiased variance into the running estimate (n/(n−1)); with one sample there is none.
    const unbiased = batch > 1 ? squares / (batch - 1) : variance;
    const m = this.momentum;
    this.runningMean[c] = (1 - m) * this.runningMean[c]! + m * mean;
    this.runningVar[c] = (1 - m) * this.runningVar[c]! + m * unbiased;
    this.usedMean[c] = mean;
    this.invStd[c] = 1 / Math.sqrt(variance + this.eps);
  }

  /** x̂ = (x − mean)·invStd, y = γ·x̂ + β for unit c. */
  private normalizeUnit(c: number): void {
    const { input, output, normalized, batch, outputWidth: w } = this;
    const g = this.gamma.data[c]!;
    const b = this.bias.data[c]!;
    const mean = this.usedMean[c]!;
    const invStd = this.invStd[c]!;
    for (let r = 0; r < batch; r++) {
      const i = r * w + c;
      const xhat = (input[i]! - mean) * invStd;
      normalized[i] = xhat;
      output[i] = g * xhat + b;
    }
  }

  /**
   * dγ = Σ dy·x̂, dβ = Σ dy; training: dx = γ·invStd/N · (N·dy − dβ − x̂·dγ) (the batch statistics depend on x);
   * evaluation: dx = γ·invStd·dy.
   */
  backward(): void {
    const { outputGrad: dy, normalized, inputGrad: dx, batch, outputWidth: w } = this;
    for (let c = 0; c < w; c++) {
      let dGamma = 0;
      let dBeta = 0;
      for (let r = 0; r < batch; r++) {
        const i = r * w + c;
        dGamma += dy[i]! * normalized[i]!;
        dBeta += dy[i]!;
      }
      this.gamma.grad[c] = dGamma;
      this.bias.grad[c] = dBeta;
      const scale = this.gamma.data[c]! * this.invStd[c]!;
      if (!this.lastForwardTraining) {
        for (let r = 0; r < batch; r++) dx[r * w + c] = scale * dy[r * w + c]!;
        continue;
      }
      for (let r = 0; r < batch; r++) {
        const i = r * w + c;
        dx[i] = (scale / batch) * (batch * dy[i]! - dBeta - normalized[i]! * dGamma);
      }
    }
  }
}
