/**
 * The memory a spec needs to train, computed from its resolved config before anything is allocated, and the
 * refusal of a spec above the memory budget at the layer or key where the running total passes it.
 * Why: the validator's limits bound each number, not their product — 12 dense 65,536-unit layers at batch 762 are
 * each within the limits and together need ~9 GB. The counts mirror the engine's allocations (src/engine/model.ts,
 * layers/, optimizer.ts, train.ts, data.ts); test/analysis/memory.test.ts holds them to the engine's sizing arena.
 */
import { probeSize } from '../engine/probe';
import type { LayerConfig, ModelConfig, OptimizerConfig, RecurrentConfig, Shape } from '../engine/config';
import { convTileSamples, im2colRunsLength, poolIndexLength, windowGeometry } from '../engine/layers/conv-geometry';
import { layerOutputShape, shapeSize } from '../engine/layers/shapes';
import { SKIPS_INPUT_GRAD } from '../engine/model';
import type { DataSpec, ParsedSpec, SpecDiagnostic } from '../spec';
import { grouped } from '../spec/diagnostic-text';
import { RECURRENT_GATES } from '../spec/names';

/** A laptop's share for one analysis: the CLI's --memory-budget and the setting vgnet.memoryBudgetMB default. */
export const DEFAULT_MEMORY_BUDGET_MB = 2048;
export const MB = 1024 * 1024;
/** What a Node process holds before training anything (V8 heap, code, the spec): part of every estimate. */
const BASELINE_BYTES = 64 * MB;
const FLOAT = 4;
/** Images in the mnist package (src/node/digits.ts), 28 × 28 = 784 float32 pixels each. */
const DIGIT_COUNT = 10_000;

/** One part of the estimate, in the order the engine allocates: where it comes from and how it is made up. */
export interface MemoryPart {
  /** JSON Pointer of the key or layer this part grows with. */
  path: string;
  bytes: number;
  /** "activations of /layers/0: 65,536 units × batch 762"; '' for the fixed baseline. */
  why: string;
}

/** Every part of the memory `config` needs to train on `data`; `rows` overrides the data's sample count (csv). */
export function memoryParts(config: ModelConfig, data: DataSpec, rows?: number): MemoryPart[] {
  // The trainer's batch is never larger than the data set (src/engine/train.ts).
  const samples = rows ?? data.samples;
  const batch = Math.min(config.training.batchSize, samples);
  // Every layer's buffers exist twice: for the batch, and for the probe set's rows (src/engine/probe.ts).
  const probe = probeSize(samples);
  const layers: MemoryPart[] = [];
  let shape: Shape = config.inputShape ?? [config.input];
  // The model's ∂loss/∂input is skipped in training for some first layers (model.ts), and with it their own copies.
  const first = config.layers[0];
  const skipsInputGrad = first !== undefined && SKIPS_INPUT_GRAD.has(first.kind);
  const walk = (configs: LayerConfig[]): void => {
    for (const layer of configs) {
      const inputShape = shape;
      const isFirst = skipsInputGrad && layer === first;
      // A residual block's output is its branch's, which the walk through the branch leaves in `shape`.
      if (layer.kind === 'residual') walk(layer.layers);
      else shape = layerOutputShape(layer, inputShape);
      layers.push(layerPart(layer, inputShape, isFirst, shapeSize(shape), batch, probe, config.optimizer));
    }
  };
  walk(config.layers);
  const width = shapeSize(shape);
  const targetWidth = config.loss === 'crossentropy' ? 1 : width;
  const inputBuffers = skipsInputGrad ? 1 : 2;
  const steps = Math.max(0, config.training.steps);
  return [
    { path: '', bytes: BASELINE_BYTES, why: '' },
    dataPart(config, data, targetWidth, width, rows),
    {
      path: '/training/batchSize',
      bytes: FLOAT * (batch * (config.input * inputBuffers + targetWidth) + probe * config.input * inputBuffers),
      why: `the input and target batches: ${grouped(config.input)} inputs × batch ${grouped(batch)} + probe ${grouped(probe)}`,
    },
    ...layers,
    { path: '/training/steps', bytes: 16 * steps, why: `the loss record of ${grouped(steps)} steps` },
  ];
}

/** The whole estimate, bytes. */
export function estimateMemory(config: ModelConfig, data: DataSpec, rows?: number): number {
  return memoryParts(config, data, rows).reduce((sum, part) => sum + part.bytes, 0);
}

