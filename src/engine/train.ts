/**
 * The training loop. A step: sample the mini-batch → forward (training mode) → loss → backward → per-tensor
 * gradient norms (every step, before weight decay and clipping) → non-finite check → clip (value, then global
 * norm like torch.nn.utils.clip_grad_norm_) → optimizer update. Full per-layer statistics are recorded on
 * step 0, every recordEvery steps, the last step and the step where training stops.
 * Deterministic: separate Rng streams for initialisation, batch order and dropout, all forked from the seed.
 * Kernels: by default every buffer (parameters, gradients, optimizer state, activations, the batch) sits in one
 * fixed-size WebAssembly memory owned by the trainer and the hot loops run as SIMD (wasm/wasm-backend.ts); without
 * WebAssembly SIMD, or with `backend: 'js'`, the pure-TypeScript kernels run on a plain buffer. The two agree to
 * float32 rounding; each is deterministic.
 */
import type { Arena } from './arena';
import type { Backend, BackendName } from './backend';
import type { Dataset, ModelConfig } from './config';
import type { ParamTensor } from './layers/layer';
import { StepInterrupted } from './interruptible';
import { emptySeries, recordLayer } from './layers/layer-stats';
import type { StepTensorStats } from './layers/layer-stats';
import type { Model } from './model';
import type { Optimizer } from './optimizer';
import type { Rng } from './rng';
import type { ParallelGemm } from './wasm/parallel-gemm';
import { buildTrainingModel, forkStreams, validateDataset } from './setup';
import { probeEvery } from './probe';
import type { TrainResult } from './stats';

export type { ParamTensor } from './layers/layer';

export interface TrainOptions {
  /** Asked once per step (that step still completes) → stopped.reason 'cancelled'. */
  shouldStop?: () => boolean;
  /** Wall-clock budget from the first step → stopped.reason 'budget'. */
  timeBudgetMs?: number;
  /**
   * An absolute deadline (Date.now() ms, the clock every thread shares) → stopped.reason 'budget'. Unlike
   * timeBudgetMs it counts the model's building too. Checked between steps, layers and slices of large products.
   */
  deadline?: number;
  /** |pre-activation| above this counts as saturated for sigmoid/tanh (default 5). */
  saturationThreshold?: number;
  /** Called after each recorded step (live streaming); the result's arrays are live and keep growing. */
  onRecord?: (step: number, result: TrainResult) => void;
  /**
   * Asked after each recorded step: a reason ends training there (stopped.reason 'decided', the reason its detail),
   * for a caller whose question the run has already answered (a candidate fix whose problem can no longer go away).
   */
  stopWhen?: (result: TrainResult) => string | null;
  /** Supplies the arena of the given capacity (floats); the model then runs on the pure-TypeScript kernels. */
  createArena?: (capacityFloats: number) => Arena;
  /** 'wasm' (default): WebAssembly SIMD kernels, falling back to 'js' where WebAssembly SIMD is unavailable. */
  backend?: BackendName;
  /**
   * Opt-in, default off: a helper thread (supplied by the host, e.g. src/node/gemm-helper.ts) computes half of the
   * rows of every large matrix product on the trainer's shared memory. Bit-identical results; pays only on large
   * layers and when the other core is idle.
   */
  parallel?: ParallelGemm | undefined;
  /**
   * Relaxed SIMD's multiply-add (an FMA) in the wasm matrix kernels where the runtime has it: default true. Its
   * results are the same on the same host and differ from baseline SIMD's in the last bits; false gives baseline
   * SIMD, the same bits on every machine.
   */
  fusedMultiplyAdd?: boolean;
}

export interface Trainer {
  readonly model: Model;
  /** The kernels in use ('js' when 'wasm' was asked for but is unavailable). */
  readonly backend: BackendName;
  /** Whether the wasm matrix kernels run on relaxed SIMD's multiply-add. */
  readonly fusedMultiplyAdd: boolean;
  /** Mini-batch that step 0 uses (copies): x batch×input, y batch×targetWidth. Call before step(). */
  firstBatch(): { x: Float32Array; y: Float32Array };
  /** Initial parameters (copies, before any update) in model order. Call before step(). */
  parameters(): ParamTensor[];
  /** Runs one training step; returns false when training is over (all steps done or stopped). */
  step(): boolean;
  /** The record so far (cheap to call at the end; may build arrays). */
  result(): TrainResult;
}

export function createTrainer(config: ModelConfig, data: Dataset, options: TrainOptions = {}): Trainer {
  return new TrainingRun(config, data, options);
}

