/**
 * Keras model JSON → spec: `model.to_json()` of tf.keras 2.x (`class_name`/`config`, `batch_input_shape`), Keras 3
 * (`module`/`registered_name`, `batch_shape`; the `config.json` of a `.keras` file, with `compile_config`), and
 * TensorFlow.js' `model.toJSON()`. Sequential models and functional ones that are a chain with `Add` residual
 * blocks; conv, pooling, recurrent and LayerNorm layers, with Keras' channels_last tensors in VGNet's channels-first
 * layout (Tensor). Initialisers map by their variance (truncated normals by their true variance); anything VGNet cannot
 * express is an ImportError naming the source layer and the feature — never a spec that means something else.
 * Pure: JSON in, ImportedSpec out. Mapping tables: docs/bridge.md.
 */
import { ACTIVATION_NAMES, OPTIMIZER_TYPES } from '../spec/names';
import type { ImportedLayer, ImportedSpec } from './spec-writer';

export class ImportError extends Error {}

type Json = Record<string, unknown>;

/** Truncation at ±2σ leaves this share of the standard deviation (√0.77374). */
export const TRUNCATED_STD_FACTOR = 0.8796256610342398;

interface Context {
  /** The conv and pooling layers' data_format: Keras' default is channels_last ([H, W, C]; VGNet's is [C, H, W]). */
  channelsFirst: boolean;
  /** TensorFlow.js writes truncated normals without Keras' variance correction. */
  tfjs: boolean;
  keras3: boolean;
  /** L2 factors of kernel regularizers, all of which must agree (they become training.weightDecay). */
  l2: { layer: string; value: number }[];
  notes: string[];
}

interface KerasLayer {
  name: string;
  className: string;
  config: Json;
  inputs: string[];
}

export function importKeras(model: unknown, fileName: string): ImportedSpec {
  if (!isObject(model)) throw new ImportError('not a Keras model: expected a JSON object');
  const className = str(model.class_name);
  const config = model.config;
  const version = typeof model.keras_version === 'string' ? model.keras_version : null;
  const ctx: Context = {
    channelsFirst: false,
    tfjs: version?.startsWith('tfjs') ?? false,
    keras3: typeof model.module === 'string' || (version?.startsWith('3') ?? false),
    l2: [],
    notes: [],
  };
  let layers: ImportedLayer[];
  let input: Tensor;
  if (className === 'Sequential') ({ layers, input } = sequential(config, ctx));
  else if (className === 'Functional' || className === 'Model') ({ layers, input } = functional(config, ctx));
  else
    throw new ImportError(`a Keras ${className || 'model'} cannot be imported: Sequential and functional models can`);
  const compile = isObject(model.compile_config) ? model.compile_config : null;
  const name = isObject(config) && typeof config.name === 'string' ? config.name : fileName.replace(/\..*$/, '');
  const outputs = size(tensorAfter(layers, input).shape);
  const loss = compile ? mapLoss(compile.loss, layers, ctx) : defaultLoss(layers, ctx);
  const training: Json = { steps: 200, batchSize: 64, seed: 1 };
  const optimizer = compile ? mapOptimizer(compile.optimizer, training, ctx) : null;
  const decay = weightDecay(ctx);
  if (decay !== null) training.weightDecay = decay;
  if (optimizer === null)
    ctx.notes.push("no compile config in the file: the optimizer is VGNet's default (SGD, lr 0.01)");
  return {
    name,
    description: `Imported from ${fileName} (Keras${version ? ` ${version}` : ''}) by vgnet import.`,
    input: input.layout === 'flat' ? input.shape[0]! : input.shape,
    layers,
    loss,
    optimizer,
    training,
    data: standInData(loss, outputs, input),
    notes: [
      `Imported from ${fileName} by vgnet import; each layer's comment names its Keras layer.`,
      'Keras files carry no data: "data" is a generator of the right shape, to be replaced by your CSV.',
      ...new Set(ctx.notes),
    ],
  };
}

function sequential(config: unknown, ctx: Context): { layers: ImportedLayer[]; input: Tensor } {
  // Keras ≤ 2.1 wrote the layer list as the config itself.
  const list = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(list)) throw new ImportError('the Sequential model has no "layers" list');
  const layers = list.map(kerasLayer);
  let dims = isObject(config) ? inputDims(config.build_input_shape ?? null, 'the model') : null;
  for (const layer of layers) {
    const shape = layer.config.batch_input_shape ?? layer.config.batch_shape;
    if (shape !== undefined && dims === null) dims = inputDims(shape, describe(layer));
  }
  if (dims === null) throw new ImportError('the model does not say its input shape (build it, or give an InputLayer)');
  const input = inputTensor(dims, layers, ctx);
  const out: ImportedLayer[] = [];
  for (const layer of layers) {
    const mapped = mapLayer(layer, ctx, tensorAfter(out, input));
    if (mapped && mapped.json.noBias)
      unsupported(describe(layer), "use_bias: false (VGNet's dense layers have a bias)");
    if (mapped) out.push(mapped);
  }
  if (out.length === 0) throw new ImportError('the model has no layers VGNet trains');
  return { layers: out, input };
}

function functional(config: unknown, ctx: Context): { layers: ImportedLayer[]; input: Tensor } {
  if (!isObject(config) || !Array.isArray(config.layers)) throw new ImportError('the model has no "layers" list');
  const layers = new Map<string, KerasLayer>();
  for (const raw of config.layers) {
    const layer = kerasLayer(raw);
    if (layers.has(layer.name)) throw new ImportError(`two layers are named "${layer.name}"`);
    layers.set(layer.name, layer);
  }
  const inputs = tensorNames(config.input_layers);
  const outputs = tensorNames(config.output_layers);
  if (inputs.length !== 1) throw new ImportError(`the model has ${inputs.length} inputs; VGNet models have one`);
  if (outputs.length !== 1) throw new ImportError(`the model has ${outputs.length} outputs; VGNet models have one`);
  const inputLayer = layers.get(inputs[0]!);
  if (!inputLayer) throw new ImportError(`the input layer "${inputs[0]}" is not in the model`);
  const shape = inputLayer.config.batch_input_shape ?? inputLayer.config.batch_shape;
  const dims = inputDims(shape, describe(inputLayer));
  if (dims === null) throw new ImportError(`${describe(inputLayer)}: no input shape`);
  const input = inputTensor(dims, [...layers.values()], ctx);
  const graph = new Graph(layers, inputLayer.name, ctx);
  const out = graph.chain(outputs[0]!, inputLayer.name, input);
  const biasFree = findBiasFree(out);
  if (biasFree)
    unsupported(biasFree.source, "use_bias: false outside a skip projection (VGNet's dense layers have a bias)");
  if (out.length === 0) throw new ImportError('the model has no layers VGNet trains');
  return { layers: out, input };
}

