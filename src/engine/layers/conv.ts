/**
 * conv1d / conv2d fused with its activation, as nn.Conv1d/nn.Conv2d: z[f][p] = Σ_{c,i,j} W[f][c][i][j]·x[c][p + …]
 * + b[f], y = f(z). Each sample is unrolled by im2col into col[C·k][P] (P output positions), so the convolution is
 * one matrix product Z = W·col on the backend's gemm; the scratch holds one sample at a time (bounded memory).
 */
import { ActivationOp } from '../activations';
import type { Backend } from '../backend';
import type { ConvConfig, Shape } from '../config';
import { initializeWeights } from '../init';
import { col2im, im2col, windowGeometry, windowOutputShape, type WindowGeometry } from './conv-geometry';
import { paramTensor } from './layer';
import type { BuildContext, Layer, LayerWiring, ParamTensor } from './layer';

export class ConvLayer implements Layer {
  readonly kind: ConvConfig['kind'];
  readonly path: string;
  readonly inputWidth: number;
  readonly outputWidth: number;
  readonly outputShape: Shape;
  readonly output: Float32Array;
  readonly outputGrad: Float32Array;
  /** z = W∗x + b, batch × filters × positions (the same buffer as `output` for a linear activation). */
  readonly preActivation: Float32Array;
  readonly activation: ActivationOp;
  /** W [filters][channels][...kernel]. */
  readonly weight: ParamTensor;
  readonly bias: ParamTensor;
  readonly params: ParamTensor[];
  readonly children = [];
  readonly geometry: WindowGeometry;
  /** ∂loss/∂z (the same buffer as `outputGrad` for a linear activation). */
  private readonly preActivationGrad: Float32Array;
  private readonly input: Float32Array;
  /** Null when nothing reads ∂loss/∂input (first layer in training): the col2im pass is skipped. */
  private readonly inputGrad: Float32Array | null;
  /** One sample's unrolled input col[C·k][P]; in backward it then receives ∂loss/∂col. */
  private readonly col: Float32Array;
  /** Per-sample views of z and ∂loss/∂z, made once at build time (the gemm takes whole arrays). */
  private readonly zViews: Float32Array[];
  private readonly dzViews: Float32Array[];
  private readonly dead: Uint8Array;
  private readonly filters: number;
  /** Output positions per sample (P) and the kernel's rows C·k. */
  private readonly positions: number;
  private readonly patch: number;
  private readonly batch: number;
  private readonly backend: Backend;

  constructor(config: ConvConfig, wiring: LayerWiring, ctx: BuildContext) {
    const { arena, batch } = ctx;
    const inputShape = wiring.inputShape ?? [wiring.inputWidth];
    this.kind = config.kind;
    this.path = config.path;
    this.batch = batch;
    this.backend = ctx.backend;
    this.input = wiring.input;
    this.inputGrad = wiring.skipInputGrad ? null : wiring.inputGrad;
    this.inputWidth = wiring.inputWidth;
    const g = windowGeometry(config, inputShape);
    this.geometry = g;
    this.filters = config.filters;
    this.positions = g.outHeight * g.outWidth;
    const area = g.kernelH * g.kernelW;
    this.patch = g.channels * area;
    this.outputShape = windowOutputShape(g, config.filters, config.kernel.length);
    this.outputWidth = config.filters * this.positions;
    this.weight = paramTensor(ctx, config.path, 'weight', [config.filters, g.channels, ...config.kernel]);
    this.bias = paramTensor(ctx, config.path, 'bias', [config.filters]);
    if (ctx.initialize) {
      const fans = { fanIn: this.patch, fanOut: config.filters * area };
      initializeWeights(this.weight.data, config.filters, this.patch, config.init, ctx.initRng, fans);
    }
    if (!ctx.shared) this.bias.data.fill(config.biasInit);
    this.activation = new ActivationOp(
      config.activation,
      this.outputWidth,
      arena,
      ctx.backend.activationKernel(config.activation.name),
      ctx.shared?.params.get(`${config.path}#slope`),
    );
    const size = batch * this.outputWidth;
    const isLinear = config.activation.name === 'linear';
    this.preActivation = arena.alloc(size);
    this.output = isLinear ? this.preActivation : arena.alloc(size);
    this.outputGrad = arena.alloc(size);
    this.preActivationGrad = isLinear ? this.outputGrad : arena.alloc(size);
    this.col = arena.alloc(this.patch * this.positions);
    this.zViews = sampleViews(this.preActivation, batch, this.outputWidth);
    this.dzViews = sampleViews(this.preActivationGrad, batch, this.outputWidth);
    this.dead = new Uint8Array(config.filters);
    this.params = [this.weight, this.bias];
    const { slopes, slopeGrad } = this.activation.params;
    if (slopes && slopeGrad) {
      this.params.push({
        path: config.path,
        name: 'slope',
        shape: [...this.outputShape],
        data: slopes,
        grad: slopeGrad,
      });
    }
  }