/** Builds a trainer and runs every step. */
export function train(config: ModelConfig, data: Dataset, options: TrainOptions = {}): TrainResult {
  const trainer = createTrainer(config, data, options);
  while (trainer.step()) {
    // the trainer records as it goes
  }
  return trainer.result();
}

const now: () => number = globalThis.performance ? () => globalThis.performance.now() : () => Date.now();

type Ending = 'done' | 'cancelled' | 'budget';

/**
 * Steps of at least this many multiply-adds (forward, ≈ a third of the step) are checked for the deadline between
 * layers too: ~2 ms of work a layer at most between checks on this engine's speed, while small nets pay nothing.
 */
export const CHECKED_STEP_MACS = 1 << 22;

/** Multiply-adds of one forward pass: every parameter once per sample. */
function stepMacs(params: readonly ParamTensor[], batch: number): number {
  return params.reduce((sum, p) => sum + p.data.length, 0) * batch;
}

class TrainingRun implements Trainer {
  readonly model: Model;
  readonly backend: BackendName;
  readonly fusedMultiplyAdd: boolean;
  /** The model on the probe set's rows (probe.ts): dead and saturated fractions are measured on it. */
  private readonly probe: Model;
  private readonly kernels: Backend;
  private readonly optimizer: Optimizer;
  private readonly sampler: BatchSampler;
  private readonly params: ParamTensor[];
  /** ‖grad‖² per parameter tensor of the current step (before decay and clipping). */
  private readonly gradSq: Float64Array;
  private readonly weightIndex: number[];
  private readonly biasIndex: number[];
  private readonly losses: Float64Array;
  private readonly accuracies: Float64Array;
  private readonly record: TrainResult;
  private readonly threshold: number;
  private readonly totalSteps: number;
  /** The probe runs at every probeInterval-th recording and at the last one (probe.ts). */
  private readonly probeInterval: number;
  private stepIndex = 0;
  private batchReady = true;
  private finished = false;
  private startMs = NaN;
  private elapsedMs = 0;

  constructor(
    private readonly config: ModelConfig,
    data: Dataset,
    private readonly options: TrainOptions,
  ) {
    validateDataset(config, data);
    const batchSize = Math.min(config.training.batchSize, data.samples);
    const streams = forkStreams(config.training.seed);
    ({
      model: this.model,
      probe: this.probe,
      optimizer: this.optimizer,
      backend: this.kernels,
    } = buildTrainingModel(config, batchSize, data, streams, { ...options, interrupted: () => this.outOfTime() }));
    this.backend = this.kernels.name;
    this.fusedMultiplyAdd = this.kernels.fusedMultiplyAdd === true;
    this.params = this.model.parameters();
    applyInitialValues(this.params, config.initialValues);
    this.sampler = new BatchSampler(data, batchSize, streams.batches);
    this.sampler.fill(this.model.input, this.model.target);
    this.gradSq = new Float64Array(this.params.length);
    this.weightIndex = this.model.nodes.map((n) => (n.weight ? this.params.indexOf(n.weight) : -1));
    this.biasIndex = this.model.nodes.map((n) => (n.bias ? this.params.indexOf(n.bias) : -1));
    this.totalSteps = Math.max(0, Math.floor(config.training.steps));
    this.probeInterval = probeEvery(this.totalSteps, config.training.recordEvery);
    this.losses = new Float64Array(this.totalSteps);
    this.accuracies = new Float64Array(this.totalSteps);
    this.threshold = options.saturationThreshold ?? 5;
    const layers = this.model.layerInfo();
    this.record = {
      layers,
      recordedSteps: [],
      series: layers.map(emptySeries),
      loss: [],
      accuracy: [],
      probeLoss: [],
      stepsRun: 0,
      stopped: null,
      timeMs: 0,
    };
    if (this.totalSteps === 0) this.finished = true;
    this.interrupted = stepMacs(this.params, batchSize) >= CHECKED_STEP_MACS ? () => this.outOfTime() : undefined;
  }

  /** Asked between layers of a long step: cancelled or out of time (small steps are checked between steps only). */
  private readonly interrupted: (() => boolean) | undefined;

  private outOfTime(): boolean {
    return this.stopReason() !== null;
  }

  /** Cancelled, out of time, or null: asked between steps and, for long steps, between layers. */
  private stopReason(): 'cancelled' | 'budget' | null {
    if (this.options.shouldStop?.()) return 'cancelled';
    if (this.options.deadline !== undefined && Date.now() >= this.options.deadline) return 'budget';
    const budget = this.options.timeBudgetMs;
    return budget !== undefined && now() - this.startMs >= budget ? 'budget' : null;
  }

  firstBatch(): { x: Float32Array; y: Float32Array } {
    this.expectNoStepYet('firstBatch');
    return { x: this.model.input.slice(), y: this.model.target.slice() };
  }

