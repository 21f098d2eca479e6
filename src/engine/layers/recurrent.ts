/**
 * simple_rnn / lstm / gru over [steps, features] input: PyTorch's batch_first nn.RNN / nn.LSTM / nn.GRU, one layer,
 * h₀ = 0, trained by full back-propagation through time. The cells' equations are in recurrent-cells.ts.
 *
 * Layout: inside the layer everything is time-major ([steps][batch][…]) so that one step of the batch is one
 * contiguous block: the x-projection of every step is one matrix product, each step's h_{t−1}·W_hhᵀ another, and
 * after BPTT dW_ih, dW_hh and ∂loss/∂x are one product each. The input is copied to time-major on the way in and
 * the output (and its gradient) to PyTorch's batch-major layout on the way out. Every per-step view is made at
 * build time; a step allocates nothing.
 */
import { ActivationOp } from '../activations';
import type { Arena } from '../arena';
import type { Backend } from '../backend';
import type { RecurrentConfig, Shape } from '../config';
import { initializeWeights } from '../init';
import { paramTensor } from './layer';
import type { BuildContext, Layer, LayerWiring, ParamTensor } from './layer';
import { gruCell, lstmCell, simpleCell, type Cell, type StepViews } from './recurrent-cells';

export class RecurrentLayer implements Layer {
  readonly kind: RecurrentConfig['kind'];
  readonly path: string;
  readonly inputWidth: number;
  readonly outputWidth: number;
  readonly outputShape: Shape;
  readonly output: Float32Array;
  readonly outputGrad: Float32Array;
  /**
   * The recurrent kernel W_hh: gradNorm, weightNorm and updateRatio describe it, because it is the matrix that
   * carries (and shrinks or grows) the gradient from step to step (Pascanu et al. 2013). See stats.ts.
   */
  readonly weight: ParamTensor;
  /** b_ih (biasGradNorm). */
  readonly bias: ParamTensor;
  /** W_ih [G·H][F]. */
  readonly inputWeight: ParamTensor;
  readonly recurrentBias: ParamTensor;
  readonly params: ParamTensor[];
  readonly children = [];
  /** simple_rnn: z of every step, [steps][batch][units], for the saturation and dead-unit statistics. */
  readonly preActivation?: Float32Array;
  readonly activation?: ActivationOp;
  /** LSTM/GRU only (Layer.gateSaturation). */
  readonly gateSaturation?: (threshold: number) => Record<string, number>;
  private readonly cell: Cell;
  private readonly steps: number;
  private readonly features: number;
  private readonly units: number;
  private readonly batch: number;
  private readonly returnSequences: boolean;
  private readonly backend: Backend;
  private readonly input: Float32Array;
  /** Null when nothing reads ∂loss/∂input (the model's first layer in training). */
  private readonly inputGrad: Float32Array | null;
  /** x time-major, [steps][batch][features] (and ∂loss/∂x the same way). */
  private readonly inputSteps: Float32Array;
  private readonly inputStepsGrad: Float32Array | null;
  /** Pre-activations of every step, [steps][batch][G·H]. */
  private readonly z: Float32Array;
  /** h_{−1} = 0, h_0 … h_{T−1}: [steps + 1][batch][units]. */
  private readonly hidden: Float32Array;
  /** ∂loss/∂z and ∂loss/∂(h-side) of every step, [steps][batch][G·H] (the same buffer except GRU). */
  private readonly dz: Float32Array;
  private readonly dzh: Float32Array;
  /** ∂loss/∂h_t of the step being back-propagated, and what the cell carries to the step before. */
  private readonly dh: Float32Array;
  private readonly carry: Float32Array;
  private readonly views: StepViews[];
  /** ‖∂loss/∂h_t‖₂ of the last backward pass. */
  private readonly timeNorms: Float64Array;