  forward(): void {
    const { filters, positions, patch, col, geometry, inputWidth } = this;
    const w = this.weight.data;
    const b = this.bias.data;
    for (let s = 0; s < this.batch; s++) {
      im2col(this.input, s * inputWidth, geometry, col);
      const z = this.zViews[s]!;
      // Z[F][P] = W[F][C·k] · col[C·k][P]
      this.backend.gemmNN(filters, positions, patch, w, col, z);
      for (let f = 0, i = 0; f < filters; f++) {
        const bf = b[f]!;
        for (let p = 0; p < positions; p++, i++) z[i] = z[i]! + bf;
      }
    }
    this.activation.forward(this.preActivation, this.output, this.batch);
  }

  backward(): void {
    const { filters, positions, patch, col, geometry, inputWidth } = this;
    const dz = this.preActivationGrad;
    this.activation.backward(this.preActivation, this.output, this.outputGrad, dz, this.batch);
    const w = this.weight.data;
    for (let s = 0; s < this.batch; s++) {
      const dzs = this.dzViews[s]!;
      im2col(this.input, s * inputWidth, geometry, col);
      // dW[F][C·k] += dZ[F][P] · col[C·k][P]ᵀ
      this.backend.gemmNT(filters, patch, positions, dzs, col, this.weight.grad, s > 0);
      if (!this.inputGrad) continue;
      // dcol[C·k][P] = Wᵀ · dZ, then scattered back onto the input (col is free again after dW).
      this.backend.gemmTN(patch, positions, filters, w, dzs, col);
      col2im(col, geometry, this.inputGrad, s * inputWidth);
    }
    this.biasGradient(dz);
  }

  /** db[f] = Σ over samples and positions of dz (float64 sums). */
  private biasGradient(dz: Float32Array): void {
    const { filters, positions } = this;
    const db = this.bias.grad;
    for (let f = 0; f < filters; f++) {
      let sum = 0;
      for (let s = 0; s < this.batch; s++) {
        const o = s * this.outputWidth + f * positions;
        for (let p = 0; p < positions; p++) sum += dz[o + p]!;
      }
      db[f] = sum;
    }
  }

  /** Per filter: 1 when z ≤ 0 at every position of every sample of the last forward pass. */
  deadChannels(): Uint8Array {
    const { filters, positions } = this;
    const z = this.preActivation;
    for (let f = 0; f < filters; f++) {
      let alive = false;
      for (let s = 0; s < this.batch && !alive; s++) {
        const o = s * this.outputWidth + f * positions;
        for (let p = 0; p < positions; p++) {
          if (z[o + p]! > 0) {
            alive = true;
            break;
          }
        }
      }
      this.dead[f] = alive ? 0 : 1;
    }
    return this.dead;
  }
}

/** Views of each sample's row of a batch × width buffer. */
function sampleViews(buffer: Float32Array, batch: number, width: number): Float32Array[] {
  const views: Float32Array[] = [];
  for (let s = 0; s < batch; s++) views.push(buffer.subarray(s * width, (s + 1) * width));
  return views;
}