  parameters(): ParamTensor[] {
    this.expectNoStepYet('parameters');
    return this.params.map((p) => ({ ...p, shape: [...p.shape], data: p.data.slice(), grad: p.grad.slice() }));
  }

  /** The initial state is read from the live buffers (no copies kept), so it exists only until the first step. */
  private expectNoStepYet(what: string): void {
    if (this.stepIndex > 0) throw new Error(`Trainer.${what}() describes the initial state: call it before step()`);
  }

  step(): boolean {
    if (this.finished) return false;
    if (Number.isNaN(this.startMs)) this.startMs = now();
    const step = this.stepIndex;
    const model = this.model;
    if (!this.batchReady) this.sampler.fill(model.input, model.target);
    this.batchReady = false;
    let loss: number;
    try {
      if (!model.forward(true, this.interrupted)) return this.abandon(step);
      loss = model.computeLoss();
      this.losses[step] = loss;
      this.accuracies[step] = model.accuracy();
      if (!model.backward(this.interrupted)) return this.abandon(step);
    } catch (err) {
      if (err instanceof StepInterrupted) return this.abandon(step);
      throw err;
    }
    for (let t = 0; t < this.params.length; t++) this.gradSq[t] = this.kernels.sumOfSquares(this.params[t]!.grad);
    this.stepIndex++;
    const nonFinite = this.nonFiniteDetail(loss, step);
    if (nonFinite !== null) return this.stop(step, 'non-finite', nonFinite, false);
    this.clipGradients();
    // Decided before the update, which measures ‖W‖ and ‖ΔW‖ only for a step that gets recorded.
    const ending = this.endingAfter(step);
    const recorded = ending !== null || step % Math.max(1, this.config.training.recordEvery) === 0;
    this.optimizer.step(recorded);
    this.elapsedMs = now() - this.startMs;
    if (ending === 'done') return this.stop(step, null, '', true);
    if (ending !== null) return this.stop(step, ending, this.endingDetail(ending, step), true);
    if (recorded) {
      this.recordStep(step, true, false);
      const decided = this.options.stopWhen?.(this.result()) ?? null;
      if (decided !== null) {
        this.finished = true;
        this.record.stopped = { step, reason: 'decided', detail: decided };
        return false;
      }
    }
    return true;
  }

  /**
   * Ends training inside `step` (cancelled, or out of time between two layers): the partial step is neither
   * counted nor recorded. Step 0 abandoned leaves an empty record (stepsRun 0).
   */
  private abandon(step: number): boolean {
    const reason = this.options.shouldStop?.() ? 'cancelled' : 'budget';
    this.finished = true;
    this.elapsedMs = now() - this.startMs;
    const detail =
      reason === 'cancelled' ? `cancelled during step ${step}` : `${this.budgetWords()} used up during step ${step}`;
    this.record.stopped = { step, reason, detail };
    return false;
  }

  private endingDetail(ending: 'cancelled' | 'budget', step: number): string {
    if (ending === 'cancelled') return `cancelled after step ${step}`;
    return `${this.budgetWords()} used up after step ${step}`;
  }

  private budgetWords(): string {
    const ms = this.options.timeBudgetMs;
    return this.options.deadline === undefined && ms !== undefined ? `time budget of ${ms} ms` : 'time budget';
  }

  /** Whether training ends with this step: all steps done, cancelled, or out of time. */
  private endingAfter(step: number): Ending | null {
    if (step === this.totalSteps - 1) return 'done';
    return this.stopReason();
  }

  result(): TrainResult {
    const r = this.record;
    const run = this.stepIndex;
    for (let i = r.loss.length; i < run; i++) r.loss.push(this.losses[i]!);
    if (this.config.loss !== 'mse') {
      for (let i = r.accuracy.length; i < run; i++) r.accuracy.push(this.accuracies[i]!);
    }
    return { ...r, stepsRun: run, timeMs: this.elapsedMs };
  }

  /** Ends training at `step` (recording it); reason null means all steps ran. Returns false for step(). */
  private stop(
    step: number,
    reason: 'non-finite' | 'cancelled' | 'budget' | null,
    detail: string,
    updated: boolean,
  ): boolean {
    this.finished = true;
    this.elapsedMs = now() - this.startMs;
    if (reason) this.record.stopped = { step, reason, detail };
    this.recordStep(step, updated, true);
    return false;
  }