/** A functional model's layers as a graph; residual blocks are the Adds whose two inputs fork from one tensor. */
class Graph {
  private readonly used = new Map<string, number>();

  constructor(
    private readonly layers: Map<string, KerasLayer>,
    private readonly input: string,
    private readonly ctx: Context,
  ) {
    for (const layer of layers.values())
      for (const name of layer.inputs) this.used.set(name, (this.used.get(name) ?? 0) + 1);
  }

  /** The VGNet layers computing tensor `to` from tensor `from` (of shape `t`). */
  chain(to: string, from: string, t: Tensor): ImportedLayer[] {
    if (to === from) return [];
    const layer = this.layers.get(to);
    if (!layer) throw new ImportError(`the layer "${to}" is used but not defined`);
    if (layer.name === this.input || layer.className === 'InputLayer')
      throw new ImportError(`${describe(layer)}: a branch does not start where it merges (not a residual block)`);
    if (layer.className === 'Add') return this.residual(layer, from, t);
    if (layer.inputs.length !== 1)
      throw new ImportError(`${describe(layer)}: ${layer.inputs.length} inputs; only Add may merge two tensors`);
    const before = this.chain(layer.inputs[0]!, from, t);
    const mapped = mapLayer(layer, this.ctx, tensorAfter(before, t));
    return mapped ? [...before, mapped] : before;
  }

  private residual(add: KerasLayer, from: string, t: Tensor): ImportedLayer[] {
    if (add.inputs.length !== 2)
      throw new ImportError(`${describe(add)}: adds ${add.inputs.length} tensors; VGNet's residual block adds two`);
    const [a, b] = add.inputs as [string, string];
    const fork = this.fork(a, b);
    const prefix = this.chain(fork, from, t);
    const forked = tensorAfter(prefix, t);
    const left = this.chain(a, fork, forked);
    const right = this.chain(b, fork, forked);
    // One side is the skip: nothing (identity) or one linear dense layer without bias (a projection).
    const [skip, branch] =
      isSkip(left) && !isSkip(right) ? [left, right] : isSkip(right) ? [right, left] : [left, right];
    if (!isSkip(skip))
      throw new ImportError(
        `${describe(add)}: neither input is a skip path (the input itself, or one linear Dense without bias)`,
      );
    if (branch.length === 0) throw new ImportError(`${describe(add)}: adds a tensor to itself`);
    const projection = skip.length === 1;
    const added = tensorAfter(branch, forked);
    if (!projection && added.shape.join(',') !== forked.shape.join(','))
      throw new ImportError(
        `${describe(add)}: adds [${forked.shape.join(', ')}] and [${added.shape.join(', ')}] (shapes as VGNet lays them out)`,
      );
    if (projection && forked.layout !== 'flat')
      throw new ImportError(`${describe(add)}: a Dense skip projection of a [${forked.shape.join(', ')}] tensor`);
    const json: Json = { type: 'residual' };
    if (projection) {
      json.projection = true;
      if (skip[0]!.json.init !== undefined) json.projectionInit = skip[0]!.json.init;
    }
    const source = `${add.name} (Add)${projection ? `, skip projection ${skip[0]!.source}` : ''}`;
    return [...prefix, { json, source, branch }];
  }

  /** The nearest tensor both inputs of an Add descend from. */
  private fork(a: string, b: string): string {
    const ancestors = new Set<string>();
    const walk = (name: string): void => {
      if (ancestors.has(name)) return;
      ancestors.add(name);
      for (const i of this.layers.get(name)?.inputs ?? []) walk(i);
    };
    walk(a);
    const queue = [b];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const name = queue.shift()!;
      if (ancestors.has(name)) return name;
      if (seen.has(name)) continue;
      seen.add(name);
      queue.push(...(this.layers.get(name)?.inputs ?? []));
    }
    throw new ImportError(`${a} and ${b} share no input: not a residual block`);
  }
}

function findBiasFree(layers: readonly ImportedLayer[]): ImportedLayer | null {
  for (const l of layers) {
    if (l.json.noBias) return l;
    const inner = findBiasFree(l.branch ?? []);
    if (inner) return inner;
  }
  return null;
}

function isSkip(layers: readonly ImportedLayer[]): boolean {
  if (layers.length === 0) return true;
  const only = layers[0]!;
  return (
    layers.length === 1 && only.json.type === 'dense' && only.json.activation === 'linear' && only.json.noBias === true
  );
}

function kerasLayer(raw: unknown): KerasLayer {
  if (!isObject(raw)) throw new ImportError('a layer is not an object');
  const config = isObject(raw.config) ? raw.config : {};
  const name = str(raw.name) || str(config.name) || '(unnamed)';
  return { name, className: str(raw.class_name), config, inputs: inboundNames(raw.inbound_nodes, name) };
}

/** Names of the tensors a layer takes: tf.keras 2 / TF.js `[[["name", 0, 0, {}], …]]`, Keras 3 `[{args, kwargs}]`. */
function inboundNames(nodes: unknown, layer: string): string[] {
  if (!Array.isArray(nodes) || nodes.length === 0) return [];
  if (nodes.length > 1)
    throw new ImportError(`layer "${layer}" is called ${nodes.length} times (shared layers are not supported)`);
  const node = nodes[0];
  if (Array.isArray(node)) return node.map((entry) => (Array.isArray(entry) ? str(entry[0]) : '')).filter(Boolean);
  const names: string[] = [];
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (isObject(v)) {
      const history = isObject(v.config) ? v.config.keras_history : undefined;
      if (Array.isArray(history) && typeof history[0] === 'string') names.push(history[0]);
      else Object.values(v).forEach(collect);
    }
  };
  collect(isObject(node) ? node.args : node);
  return names;
}

function tensorNames(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  if (typeof v[0] === 'string') return [v[0]];
  return v.map((t) => (Array.isArray(t) ? str(t[0]) : '')).filter(Boolean);
}

function inputDims(shape: unknown, where: string): number[] | null {
  if (shape === null) return null;
  if (!Array.isArray(shape) || shape.length < 2)
    throw new ImportError(`${where}: unreadable input shape ${JSON.stringify(shape)}`);
  const dims = shape.slice(1);
  if (!dims.every((d) => Number.isInteger(d) && (d as number) > 0))
    throw new ImportError(`${where}: input shape ${JSON.stringify(shape)} has unknown dimensions`);
  if (dims.length > 3)
    throw new ImportError(
      `${where}: input shape ${JSON.stringify(shape)} is ${dims.length}-D; VGNet takes features, [steps, features], [length, channels] or [height, width, channels]`,
    );
  return dims as number[];
}

