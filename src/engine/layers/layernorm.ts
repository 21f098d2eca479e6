/**
 * Layer normalisation (Ba et al. 2016), PyTorch nn.LayerNorm over the last axis: each row of the last axis
 * ([features] input: the whole sample; [steps, features]: each step; [C, L]: each channel's row) is normalised by
 * its own mean and biased variance, y = γ⊙x̂ + β, with γ = 1 and β = 0 at init. The same in training and evaluation.
 */
import type { LayerNormConfig, Shape } from '../config';
import { paramTensor } from './layer';
import type { BuildContext, Layer, LayerWiring, ParamTensor } from './layer';

export class LayerNormLayer implements Layer {
  readonly kind = 'layernorm';
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
  /** x̂ of the last forward pass, and 1/√(σ² + eps) per normalised row. */
  private readonly normalized: Float32Array;
  private readonly invStd: Float32Array;
  /** Length of the normalised axis, and how many such rows the batch holds. */
  private readonly features: number;
  private readonly rows: number;
  private readonly eps: number;
  private readonly input: Float32Array;
  private readonly inputGrad: Float32Array;
  /** dγ and dβ summed over the rows in float64 (outside the arena: scratch, never read by anyone else). */
  private readonly gammaSums: Float64Array;
  private readonly betaSums: Float64Array;

  constructor(config: LayerNormConfig, wiring: LayerWiring, ctx: BuildContext) {
    const { arena, batch } = ctx;
    const width = wiring.inputWidth;
    const shape = wiring.inputShape ?? [width];
    this.path = config.path;
    this.eps = config.eps;
    this.features = shape[shape.length - 1]!;
    this.rows = (batch * width) / this.features;
    this.input = wiring.input;
    this.inputGrad = wiring.inputGrad;
    this.inputWidth = width;
    this.outputWidth = width;
    this.outputShape = shape;
    this.gamma = paramTensor(ctx, config.path, 'gamma', [this.features]);
    this.bias = paramTensor(ctx, config.path, 'beta', [this.features]);
    this.params = [this.gamma, this.bias];
    if (!ctx.shared) this.gamma.data.fill(1);
    this.output = arena.alloc(batch * width);
    this.outputGrad = arena.alloc(batch * width);
    this.normalized = arena.alloc(batch * width);
    this.invStd = arena.alloc(this.rows);
    this.gammaSums = new Float64Array(this.features);
    this.betaSums = new Float64Array(this.features);
  }

  forward(): void {
    const { input, output, normalized, features: F } = this;
    const gamma = this.gamma.data;
    const beta = this.bias.data;
    for (let r = 0; r < this.rows; r++) {
      const start = r * F;
      let sum = 0;
      for (let i = start; i < start + F; i++) sum += input[i]!;
      const mean = sum / F;
      let squares = 0;
      for (let i = start; i < start + F; i++) squares += (input[i]! - mean) * (input[i]! - mean);
      const invStd = 1 / Math.sqrt(squares / F + this.eps);
      this.invStd[r] = invStd;
      for (let j = 0; j < F; j++) {
        const xhat = (input[start + j]! - mean) * invStd;
        normalized[start + j] = xhat;
        output[start + j] = gamma[j]! * xhat + beta[j]!;
      }
    }
  }

  /**
   * dγ = Σ_rows dy⊙x̂, dβ = Σ_rows dy; per row with g = dy⊙γ: dx = invStd/F · (F·g − Σg − x̂·Σ(g⊙x̂))
   * (the row's mean and variance depend on each of its elements).
   */
  backward(): void {
    const { outputGrad: dy, normalized, inputGrad: dx, features: F } = this;
    const gamma = this.gamma.data;
    const { gammaSums: dGamma, betaSums: dBeta } = this;
    dGamma.fill(0);
    dBeta.fill(0);
    for (let r = 0; r < this.rows; r++) {
      const start = r * F;
      let sumG = 0;
      let sumGx = 0;
      for (let j = 0; j < F; j++) {
        const i = start + j;
        const g = dy[i]! * gamma[j]!;
        sumG += g;
        sumGx += g * normalized[i]!;
        dGamma[j] = dGamma[j]! + dy[i]! * normalized[i]!;
        dBeta[j] = dBeta[j]! + dy[i]!;
      }
      const scale = this.invStd[r]! / F;
      for (let j = 0; j < F; j++) {
        const i = start + j;
        dx[i] = scale * (F * dy[i]! * gamma[j]! - sumG - normalized[i]! * sumGx);
      }
    }
    for (let j = 0; j < F; j++) {
      this.gamma.grad[j] = dGamma[j]!;
      this.bias.grad[j] = dBeta[j]!;
    }
  }
}