  constructor(config: RecurrentConfig, wiring: LayerWiring, ctx: BuildContext) {
    const shape = wiring.inputShape ?? [wiring.inputWidth];
    if (shape.length !== 2) {
      throw new Error(`${config.path}: ${config.kind} needs [steps, features] input, not [${shape.join(', ')}]`);
    }
    const { arena, batch } = ctx;
    const [steps, features] = shape as [number, number];
    const H = config.units;
    this.kind = config.kind;
    this.path = config.path;
    if (config.kind === 'simple_rnn') {
      this.activation = simpleActivation(config, ctx);
      this.cell = simpleCell(this.activation);
    } else {
      const kernels = { sigmoid: ctx.backend.activationKernel('sigmoid'), tanh: ctx.backend.activationKernel('tanh') };
      this.cell = config.kind === 'lstm' ? lstmCell(kernels) : gruCell(kernels);
      this.gateSaturation = (threshold) => this.saturatedGates(threshold);
    }
    const GH = this.cell.gates * H;
    this.steps = steps;
    this.features = features;
    this.units = H;
    this.batch = batch;
    this.backend = ctx.backend;
    this.returnSequences = config.returnSequences;
    this.input = wiring.input;
    this.inputGrad = wiring.skipInputGrad ? null : wiring.inputGrad;
    this.inputWidth = wiring.inputWidth;
    this.outputShape = config.returnSequences ? [steps, H] : [H];
    this.outputWidth = config.returnSequences ? steps * H : H;
    this.inputWeight = paramTensor(ctx, config.path, 'weight', [GH, features]);
    this.weight = paramTensor(ctx, config.path, 'recurrentWeight', [GH, H]);
    this.bias = paramTensor(ctx, config.path, 'bias', [GH]);
    this.recurrentBias = paramTensor(ctx, config.path, 'recurrentBias', [GH]);
    this.params = [this.inputWeight, this.weight, this.bias, this.recurrentBias];
    if (ctx.initialize) this.initialize(config, ctx);
    if (!ctx.shared) {
      this.bias.data.fill(config.biasInit);
      // Keras' unit_forget_bias on the forget block of b_ih; b_hh starts at 0, so b_ih + b_hh = forgetBias there.
      if (config.kind === 'lstm') this.bias.data.fill(config.forgetBias, H, 2 * H);
    }
    const buffers = allocateBuffers(config.kind, { steps, batch, features, units: H }, arena, this.inputGrad !== null);
    ({ inputSteps: this.inputSteps, inputStepsGrad: this.inputStepsGrad, z: this.z } = buffers);
    ({ hidden: this.hidden, dz: this.dz, dzh: this.dzh, dh: this.dh, carry: this.carry } = buffers);
    this.views = stepViews(buffers, steps, batch * H, batch * GH);
    this.output = config.returnSequences
      ? arena.alloc(batch * steps * H)
      : this.hidden.subarray(steps * batch * H, (steps + 1) * batch * H);
    this.outputGrad = arena.alloc(batch * this.outputWidth);
    this.timeNorms = new Float64Array(steps);
    if (config.kind === 'simple_rnn') this.preActivation = this.z;
  }

  /**
   * W_ih and W_hh gate block by gate block, each gate a layer of its own: `init` on each [H][F] block (fans F and H;
   * Keras' glorot on its joint [F][4H] kernel would count fan_out = 4H), `recurrentInit` on each [H][H] block
   * (orthogonal: each block orthogonal; identity: each block gain·I).
   */
  private initialize(config: RecurrentConfig, ctx: BuildContext): void {
    const { units: H, features: F } = this;
    for (let g = 0; g < this.cell.gates; g++) {
      const block = this.inputWeight.data.subarray(g * H * F, (g + 1) * H * F);
      initializeWeights(block, H, F, config.init, ctx.initRng);
    }
    for (let g = 0; g < this.cell.gates; g++) {
      const block = this.weight.data.subarray(g * H * H, (g + 1) * H * H);
      initializeWeights(block, H, H, config.recurrentInit, ctx.initRng);
    }
  }