/**
 * The tensor between two layers, in VGNet's layout (PyTorch's), and what Keras' layout of it is: `flat` [features]
 * and `sequence` [steps, features] are the same in both; `channels` is a conv tensor, [C, …] in VGNet and [… , C] in
 * Keras (channels_last, its default) unless the file's layers say channels_first.
 */
interface Tensor {
  shape: number[];
  layout: 'flat' | 'channels' | 'sequence';
}

const CONV_LIKE = new Set([
  'Conv1D',
  'Conv2D',
  'MaxPooling1D',
  'MaxPooling2D',
  'AveragePooling1D',
  'AveragePooling2D',
  'GlobalAveragePooling1D',
  'GlobalAveragePooling2D',
  'MaxPool1D',
  'MaxPool2D',
  'AvgPool1D',
  'AvgPool2D',
]);
const RECURRENT = new Set(['SimpleRNN', 'LSTM', 'GRU']);

/**
 * The input in VGNet's layout. A 3-D Keras input is an image; a 2-D one is a signal for Conv1D (transposed to
 * [channels, length]) when a 1-d conv or pooling layer comes before any recurrent layer, else a sequence.
 */
function inputTensor(dims: number[], layers: KerasLayer[], ctx: Context): Tensor {
  const spatial = layers.filter((l) => CONV_LIKE.has(l.className));
  const formats = new Set(spatial.map((l) => str(l.config.data_format) || 'channels_last'));
  if (formats.size > 1) throw new ImportError('the conv layers mix channels_first and channels_last');
  ctx.channelsFirst = formats.has('channels_first');
  const toChannels = (): Tensor => ({
    shape: ctx.channelsFirst ? dims : [dims[dims.length - 1]!, ...dims.slice(0, -1)],
    layout: 'channels',
  });
  if (dims.length === 1) return { shape: dims, layout: 'flat' };
  if (dims.length === 3) return toChannels();
  const first = layers.find((l) => CONV_LIKE.has(l.className) || RECURRENT.has(l.className));
  if (first && CONV_LIKE.has(first.className)) return toChannels();
  return { shape: dims, layout: 'sequence' };
}

/** The tensor after some imported layers (VGNet's shapes, as src/engine/config.ts defines them). */
function tensorAfter(layers: readonly ImportedLayer[], input: Tensor): Tensor {
  let t = input;
  for (const l of layers) t = tensorAfterOne(l, t);
  return t;
}

function tensorAfterOne(l: ImportedLayer, t: Tensor): Tensor {
  const j = l.json;
  const list = (v: unknown, n: number, fallback: number[]): number[] =>
    v === undefined ? fallback : Array.isArray(v) ? (v as number[]) : new Array<number>(n).fill(v as number);
  switch (j.type) {
    case 'dense':
      return { shape: [j.units as number], layout: 'flat' };
    case 'residual':
      return tensorAfter(l.branch ?? [], t);
    case 'conv1d':
    case 'conv2d':
    case 'maxpool':
    case 'avgpool': {
      const conv = j.type === 'conv1d' || j.type === 'conv2d';
      const dims = t.shape.slice(1);
      const kernel = list(conv ? j.kernel : j.pool, dims.length, []);
      const stride = list(j.stride, dims.length, conv ? dims.map(() => 1) : kernel);
      const dilation = list(
        j.dilation,
        dims.length,
        dims.map(() => 1),
      );
      const out = dims.map((L, a) =>
        j.padding === 'same'
          ? Math.ceil(L / stride[a]!)
          : Math.floor((L - dilation[a]! * (kernel[a]! - 1) - 1) / stride[a]!) + 1,
      );
      return { shape: [conv ? (j.filters as number) : t.shape[0]!, ...out], layout: 'channels' };
    }
    case 'flatten':
      return { shape: [size(t.shape)], layout: 'flat' };
    case 'global_avgpool':
      return { shape: [t.shape[0]!], layout: 'flat' };
    case 'simple_rnn':
    case 'lstm':
    case 'gru':
      return j.returnSequences === true
        ? { shape: [t.shape[0]!, j.units as number], layout: 'sequence' }
        : { shape: [j.units as number], layout: 'flat' };
    default:
      return t;
  }
}

