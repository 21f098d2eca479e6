/**
 * `"parameters": "file.vgnet-init.json"`: a spec's initial parameters read from a file (the format of
 * `vgnet analyze --save-init`, vgnet-init/1; `vgnet import` writes one for ONNX models, whose files carry weights).
 * Every tensor given replaces what the layer's initialiser would draw; layers the file omits keep their
 * initialiser. Each path, name and shape is checked against the model; a bad one is an error naming it.
 */
import type { ActivationConfig, LayerConfig, ModelConfig, Shape } from '../engine/config';
import { RECURRENT_GATES } from './names';
import { modelShapes, sizeOf } from './shape-rules';

/** Key of a tensor in ModelConfig.initialValues: the layer's pointer and the parameter's name. */
export function parameterKey(path: string, name: string): string {
  return `${path}#${name}`;
}

/**
 * The parameters each layer owns, with their shapes in PyTorch's layout: dense W[out][in]; conv
 * W[filters][channels][…kernel]; recurrent weight W_ih [gates·units][features], recurrentWeight W_hh
 * [gates·units][units], bias b_ih and recurrentBias b_hh [gates·units]; BatchNorm γ, β per channel (per feature on
 * flat input); LayerNorm γ, β over the last axis; PReLU slopes per unit (per output value on a conv layer).
 */
export function parameterShapes(config: ModelConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (const [path, { layer, input, output }] of modelShapes(config)) {
    for (const [name, shape] of layerParameters(layer, input, output)) shapes.set(parameterKey(path, name), shape);
  }
  return shapes;
}

function layerParameters(layer: LayerConfig, input: Shape, output: Shape): [string, number[]][] {
  switch (layer.kind) {
    case 'dense':
      return [['weight', [layer.units, input[0]!]], ['bias', [layer.units]], ...slope(layer.activation, [layer.units])];
    case 'conv1d':
    case 'conv2d':
      return [
        ['weight', [layer.filters, input[0]!, ...layer.kernel]],
        ['bias', [layer.filters]],
        // The engine's conv PReLU has one slope per output value (Keras' default), not one per filter.
        ...slope(layer.activation, [sizeOf(output)]),
      ];
    case 'batchnorm':
      return [
        ['gamma', [input[0]!]],
        ['beta', [input[0]!]],
      ];
    case 'layernorm':
      return [
        ['gamma', [input[input.length - 1]!]],
        ['beta', [input[input.length - 1]!]],
      ];
    case 'activation':
      return slope(layer.activation, [sizeOf(input)]);
    case 'simple_rnn':
    case 'lstm':
    case 'gru': {
      const rows = RECURRENT_GATES[layer.kind] * layer.units;
      return [
        ['weight', [rows, input[1]!]],
        ['recurrentWeight', [rows, layer.units]],
        ['bias', [rows]],
        ['recurrentBias', [rows]],
      ];
    }
    case 'residual':
      return layer.projection ? [['projection', [sizeOf(output), sizeOf(input)]]] : [];
    default:
      return [];
  }
}

function slope(activation: ActivationConfig, shape: number[]): [string, number[]][] {
  return activation.name === 'prelu' ? [['slope', shape]] : [];
}

export function readParameters(
  text: string,
  file: string,
  config: ModelConfig,
): { values: Map<string, Float32Array> } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    return { error: `parameters file '${file}' is not JSON: ${(err as Error).message}` };
  }
  const root = json as { format?: unknown; parameters?: unknown };
  if (typeof json !== 'object' || json === null || root.format !== 'vgnet-init/1')
    return {
      error: `parameters file '${file}' is not a vgnet-init/1 file (written by vgnet analyze --save-init or vgnet import)`,
    };
  if (typeof root.parameters !== 'object' || root.parameters === null || Array.isArray(root.parameters))
    return { error: `parameters file '${file}' has no "parameters" object` };
  const shapes = parameterShapes(config);
  const values = new Map<string, Float32Array>();
  for (const [path, tensors] of Object.entries(root.parameters as Record<string, unknown>)) {
    if (typeof tensors !== 'object' || tensors === null || Array.isArray(tensors))
      return { error: `parameters file '${file}': ${path} is not an object of tensors` };
    for (const [name, value] of Object.entries(tensors as Record<string, unknown>)) {
      const shape = shapes.get(parameterKey(path, name));
      if (!shape) {
        const layer = [...shapes.keys()].some((k) => k.startsWith(`${path}#`));
        return {
          error: layer
            ? `parameters file '${file}': the layer at ${path} has no parameter "${name}"`
            : `parameters file '${file}': the spec has no layer with parameters at ${path}`,
        };
      }
      const flat = flatten(value, shape);
      if (typeof flat === 'string') return { error: `parameters file '${file}': ${path} ${name}: ${flat}` };
      values.set(parameterKey(path, name), flat);
    }
  }
  return { values };
}

/** Nested arrays of exactly `shape` → row-major floats, or why not. */
function flatten(value: unknown, shape: number[]): Float32Array | string {
  const total = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(total);
  let at = 0;
  const walk = (v: unknown, depth: number): string | null => {
    if (depth === shape.length) {
      if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > 3.4028234e38)
        return `${JSON.stringify(v)} is not a finite float32`;
      out[at++] = v;
      return null;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) return `expected shape [${shape.join(', ')}]`;
    for (const x of v) {
      const problem = walk(x, depth + 1);
      if (problem) return problem;
    }
    return null;
  };
  return walk(value, 0) ?? out;
}