  forward(): void {
    const { batch: B, steps: T, features: F, units: H, backend, cell } = this;
    const GH = cell.gates * H;
    toTimeMajor(this.input, this.inputSteps, B, T, F);
    // The x-projection of every step at once: z = x·W_ihᵀ + b_ih.
    backend.gemmNT(T * B, GH, F, this.inputSteps, this.inputWeight.data, this.z);
    backend.addRowVector(this.z, this.bias.data, T * B, GH);
    for (let t = 0; t < T; t++) {
      const v = this.views[t]!;
      // simple_rnn/LSTM add h_{t−1}·W_hhᵀ + b_hh to z; GRU keeps it apart (r gates its n block). h_{−1} = 0.
      const target = cell.carriesHidden ? v.zh : v.z;
      if (t > 0) backend.gemmNT(B, GH, H, v.hPrev, this.weight.data, target, !cell.carriesHidden);
      else if (cell.carriesHidden) target.fill(0);
      backend.addRowVector(target, this.recurrentBias.data, B, GH);
      cell.forward(v, B, H);
    }
    if (this.returnSequences) fromTimeMajor(this.hidden.subarray(B * H), this.output, B, T, H);
  }

  backward(): void {
    const { batch: B, steps: T, features: F, units: H, backend, cell, dh, carry } = this;
    const GH = cell.gates * H;
    carry.fill(0);
    for (let t = T - 1; t >= 0; t--) {
      this.outputGradAt(t, dh);
      if (t < T - 1) {
        // ∂loss/∂h_t through step t+1: dzh_{t+1}·W_hh (+ z⊙dh_{t+1} for GRU, in carry).
        backend.gemmNN(B, H, GH, this.views[t + 1]!.dzh, this.weight.data, dh, true);
        if (cell.carriesHidden) for (let i = 0; i < dh.length; i++) dh[i] = dh[i]! + carry[i]!;
      }
      this.timeNorms[t] = Math.sqrt(backend.sumOfSquares(dh));
      cell.backward(this.views[t]!, dh, carry, B, H);
    }
    // Sums over every step and sample at once: dW_ih = dzᵀ·x, dW_hh = dzhᵀ·h_{t−1}, the biases column sums.
    backend.gemmTN(GH, F, T * B, this.dz, this.inputSteps, this.inputWeight.grad);
    backend.gemmTN(GH, H, T * B, this.dzh, this.hidden, this.weight.grad);
    backend.columnSums(this.dz, T * B, GH, this.bias.grad);
    backend.columnSums(this.dzh, T * B, GH, this.recurrentBias.grad);
    if (this.inputGrad && this.inputStepsGrad) {
      backend.gemmNN(T * B, F, GH, this.dz, this.inputWeight.data, this.inputStepsGrad);
      fromTimeMajor(this.inputStepsGrad, this.inputGrad, B, T, F);
    }
  }

  /** ∂loss/∂h_t from the layer's output into `dh` [B][H]: row t of every sequence, or the last h only. */
  private outputGradAt(t: number, dh: Float32Array): void {
    const { batch: B, steps: T, units: H, outputGrad } = this;
    if (this.returnSequences) {
      for (let b = 0; b < B; b++) {
        const from = (b * T + t) * H;
        for (let j = 0; j < H; j++) dh[b * H + j] = outputGrad[from + j]!;
      }
    } else if (t === T - 1) {
      dh.set(outputGrad);
    } else {
      dh.fill(0);
    }
  }

  timeGradNorms(): Float64Array {
    return this.timeNorms;
  }

  /** Per gate block, the fraction of its pre-activations of the last forward pass with |z| > threshold. */
  private saturatedGates(threshold: number): Record<string, number> {
    const names = this.cell.gateNames;
    const H = this.units;
    const GH = names.length * H;
    const z = this.z;
    const counts = new Array<number>(names.length).fill(0);
    for (let row = 0; row < z.length; row += GH) {
      for (let g = 0; g < names.length; g++) {
        let n = 0;
        for (let i = row + g * H, end = i + H; i < end; i++) if (Math.abs(z[i]!) > threshold) n++;
        counts[g]! += n;
      }
    }
    const total = z.length / Math.max(1, names.length);
    return Object.fromEntries(names.map((name, g) => [name, counts[g]! / total]));
  }
}

