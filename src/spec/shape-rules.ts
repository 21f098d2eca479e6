/**
 * Per-sample shapes through each layer kind, on resolved configs: what a layer accepts, what it outputs, how many
 * parameters it owns and how many floats one sample holds in it. shapes.ts walks the spec with these (and reports
 * problems at the key concerned); modelShapes serves callers that hold a validated ModelConfig.
 * Layouts are PyTorch's without the batch axis: [features], [channels, length], [steps, features],
 * [channels, height, width].
 */
import type { ConvConfig, LayerConfig, ModelConfig, PoolConfig, ResidualConfig, Shape } from '../engine/config';
import { grouped } from './diagnostic-text';
import { RECURRENT_GATES } from './names';

/** A layer that cannot take its input, and the key of the layer where the fix goes ('type' for a wrong rank). */
export interface ShapeProblem {
  key: string;
  message: string;
}
export type ShapeOutcome = { shape: Shape } | { problem: ShapeProblem };
export type LeafConfig = Exclude<LayerConfig, ResidualConfig>;

export function sizeOf(shape: Shape): number {
  return shape.reduce((product, n) => product * n, 1);
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/** "64 features" for flat data, "[16, 7, 7]" otherwise: how messages show a shape. */
export function describeShape(shape: Shape): string {
  return shape.length === 1 ? `${grouped(shape[0]!)} feature${shape[0] === 1 ? '' : 's'}` : `[${shape.join(', ')}]`;
}

/** True when a size the layer's shape depends on could not be read (NaN, already reported). */
export function hasUnknownSize(layer: LeafConfig): boolean {
  const numbers: number[] = [];
  if (layer.kind === 'dense' || layer.kind === 'simple_rnn' || layer.kind === 'lstm' || layer.kind === 'gru') {
    numbers.push(layer.units);
  } else if (layer.kind === 'conv1d' || layer.kind === 'conv2d') {
    numbers.push(layer.filters, ...layer.kernel, ...layer.stride, ...layer.dilation);
  } else if (layer.kind === 'maxpool' || layer.kind === 'avgpool') {
    numbers.push(...layer.pool, ...layer.stride);
  }
  return numbers.some((n) => Number.isNaN(n));
}

/** The output shape of a leaf layer on `input`, or why it cannot take it. `atInput`: `input` is the model's. */
export function outputShape(layer: LeafConfig, input: Shape, atInput: boolean): ShapeOutcome {
  switch (layer.kind) {
    case 'dense':
      return input.length === 1 ? { shape: [layer.units] } : rankProblem(layer, input, atInput);
    case 'batchnorm':
    case 'layernorm':
    case 'activation':
    case 'dropout':
      return { shape: input };
    case 'flatten':
      return { shape: [sizeOf(input)] };
    case 'global_avgpool':
      return input.length >= 2 ? { shape: [input[0]!] } : rankProblem(layer, input, atInput);
    case 'conv1d':
    case 'conv2d':
      return input.length === (layer.kind === 'conv1d' ? 2 : 3)
        ? slide(layer, input, layer.kernel, layer.dilation, [layer.filters])
        : rankProblem(layer, input, atInput);
    case 'maxpool':
    case 'avgpool':
      return input.length === 2 || input.length === 3 ? pool(layer, input) : rankProblem(layer, input, atInput);
    case 'simple_rnn':
    case 'lstm':
    case 'gru':
      if (input.length !== 2) return rankProblem(layer, input, atInput);
      return { shape: layer.returnSequences ? [input[0]!, layer.units] : [layer.units] };
  }
}

const EXPECTED_INPUT: Readonly<Record<string, string>> = {
  dense: '1-D input [features]',
  conv1d: '2-D input [channels, length]',
  conv2d: '3-D input [channels, height, width]',
  pool: 'input [channels, length] or [channels, height, width]',
  recurrent: '2-D input [steps, features]',
};

/** "conv2d at /layers/3 expects 3-D input [channels, height, width], gets 64 features", with the likely fix. */
function rankProblem(layer: LeafConfig, input: Shape, atInput: boolean): ShapeOutcome {
  const group =
    layer.kind === 'maxpool' || layer.kind === 'avgpool' || layer.kind === 'global_avgpool'
      ? 'pool'
      : layer.kind === 'simple_rnn' || layer.kind === 'lstm' || layer.kind === 'gru'
        ? 'recurrent'
        : layer.kind;
  let hint = '';
  if (layer.kind === 'dense') {
    hint =
      input.length === 2
        ? ': add {"type": "flatten"} before it (after a recurrent layer: "returnSequences": false)'
        : ': add {"type": "flatten"} or {"type": "global_avgpool"} before it';
  } else if (input.length === 1 && atInput) {
    const example: Readonly<Record<string, string>> = {
      conv1d: '[1, 100]',
      conv2d: '[1, 28, 28]',
      pool: '[1, 28, 28]',
      recurrent: '[50, 2] (steps, features)',
    };
    hint = `: write "input" as a shape, e.g. ${example[group]}`;
  }
  const message = `${layer.kind} at ${layer.path} expects ${EXPECTED_INPUT[group]}, gets ${describeShape(input)}${hint}`;
  return { problem: { key: 'type', message } };
}

const AXIS_NAMES: Readonly<Record<number, readonly string[]>> = { 1: ['length'], 2: ['height', 'width'] };

/**
 * Sliding windows over the spatial axes (input[1…]): L' = ⌊(L − dilation·(k − 1) − 1)/stride⌋ + 1 without padding,
 * ⌈L/stride⌉ with "same" (which pads as much as the window needs, so it always fits).
 */
function slide(
  layer: ConvConfig | PoolConfig,
  input: Shape,
  window: readonly number[],
  dilation: readonly number[],
  leading: number[],
): ShapeOutcome {
  const spatial = input.slice(1);
  const names = AXIS_NAMES[spatial.length]!;
  const out: number[] = [];
  for (let axis = 0; axis < spatial.length; axis++) {
    const length = spatial[axis]!;
    const k = window[axis]!;
    const d = dilation[axis]!;
    const stride = layer.stride[axis]!;
    if (layer.padding === 'same') {
      out.push(Math.ceil(length / stride));
      continue;
    }
    const span = d * (k - 1) + 1;
    if (span > length) return { problem: windowProblem(layer, names[axis]!, length, k, d, span) };
    out.push(Math.floor((length - span) / stride) + 1);
  }
  return { shape: [...leading, ...out] };
}

function windowProblem(
  layer: ConvConfig | PoolConfig,
  axis: string,
  length: number,
  k: number,
  d: number,
  span: number,
): ShapeProblem {
  const conv = layer.kind === 'conv1d' || layer.kind === 'conv2d';
  const what = conv ? 'kernel' : 'window';
  const sized = d > 1 ? `${what} ${k} with dilation ${d} spans ${span}` : `${what} ${k} spans ${span}`;
  const fix = conv ? 'a smaller "kernel"' : 'a smaller "pool"';
  return {
    key: conv ? (d > 1 && k <= length ? 'dilation' : 'kernel') : 'pool',
    message: `${layer.kind} at ${layer.path}: its ${sized}, more than the input's ${axis} (${length}), so "padding": "valid" leaves no output; use ${fix} or "padding": "same"`,
  };
}

function pool(layer: PoolConfig, input: Shape): ShapeOutcome {
  const axes = input.length - 1;
  for (const key of ['pool', 'stride'] as const) {
    const entries = layer[key].length;
    if (entries !== axes) {
      const message = `${layer.kind} at ${layer.path}: "${key}" has ${entries} entr${entries === 1 ? 'y' : 'ies'} but its input ${describeShape(input)} has ${axes} spatial ax${axes === 1 ? 'is' : 'es'}; write one number, or one entry per axis`;
      return { problem: { key, message } };
    }
  }
  return slide(
    layer,
    input,
    layer.pool,
    layer.pool.map(() => 1),
    [input[0]!],
  );
}

/**
 * Trainable floats: dense W and b; conv W [filters][channels][…kernel] and b; BatchNorm γ and β per channel (per
 * feature on flat input); LayerNorm γ and β over the last axis; recurrent W_ih, W_hh, b_ih, b_hh per gate block.
 */
export function parameterCount(layer: LeafConfig, input: Shape): number {
  switch (layer.kind) {
    case 'dense':
      return input[0]! * layer.units + layer.units;
    case 'conv1d':
    case 'conv2d':
      return layer.filters * input[0]! * sizeOf(layer.kernel) + layer.filters;
    case 'batchnorm':
      return 2 * input[0]!;
    case 'layernorm':
      return 2 * input[input.length - 1]!;
    case 'simple_rnn':
    case 'lstm':
    case 'gru': {
      const rows = RECURRENT_GATES[layer.kind] * layer.units;
      return rows * (input[1]! + layer.units + 2);
    }
    default:
      return 0;
  }
}

/**
 * Floats one sample holds in the layer beyond its input: the output, and for recurrent layers the state and the gate
 * pre-activations of every step (kept for backpropagation through time; an LSTM also its cell state).
 */
export function sampleFloats(layer: LeafConfig, input: Shape, output: Shape): number {
  if (layer.kind !== 'simple_rnn' && layer.kind !== 'lstm' && layer.kind !== 'gru') return sizeOf(output);
  const perStep = layer.units * (RECURRENT_GATES[layer.kind] + (layer.kind === 'lstm' ? 2 : 1));
  return sizeOf(output) + input[0]! * perStep;
}

export interface LayerShapes {
  layer: LayerConfig;
  input: Shape;
  output: Shape;
}

/** Every layer of a validated config with its input and output shape, by JSON Pointer, in pre-order. */
export function modelShapes(config: ModelConfig): Map<string, LayerShapes> {
  const shapes = new Map<string, LayerShapes>();
  const walk = (layers: readonly LayerConfig[], input: Shape): Shape => {
    let shape = input;
    for (const layer of layers) {
      const entry: LayerShapes = { layer, input: shape, output: shape };
      shapes.set(layer.path, entry); // before the branch: pre-order
      entry.output = layer.kind === 'residual' ? walk(layer.layers, shape) : leafOutput(layer, shape);
      shape = entry.output;
    }
    return shape;
  };
  walk(config.layers, config.inputShape ?? [config.input]);
  return shapes;
}

function leafOutput(layer: LeafConfig, input: Shape): Shape {
  const outcome = outputShape(layer, input, false);
  // parseSpec gives no config with a shape problem; this is a config built or edited elsewhere.
  if ('problem' in outcome) throw new Error(`invalid model config: ${outcome.problem.message}`);
  return outcome.shape;
}