/** The per-sample shape after some imported layers (VGNet's layout), from `input`'s. */
export function shapeAfter(layers: readonly ImportedLayer[], input: number[]): number[] {
  return tensorAfter(layers, { shape: input, layout: input.length === 1 ? 'flat' : 'channels' }).shape;
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** One Keras layer → one spec layer, or null for those that compute nothing here (InputLayer, a 1-D Flatten). */
function mapLayer(layer: KerasLayer, ctx: Context, t: Tensor): ImportedLayer | null {
  const c = layer.config;
  const source = `${layer.name} (${layer.className})`;
  const where = describe(layer);
  const activationOf = (v: unknown): Json => mapActivation(v, where, ctx);
  const shape = `[${t.shape.join(', ')}]`;
  switch (layer.className) {
    case 'InputLayer':
      return null;
    case 'Flatten':
      if (t.layout === 'flat') return null;
      if (t.layout === 'channels' && !ctx.channelsFirst && t.shape.length > 1)
        ctx.notes.push(
          `${where}: VGNet's flatten is channels-first (C, H, W order, as torch.flatten); Keras' after channels_last layers is H, W, C. The architecture is the same; weights of the Dense after it would need permuting (this import carries none)`,
        );
      return { json: { type: 'flatten' }, source };
    case 'Reshape':
      return unsupported(where, 'Reshape');
    case 'Conv1D':
    case 'Conv2D':
      return mapConv(layer, ctx, t);
    case 'MaxPooling1D':
    case 'MaxPooling2D':
    case 'AveragePooling1D':
    case 'AveragePooling2D':
    case 'MaxPool1D':
    case 'MaxPool2D':
    case 'AvgPool1D':
    case 'AvgPool2D':
      return mapPool(layer, t);
    case 'GlobalAveragePooling1D':
    case 'GlobalAveragePooling2D':
    case 'GlobalAvgPool1D':
    case 'GlobalAvgPool2D': {
      const rank = layer.className.includes('1D') ? 1 : 2;
      if (t.layout !== 'channels' || t.shape.length !== rank + 1)
        unsupported(
          where,
          `global average pooling of a ${shape} ${t.layout} tensor (VGNet's averages the positions of a [channels, …] conv tensor)`,
        );
      if (c.keepdims === true) unsupported(where, 'keepdims: true');
      return { json: { type: 'global_avgpool' }, source };
    }
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU':
      return mapRecurrent(layer, ctx, t);
    case 'LayerNormalization': {
      const rank = t.shape.length;
      const axis = Array.isArray(c.axis) && c.axis.length === 1 ? c.axis[0] : (c.axis ?? -1);
      if (axis !== -1 && axis !== rank)
        unsupported(where, `normalising over axis ${JSON.stringify(c.axis)} (VGNet's layernorm: the last axis)`);
      if (t.layout === 'channels')
        unsupported(
          where,
          `layer normalisation of a conv tensor: Keras' last axis is ${ctx.channelsFirst ? 'a spatial one' : 'the channels'}, VGNet's (channels first) is the width`,
        );
      if (c.center === false || c.scale === false) unsupported(where, 'LayerNormalization without center or scale');
      if (c.rms_scaling === true) unsupported(where, 'rms_scaling');
      noneOf(c, where, ['beta_regularizer', 'gamma_regularizer', 'beta_constraint', 'gamma_constraint']);
      for (const [key, expected] of [
        ['gamma_initializer', 'Ones'],
        ['beta_initializer', 'Zeros'],
      ] as const) {
        if (c[key] !== undefined && initObject(c[key]).className !== expected)
          unsupported(where, `${key} other than ${expected}`);
      }
      // Keras' epsilon default is 1e-3 (PyTorch's and VGNet's 1e-5): written out.
      return { json: { type: 'layernorm', eps: finite(c.epsilon ?? 1e-3, where, 'epsilon') }, source };
    }
    case 'Dense': {
      noneOf(c, where, ['activity_regularizer', 'kernel_constraint', 'bias_constraint', 'bias_regularizer']);
      if (t.layout !== 'flat')
        unsupported(
          where,
          `Dense on a ${shape} tensor (Keras applies it to the last axis; VGNet's dense takes flat features: add Flatten, or end the recurrent layer with return_sequences false)`,
        );
      const fanIn = t.shape[0]!;
      const units = positiveInt(c.units, where, 'units');
      const json: Json = { type: 'dense', units, ...activationOf(c.activation ?? 'linear') };
      json.init = mapInit(c.kernel_initializer, where, 'kernel_initializer', ctx, { fanIn, fanOut: units });
      if (c.use_bias === false) json.noBias = true;
      else json.biasInit = mapBias(c.bias_initializer, where);
      regularizer(c.kernel_regularizer, layer.name, ctx);
      return { json, source };
    }
    case 'Activation':
      return { json: { type: 'activation', ...activationOf(c.activation) }, source };
    case 'ReLU': {
      const max = c.max_value ?? null;
      if ((c.negative_slope ?? 0) !== 0 || (c.threshold ?? 0) !== 0)
        unsupported(where, 'ReLU with negative_slope or threshold (use LeakyReLU)');
      if (max === null) return { json: { type: 'activation', activation: 'relu' }, source };
      if (max === 6) return { json: { type: 'activation', ...activationOf('relu6') }, source };
      return unsupported(where, `ReLU with max_value ${String(max)}`);
    }
    case 'LeakyReLU': {
      const slope = c.negative_slope ?? c.alpha ?? 0.3;
      return {
        json: { type: 'activation', activation: { name: 'leaky_relu', alpha: finite(slope, where, 'alpha') } },
        source,
      };
    }
    case 'ELU':
      return {
        json: { type: 'activation', activation: { name: 'elu', alpha: finite(c.alpha ?? 1, where, 'alpha') } },
        source,
      };
    case 'Softmax':
      if (c.axis !== undefined && c.axis !== -1 && !(Array.isArray(c.axis) && c.axis[0] === -1))
        unsupported(where, `softmax over axis ${JSON.stringify(c.axis)}`);
      return { json: { type: 'activation', activation: 'softmax' }, source };
    case 'PReLU': {
      if (c.shared_axes !== null && c.shared_axes !== undefined) unsupported(where, 'PReLU with shared_axes');
      noneOf(c, where, ['alpha_regularizer', 'alpha_constraint']);
      const init = initObject(c.alpha_initializer ?? 'zeros');
      const alpha =
        init.className === 'Zeros'
          ? 0
          : init.className === 'Constant'
            ? finite(init.config.value, where, 'alpha')
            : null;
      if (alpha === null) unsupported(where, `PReLU alpha_initializer ${init.className}`);
      return { json: { type: 'activation', activation: { name: 'prelu', alpha } }, source };
    }
    case 'BatchNormalization': {
      const raw = c.axis ?? -1;
      const axis = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
      // Keras' axis counts the batch: the features of a flat tensor are axis 1 (= -1); a conv tensor's channels
      // are the last axis (channels_last) or axis 1 (channels_first), VGNet's per-channel batchnorm either way.
      const rank = t.shape.length;
      const channel = t.layout === 'channels' ? (ctx.channelsFirst ? 1 : rank) : t.layout === 'flat' ? 1 : null;
      if (channel === null)
        unsupported(
          where,
          `batch normalisation of a ${shape} sequence (Keras normalises each feature; VGNet's batchnorm on [steps, features] each step)`,
        );
      if (!(axis === channel || (axis === -1 && channel === rank)))
        unsupported(where, `normalising over axis ${JSON.stringify(raw)} of a ${shape} tensor`);
      if (c.center === false || c.scale === false) unsupported(where, 'BatchNormalization without center or scale');
      if (c.renorm === true) unsupported(where, 'batch renormalization');
      noneOf(c, where, ['beta_regularizer', 'gamma_regularizer', 'beta_constraint', 'gamma_constraint']);
      for (const [key, expected] of [
        ['gamma_initializer', 'Ones'],
        ['beta_initializer', 'Zeros'],
      ] as const) {
        if (c[key] !== undefined && initObject(c[key]).className !== expected)
          unsupported(where, `${key} other than ${expected}`);
      }
      const momentum = finite(c.momentum ?? 0.99, where, 'momentum');
      // Keras: running = m·running + (1 − m)·batch; PyTorch (and VGNet): running = (1 − m)·running + m·batch.
      return {
        json: { type: 'batchnorm', eps: finite(c.epsilon ?? 1e-3, where, 'epsilon'), momentum: round(1 - momentum) },
        source: `${source}: momentum ${momentum} in Keras' convention`,
      };
    }
    case 'Dropout':
      if (c.noise_shape !== null && c.noise_shape !== undefined) unsupported(where, 'Dropout with noise_shape');
      return { json: { type: 'dropout', rate: finite(c.rate, where, 'rate') }, source };
    default:
      return unsupported(where, `the layer type ${layer.className || '(none)'}`);
  }
}

/** An int or a list of `rank` ints (Keras writes kernel_size, strides, pool_size either way). */
function ints(v: unknown, rank: number, where: string, key: string): number[] {
  const list = Array.isArray(v) ? v : new Array<unknown>(rank).fill(v);
  if (list.length !== rank || !list.every((x) => Number.isInteger(x) && (x as number) >= 1))
    throw new ImportError(`${where}: ${key} must be ${rank} positive integer(s), got ${JSON.stringify(v)}`);
  return list as number[];
}

/** A spec value for per-axis numbers: one number when the axes agree, else the list. */
function perAxis(values: number[]): number | number[] {
  return values.every((v) => v === values[0]) ? values[0]! : values;
}

function requireChannels(layer: KerasLayer, t: Tensor, rank: number, what: string): void {
  if (t.layout === 'channels' && t.shape.length === rank + 1) return;
  const shape = `[${t.shape.join(', ')}]`;
  unsupported(
    describe(layer),
    t.layout === 'sequence'
      ? `${what} of a ${shape} sequence (after a recurrent layer Keras' tensor is [steps, features]; VGNet's ${rank}-d layers take [channels, …] and there is no transpose layer)`
      : `${what} of a ${shape} tensor (it needs ${rank === 1 ? '[length, channels]' : '[height, width, channels]'} in Keras)`,
  );
}

/** Conv1D / Conv2D → conv1d / conv2d: the kernel's fans as Keras' (and PyTorch's): channels (filters) × kernel area. */
function mapConv(layer: KerasLayer, ctx: Context, t: Tensor): ImportedLayer {
  const c = layer.config;
  const where = describe(layer);
  const rank = layer.className === 'Conv1D' ? 1 : 2;
  requireChannels(layer, t, rank, `a ${rank}-d convolution`);
  noneOf(c, where, ['activity_regularizer', 'kernel_constraint', 'bias_constraint', 'bias_regularizer']);
  if ((c.groups ?? 1) !== 1) unsupported(where, `groups: ${JSON.stringify(c.groups)} (grouped convolution)`);
  const padding = str(c.padding) || 'valid';
  if (padding !== 'valid' && padding !== 'same') unsupported(where, `padding "${padding}"`);
  if (c.use_bias === false) unsupported(where, "use_bias: false (VGNet's conv layers have a bias)");
  const filters = positiveInt(c.filters, where, 'filters');
  const kernel = ints(c.kernel_size, rank, where, 'kernel_size');
  const stride = ints(c.strides ?? 1, rank, where, 'strides');
  const dilation = ints(c.dilation_rate ?? 1, rank, where, 'dilation_rate');
  const area = size(kernel);
  const json: Json = { type: rank === 1 ? 'conv1d' : 'conv2d', filters, kernel: perAxis(kernel) };
  if (stride.some((v) => v !== 1)) json.stride = perAxis(stride);
  if (padding === 'same') json.padding = 'same';
  if (dilation.some((v) => v !== 1)) json.dilation = perAxis(dilation);
  Object.assign(json, mapActivation(c.activation ?? 'linear', where, ctx));
  json.init = mapInit(c.kernel_initializer, where, 'kernel_initializer', ctx, {
    fanIn: t.shape[0]! * area,
    fanOut: filters * area,
  });
  const bias = mapBias(c.bias_initializer, where);
  if (typeof bias !== 'number')
    unsupported(where, "a random bias_initializer (VGNet's conv biases start at a constant)");
  json.biasInit = bias;
  regularizer(c.kernel_regularizer, layer.name, ctx);
  return { json, source: `${layer.name} (${layer.className})` };
}

/** MaxPooling / AveragePooling 1D/2D: strides default to the window, as in both. */
function mapPool(layer: KerasLayer, t: Tensor): ImportedLayer {
  const c = layer.config;
  const where = describe(layer);
  const rank = layer.className.includes('1D') ? 1 : 2;
  requireChannels(layer, t, rank, 'pooling');
  const padding = str(c.padding) || 'valid';
  if (padding !== 'valid' && padding !== 'same') unsupported(where, `padding "${padding}"`);
  const pool = ints(c.pool_size ?? 2, rank, where, 'pool_size');
  const stride = c.strides === null || c.strides === undefined ? pool : ints(c.strides, rank, where, 'strides');
  const json: Json = { type: layer.className.startsWith('Max') ? 'maxpool' : 'avgpool', pool: perAxis(pool) };
  if (stride.some((v, a) => v !== pool[a])) json.stride = perAxis(stride);
  if (padding === 'same') json.padding = 'same';
  return { json, source: `${layer.name} (${layer.className})` };
}

/**
 * SimpleRNN / LSTM / GRU. Keras draws each kernel as one matrix, [features, gates·units] and [units, gates·units];
 * VGNet (as its PyTorch export) per gate block. Initialisers that depend only on fan_in mean the same; those with
 * fan_out (Glorot) become explicit with Keras' fans, and an orthogonal one keeps its variance (gain scaled), said in
 * the notes.
 */
function mapRecurrent(layer: KerasLayer, ctx: Context, t: Tensor): ImportedLayer {
  const c = layer.config;
  const where = describe(layer);
  const kind = layer.className === 'SimpleRNN' ? 'simple_rnn' : layer.className === 'LSTM' ? 'lstm' : 'gru';
  const shape = `[${t.shape.join(', ')}]`;
  if (t.layout !== 'sequence')
    unsupported(
      where,
      t.layout === 'channels'
        ? `a recurrent layer on a conv tensor ${shape} (Keras feeds it [steps, channels]; VGNet's conv output is [channels, length] and there is no transpose layer)`
        : `a recurrent layer on a flat ${shape} tensor (it needs [steps, features])`,
    );
  for (const key of ['return_state', 'go_backwards', 'stateful', 'time_major'])
    if (c[key] === true) unsupported(where, `${key}: true`);
  for (const key of ['dropout', 'recurrent_dropout'])
    if ((c[key] ?? 0) !== 0) unsupported(where, `${key} ${String(c[key])} (dropout inside the recurrent layer)`);
  noneOf(c, where, [
    'activity_regularizer',
    'recurrent_regularizer',
    'bias_regularizer',
    'kernel_constraint',
    'recurrent_constraint',
    'bias_constraint',
  ]);
  if (c.use_bias === false) unsupported(where, "use_bias: false (VGNet's recurrent layers have biases)");
  const units = positiveInt(c.units, where, 'units');
  const features = t.shape[1]!;
  const gates = kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1;
  const json: Json = { type: kind, units };
  const activation = mapActivation(c.activation ?? 'tanh', where, ctx).activation;
  if (kind === 'simple_rnn') {
    if (activation !== 'tanh' && activation !== 'relu')
      unsupported(where, `the activation ${JSON.stringify(activation)} (VGNet's simple_rnn: tanh or relu, as nn.RNN)`);
    json.activation = activation;
  } else {
    if (activation !== 'tanh') unsupported(where, `the activation ${JSON.stringify(activation)} (VGNet's: tanh)`);
    const gate = str(c.recurrent_activation) || 'sigmoid';
    if (gate !== 'sigmoid')
      unsupported(where, `recurrent_activation "${gate}" (VGNet's gates are sigmoids, as PyTorch's)`);
  }
  if (kind === 'gru') {
    const resetAfter = c.reset_after ?? !ctx.tfjs;
    if (resetAfter !== true)
      unsupported(
        where,
        "reset_after: false (the reset gate applied before the recurrent matmul; VGNet's GRU is PyTorch's, reset_after=True: n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)))",
      );
  }
  json.init = recurrentInit(c.kernel_initializer ?? 'GlorotUniform', where, 'kernel_initializer', ctx, {
    rows: features,
    units,
    gates,
  });
  json.recurrentInit = recurrentInit(c.recurrent_initializer ?? 'Orthogonal', where, 'recurrent_initializer', ctx, {
    rows: units,
    units,
    gates,
  });
  const bias = mapBias(c.bias_initializer, where);
  if (typeof bias !== 'number')
    unsupported(where, "a random bias_initializer (VGNet's recurrent biases start at a constant)");
  if (kind === 'gru' && bias !== 0)
    unsupported(
      where,
      `bias_initializer ${bias} (Keras' GRU starts its recurrent bias there too; VGNet's b_hh starts at 0)`,
    );
  json.biasInit = bias;
  if (kind === 'lstm') {
    // unit_forget_bias (default true) sets the forget block to 1 over the initialiser's value.
    const forget = c.unit_forget_bias === false ? bias : 1;
    if (forget !== 1) json.forgetBias = forget;
  }
  if (c.return_sequences === true) json.returnSequences = true;
  regularizer(c.kernel_regularizer, layer.name, ctx);
  return { json, source: `${layer.name} (${layer.className})` };
}

/** A recurrent kernel's initialiser in VGNet's per-gate-block terms (see mapRecurrent). */
function recurrentInit(
  v: unknown,
  where: string,
  key: string,
  ctx: Context,
  k: { rows: number; units: number; gates: number },
): unknown {
  const object = initObject(v);
  const cols = k.gates * k.units;
  if (object.className === 'Identity') {
    if (k.rows !== cols)
      unsupported(where, `the ${key} Identity on a ${k.rows}×${cols} kernel (VGNet's identity is for square ones)`);
    return { name: 'identity', scale: finite(object.config.gain ?? 1, where, `${key} gain`) };
  }
  const mapped = mapInit(v, where, key, ctx, { fanIn: k.rows, fanOut: cols });
  if (k.gates === 1) return mapped;
  if (mapped === 'glorot_uniform' || mapped === 'glorot_normal') {
    ctx.notes.push(
      `${where}: Keras' ${key} is Glorot over the whole [${k.rows}, ${cols}] kernel: written as the explicit ${mapped === 'glorot_uniform' ? 'uniform' : 'normal'} of those fans (VGNet's named one would use each gate block's)`,
    );
    const variance = 2 / (k.rows + cols);
    return mapped === 'glorot_uniform'
      ? { name: 'uniform', scale: round(Math.sqrt(3 * variance)) }
      : { name: 'normal', scale: round(Math.sqrt(variance)) };
  }
  if (isObject(mapped) && mapped.name === 'orthogonal') {
    // One orthogonal [rows, cols] matrix has variance min(rows, cols)/(rows·cols) a weight; one per [rows, units]
    // block has min(rows, units)/(rows·units): the gain that keeps the variance.
    const whole = Math.min(k.rows, cols) / (k.rows * cols);
    const block = Math.min(k.rows, k.units) / (k.rows * k.units);
    const gain = round((mapped.scale as number) * Math.sqrt(whole / block));
    ctx.notes.push(
      `${where}: Keras draws the ${key} as one orthogonal [${k.rows}, ${cols}] matrix; VGNet one per gate block, with gain ${gain} for the same variance`,
    );
    return { name: 'orthogonal', scale: gain };
  }
  return mapped;
}

const KERAS_ACTIVATIONS: Readonly<Record<string, string>> = {
  linear: 'linear',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  relu: 'relu',
  softmax: 'softmax',
  elu: 'elu',
  selu: 'selu',
  softplus: 'softplus',
  swish: 'swish',
  silu: 'swish',
  gelu: 'gelu',
  leaky_relu: 'leaky_relu',
  relu6: 'relu6',
  exponential: 'exponential',
  softsign: 'softsign',
  hard_sigmoid: 'hard_sigmoid',
  mish: 'mish',
};

function mapActivation(v: unknown, where: string, ctx: Context): Json {
  const name = typeof v === 'string' ? v : isObject(v) ? str(v.class_name) || str(v.config) : '';
  const snake = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  const mapped = KERAS_ACTIVATIONS[snake];
  if (!mapped) return unsupported(where, `the activation "${name}"`);
  if (!(ACTIVATION_NAMES as readonly string[]).includes(mapped))
    return unsupported(where, `the activation "${name}" (not in this VGNet version)`);
  if (mapped === 'hard_sigmoid' && !ctx.keras3)
    return unsupported(
      where,
      "tf.keras 2.x hard_sigmoid (clip(0.2x + 0.5, 0, 1)); VGNet's is PyTorch's and Keras 3's relu6(x + 3)/6",
    );
  // Keras 3's leaky_relu function has slope 0.2 (the LeakyReLU layer's default is 0.3).
  if (mapped === 'leaky_relu') return { activation: { name: 'leaky_relu', alpha: 0.2 } };
  return { activation: mapped };
}

interface InitObject {
  className: string;
  config: Json;
}

function initObject(v: unknown): InitObject {
  if (typeof v === 'string') return { className: pascal(v), config: {} };
  if (isObject(v)) return { className: pascal(str(v.class_name)), config: isObject(v.config) ? v.config : {} };
  return { className: '', config: {} };
}

/** "glorot_uniform" / "GlorotUniform" → "GlorotUniform". */
function pascal(name: string): string {
  return name.includes('_') || name === name.toLowerCase()
    ? name
        .split('_')
        .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
        .join('')
    : name;
}

/** A kernel initialiser by its variance: a named one when scale, mode and distribution match one, else explicit. */
function mapInit(v: unknown, where: string, key: string, ctx: Context, fans: Fans): unknown {
  const init = initObject(v ?? 'GlorotUniform');
  const c = init.config;
  switch (init.className) {
    case 'GlorotUniform':
      return 'glorot_uniform';
    case 'GlorotNormal':
      return varianceScaling({ scale: 1, mode: 'fan_avg', distribution: 'truncated_normal' }, where, ctx, fans);
    case 'HeUniform':
      return 'he_uniform';
    case 'HeNormal':
      return varianceScaling({ scale: 2, mode: 'fan_in', distribution: 'truncated_normal' }, where, ctx, fans);
    case 'LecunUniform':
      return 'lecun_uniform';
    case 'LecunNormal':
      return varianceScaling({ scale: 1, mode: 'fan_in', distribution: 'truncated_normal' }, where, ctx, fans);
    case 'VarianceScaling':
      return varianceScaling(c, where, ctx, fans);
    case 'Zeros':
      return 'zeros';
    case 'Ones':
      return { name: 'constant', scale: 1 };
    case 'Constant':
      return { name: 'constant', scale: finite(c.value ?? 0, where, `${key} value`) };
    case 'RandomNormal':
      if ((c.mean ?? 0) !== 0) unsupported(where, `${key} RandomNormal with mean ${String(c.mean)}`);
      return { name: 'normal', scale: finite(c.stddev ?? 0.05, where, `${key} stddev`) };
    case 'TruncatedNormal':
      if ((c.mean ?? 0) !== 0) unsupported(where, `${key} TruncatedNormal with mean ${String(c.mean)}`);
      // Keras and TF.js truncate at ±2σ without correcting: the true standard deviation is 0.88σ.
      return { name: 'normal', scale: round(finite(c.stddev ?? 0.05, where, `${key} stddev`) * TRUNCATED_STD_FACTOR) };
    case 'RandomUniform': {
      const lo = finite(c.minval ?? -0.05, where, `${key} minval`);
      const hi = finite(c.maxval ?? 0.05, where, `${key} maxval`);
      if (lo !== -hi) unsupported(where, `${key} RandomUniform(${lo}, ${hi}) (VGNet's uniform is symmetric)`);
      return { name: 'uniform', scale: hi };
    }
    case 'Orthogonal':
      return { name: 'orthogonal', scale: finite(c.gain ?? 1, where, `${key} gain`) };
    default:
      return unsupported(where, `the ${key} ${init.className || JSON.stringify(v)}`);
  }
}

interface Fans {
  fanIn: number;
  fanOut: number;
}

/**
 * Var(W) = scale / n(mode): the named initialiser of that variance and distribution when there is one, otherwise
 * an explicit normal (std) or uniform (half-width) computed from this layer's fans.
 */
function varianceScaling(c: Json, where: string, ctx: Context, fans: Fans): unknown {
  const scale = finite(c.scale ?? 1, where, 'VarianceScaling scale');
  const mode = str(c.mode) || 'fan_in';
  const distribution = str(c.distribution) || 'truncated_normal';
  if (!['fan_in', 'fan_out', 'fan_avg'].includes(mode)) unsupported(where, `VarianceScaling mode "${mode}"`);
  const uniform = distribution === 'uniform';
  if (!uniform && !['normal', 'truncated_normal', 'untruncated_normal'].includes(distribution))
    unsupported(where, `VarianceScaling distribution "${distribution}"`);
  // Keras corrects its truncated normal to variance scale/n ("normal" is truncated); TF.js does not (0.774 of it).
  const varianceFactor = ctx.tfjs && distribution !== 'untruncated_normal' && !uniform ? TRUNCATED_STD_FACTOR ** 2 : 1;
  const named: Record<string, string> = { '1|fan_avg': 'glorot', '2|fan_in': 'he', '1|fan_in': 'lecun' };
  const family = named[`${scale}|${mode}`];
  if (family && varianceFactor === 1) return `${family}_${uniform ? 'uniform' : 'normal'}`;
  const n = mode === 'fan_in' ? fans.fanIn : mode === 'fan_out' ? fans.fanOut : (fans.fanIn + fans.fanOut) / 2;
  const variance = (scale * varianceFactor) / n;
  if (family) ctx.notes.push(`${where}: TF.js's truncated normal has 0.774× the variance of its name: an explicit std`);
  return uniform
    ? { name: 'uniform', scale: round(Math.sqrt(3 * variance)) }
    : { name: 'normal', scale: round(Math.sqrt(variance)) };
}

function mapBias(v: unknown, where: string): unknown {
  const init = initObject(v ?? 'Zeros');
  if (init.className === 'Zeros') return 0;
  if (init.className === 'Ones') return 1;
  if (init.className === 'Constant') return finite(init.config.value ?? 0, where, 'bias_initializer value');
  const c = init.config;
  if (init.className === 'RandomNormal' && (c.mean ?? 0) === 0)
    return { name: 'normal', scale: finite(c.stddev ?? 0.05, where, 'bias_initializer stddev') };
  if (init.className === 'TruncatedNormal' && (c.mean ?? 0) === 0)
    return {
      name: 'normal',
      scale: round(finite(c.stddev ?? 0.05, where, 'bias_initializer stddev') * TRUNCATED_STD_FACTOR),
    };
  const hi = c.maxval ?? 0.05;
  if (init.className === 'RandomUniform' && (c.minval ?? -0.05) === -(hi as number))
    return { name: 'uniform', scale: finite(hi, where, 'bias_initializer maxval') };
  return unsupported(where, `the bias_initializer ${init.className || JSON.stringify(v)} ${JSON.stringify(c)}`);
}

function regularizer(v: unknown, layer: string, ctx: Context): void {
  if (v === null || v === undefined) return;
  const r = initObject(v);
  const l1 = Number(r.config.l1 ?? 0);
  const l2 = Number(r.config.l2 ?? (r.className === 'L2' ? 0.01 : 0));
  if (l1 !== 0 || !['L2', 'L1L2'].includes(r.className))
    unsupported(`layer "${layer}"`, `the kernel_regularizer ${r.className}${l1 ? ` (l1 ${l1})` : ''}`);
  ctx.l2.push({ layer, value: l2 });
}

/** Keras' L2 adds l2·Σw² to the loss: gradient 2·l2·w, i.e. weight decay 2·l2 (on the weights, as VGNet's). */
function weightDecay(ctx: Context): number | null {
  if (ctx.l2.length === 0) return null;
  const values = new Set(ctx.l2.map((r) => r.value));
  if (values.size > 1)
    throw new ImportError(
      `kernel_regularizer L2 differs between layers (${ctx.l2.map((r) => `${r.layer}: ${r.value}`).join(', ')}); VGNet has one weight decay`,
    );
  ctx.notes.push(
    `kernel_regularizer L2(${ctx.l2[0]!.value}) on every weight matrix → training.weightDecay ${2 * ctx.l2[0]!.value} (the gradient of l2·Σw²)`,
  );
  return round(2 * ctx.l2[0]!.value);
}

function mapLoss(v: unknown, layers: ImportedLayer[], ctx: Context): string {
  const object = initObject(v);
  const name = typeof v === 'string' ? v : object.className;
  const snake = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  const fromLogits = object.config.from_logits === true;
  const output = lastDense(layers);
  const table: Record<string, string> = {
    mse: 'mse',
    mean_squared_error: 'mse',
    binary_crossentropy: 'bce',
    categorical_crossentropy: 'crossentropy',
    sparse_categorical_crossentropy: 'crossentropy',
  };
  const loss = table[snake];
  if (!loss) return unsupported('the compile config', `the loss "${name}"`);
  if (loss === 'bce' && fromLogits) {
    if (!output || output.json.activation !== 'linear')
      unsupported('the compile config', 'from_logits with a non-linear output');
    // VGNet's bce takes probabilities and fuses a sigmoid output into the loss: the same training as BCE on logits.
    output!.json.activation = 'sigmoid';
    ctx.notes.push(
      'binary_crossentropy(from_logits=True) on a linear output → a sigmoid output with bce (trained identically)',
    );
  }
  if (loss === 'bce' && !fromLogits && output?.json.activation !== 'sigmoid')
    unsupported('the compile config', 'binary_crossentropy on an output that is not a sigmoid');
  if (loss === 'crossentropy' && !fromLogits && output?.json.activation !== 'softmax')
    unsupported('the compile config', 'categorical crossentropy on probabilities that are not a softmax');
  return loss;
}

/** Without a compile config: the loss the output layer suggests, said in the notes. */
function defaultLoss(layers: ImportedLayer[], ctx: Context): string {
  const activation = lastDense(layers)?.json.activation;
  const units = lastDense(layers)?.json.units;
  const loss = activation === 'softmax' ? 'crossentropy' : activation === 'sigmoid' && units === 1 ? 'bce' : 'mse';
  ctx.notes.push(`no compile config in the file: loss "${loss}" chosen from the output layer`);
  return loss;
}

function mapOptimizer(v: unknown, training: Json, ctx: Context): Json | null {
  if (v === undefined || v === null) return null;
  const o = initObject(v);
  const c = o.config;
  const type = o.className.toLowerCase();
  if (!(OPTIMIZER_TYPES as readonly string[]).includes(type))
    return unsupported('the compile config', `the optimizer ${o.className}`);
  const lr = c.learning_rate ?? c.lr;
  if (isObject(lr)) unsupported('the compile config', 'a learning-rate schedule');
  const out: Json = { type, lr: finite(lr ?? 0.001, 'the optimizer', 'learning_rate') };
  if (c.clipnorm !== null && c.clipnorm !== undefined)
    unsupported(
      'the compile config',
      'clipnorm (Keras clips each variable; VGNet clips the global norm: use global_clipnorm)',
    );
  if (c.global_clipnorm !== null && c.global_clipnorm !== undefined)
    training.clipNorm = finite(c.global_clipnorm, 'the optimizer', 'global_clipnorm');
  if (c.clipvalue !== null && c.clipvalue !== undefined)
    training.clipValue = finite(c.clipvalue, 'the optimizer', 'clipvalue');
  if (c.use_ema === true) unsupported('the compile config', 'an exponential moving average of the weights (use_ema)');
  const decay = type === 'adamw' ? null : (c.weight_decay ?? null);
  if (decay !== null && decay !== 0) {
    if (type !== 'sgd' || (c.momentum ?? 0) !== 0)
      unsupported(
        'the compile config',
        `${o.className} weight_decay (Keras decays the weights directly; VGNet adds L2 to the gradient)`,
      );
    training.weightDecay = finite(decay, 'the optimizer', 'weight_decay');
  }
  if (type === 'sgd') {
    out.momentum = finite(c.momentum ?? 0, 'the optimizer', 'momentum');
    if (c.nesterov === true) out.nesterov = true;
  } else if (type === 'adam') {
    if (c.amsgrad === true) unsupported('the compile config', 'Adam with amsgrad');
    out.beta1 = finite(c.beta_1 ?? 0.9, 'the optimizer', 'beta_1');
    out.beta2 = finite(c.beta_2 ?? 0.999, 'the optimizer', 'beta_2');
    out.eps = finite(c.epsilon ?? 1e-7, 'the optimizer', 'epsilon');
  } else if (type === 'adamw') {
    if (c.amsgrad === true) unsupported('the compile config', 'AdamW with amsgrad');
    out.beta1 = finite(c.beta_1 ?? 0.9, 'the optimizer', 'beta_1');
    out.beta2 = finite(c.beta_2 ?? 0.999, 'the optimizer', 'beta_2');
    out.eps = finite(c.epsilon ?? 1e-7, 'the optimizer', 'epsilon');
    out.weightDecay = finite(c.weight_decay ?? 0.004, 'the optimizer', 'weight_decay');
    ctx.notes.push('AdamW: Keras decays every variable; VGNet (as its PyTorch export) decays the weight matrices only');
  } else if (type === 'adagrad') {
    out.eps = finite(c.epsilon ?? 1e-7, 'the optimizer', 'epsilon');
    out.initialAccumulator = finite(c.initial_accumulator_value ?? 0.1, 'the optimizer', 'initial_accumulator_value');
  } else if (type === 'rmsprop') {
    if (c.centered === true) unsupported('the compile config', 'centered RMSprop');
    out.rho = finite(c.rho ?? 0.9, 'the optimizer', 'rho');
    out.eps = finite(c.epsilon ?? 1e-7, 'the optimizer', 'epsilon');
    out.momentum = finite(c.momentum ?? 0, 'the optimizer', 'momentum');
  }
  ctx.notes.push(
    `optimizer ${o.className} with Keras' hyper-parameters (e.g. epsilon ${String(c.epsilon ?? 'default')})`,
  );
  return out;
}

function lastDense(layers: ImportedLayer[]): ImportedLayer | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i]!;
    if (l.json.type === 'dense') return l;
    if (l.json.type === 'activation' || l.json.type === 'residual') return undefined;
  }
  return undefined;
}

