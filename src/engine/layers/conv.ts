/**
 * conv1d / conv2d fused with its activation, as nn.Conv1d/nn.Conv2d: z[f][p] = Σ_{c,i,j} W[f][c][i][j]·x[c][p + …]
 * + b[f], y = f(z). A tile of samples is unrolled by im2col (the backend's gatherColumns, by a run table) into
 * col_s[C·k][P] per sample (P output positions), so each sample's convolution is one matrix product Z_s = W·col_s on
 * the backend's gemm, written straight into the layer's [batch][F][P] output — no tile-to-output copies. The tile is
 * bounded (convTileSamples: 4 MB of columns); when it spans the batch, backward reuses the forward pass's columns.
 */
import { ActivationOp } from '../activations';
import type { Backend } from '../backend';
import type { ConvConfig, Shape } from '../config';
import { initializeWeights } from '../init';
import {
  convTileSamples,
  im2colRuns,
  im2colRunsLength,
  windowGeometry,
  windowOutputShape,
  type WindowGeometry,
} from './conv-geometry';
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
  /** A tile's unrolled input, sample after sample: col_s[C·k][P]; in backward each then receives ∂loss/∂col_s. */
  private readonly colViews: Float32Array[];
  /** Per sample of the batch, its z and ∂loss/∂z [F][P]: views made once, so a step allocates nothing. */
  private readonly zViews: Float32Array[];
  private readonly dzViews: Float32Array[];
  /** ∂loss/∂z of each sample's channel [P], sample-major: the bias gradient sums them on the backend. */
  private readonly dzChannels: Float32Array[];
  /** im2col as a run table (im2colRuns): an int32 view of arena floats, so it sits in the wasm memory. */
  private readonly runs: Int32Array;
  /** Samples per tile. */
  private readonly tile: number;
  /** Whether `col` still holds the columns of the whole batch's last forward pass (one tile, not yet overwritten). */
  private colHoldsBatch = false;
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
    this.tile = convTileSamples(batch, this.patch, this.positions);
    const col = arena.alloc(this.patch * this.tile * this.positions);
    const slices = (a: Float32Array, count: number, length: number): Float32Array[] =>
      Array.from({ length: count }, (_, s) => a.subarray(s * length, (s + 1) * length));
    this.colViews = slices(col, this.tile, this.patch * this.positions);
    this.zViews = slices(this.preActivation, batch, this.outputWidth);
    this.dzViews = slices(this.preActivationGrad, batch, this.outputWidth);
    this.dzChannels = slices(this.preActivationGrad, batch * config.filters, this.positions);
    const table = arena.alloc(im2colRunsLength(g));
    this.runs = new Int32Array(table.buffer, table.byteOffset, table.length);
    im2colRuns(g, this.runs);
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
    const { filters, positions, patch, outputWidth } = this;
    const z = this.preActivation;
    const b = this.bias.data;
    for (let first = 0; first < this.batch; first += this.tile) {
      const n = Math.min(this.tile, this.batch - first);
      this.unroll(first, n);
      for (let s = 0; s < n; s++) {
        // Z_s[F][P] = b + W[F][C·k] · col_s[C·k][P], straight into the sample's output (no tile to scatter).
        const o = (first + s) * outputWidth;
        for (let f = 0; f < filters; f++) z.fill(b[f]!, o + f * positions, o + (f + 1) * positions);
        this.backend.gemmNN(
          filters,
          positions,
          patch,
          this.weight.data,
          this.colViews[s]!,
          this.zViews[first + s]!,
          true,
        );
      }
    }
    this.colHoldsBatch = this.tile >= this.batch;
    this.activation.forward(this.preActivation, this.output, this.batch);
  }

  backward(): void {
    const { filters, positions, patch, inputWidth } = this;
    const dz = this.preActivationGrad;
    this.activation.backward(this.preActivation, this.output, this.outputGrad, dz, this.batch);
    for (let first = 0; first < this.batch; first += this.tile) {
      const n = Math.min(this.tile, this.batch - first);
      if (!this.colHoldsBatch) this.unroll(first, n);
      this.colHoldsBatch = false;
      for (let s = 0; s < n; s++) {
        const col = this.colViews[s]!;
        const dzs = this.dzViews[first + s]!;
        // dW[F][C·k] (+)= dZ_s[F][P] · col_s[C·k][P]ᵀ
        this.backend.gemmNT(filters, patch, positions, dzs, col, this.weight.grad, first + s > 0);
        if (!this.inputGrad) continue;
        // dcol_s[C·k][P] = Wᵀ · dZ_s (col_s is free again after dW), scattered back onto the sample's input.
        this.backend.gemmTN(patch, positions, filters, this.weight.data, dzs, col);
        const offset = (first + s) * inputWidth;
        const g = this.geometry;
        this.backend.scatterColumns(
          col,
          this.runs,
          patch,
          g.outHeight,
          g.outWidth,
          g.strideW,
          1,
          this.inputGrad,
          offset,
          inputWidth,
          inputWidth,
        );
      }
    }
    this.biasGradient();
  }

  /** im2col of samples first … first+n−1 into their slices col_s[C·k][P] of col. */
  private unroll(first: number, n: number): void {
    const { inputWidth, patch } = this;
    const { outHeight, outWidth, strideW } = this.geometry;
    for (let s = 0; s < n; s++) {
      const offset = (first + s) * inputWidth;
      const col = this.colViews[s]!;
      this.backend.gatherColumns(
        this.input,
        offset,
        inputWidth,
        1,
        this.runs,
        patch,
        outHeight,
        outWidth,
        strideW,
        col,
      );
    }
  }

  /** db[f] = Σ over samples and positions of dz: float64 sums per sample and channel (backend sum), then samples. */
  private biasGradient(): void {
    const { filters } = this;
    const db = this.bias.grad;
    for (let f = 0; f < filters; f++) {
      let sum = 0;
      for (let s = 0; s < this.batch; s++) sum += this.backend.sum(this.dzChannels[s * filters + f]!);
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