/**
 * An error at the first part whose running total passes `budgetBytes`, or null when the spec fits.
 * A csv data set's size is known only once it is read: pass its row count as `rows` (a second check after loading).
 */
export function checkMemory(
  parsed: ParsedSpec,
  config: ModelConfig,
  data: DataSpec,
  budgetBytes: number,
  rows?: number,
): SpecDiagnostic | null {
  const parts = memoryParts(config, data, rows);
  const total = parts.reduce((sum, part) => sum + part.bytes, 0);
  if (total <= budgetBytes) return null;
  let running = 0;
  const passing = parts.find((part) => (running += part.bytes) > budgetBytes) ?? parts[parts.length - 1]!;
  const where = parsed.locate(passing.path) ?? parsed.locate('') ?? { offset: 0, length: 0 };
  const message =
    `this model needs ~${size(total)} to train (${passing.why} = ${size(passing.bytes)}); ` +
    `the memory budget is ${size(budgetBytes)} (--memory-budget, setting vgnet.memoryBudgetMB)`;
  return { severity: 'error', message, offset: where.offset, length: where.length, path: passing.path, code: 'limit' };
}

/** "9.2 GB", "512 MB": binary units, as the budget is given in MB. */
function size(bytes: number): string {
  if (bytes >= 1024 * MB) return `${(bytes / (1024 * MB)).toFixed(1).replace(/\.0$/, '')} GB`;
  return `${Math.ceil(bytes / MB)} MB`;
}

/**
 * The data set: x (samples × input floats), y (one-hot rows for mse over several outputs) and what generating it
 * holds at its peak (class labels; the teacher's float64 outputs, alive while the targets are made from them; the
 * raw digits).
 */
function dataPart(
  config: ModelConfig,
  data: DataSpec,
  targetWidth: number,
  outputs: number,
  rows?: number,
): MemoryPart {
  const samples = rows ?? (Number.isFinite(data.samples) ? data.samples : 0);
  let bytes = FLOAT * samples * (config.input + targetWidth);
  if (data.source !== 'csv') bytes += 4 * samples;
  if (data.source === 'teacher') bytes += 8 * samples * outputs;
  // The digits sources read every raw image (src/node/digits.ts keeps them for the thread's life) and a permutation.
  if (data.source === 'digits' || data.source === 'digit_rows') bytes += (FLOAT * 784 + 4 + 1) * DIGIT_COUNT;
  const targets = targetWidth > 1 ? ` + ${grouped(targetWidth)} targets` : '';
  const why = `the data: ${grouped(samples)} samples × (${grouped(config.input)} features${targets})`;
  return { path: '/data/samples', bytes, why };
}

/** The arena floats of one layer: parameters, their gradients and optimizer state, and its batch buffers. */
function layerPart(
  layer: LayerConfig,
  inputShape: Shape,
  first: boolean,
  outputWidth: number,
  batch: number,
  probe: number,
  optimizer: OptimizerConfig,
): MemoryPart {
  const { params, buffers, what } = layerFloats(layer, inputShape, outputWidth);
  const paramFloats = params * (2 + optimizerSlots(optimizer));
  const rows = batch + probe;
  const activations = `${grouped(outputWidth)} units × (batch ${grouped(batch)} + probe ${grouped(probe)}) × ${buffers} buffers`;
  const floats =
    paramFloats +
    buffers * rows * outputWidth +
    extraFloats(layer, inputShape, first, batch) +
    extraFloats(layer, inputShape, first, probe);
  return { path: layer.path, bytes: FLOAT * floats, why: `activations of ${layer.path}: ${activations}${what}` };
}

