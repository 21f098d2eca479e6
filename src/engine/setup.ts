/**
 * Building a trainer's model: size it with a throw-away build, place every buffer in one arena — inside the
 * WebAssembly memory of its backend, or a plain buffer for the JS kernels — build it for real, and check that the
 * data fits it. Deterministic: separate Rng streams for initialisation, batch order and dropout, forked from the seed.
 */
import { Arena, SizingArena } from './arena';
import { JS_BACKEND, type Backend, type BackendName } from './backend';
import type { Dataset, ModelConfig } from './config';
import { interruptibleGemms } from './interruptible';
import { Model } from './model';
import { Optimizer } from './optimizer';
import { fillProbeInput, probeSize } from './probe';
import { Rng } from './rng';
import type { ParallelGemm } from './wasm/parallel-gemm';
import { WasmBackend } from './wasm/wasm-backend';

export interface Streams {
  init: Rng;
  batches: Rng;
  dropout: Rng;
}

export function forkStreams(seed: number): Streams {
  const root = new Rng(seed);
  return { init: root.fork(), batches: root.fork(), dropout: root.fork() };
}

export interface PlacementOptions {
  /** A caller-made arena of the given capacity (floats); the model then runs on the JS kernels. */
  createArena?: (capacityFloats: number) => Arena;
  /** 'wasm' (default) falls back to 'js' without WebAssembly SIMD. */
  backend?: BackendName;
  /** Relaxed SIMD's multiply-add in the matrix kernels where the runtime has it (default true; wasm backend only). */
  fusedMultiplyAdd?: boolean | undefined;
  /** Opt-in helper thread inside large matrix products (wasm backend only; see wasm/parallel-gemm.ts). */
  parallel?: ParallelGemm | undefined;
  /** Asked between slices of every large matrix product; true throws StepInterrupted (interruptible.ts). */
  interrupted?: () => boolean;
}

export interface TrainingModel {
  model: Model;
  /** The same network for the probe set's rows, on the training model's parameters (probe.ts). */
  probe: Model;
  optimizer: Optimizer;
  backend: Backend;
}

/**
 * The model (without ∂loss/∂input, which training never reads) and its optimizer, both on one arena sized exactly
 * by a first, throw-away build; that build also checks the targets against the model's output.
 */
export function buildTrainingModel(
  config: ModelConfig,
  batchSize: number,
  data: Dataset,
  streams: Streams,
  options: PlacementOptions,
): TrainingModel {
  const sizing = new SizingArena();
  // The sizing build skips the initialisers, so it draws nothing from its streams.
  const probeRows = probeSize(data.samples);
  validateTargets(buildOnArena(config, batchSize, probeRows, sizing, forkStreams(0), JS_BACKEND, false).model, data);
  const placed = place(sizing.usedFloats, options);
  const arena = placed.arena;
  const backend = options.interrupted ? interruptibleGemms(placed.backend, options.interrupted) : placed.backend;
  const built = buildOnArena(config, batchSize, probeRows, arena, streams, backend, true);
  fillProbeInput(built.probe, data);
  return { ...built, backend };
}

/** Both builds must lay the arena out identically: a pure function of its inputs. */
function buildOnArena(
  config: ModelConfig,
  batchSize: number,
  probeRows: number,
  arena: Arena,
  streams: Streams,
  backend: Backend,
  initialize: boolean,
): { model: Model; probe: Model; optimizer: Optimizer } {
  const model = new Model(config, {
    batchSize,
    arena,
    initRng: streams.init,
    dropoutRng: streams.dropout,
    backend,
    inputGradient: false,
    initialize,
  });
  const optimizer = new Optimizer(config.optimizer, config.training.weightDecay, model.parameters(), arena, backend);
  // Built last, drawing nothing (it owns no parameters): the training model's layout and draws are unchanged.
  const probe = new Model(config, {
    batchSize: probeRows,
    arena,
    initRng: streams.init,
    dropoutRng: streams.dropout,
    backend,
    inputGradient: false,
    shareWith: model,
  });
  return { model, probe, optimizer };
}

/** The arena for `capacity` floats and the kernels that run on it. */
function place(capacity: number, options: PlacementOptions): { arena: Arena; backend: Backend } {
  if (options.createArena) return { arena: options.createArena(capacity), backend: JS_BACKEND };
  const wasm =
    options.backend === 'js'
      ? null
      : WasmBackend.create(capacity, options.parallel, options.fusedMultiplyAdd !== false);
  if (wasm) return { arena: new Arena(capacity, wasm.buffer), backend: wasm };
  return { arena: new Arena(capacity), backend: JS_BACKEND };
}

/** Throws a readable error when the data set cannot feed this model. */
export function validateDataset(config: ModelConfig, data: Dataset): void {
  if (data.samples < 1) throw new Error('the data set has no samples');
  if (data.features !== config.input)
    throw new Error(`the data set has ${data.features} features but the model's input is ${config.input}`);
  if (data.x.length < data.samples * data.features)
    throw new Error('the data set has fewer x values than samples × features');
  if (data.y.length < data.samples * data.targetWidth)
    throw new Error('the data set has fewer y values than samples × targetWidth');
}

/** Target width and class indices against the built model (its output width is known only then). */
function validateTargets(model: Model, data: Dataset): void {
  if (data.targetWidth !== model.targetWidth) {
    throw new Error(
      `${model.config.loss} with ${model.outputWidth} outputs needs ${model.targetWidth} target value(s) per sample, the data set has ${data.targetWidth}`,
    );
  }
  if (model.config.loss !== 'crossentropy') return;
  for (let i = 0; i < data.samples; i++) {
    const label = data.y[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= model.outputWidth) {
      throw new Error(
        `sample ${i} has class ${label}, but the model has ${model.outputWidth} output classes (0..${model.outputWidth - 1})`,
      );
    }
  }
}
