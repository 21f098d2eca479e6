/**
 * Batch normalisation over the batch axis (Ioffe & Szegedy 2015), PyTorch BatchNorm1d/2d semantics:
 * training normalises with the batch mean and biased variance; the running mean/variance are updated with
 * `momentum` using the unbiased variance; evaluation uses the running statistics. γ = 1, β = 0 at init.
 * On [features] input each feature is a unit; on [C, L] or [C, H, W] input each channel is one, its statistics
 * taken over batch × positions (n = batch·L or batch·H·W in the unbiased n/(n − 1)).
 */
import type { BatchNormConfig, Shape } from '../config';
import type { Backend } from '../backend';
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
  /** Normalised units (features, or channels) and the positions each spans within a sample (1 for features). */
  private readonly units: number;
  private readonly positions: number;
  private lastForwardTraining = true;
  /**
   * Per-unit float64 scratch of the [features] path, in the arena (the backend's kernels read and write it there):
   * means and Σ(x − mean)² forward, dγ, dβ and γ·invStd backward. Empty on the channel path.
   */
  private readonly scratchA: Float64Array;
  private readonly scratchB: Float64Array;
  private readonly scratchC: Float64Array;
  private readonly backend: Backend;

  constructor(config: BatchNormConfig, wiring: LayerWiring, ctx: BuildContext) {
    const { arena, batch } = ctx;
    const width = wiring.inputWidth;
    const shape = wiring.inputShape ?? [width];
    // [features]: one unit per feature; [C, …]: one per channel.
    const units = shape.length >= 2 ? shape[0]! : width;
    this.units = units;
    this.positions = width / units;
    this.path = config.path;
    this.eps = config.eps;
    this.momentum = config.momentum;
    this.batch = batch;
    this.input = wiring.input;
    this.inputGrad = wiring.inputGrad;
    this.inputWidth = width;
    this.outputWidth = width;
    this.outputShape = wiring.inputShape ?? [width];
    this.gamma = paramTensor(ctx, config.path, 'gamma', [units]);
    this.bias = paramTensor(ctx, config.path, 'beta', [units]);
    this.params = [this.gamma, this.bias];
    const shared = ctx.shared;
    this.runningMean = shared?.buffers.get(`${config.path}#runningMean`) ?? arena.alloc(units);
    this.runningVar = shared?.buffers.get(`${config.path}#runningVar`) ?? arena.alloc(units);
    if (!shared) {
      this.gamma.data.fill(1);
      this.runningVar.fill(1);
    }
    this.state = { runningMean: this.runningMean, runningVar: this.runningVar };
    this.output = arena.alloc(batch * width);
    this.outputGrad = arena.alloc(batch * width);
    this.normalized = arena.alloc(batch * width);
    this.usedMean = arena.alloc(units);
    this.invStd = arena.alloc(units);
    this.backend = ctx.backend;
    // Three float64 arrays in one 16-byte-aligned view of 6·units floats; the channel path needs none.
    const scratch = this.positions === 1 ? arena.alloc(6 * units) : new Float32Array(0);
    const f64 = new Float64Array(scratch.buffer, scratch.byteOffset, scratch.length / 2);
    this.scratchA = f64.subarray(0, units);
    this.scratchB = f64.subarray(units, 2 * units);
    this.scratchC = f64.subarray(2 * units, 3 * units);
  }

  forward(training: boolean): void {
    this.lastForwardTraining = training;
    if (this.positions === 1) {
      this.forwardFeatures(training);
      return;
    }
    for (let c = 0; c < this.units; c++) {
      if (training) {
        this.computeBatchStatistics(c);
      } else {
        this.usedMean[c] = this.runningMean[c]!;
        this.invStd[c] = 1 / Math.sqrt(this.runningVar[c]! + this.eps);
      }
      this.normalizeUnit(c);
    }
  }

  /**
   * forward() on [features] input through the backend's kernels, row by row: a unit's values are one row apart, and
   * walking each unit down the batch (the channel path) made BatchNorm cost as much as a 64-wide stack's matrix
   * products. The same float64 sums in the same order as the channel path: the same bits.
   */
  private forwardFeatures(training: boolean): void {
    const { input, batch, units } = this;
    if (training) {
      this.backend.batchNormStatistics(input, batch, units, this.scratchA, this.scratchB);
      for (let c = 0; c < units; c++) this.setStatistics(c, this.scratchA[c]!, this.scratchB[c]!, batch);
    } else {
      for (let c = 0; c < units; c++) {
        this.usedMean[c] = this.runningMean[c]!;
        this.invStd[c] = 1 / Math.sqrt(this.runningVar[c]! + this.eps);
      }
    }
    this.backend.batchNormNormalize(
      input,
      batch,
      units,
      this.usedMean,
      this.invStd,
      this.gamma.data,
      this.bias.data,
      this.normalized,
      this.output,
    );
  }

  /** Batch mean and biased variance of unit c into usedMean/invStd; updates the running statistics. */
  private computeBatchStatistics(c: number): void {
    const { input, batch, outputWidth: w, positions } = this;
    const n = batch * positions;
    let sum = 0;
    for (let r = 0; r < batch; r++) {
      for (let i = r * w + c * positions, end = i + positions; i < end; i++) sum += input[i]!;
    }
    const mean = sum / n;
    let squares = 0;
    for (let r = 0; r < batch; r++) {
      for (let i = r * w + c * positions, end = i + positions; i < end; i++) {
        const d = input[i]! - mean;
        squares += d * d;
      }
    }
    this.setStatistics(c, mean, squares, n);
  }

  /** Unit c's batch statistics (mean, Σ(x − mean)² over n values) into usedMean/invStd and the running estimates. */
  private setStatistics(c: number, mean: number, squares: number, n: number): void {
    const variance = squares / n;
    // PyTorch feeds the unbiased variance into the running estimate (n/(n−1)); with one value there is none.
    const unbiased = n > 1 ? squares / (n - 1) : variance;
    const m = this.momentum;
    this.runningMean[c] = (1 - m) * this.runningMean[c]! + m * mean;
    this.runningVar[c] = (1 - m) * this.runningVar[c]! + m * unbiased;
    this.usedMean[c] = mean;
    this.invStd[c] = 1 / Math.sqrt(variance + this.eps);
  }

  /** x̂ = (x − mean)·invStd, y = γ·x̂ + β for unit c. */
  private normalizeUnit(c: number): void {
    const { input, output, normalized, batch, outputWidth: w, positions } = this;
    const g = this.gamma.data[c]!;
    const b = this.bias.data[c]!;
    const mean = this.usedMean[c]!;
    const invStd = this.invStd[c]!;
    for (let r = 0; r < batch; r++) {
      for (let i = r * w + c * positions, end = i + positions; i < end; i++) {
        const xhat = (input[i]! - mean) * invStd;
        normalized[i] = xhat;
        output[i] = g * xhat + b;
      }
    }
  }

  /**
   * dγ = Σ dy·x̂, dβ = Σ dy (over batch × positions, n terms); training: dx = γ·invStd/n · (n·dy − dβ − x̂·dγ) (the
   * batch statistics depend on x); evaluation: dx = γ·invStd·dy.
   */
  backward(): void {
    if (this.positions === 1) {
      this.backwardFeatures();
      return;
    }
    const { outputGrad: dy, normalized, inputGrad: dx, batch, outputWidth: w, positions } = this;
    const n = batch * positions;
    for (let c = 0; c < this.units; c++) {
      let dGamma = 0;
      let dBeta = 0;
      for (let r = 0; r < batch; r++) {
        for (let i = r * w + c * positions, end = i + positions; i < end; i++) {
          dGamma += dy[i]! * normalized[i]!;
          dBeta += dy[i]!;
        }
      }
      this.gamma.grad[c] = dGamma;
      this.bias.grad[c] = dBeta;
      const scale = this.gamma.data[c]! * this.invStd[c]!;
      const training = this.lastForwardTraining;
      for (let r = 0; r < batch; r++) {
        for (let i = r * w + c * positions, end = i + positions; i < end; i++) {
          dx[i] = training ? (scale / n) * (n * dy[i]! - dBeta - normalized[i]! * dGamma) : scale * dy[i]!;
        }
      }
    }
  }

  /** backward() on [features] input through the backend's kernels (see forwardFeatures): the same bits. */
  private backwardFeatures(): void {
    const { outputGrad: dy, normalized, batch, units } = this;
    const dGamma = this.scratchA;
    const dBeta = this.scratchB;
    this.backend.batchNormGradSums(dy, normalized, batch, units, dGamma, dBeta);
    const scale = this.scratchC;
    for (let c = 0; c < units; c++) {
      this.gamma.grad[c] = dGamma[c]!;
      this.bias.grad[c] = dBeta[c]!;
      scale[c] = this.gamma.data[c]! * this.invStd[c]!;
    }
    const training = this.lastForwardTraining;
    this.backend.batchNormInputGrad(dy, normalized, batch, units, scale, dGamma, dBeta, training, this.inputGrad);
  }
}