interface Sizes {
  steps: number;
  batch: number;
  features: number;
  units: number;
}

/** The layer's per-step state, time-major: [steps][batch][…] (h and LSTM's c with a zero block for t = −1). */
type Buffers = Record<'inputSteps' | 'z' | 'zh' | 'gates' | 'scratch' | 'hidden' | 'cells' | 'tanhC', Float32Array> &
  Record<'dz' | 'dzh' | 'dh' | 'carry', Float32Array> & { inputStepsGrad: Float32Array | null };

/** Every buffer a step touches, allocated once; what a kind does not use is empty, GRU alone has zh and dzh apart. */
function allocateBuffers(kind: RecurrentConfig['kind'], n: Sizes, arena: Arena, inputGrad: boolean): Buffers {
  const { steps, batch, features, units: H } = n;
  const GH = (kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1) * H;
  const none = new Float32Array(0);
  const gated = kind !== 'simple_rnn';
  const z = arena.alloc(steps * batch * GH);
  const dz = arena.alloc(steps * batch * GH);
  return {
    inputSteps: arena.alloc(steps * batch * features),
    inputStepsGrad: inputGrad ? arena.alloc(steps * batch * features) : null,
    z,
    zh: kind === 'gru' ? arena.alloc(steps * batch * GH) : z,
    gates: gated ? arena.alloc(steps * batch * GH) : none,
    scratch: gated ? arena.alloc(batch * GH) : none,
    hidden: arena.alloc((steps + 1) * batch * H),
    cells: kind === 'lstm' ? arena.alloc((steps + 1) * batch * H) : none,
    tanhC: kind === 'lstm' ? arena.alloc(steps * batch * H) : none,
    dz,
    dzh: kind === 'gru' ? arena.alloc(steps * batch * GH) : dz,
    dh: arena.alloc(batch * H),
    carry: arena.alloc(batch * H),
  };
}

/** Views of step t into the buffers: `hiddenSize` = batch·H and `gateSize` = batch·G·H floats per step. */
function stepViews(b: Buffers, steps: number, hiddenSize: number, gateSize: number): StepViews[] {
  const at = (a: Float32Array, size: number, t: number): Float32Array =>
    a.length === 0 ? a : a.subarray(t * size, (t + 1) * size);
  return Array.from({ length: steps }, (_, t) => ({
    z: at(b.z, gateSize, t),
    zh: at(b.zh, gateSize, t),
    gate: at(b.gates, gateSize, t),
    scratch: b.scratch,
    hPrev: at(b.hidden, hiddenSize, t),
    h: at(b.hidden, hiddenSize, t + 1),
    cPrev: at(b.cells, hiddenSize, t),
    c: at(b.cells, hiddenSize, t + 1),
    tanhC: at(b.tanhC, hiddenSize, t),
    dz: at(b.dz, gateSize, t),
    dzh: at(b.dzh, gateSize, t),
  }));
}

function simpleActivation(config: RecurrentConfig, ctx: BuildContext): ActivationOp {
  const { name } = config.activation;
  if (name !== 'tanh' && name !== 'relu') {
    throw new Error(`${config.path}: simple_rnn takes tanh or relu (PyTorch's nonlinearity), not ${name}`);
  }
  return new ActivationOp(config.activation, config.units, ctx.arena, ctx.backend.activationKernel(name));
}

/** [B][T][F] → [T][B][F]. */
function toTimeMajor(src: Float32Array, dst: Float32Array, B: number, T: number, F: number): void {
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      const from = (b * T + t) * F;
      const to = (t * B + b) * F;
      for (let f = 0; f < F; f++) dst[to + f] = src[from + f]!;
    }
}

/** [T][B][F] → [B][T][F]. */
function fromTimeMajor(src: Float32Array, dst: Float32Array, B: number, T: number, F: number): void {
  for (let t = 0; t < T; t++)
    for (let b = 0; b < B; b++) {
      const from = (t * B + b) * F;
      const to = (b * T + t) * F;
      for (let f = 0; f < F; f++) dst[to + f] = src[from + f]!;
    }
}