/**
 * Data of the right shape (the file has none): blobs for flat classification, the teacher network for regression
 * and for shaped inputs (it generates any shape: classes when the loss classifies).
 */
function standInData(loss: string, outputs: number, input: Tensor): Json {
  return standIn(loss, outputs, input.layout !== 'flat');
}

export function standIn(loss: string, outputs: number, shaped: boolean): Json {
  if (loss === 'mse') return { source: 'teacher', samples: 1000 };
  const classes = loss === 'crossentropy' ? Math.max(2, outputs) : 2;
  return { source: shaped ? 'teacher' : 'blobs', samples: 1000, classes };
}

function noneOf(c: Json, where: string, keys: string[]): void {
  for (const key of keys) if (c[key] !== null && c[key] !== undefined) unsupported(where, key);
}

function unsupported(where: string, what: string): never {
  throw new ImportError(`${where}: ${what} cannot be expressed in a VGNet spec`);
}

function describe(layer: KerasLayer): string {
  return `layer "${layer.name}" (${layer.className})`;
}

function positiveInt(v: unknown, where: string, key: string): number {
  if (!Number.isInteger(v) || (v as number) < 1)
    throw new ImportError(`${where}: ${key} must be a positive integer, got ${JSON.stringify(v)}`);
  return v as number;
}

function finite(v: unknown, where: string, key: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new ImportError(`${where}: ${key} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

function round(v: number): number {
  return Number(v.toPrecision(12));
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