  private recordStep(step: number, updated: boolean, last: boolean): void {
    const tensors: StepTensorStats = {
      gradSq: this.gradSq,
      normSqBefore: updated ? this.optimizer.normSqBefore : null,
      deltaNormSq: updated ? this.optimizer.deltaNormSq : null,
    };
    const nodes = this.model.nodes;
    // Unit fractions: on the probe at its recordings, from the mini-batch when the deadline cut the probe short,
    // none in between.
    const probing = last || this.record.recordedSteps.length % this.probeInterval === 0;
    const probed = probing && this.runProbe();
    this.record.probeLoss!.push(probed ? this.probe.computeLoss() : NaN);
    for (let i = 0; i < nodes.length; i++) {
      recordLayer(
        this.record.series[i]!,
        nodes[i]!,
        !probing ? 'none' : probed ? this.probe.nodes[i]! : 'batch',
        this.weightIndex[i]!,
        this.biasIndex[i]!,
        tensors,
        this.threshold,
        this.kernels,
      );
    }
    this.record.recordedSteps.push(step);
    if (this.options.onRecord) this.options.onRecord(step, this.result());
  }

  /**
   * The probe set through the network as it now is, in evaluation mode. False when the deadline cut it short
   * inside a large product: that recording's unit fractions then come from the step's mini-batch.
   */
  private runProbe(): boolean {
    try {
      return this.probe.forward(false);
    } catch (err) {
      if (err instanceof StepInterrupted) return false;
      throw err;
    }
  }

  /** "loss is NaN at step 12" / "gradient of /layers/3 is Infinity", or null when everything is finite. */
  private nonFiniteDetail(loss: number, step: number): string | null {
    if (!Number.isFinite(loss)) return `loss is ${loss} at step ${step}`;
    for (let t = 0; t < this.params.length; t++) {
      const sq = this.gradSq[t]!;
      if (!Number.isFinite(sq))
        return `gradient of ${this.params[t]!.path} is ${Number.isNaN(sq) ? 'NaN' : 'Infinity'} at step ${step}`;
    }
    return null;
  }

  /** clipValue elementwise, then clipNorm on the global norm: g ·= maxNorm/(‖g‖ + 1e-6) when that is < 1. */
  private clipGradients(): void {
    const { clipValue, clipNorm } = this.config.training;
    const params = this.params;
    if (clipValue !== null) {
      for (let t = 0; t < params.length; t++) {
        const g = params[t]!.grad;
        for (let i = 0; i < g.length; i++) g[i] = Math.min(clipValue, Math.max(-clipValue, g[i]!));
      }
    }
    if (clipNorm === null) return;
    let total = 0;
    for (let t = 0; t < params.length; t++)
      total += clipValue !== null ? this.kernels.sumOfSquares(params[t]!.grad) : this.gradSq[t]!;
    const coefficient = clipNorm / (Math.sqrt(total) + 1e-6);
    if (coefficient >= 1) return;
    for (let t = 0; t < params.length; t++) {
      const g = params[t]!.grad;
      for (let i = 0; i < g.length; i++) g[i] = g[i]! * coefficient;
    }
  }
}

/** Shuffles sample indices each epoch and hands out consecutive full batches (a partial last batch is dropped). */
class BatchSampler {
  private readonly order: Uint32Array;
  private readonly batchesPerEpoch: number;
  private nextBatch: number;

  constructor(
    private readonly data: Dataset,
    private readonly batchSize: number,
    private readonly rng: Rng,
  ) {
    this.order = new Uint32Array(data.samples);
    for (let i = 0; i < data.samples; i++) this.order[i] = i;
    this.batchesPerEpoch = Math.floor(data.samples / batchSize);
    this.nextBatch = this.batchesPerEpoch;
  }

  /** Copies the next batch's rows into x (batch × features) and y (batch × targetWidth). */
  fill(x: Float32Array, y: Float32Array): void {
    if (this.nextBatch === this.batchesPerEpoch) {
      this.rng.shuffle(this.order);
      this.nextBatch = 0;
    }
    const { features, targetWidth } = this.data;
    const start = this.nextBatch * this.batchSize;
    for (let r = 0; r < this.batchSize; r++) {
      const sample = this.order[start + r]!;
      for (let f = 0; f < features; f++) x[r * features + f] = this.data.x[sample * features + f]!;
      for (let k = 0; k < targetWidth; k++) y[r * targetWidth + k] = this.data.y[sample * targetWidth + k]!;
    }
    this.nextBatch++;
  }
}

/** The spec's stored parameters over what the initialisers drew (shapes were checked when the file was read). */
function applyInitialValues(params: readonly ParamTensor[], values: ModelConfig['initialValues']): void {
  if (!values) return;
  for (const p of params) {
    const v = values.get(`${p.path}#${p.name}`);
    if (v && v.length === p.data.length) p.data.set(v);
  }
}