function layerFloats(
  layer: LayerConfig,
  inputShape: Shape,
  outputWidth: number,
): { params: number; buffers: number; what: string } {
  const inputWidth = shapeSize(inputShape);
  const slopes = (name: string): number => (name === 'prelu' ? outputWidth : 0);
  switch (layer.kind) {
    case 'dense': {
      const params = outputWidth * inputWidth + outputWidth + slopes(layer.activation.name);
      const linear = layer.activation.name === 'linear';
      return { params, buffers: linear ? 2 : 4, what: `, weights ${grouped(outputWidth)} × ${grouped(inputWidth)}` };
    }
    case 'activation':
      return { params: slopes(layer.activation.name), buffers: 2, what: '' };
    case 'batchnorm':
      // γ and β per normalised unit: a feature, or a channel of [C, …] input.
      return { params: 2 * normalizedUnits(inputShape), buffers: 3, what: '' };
    case 'dropout':
      return { params: 0, buffers: 3, what: '' };
    case 'residual':
      return { params: layer.projection ? outputWidth * inputWidth : 0, buffers: 2, what: '' };
    case 'conv1d':
    case 'conv2d': {
      const g = windowGeometry(layer, inputShape);
      const patch = g.channels * g.kernelH * g.kernelW;
      const params = layer.filters * patch + layer.filters + slopes(layer.activation.name);
      const linear = layer.activation.name === 'linear';
      return { params, buffers: linear ? 2 : 4, what: `, kernel ${grouped(layer.filters)} × ${grouped(patch)}` };
    }
    case 'maxpool':
      // output, its gradient and the winners' indices
      return { params: 0, buffers: 3, what: '' };
    case 'avgpool':
    case 'global_avgpool':
      return { params: 0, buffers: 2, what: '' };
    case 'flatten':
      // its output and gradient are its input's buffers
      return { params: 0, buffers: 0, what: '' };
    case 'layernorm':
      return { params: 2 * inputShape[inputShape.length - 1]!, buffers: 3, what: '' };
    case 'simple_rnn':
    case 'lstm':
    case 'gru': {
      const [steps, features] = inputShape as [number, number];
      const gateUnits = RECURRENT_GATES[layer.kind] * layer.units;
      const params = gateUnits * (features + layer.units + 2);
      // The last h is a view of the hidden states: without returnSequences only the output gradient is its own.
      const buffers = layer.returnSequences ? 2 : 1;
      return { params, buffers, what: `, ${grouped(steps)} steps × ${grouped(gateUnits)} gate units` };
    }
  }
}

function normalizedUnits(inputShape: Shape): number {
  return inputShape.length >= 2 ? inputShape[0]! : shapeSize(inputShape);
}

/**
 * Floats a layer holds beside its output-width buffers, per build: BatchNorm's statistics and scratch, a residual's branch
 * gradient, a conv layer's im2col tile (columns [C·k][positions] per sample of the tile) and its im2col run table
 * (im2colRuns), a max-pool layer's window table.
 */
function extraFloats(layer: LayerConfig, inputShape: Shape, first: boolean, batch: number): number {
  // running mean and variance, the batch's mean and 1/σ; over features also six floats of float64 scratch per unit
  if (layer.kind === 'batchnorm') return (inputShape.length >= 2 ? 4 : 10) * normalizedUnits(inputShape);
  if (layer.kind === 'residual') return batch * shapeSize(inputShape);
  if (layer.kind === 'maxpool') {
    // its window table: one index per output position and window cell
    return poolIndexLength(windowGeometry(layer, inputShape));
  }
  if (layer.kind === 'conv1d' || layer.kind === 'conv2d') {
    const g = windowGeometry(layer, inputShape);
    const patch = g.channels * g.kernelH * g.kernelW;
    const positions = g.outHeight * g.outWidth;
    return convTileSamples(batch, patch, positions) * patch * positions + im2colRunsLength(g);
  }
  // LayerNorm's x̂ and 1/σ per row; a recurrent layer's per-step states (layers/recurrent.ts).
  if (layer.kind === 'layernorm') return (batch * shapeSize(inputShape)) / inputShape[inputShape.length - 1]!;
  if (layer.kind === 'simple_rnn' || layer.kind === 'lstm' || layer.kind === 'gru')
    return recurrentFloats(layer, inputShape, first, batch);
  return 0;
}

/** Buffers the optimizer keeps per parameter (src/engine/optimizer.ts). */
function optimizerSlots(optimizer: OptimizerConfig): number {
  const first = optimizer.type !== 'sgd' || optimizer.momentum !== 0 ? 1 : 0;
  const second =
    optimizer.type === 'adam' || optimizer.type === 'adamw' || (optimizer.type === 'rmsprop' && optimizer.momentum > 0)
      ? 1
      : 0;
  return first + second;
}

function recurrentFloats(layer: RecurrentConfig, inputShape: Shape, first: boolean, rows: number): number {
  const [steps, features] = inputShape as [number, number];
  const H = layer.units;
  const gateBuffers = { simple_rnn: 2, lstm: 3, gru: 5 }[layer.kind];
  const cellBuffers = layer.kind === 'lstm' ? 2 * steps + 1 : 0;
  const perRow =
    steps * features * (first ? 1 : 2) +
    steps * RECURRENT_GATES[layer.kind] * H * gateBuffers +
    (steps + 1 + cellBuffers + 2) * H +
    (layer.kind === 'simple_rnn' ? 0 : RECURRENT_GATES[layer.kind] * H);
  return rows * perRow;
}
