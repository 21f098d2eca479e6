/**
 * ONNX → spec: MLP graphs of Gemm (or MatMul + Add), the activation ops (and the patterns exporters write for
 * GELU, SiLU/swish, Mish and softsign), BatchNormalization, Add of two computed tensors (a residual block, the skip
 * an identity or a bias-free MatMul projection), Identity/Dropout/Flatten; and (issue 15) Conv, MaxPool/AveragePool
 * with TF's 'same' padding read back from pads and torch's F.pad chains, GlobalAveragePool, LayerNormalization, and
 * the batch-first RNN/LSTM/GRU pattern of torch.onnx. ONNX files carry weights: they become the spec's `parameters`
 * file (vgnet-init/1, the format of --save-init, gate blocks in PyTorch's order), and each layer's initialiser is a
 * normal of the stored weights' standard deviation (used when the parameters file is removed). Pure. docs/bridge.md.
 */
import { samePadding } from '../engine/layers/conv-geometry';
import { ACTIVATION_NAMES } from '../spec/names';
import { ImportError, shapeAfter, standIn } from './import-keras';
import { OnnxError, readOnnx, type OnnxGraph, type OnnxNode, type OnnxTensor } from './onnx';
import type { ImportedLayer, ImportedSpec } from './spec-writer';

type Json = Record<string, unknown>;

/** A layer of the import with the stored tensors it owns (VGNet's parameter names). */
interface WeightedLayer extends ImportedLayer {
  tensors?: Record<string, { dims: number[]; data: Float32Array }>;
  branch?: WeightedLayer[];
}

export interface OnnxImport {
  spec: ImportedSpec;
  /** vgnet-init/1 `parameters`: layer pointer → name → nested arrays (W[out][in]). */
  parameters: Record<string, Record<string, unknown>>;
}

export function importOnnx(bytes: Uint8Array, fileName: string, parametersFile: string): OnnxImport {
  let graph: OnnxGraph;
  try {
    graph = readOnnx(bytes);
  } catch (err) {
    if (err instanceof OnnxError) throw new ImportError(err.message);
    throw err;
  }
  const notes: string[] = [];
  const inputs = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  if (inputs.length !== 1) throw new ImportError(`the graph has ${inputs.length} inputs; VGNet models have one`);
  if (graph.outputs.length !== 1)
    throw new ImportError(`the graph has ${graph.outputs.length} outputs; VGNet models have one`);
  const shape = inputs[0]!.shape;
  const dims = shape?.slice(1) ?? [];
  if (!shape || shape.length < 2 || shape.length > 4 || !dims.every((d) => d !== null && d >= 1))
    throw new ImportError(
      `input "${inputs[0]!.name}" has shape ${JSON.stringify(shape)}; VGNet's models take [batch, features], [batch, channels, length], [batch, steps, features] or [batch, channels, height, width]`,
    );
  // ONNX tensors from PyTorch are in VGNet's layout already (channels first, batch-first sequences).
  const inputShape = dims as number[];
  const input = inputShape.length === 1 ? inputShape[0]! : inputShape;
  const g = new Graph(graph, inputs[0]!.name, inputShape);
  const layers = g.chain(graph.outputs[0]!.name, inputs[0]!.name);
  if (layers.length === 0) throw new ImportError('the graph has no layers VGNet trains');
  const biasFree = find(layers, (l) => l.json.noBias === true);
  if (biasFree)
    throw new ImportError(
      `${biasFree.source}: a MatMul without a bias outside a skip projection (VGNet's dense layers have a bias)`,
    );
  const parameters: Record<string, Record<string, unknown>> = {};
  assignPaths(layers, '', parameters);
  const last = layers[layers.length - 1]!;
  const activation = last.json.type === 'dense' ? last.json.activation : null;
  const loss =
    activation === 'softmax' ? 'crossentropy' : activation === 'sigmoid' && last.json.units === 1 ? 'bce' : 'mse';
  const outputs = shapeAfter(layers, inputShape).reduce((a, b) => a * b, 1);
  return {
    spec: {
      name: fileName.replace(/\.onnx$/i, ''),
      description: `Imported from ${fileName} (ONNX, opset ${graph.opset}${graph.producer ? `, ${graph.producer}` : ''}) by vgnet import.`,
      input,
      layers,
      loss,
      optimizer: null,
      training: { steps: 200, batchSize: 64, seed: 1 },
      data: standIn(loss, outputs, inputShape.length > 1),
      notes: [
        `Imported from ${fileName} by vgnet import; each layer's comment names its ONNX node.`,
        `"parameters" loads the file's weights (${parametersFile}); without it, each dense, conv and recurrent layer draws from a normal of its stored weights' std.`,
        `ONNX carries no loss, optimizer or data: loss "${loss}" from the output layer, VGNet's default optimizer, and a generator of the right shape.`,
        ...notes,
      ],
    },
    parameters,
  };
}

function find(layers: readonly WeightedLayer[], test: (l: WeightedLayer) => boolean): WeightedLayer | null {
  for (const l of layers) {
    if (test(l)) return l;
    const inner = find(l.branch ?? [], test);
    if (inner) return inner;
  }
  return null;
}

/** Spec pointers of the layers, and their tensors into `parameters` under those pointers. */
function assignPaths(
  layers: WeightedLayer[],
  prefix: string,
  parameters: Record<string, Record<string, unknown>>,
): void {
  layers.forEach((layer, i) => {
    const path = `${prefix}/layers/${i}`;
    if (layer.tensors) {
      parameters[path] = Object.fromEntries(
        Object.entries(layer.tensors).map(([name, t]) => [name, nested(t.data, t.dims)]),
      );
    }
    delete layer.tensors;
    if (layer.branch) assignPaths(layer.branch, path, parameters);
  });
}

/** Row-major data → nested arrays of exactly `dims` (the parameters file's form). */
function nested(data: Float32Array, dims: number[]): unknown {
  if (dims.length <= 1) return Array.from(data);
  const [rows, ...rest] = dims;
  const size = data.length / rows!;
  return Array.from({ length: rows! }, (_, r) => nested(data.subarray(r * size, (r + 1) * size), rest));
}

function widthOf(layers: readonly WeightedLayer[], input: number): number {
  let width = input;
  for (const l of layers) {
    if (l.json.type === 'dense') width = l.json.units as number;
    if (l.json.type === 'residual') width = widthOf(l.branch ?? [], width);
  }
  return width;
}

const SIMPLE: Readonly<Record<string, string>> = {
  Sigmoid: 'sigmoid',
  Tanh: 'tanh',
  Relu: 'relu',
  Selu: 'selu',
  Softplus: 'softplus',
  Exp: 'exponential',
  Softsign: 'softsign',
  Mish: 'mish',
  Gelu: 'gelu',
};

class Graph {
  private readonly producer = new Map<string, OnnxNode>();
  private readonly constants = new Map<string, OnnxTensor>();
  /** Integer tensors computed from constants only (torch.onnx writes F.pad's paddings so), by name. */
  private readonly folded = new Map<string, { dims: number[]; ints: number[] }>();

  /** Per-sample shapes of the tensors chains start from: the graph's input, and each residual block's fork. */
  private readonly shapes = new Map<string, number[]>();

  constructor(g: OnnxGraph, input: string, inputShape: number[]) {
    this.shapes.set(input, inputShape);
    for (const [name, t] of g.initializers) this.constants.set(name, t);
    for (const node of g.nodes) {
      if (node.domain !== '' && node.domain !== 'ai.onnx')
        throw new ImportError(`node "${node.name}" (${node.opType}) is from the operator set "${node.domain}"`);
      for (const out of node.outputs) this.producer.set(out, node);
      if (node.opType === 'Constant') {
        const t = node.attributes.get('value')?.t;
        const f = node.attributes.get('value_float')?.f;
        if (t) this.constants.set(node.outputs[0]!, t);
        else if (f !== undefined && f !== null)
          this.constants.set(node.outputs[0]!, { name: node.outputs[0]!, dims: [], data: Float32Array.of(f) });
      }
    }
    // Exporters share equal initialisers through Identity nodes (running_var = weight = ones).
    for (const node of g.nodes) {
      const source = node.opType === 'Identity' ? this.constants.get(node.inputs[0]!) : undefined;
      if (source) this.constants.set(node.outputs[0]!, source);
    }
  }

  private tensor(name: string, where: string): OnnxTensor {
    const t = this.constants.get(name);
    if (!t) throw new ImportError(`${where}: "${name}" is computed, not stored (VGNet reads stored weights)`);
    if (t.data.length === 0 && t.dims.reduce((a, b) => a * b, 1) > 0)
      throw new ImportError(`${where}: "${name}" is not a float tensor`);
    return t;
  }

  private scalar(name: string | undefined): number | null {
    if (name === undefined || name === '') return null;
    const t = this.constants.get(name);
    return t && t.data.length === 1 ? t.data[0]! : null;
  }

  /** The layers computing tensor `to` from tensor `from`. */
  chain(to: string, from: string): WeightedLayer[] {
    if (to === from) return [];
    const node = this.producer.get(to);
    if (!node) throw new ImportError(`tensor "${to}" comes from no node (a branch that does not start at the input?)`);
    const where = `node "${node.name || node.outputs[0]}" (${node.opType})`;
    const source = `${node.name || node.outputs[0]} (${node.opType})`;
    const pattern = this.activationPattern(node);
    if (pattern) return this.activation(pattern.activation, pattern.input, from, source, pattern.json);
    switch (node.opType) {
      case 'Identity':
      case 'Dropout':
        return this.chain(node.inputs[0]!, from);
      case 'Flatten': {
        const layers = this.chain(node.inputs[0]!, from);
        if (shapeAfter(layers, this.shapeOf(from)).length <= 1) return layers;
        if ((node.attributes.get('axis')?.i ?? 1) !== 1)
          throw new ImportError(`${where}: flattening from another axis than 1`);
        return [...layers, { json: { type: 'flatten' }, source }];
      }
      case 'Conv':
        return this.conv(node, from, where, source);
      case 'MaxPool':
      case 'AveragePool':
        return this.pool(node, null, from, where, source);
      case 'Div': {
        // Keras' 'same' average (the exporter's avg_pool_same): AveragePool(pad(x)) / AveragePool(pad(ones)).
        const [a, b] = node.inputs.map((i) => this.producer.get(i));
        if (a?.opType === 'AveragePool' && b?.opType === 'AveragePool' && this.isOnes(this.unpad(b.inputs[0]!).input))
          return this.pool(a, 'exclude', from, where, `${source} of two AveragePools`);
        throw new ImportError(`${where}: a division that is not an activation or a 'same' average pooling`);
      }
      case 'Pad':
        throw new ImportError(`${where}: padding that no convolution or pooling reads`);
      case 'GlobalAveragePool': {
        const layers = this.chain(node.inputs[0]!, from);
        if (shapeAfter(layers, this.shapeOf(from)).length < 2)
          throw new ImportError(`${where}: global average pooling of a tensor without positions`);
        return [...layers, { json: { type: 'global_avgpool' }, source }];
      }
      case 'LayerNormalization': {
        const layers = this.chain(node.inputs[0]!, from);
        const rank = shapeAfter(layers, this.shapeOf(from)).length + 1;
        const axis = node.attributes.get('axis')?.i ?? -1;
        if (axis !== -1 && axis !== rank - 1)
          throw new ImportError(`${where}: normalising from axis ${axis} (VGNet's layernorm: the last axis only)`);
        const scale = this.tensor(node.inputs[1]!, where);
        const tensors: WeightedLayer['tensors'] = { gamma: { dims: [scale.data.length], data: scale.data } };
        const bias = node.inputs[2] ? this.tensor(node.inputs[2], where) : null;
        if (bias) tensors.beta = { dims: [bias.data.length], data: bias.data };
        const eps = node.attributes.get('epsilon')?.f ?? 1e-5;
        return [...layers, { json: { type: 'layernorm', eps: round(eps) }, source, tensors }];
      }
      case 'RNN':
      case 'LSTM':
      case 'GRU':
      case 'Gather':
      case 'Transpose':
      case 'Squeeze':
        return this.recurrentOutput(node, from, where);
      case 'Gemm':
        return this.gemm(node, from, where, source);
      case 'MatMul': {
        const w = this.tensor(node.inputs[1]!, where);
        if (w.dims.length !== 2) throw new ImportError(`${where}: a ${w.dims.length}-D weight`);
        return [...this.chain(node.inputs[0]!, from), dense(transpose(w), null, source, true)];
      }
      case 'Add':
        return this.add(node, from, where, source);
      case 'BatchNormalization': {
        // training_mode 1 (torch.onnx.export in training mode, which keeps a conv's BatchNorm: evaluation mode
        // folds it into the conv's weights) is the same layer: VGNet trains it in training mode either way.
        const training = (node.attributes.get('training_mode')?.i ?? 0) !== 0;
        const scale = this.tensor(node.inputs[1]!, where);
        const bias = this.tensor(node.inputs[2]!, where);
        const eps = node.attributes.get('epsilon')?.f ?? 1e-5;
        const momentum = node.attributes.get('momentum')?.f ?? 0.9;
        const layer: WeightedLayer = {
          json: { type: 'batchnorm', eps: round(eps), momentum: round(1 - momentum) },
          source: `${source}: momentum ${round(momentum)} in ONNX's convention${training ? ', exported in training mode' : ''}`,
          tensors: { gamma: scale, beta: bias },
        };
        return [...this.chain(node.inputs[0]!, from), layer];
      }
      default:
        throw new ImportError(`${where}: the operator ${node.opType} cannot be expressed in a VGNet spec`);
    }
  }

  private shapeOf(tensor: string): number[] {
    const shape = this.shapes.get(tensor);
    if (!shape) throw new ImportError(`tensor "${tensor}": its shape is not known (not the input or a fork)`);
    return shape;
  }

  /** Integer values of a stored or constant-computed tensor, or null. */
  private ints(name: string | undefined): number[] | null {
    if (!name) return null;
    const stored = this.constants.get(name);
    if (stored?.ints) return stored.ints;
    return this.fold(name)?.ints ?? null;
  }

  /**
   * Constant folding of the integer ops torch.onnx writes for F.pad's paddings (Constant, ConstantOfShape, Concat,
   * Reshape, Slice with step −1, Transpose, Cast): enough to read them, no more.
   */
  private fold(name: string, depth = 0): { dims: number[]; ints: number[] } | null {
    const known = this.folded.get(name);
    if (known) return known;
    const stored = this.constants.get(name);
    if (stored?.ints) return { dims: stored.dims, ints: stored.ints };
    const node = this.producer.get(name);
    if (!node || depth > 32) return null;
    const arg = (i: number): { dims: number[]; ints: number[] } | null =>
      node.inputs[i] ? this.fold(node.inputs[i]!, depth + 1) : null;
    let out: { dims: number[]; ints: number[] } | null = null;
    switch (node.opType) {
      case 'ConstantOfShape': {
        const shape = arg(0);
        const value = node.attributes.get('value')?.t;
        const v = value?.ints?.[0] ?? value?.data[0] ?? 0;
        if (shape) out = { dims: shape.ints, ints: new Array<number>(shape.ints.reduce((a, b) => a * b, 1)).fill(v) };
        break;
      }
      case 'Concat': {
        const parts = node.inputs.map((_, i) => arg(i));
        if (parts.every((p) => p !== null && p.dims.length === 1))
          out = { dims: [parts.reduce((a, p) => a + p!.ints.length, 0)], ints: parts.flatMap((p) => p!.ints) };
        break;
      }
      case 'Reshape': {
        const data = arg(0);
        const shape = arg(1);
        if (data && shape) {
          const known = shape.ints.filter((d) => d > 0).reduce((a, b) => a * b, 1);
          out = { dims: shape.ints.map((d) => (d === -1 ? data.ints.length / known : d)), ints: data.ints };
        }
        break;
      }
      case 'Slice': {
        // Along axis 0 of a [rows, cols] tensor: torch reverses the (begin, end) pairs with step −1.
        const data = arg(0);
        const [starts, ends, axes, steps] = [arg(1), arg(2), arg(3), arg(4)];
        if (data && starts && ends && (axes?.ints[0] ?? 0) === 0) {
          const rows = data.dims[0]!;
          const cols = data.ints.length / rows;
          const step = steps?.ints[0] ?? 1;
          const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
          const at = (v: number): number => (v < 0 ? v + rows : v);
          const picked: number[] = [];
          if (step > 0)
            for (let r = clamp(at(starts.ints[0]!), 0, rows); r < clamp(at(ends.ints[0]!), 0, rows); r += step)
              picked.push(r);
          else
            for (
              let r = clamp(at(starts.ints[0]!), -1, rows - 1);
              r > clamp(at(ends.ints[0]!), -1, rows - 1);
              r += step
            )
              picked.push(r);
          out = {
            dims: [picked.length, ...data.dims.slice(1)],
            ints: picked.flatMap((r) => data.ints.slice(r * cols, (r + 1) * cols)),
          };
        }
        break;
      }
      case 'Transpose': {
        const data = arg(0);
        if (data && data.dims.length === 2) {
          const [rows, cols] = data.dims as [number, number];
          const ints = new Array<number>(rows * cols);
          for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) ints[c * rows + r] = data.ints[r * cols + c]!;
          out = { dims: [cols, rows], ints };
        }
        break;
      }
      case 'Cast':
      case 'Identity':
        out = arg(0);
        break;
    }
    if (out) this.folded.set(name, out);
    return out;
  }

  /**
   * The tensor under constant-mode Pad nodes, their paddings added per spatial axis ([before, after]), and the
   * padding value (0, or −∞ for a max pooling's).
   */
  private unpad(name: string): { input: string; pads: [number, number][] | null; value: number } {
    let input = name;
    let pads: [number, number][] | null = null;
    let value = 0;
    for (let node = this.producer.get(input); node?.opType === 'Pad'; node = this.producer.get(input)) {
      const where = `node "${node.name || node.outputs[0]}" (Pad)`;
      const mode = node.attributes.get('mode')?.s ?? 'constant';
      if (mode !== 'constant') throw new ImportError(`${where}: ${mode} padding`);
      const p = this.ints(node.inputs[1]) ?? node.attributes.get('pads')?.ints ?? null;
      if (!p) throw new ImportError(`${where}: paddings computed from the input (VGNet reads constant ones)`);
      const rank = p.length / 2;
      if (p[0] !== 0 || p[1] !== 0 || p[rank] !== 0 || p[rank + 1] !== 0)
        throw new ImportError(`${where}: padding the batch or channel axis`);
      if (p.some((v) => v < 0)) throw new ImportError(`${where}: negative padding (cropping)`);
      const v = this.scalar(node.inputs[2]) ?? 0;
      if (v !== 0 && v !== -Infinity) throw new ImportError(`${where}: padding with ${v}`);
      if (pads !== null && v !== value && p.some((x) => x !== 0))
        throw new ImportError(`${where}: paddings of two values`);
      if (p.some((x) => x !== 0)) value = v;
      const axes = Array.from({ length: rank - 2 }, (_, a): [number, number] => [p[a + 2]!, p[rank + a + 2]!]);
      pads = pads ? pads.map(([b, e], a) => [b + axes[a]![0], e + axes[a]![1]]) : axes;
      input = node.inputs[0]!;
    }
    return { input, pads, value };
  }

  /** A tensor of ones the size of the input: ConstantOfShape(1) (the exporter's count of real elements). */
  private isOnes(name: string): boolean {
    const node = this.producer.get(name);
    if (node?.opType !== 'ConstantOfShape') return false;
    const t = node.attributes.get('value')?.t;
    return (t?.data[0] ?? t?.ints?.[0]) === 1;
  }

  /** pads/auto_pad of a Conv or pooling node plus the Pads before it → 'valid' or TF's 'same', or an error. */
  private padding(
    node: OnnxNode,
    where: string,
    dims: number[],
    window: { kernel: number[]; stride: number[]; dilation: number[] },
    before: [number, number][] | null,
  ): 'valid' | 'same' {
    const rank = dims.length;
    const auto = node.attributes.get('auto_pad')?.s ?? 'NOTSET';
    let pads: [number, number][];
    if (auto === 'VALID') pads = dims.map(() => [0, 0]);
    else if (auto === 'SAME_UPPER')
      pads = dims.map((L, a) => samePadding(L, window.kernel[a]!, window.stride[a]!, window.dilation[a]!));
    else if (auto === 'NOTSET') {
      const p = node.attributes.get('pads')?.ints ?? new Array<number>(2 * rank).fill(0);
      pads = dims.map((_, a) => [p[a]!, p[a + rank]!]);
    } else throw new ImportError(`${where}: auto_pad ${auto} (VGNet's 'same' pads the far side more, as SAME_UPPER)`);
    if (before) pads = pads.map(([b, e], a) => [b + before[a]![0], e + before[a]![1]]);
    if (pads.every(([b, e]) => b === 0 && e === 0)) return 'valid';
    const same = dims.map((L, a) => samePadding(L, window.kernel[a]!, window.stride[a]!, window.dilation[a]!));
    if (pads.every(([b, e], a) => b === same[a]![0] && e === same[a]![1])) return 'same';
    throw new ImportError(
      `${where}: padding ${JSON.stringify(pads)} is neither none nor TF's 'same' (${JSON.stringify(same)}) for input [${dims.join(', ')}]`,
    );
  }

  private conv(node: OnnxNode, from: string, where: string, source: string): WeightedLayer[] {
    const a = node.attributes;
    if ((a.get('group')?.i ?? 1) !== 1)
      throw new ImportError(`${where}: grouped convolution (group ${a.get('group')?.i})`);
    const w = this.tensor(node.inputs[1]!, where);
    const rank = w.dims.length - 2;
    if (rank !== 1 && rank !== 2) throw new ImportError(`${where}: a ${rank}-d convolution`);
    const { input, pads, value } = this.unpad(node.inputs[0]!);
    if (value !== 0) throw new ImportError(`${where}: padding with ${value}`);
    const layers = this.chain(input, from);
    const shape = shapeAfter(layers, this.shapeOf(from));
    if (shape.length !== rank + 1 || shape[0] !== w.dims[1])
      throw new ImportError(`${where}: a ${rank}-d convolution of a [${shape.join(', ')}] tensor`);
    const kernel = w.dims.slice(2);
    const stride = a.get('strides')?.ints ?? kernel.map(() => 1);
    const dilation = a.get('dilations')?.ints ?? kernel.map(() => 1);
    const padding = this.padding(node, where, shape.slice(1), { kernel, stride, dilation }, pads);
    const bias = node.inputs[2] ? this.tensor(node.inputs[2], where) : null;
    const json: Json = { type: rank === 1 ? 'conv1d' : 'conv2d', filters: w.dims[0], kernel: perAxis(kernel) };
    if (stride.some((v) => v !== 1)) json.stride = perAxis(stride);
    if (padding === 'same') json.padding = 'same';
    if (dilation.some((v) => v !== 1)) json.dilation = perAxis(dilation);
    const std = stdOf(w.data);
    Object.assign(json, {
      activation: 'linear',
      init: { name: 'normal', scale: round(Math.max(std, 1e-12)) },
      biasInit: 0,
    });
    const tensors: WeightedLayer['tensors'] = { weight: { dims: w.dims, data: w.data } };
    if (bias) tensors.bias = { dims: [bias.data.length], data: bias.data };
    return [...layers, { json, source: `${source}, stored weights std ${round(std).toPrecision(3)}`, tensors }];
  }

  /** MaxPool / AveragePool; `exclude`: the average of a Div pattern, over the real elements only. */
  private pool(
    node: OnnxNode,
    exclude: 'exclude' | null,
    from: string,
    where: string,
    source: string,
  ): WeightedLayer[] {
    const a = node.attributes;
    const max = node.opType === 'MaxPool';
    if ((a.get('ceil_mode')?.i ?? 0) !== 0) throw new ImportError(`${where}: ceil_mode`);
    if (node.outputs.length > 1 && node.outputs[1]) throw new ImportError(`${where}: the indices output`);
    const kernel = a.get('kernel_shape')?.ints ?? [];
    if (kernel.length !== 1 && kernel.length !== 2) throw new ImportError(`${where}: a ${kernel.length}-d window`);
    if ((a.get('dilations')?.ints ?? []).some((d) => d !== 1)) throw new ImportError(`${where}: dilated pooling`);
    const { input, pads, value } = this.unpad(node.inputs[0]!);
    const layers = this.chain(input, from);
    const shape = shapeAfter(layers, this.shapeOf(from));
    if (shape.length !== kernel.length + 1)
      throw new ImportError(`${where}: ${kernel.length}-d pooling of a [${shape.join(', ')}] tensor`);
    const stride = a.get('strides')?.ints ?? kernel.map(() => 1);
    const padding = this.padding(node, where, shape.slice(1), { kernel, stride, dilation: kernel.map(() => 1) }, pads);
    const padded = pads?.some(([b, e]) => b + e > 0) ?? false;
    // Padding must never count: −∞ under a max; for an average, the count of real elements only.
    if (max && padded && value !== -Infinity) throw new ImportError(`${where}: a max over padding of ${value}`);
    if (!max && padded && exclude === null)
      throw new ImportError(`${where}: an average that counts padding (VGNet's, as Keras', counts real elements only)`);
    if (!max && (a.get('count_include_pad')?.i ?? 0) !== 0 && padding === 'same')
      throw new ImportError(`${where}: count_include_pad (VGNet's average, as Keras', counts real elements only)`);
    const json: Json = { type: max ? 'maxpool' : 'avgpool', pool: perAxis(kernel) };
    if (stride.some((v, i) => v !== kernel[i])) json.stride = perAxis(stride);
    if (padding === 'same') json.padding = 'same';
    return [...layers, { json, source }];
  }

  /**
   * A recurrent op as torch.onnx writes a batch_first nn.RNN/LSTM/GRU: Transpose(x) → op → Squeeze(Y, 1) →
   * Transpose (every step), then Gather(−1, axis 1) for the last step only; or Squeeze(Y_h, 0), the last step.
   */
  private recurrentOutput(node: OnnxNode, from: string, where: string): WeightedLayer[] {
    const fail = (what: string): never => {
      throw new ImportError(`${where}: ${what}`);
    };
    let n: OnnxNode | undefined = node;
    let last = false;
    // h_n[-1]: Gather(−1, axis 0) of Y_h (or of the Concat of a stacked nn.LSTM's Y_h's): the last layer's last step.
    if (n.opType === 'Gather' && (n.attributes.get('axis')?.i ?? 0) === 0) {
      const index = this.ints(n.inputs[1]);
      let source = n.inputs[0]!;
      const concat = this.producer.get(source);
      if (concat?.opType === 'Concat' && (concat.attributes.get('axis')?.i ?? 0) === 0) source = concat.inputs.at(-1)!;
      const op = this.producer.get(source);
      // -1: the last layer's; 0 is the last only when there is one layer (no Concat).
      const lastLayer = index?.length === 1 && (index[0] === -1 || (concat?.opType !== 'Concat' && index[0] === 0));
      if (!op || !['RNN', 'LSTM', 'GRU'].includes(op.opType) || op.outputs.indexOf(source) !== 1 || !lastLayer)
        return fail('a Gather that is not the last step of a sequence');
      return this.recurrent(op, false, from);
    }
    if (n.opType === 'Gather') {
      if ((n.attributes.get('axis')?.i ?? 0) !== 1) fail('a Gather that is not the last step of a sequence');
      const index = this.ints(n.inputs[1]);
      if (!index || index.length !== 1 || index[0] !== -1) fail('a Gather that is not the last step of a sequence');
      last = true;
      n = this.producer.get(n.inputs[0]!);
    }
    if (n?.opType === 'Transpose') {
      const perm = n.attributes.get('perm')?.ints ?? [];
      if (perm.join(',') !== '1,0,2') fail("a Transpose that is not a recurrent layer's output");
      n = this.producer.get(n.inputs[0]!);
      if (n?.opType !== 'Squeeze') fail("a Transpose that is not a recurrent layer's output");
    }
    if (n?.opType !== 'Squeeze') return fail(`the operator ${node.opType} outside a recurrent layer`);
    const axes = this.ints(n.inputs[1]) ?? n.attributes.get('axes')?.ints ?? [];
    const op = this.producer.get(n.inputs[0]!);
    if (!op || !['RNN', 'LSTM', 'GRU'].includes(op.opType))
      return fail("a Squeeze that is not a recurrent layer's output");
    const output = op.outputs.indexOf(n.inputs[0]!);
    if (output === 1 && axes.join(',') === '0') last = true;
    else if (!(output === 0 && axes.join(',') === '1' && n !== node)) fail('an unexpected view of a recurrent output');
    return this.recurrent(op, !last, from);
  }

  private recurrent(node: OnnxNode, returnSequences: boolean, from: string): WeightedLayer[] {
    const where = `node "${node.name || node.outputs[0]}" (${node.opType})`;
    const source = `${node.name || node.outputs[0]} (${node.opType})`;
    const a = node.attributes;
    const kind = node.opType === 'RNN' ? 'simple_rnn' : node.opType === 'LSTM' ? 'lstm' : 'gru';
    const fail = (what: string): never => {
      throw new ImportError(`${where}: ${what} cannot be expressed in a VGNet spec`);
    };
    if ((a.get('direction')?.s ?? 'forward') !== 'forward') fail(`direction ${a.get('direction')?.s}`);
    if ((a.get('layout')?.i ?? 0) !== 0) fail('layout 1');
    if (a.get('clip')) fail('clipping the cell');
    if ((a.get('input_forget')?.i ?? 0) !== 0) fail('input_forget (coupled input and forget gates)');
    if (kind === 'gru' && (a.get('linear_before_reset')?.i ?? 0) !== 1)
      fail(
        "linear_before_reset 0 (the reset gate before the recurrent matmul; VGNet's GRU is PyTorch's, linear_before_reset 1)",
      );
    const names = this.activationNames(node);
    const expected = kind === 'lstm' ? ['Sigmoid', 'Tanh', 'Tanh'] : kind === 'gru' ? ['Sigmoid', 'Tanh'] : null;
    if (expected && names.length > 0 && names.join(',') !== expected.join(',')) fail(`activations ${names.join(', ')}`);
    const rnnActivation = kind === 'simple_rnn' ? (names[0] ?? 'Tanh') : 'Tanh';
    if (rnnActivation !== 'Tanh' && rnnActivation !== 'Relu') fail(`the activation ${rnnActivation}`);
    if (node.inputs[4]) fail('sequence_lens');
    if (node.inputs[7]) fail('peepholes');
    for (const i of [5, 6])
      if (node.inputs[i] && !this.isZeros(node.inputs[i]!)) fail('an initial state that is not zero');
    const x = this.producer.get(node.inputs[0]!);
    // A stacked nn.LSTM(num_layers > 1): the layer below's every step, Squeeze(Y, 1), still steps-first.
    const below = x?.opType === 'Squeeze' ? this.producer.get(x.inputs[0]!) : undefined;
    const stacked =
      below !== undefined &&
      ['RNN', 'LSTM', 'GRU'].includes(below.opType) &&
      below.outputs.indexOf(x!.inputs[0]!) === 0 &&
      (this.ints(x!.inputs[1]) ?? x!.attributes.get('axes')?.ints ?? []).join(',') === '1';
    if (!stacked && (x?.opType !== 'Transpose' || (x.attributes.get('perm')?.ints ?? []).join(',') !== '1,0,2'))
      fail('a sequence that is not batch-first (a Transpose of the [batch, steps, features] input)');
    const layers = stacked ? this.recurrent(below!, true, from) : this.chain(x!.inputs[0]!, from);
    const shape = shapeAfter(layers, this.shapeOf(from));
    if (shape.length !== 2) fail(`a recurrent layer on a [${shape.join(', ')}] tensor`);
    const units = a.get('hidden_size')?.i ?? 0;
    const gates = kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1;
    // ONNX's gate order → PyTorch's (LSTM i, o, f, c → i, f, g, o; GRU z, r, h → r, z, n).
    const order = kind === 'lstm' ? [0, 2, 3, 1] : kind === 'gru' ? [1, 0, 2] : [0];
    const w = this.tensor(node.inputs[1]!, where);
    const r = this.tensor(node.inputs[2]!, where);
    if (w.dims.join(',') !== `1,${gates * units},${shape[1]}` || r.dims.join(',') !== `1,${gates * units},${units}`)
      fail(`weights of shape [${w.dims.join(', ')}] and [${r.dims.join(', ')}]`);
    const reorder = (data: Float32Array, cols: number): Float32Array => {
      const out = new Float32Array(data.length);
      order.forEach((from, to) =>
        out.set(data.subarray(from * units * cols, (from + 1) * units * cols), to * units * cols),
      );
      return out;
    };
    const b = node.inputs[3] ? this.tensor(node.inputs[3], where).data : new Float32Array(2 * gates * units);
    const rows = gates * units;
    const tensors: WeightedLayer['tensors'] = {
      weight: { dims: [rows, shape[1]!], data: reorder(w.data, shape[1]!) },
      recurrentWeight: { dims: [rows, units], data: reorder(r.data, units) },
      bias: { dims: [rows], data: reorder(b.subarray(0, rows), 1) },
      recurrentBias: { dims: [rows], data: reorder(b.subarray(rows, 2 * rows), 1) },
    };
    const json: Json = { type: kind, units };
    if (kind === 'simple_rnn') json.activation = rnnActivation.toLowerCase();
    json.init = { name: 'normal', scale: round(Math.max(stdOf(w.data), 1e-12)) };
    json.recurrentInit = { name: 'normal', scale: round(Math.max(stdOf(r.data), 1e-12)) };
    json.biasInit = 0;
    if (kind === 'lstm') {
      // Without the parameters file: the forget gate's stored bias on average (b_ih + b_hh).
      const f = tensors.bias!.data.subarray(units, 2 * units);
      const fh = tensors.recurrentBias!.data.subarray(units, 2 * units);
      json.forgetBias = round(mean(f) + mean(fh));
    }
    if (returnSequences) json.returnSequences = true;
    return [...layers, { json, source: `${source}, ${returnSequences ? 'every step' : 'the last step'}`, tensors }];
  }

  private activationNames(node: OnnxNode): string[] {
    return node.attributes.get('activations')?.strings ?? [];
  }

  /** Zeros: an Expand (or ConstantOfShape) of a stored all-zero tensor (torch's h0 = 0). */
  private isZeros(name: string): boolean {
    const node = this.producer.get(name);
    const source = node?.opType === 'Expand' ? node.inputs[0]! : name;
    const t = this.constants.get(source);
    if (t) return t.data.every((v) => v === 0);
    const n = this.producer.get(source);
    return n?.opType === 'ConstantOfShape' && (n.attributes.get('value')?.t?.data[0] ?? 0) === 0;
  }

  private gemm(node: OnnxNode, from: string, where: string, source: string): WeightedLayer[] {
    const a = node.attributes;
    if ((a.get('transA')?.i ?? 0) !== 0) throw new ImportError(`${where}: transA`);
    if ((a.get('alpha')?.f ?? 1) !== 1 || (a.get('beta')?.f ?? 1) !== 1)
      throw new ImportError(`${where}: alpha or beta other than 1`);
    const w = this.tensor(node.inputs[1]!, where);
    if (w.dims.length !== 2) throw new ImportError(`${where}: a ${w.dims.length}-D weight`);
    const weight = (a.get('transB')?.i ?? 0) === 1 ? w : transpose(w);
    const bias = node.inputs[2] ? this.tensor(node.inputs[2], where) : null;
    if (bias && bias.data.length !== weight.dims[0])
      throw new ImportError(`${where}: a bias of ${bias.data.length} for ${weight.dims[0]} units`);
    return [...this.chain(node.inputs[0]!, from), dense(weight, bias, source, bias === null)];
  }

  private add(node: OnnxNode, from: string, where: string, source: string): WeightedLayer[] {
    const [x, y] = node.inputs as [string, string];
    const stored = this.constants.has(x) ? x : this.constants.has(y) ? y : null;
    if (stored !== null) {
      // MatMul + Add: a dense layer's bias.
      const computed = stored === x ? y : x;
      const layers = this.chain(computed, from);
      const last = layers[layers.length - 1];
      const bias = this.tensor(stored, where);
      if (!last || last.json.noBias !== true || bias.data.length !== last.json.units)
        throw new ImportError(`${where}: adds a stored tensor to something that is not a MatMul's output`);
      last.json.noBias = undefined;
      last.json.biasInit = 0;
      last.tensors!.bias = { dims: [bias.data.length], data: bias.data };
      last.source = `${last.source} + ${source}`;
      return layers;
    }
    const fork = this.fork(x, y);
    const prefix = this.chain(fork, from);
    this.shapes.set(fork, shapeAfter(prefix, this.shapeOf(from)));
    const left = this.chain(x, fork);
    const right = this.chain(y, fork);
    const skipOf = (l: WeightedLayer[]): boolean =>
      l.length === 0 ||
      (l.length === 1 &&
        l[0]!.json.type === 'dense' &&
        l[0]!.json.noBias === true &&
        l[0]!.json.activation === 'linear');
    const [skip, branch] = skipOf(left) && !skipOf(right) ? [left, right] : [right, left];
    if (!skipOf(skip)) throw new ImportError(`${where}: neither input is a skip path (the input, or one MatMul)`);
    if (branch.length === 0) throw new ImportError(`${where}: adds a tensor to itself`);
    const json: Json = { type: 'residual' };
    const block: WeightedLayer = { json, source: `${source}: a residual block`, branch };
    if (skip.length === 1) {
      json.projection = true;
      json.projectionInit = skip[0]!.json.init;
      block.tensors = { projection: skip[0]!.tensors!.weight! };
      block.source = `${source}: a residual block, skip projection ${skip[0]!.source}`;
    }
    return [...prefix, block];
  }

  private fork(a: string, b: string): string {
    const ancestors = new Set<string>();
    const stack = [a];
    while (stack.length > 0) {
      const t = stack.pop()!;
      if (ancestors.has(t)) continue;
      ancestors.add(t);
      for (const i of this.producer.get(t)?.inputs ?? []) if (!this.constants.has(i)) stack.push(i);
    }
    const queue = [b];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const t = queue.shift()!;
      if (ancestors.has(t)) return t;
      if (seen.has(t)) continue;
      seen.add(t);
      for (const i of this.producer.get(t)?.inputs ?? []) if (!this.constants.has(i)) queue.push(i);
    }
    throw new ImportError(`"${a}" and "${b}" share no input: not a residual block`);
  }

  /** An activation op, or one of the patterns exporters write for activations ONNX had no op for. */
  private activationPattern(node: OnnxNode): { activation: string; input: string; json?: Json } | null {
    const op = node.opType;
    const by = (name: string | undefined): OnnxNode | undefined => (name ? this.producer.get(name) : undefined);
    const simple = SIMPLE[op];
    if (simple) return { activation: simple, input: node.inputs[0]! };
    if (op === 'LeakyRelu')
      return {
        activation: 'leaky_relu',
        input: node.inputs[0]!,
        json: { alpha: round(node.attributes.get('alpha')?.f ?? 0.01) },
      };
    if (op === 'Elu')
      return {
        activation: 'elu',
        input: node.inputs[0]!,
        json: { alpha: round(node.attributes.get('alpha')?.f ?? 1) },
      };
    if (op === 'Softmax') {
      const axis = node.attributes.get('axis')?.i ?? -1;
      if (axis !== 1 && axis !== -1) throw new ImportError(`node "${node.name}" (Softmax): over axis ${axis}`);
      return { activation: 'softmax', input: node.inputs[0]! };
    }
    if (op === 'HardSigmoid') {
      const alpha = node.attributes.get('alpha')?.f ?? 0.2;
      const beta = node.attributes.get('beta')?.f ?? 0.5;
      if (Math.abs(alpha - 1 / 6) > 1e-6 || Math.abs(beta - 0.5) > 1e-6)
        throw new ImportError(
          `node "${node.name}" (HardSigmoid): alpha ${alpha}, beta ${beta} (VGNet's is PyTorch's, 1/6 and 0.5)`,
        );
      return { activation: 'hard_sigmoid', input: node.inputs[0]! };
    }
    if (op === 'Clip') {
      const lo = this.scalar(node.inputs[1]) ?? node.attributes.get('min')?.f ?? null;
      const hi = this.scalar(node.inputs[2]) ?? node.attributes.get('max')?.f ?? null;
      // torch.onnx writes relu6 as Relu then Clip(0, 6): one relu6 (relu6 ∘ relu = relu6).
      const relu = by(node.inputs[0]);
      if (lo === 0 && hi === 6)
        return { activation: 'relu6', input: relu?.opType === 'Relu' ? relu.inputs[0]! : node.inputs[0]! };
      throw new ImportError(
        `node "${node.name}" (Clip): clipping to [${lo}, ${hi}] (only [0, 6], relu6, is an activation)`,
      );
    }
    if (op === 'PRelu') {
      const slope = this.tensor(node.inputs[1]!, `node "${node.name}" (PRelu)`);
      return { activation: 'prelu', input: node.inputs[0]!, json: { alpha: round(mean(slope.data)), slopes: slope } };
    }
    if (op === 'Mul') {
      const [a, b] = node.inputs as [string, string];
      for (const [x, y] of [
        [a, b],
        [b, a],
      ] as const) {
        const other = by(y);
        // swish: x·σ(x); mish: x·tanh(softplus(x))
        if (other?.opType === 'Sigmoid' && other.inputs[0] === x) return { activation: 'swish', input: x };
        if (
          other?.opType === 'Tanh' &&
          by(other.inputs[0])?.opType === 'Softplus' &&
          by(other.inputs[0])!.inputs[0] === x
        )
          return { activation: 'mish', input: x };
        // gelu: (x·(erf(x/√2) + 1))·0.5
        const half = this.scalar(y);
        const inner = by(x);
        if (half !== null && Math.abs(half - 0.5) < 1e-6 && inner?.opType === 'Mul') {
          const [p, q] = inner.inputs as [string, string];
          for (const [v, w] of [
            [p, q],
            [q, p],
          ] as const) {
            const plus = by(w);
            const erf = plus?.opType === 'Add' ? by(plus.inputs.find((i) => this.scalar(i) === null)) : undefined;
            const div = erf?.opType === 'Erf' ? by(erf.inputs[0]) : undefined;
            if (
              div?.opType === 'Div' &&
              div.inputs[0] === v &&
              Math.abs((this.scalar(div.inputs[1]) ?? 0) - Math.SQRT2) < 1e-4
            )
              return { activation: 'gelu', input: v };
          }
        }
      }
    }
    if (op === 'Div') {
      // softsign: x / (|x| + 1)
      const plus = by(node.inputs[1]);
      const abs = plus?.opType === 'Add' ? plus.inputs.map(by).find((n) => n?.opType === 'Abs') : undefined;
      if (abs && abs.inputs[0] === node.inputs[0]) return { activation: 'softsign', input: node.inputs[0]! };
    }
    return null;
  }

  private activation(name: string, input: string, from: string, source: string, extra?: Json): WeightedLayer[] {
    if (!(ACTIVATION_NAMES as readonly string[]).includes(name))
      throw new ImportError(`${source}: the activation ${name} is not in this VGNet version`);
    const layers = this.chain(input, from);
    const last = layers[layers.length - 1];
    const slopes = extra?.slopes as OnnxTensor | undefined;
    const json: Json = { activation: extra?.alpha !== undefined ? { name, alpha: extra.alpha } : name };
    // Fused into the dense layer before it, as VGNet's dense layers carry their activation.
    const conv = last?.json.type === 'conv1d' || last?.json.type === 'conv2d';
    if (
      last &&
      (last.json.type === 'dense' || conv) &&
      last.json.activation === 'linear' &&
      last.json.noBias !== true
    ) {
      Object.assign(last.json, json);
      last.source = `${last.source} + ${source}`;
      // VGNet's conv PReLU has a slope per output value (Keras' default). PyTorch's nn.PReLU(C) has one per
      // channel ([C, 1, 1]): exact when they are all equal (then "alpha" says it); otherwise not expressible.
      if (slopes && conv && slopes.data.length === last.json.filters && slopes.data.length > 1) {
        if (slopes.data.some((v) => v !== slopes.data[0]))
          throw new ImportError(
            `${source}: per-channel PReLU slopes after a conv (VGNet's conv PReLU has one slope per output value, or one alpha)`,
          );
        last.json.activation = { name, alpha: round(slopes.data[0]!) };
      } else if (slopes && conv && slopes.data.length === 1) {
        last.json.activation = { name, alpha: round(slopes.data[0]!) };
      } else if (slopes && !conv) last.tensors!.slope = expand(slopes, last.json.units as number);
      else if (slopes) last.tensors!.slope = { dims: [slopes.data.length], data: slopes.data };
      return layers;
    }
    // The width the slopes belong to: the last dense layer before it (0 when none: the slope count decides).
    const width = widthOf(layers, 0);
    if (slopes && layers.some((l) => !['dense', 'activation', 'batchnorm'].includes(l.json.type as string)))
      throw new ImportError(`${source}: a PReLU that is not right after a dense or conv layer`);
    const layer: WeightedLayer = { json: { type: 'activation', ...json }, source };
    if (slopes) layer.tensors = { slope: expand(slopes, width || slopes.data.length) };
    return [...layers, layer];
  }
}

function dense(weight: OnnxTensor, bias: OnnxTensor | null, source: string, noBias: boolean): WeightedLayer {
  const [out] = weight.dims as [number, number];
  const std = Math.sqrt(
    weight.data.reduce((s, v) => s + v * v, 0) / Math.max(1, weight.data.length) - mean(weight.data) ** 2,
  );
  const json: Json = {
    type: 'dense',
    units: out,
    activation: 'linear',
    init: { name: 'normal', scale: round(Math.max(std, 1e-12)) },
  };
  if (noBias) json.noBias = true;
  else json.biasInit = 0;
  const tensors: WeightedLayer['tensors'] = { weight: { dims: weight.dims, data: weight.data } };
  if (bias) tensors.bias = { dims: [bias.data.length], data: bias.data };
  return { json, source: `${source}, stored weights std ${round(std).toPrecision(3)}`, tensors };
}

function stdOf(data: Float32Array): number {
  return Math.sqrt(Math.max(0, data.reduce((s, v) => s + v * v, 0) / Math.max(1, data.length) - mean(data) ** 2));
}

function perAxis(values: number[]): number | number[] {
  return values.every((v) => v === values[0]) ? values[0]! : values;
}

function transpose(t: OnnxTensor): OnnxTensor {
  const [rows, cols] = t.dims as [number, number];
  const data = new Float32Array(t.data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[c * rows + r] = t.data[r * cols + c]!;
  return { name: t.name, dims: [cols, rows], data };
}

function expand(t: OnnxTensor, units: number): { dims: number[]; data: Float32Array } {
  if (t.data.length === units) return { dims: [units], data: t.data };
  if (t.data.length === 1) return { dims: [units], data: new Float32Array(units).fill(t.data[0]!) };
  throw new ImportError(`PRelu slope of ${t.data.length} values for ${units} units`);
}

function mean(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return a.length > 0 ? s / a.length : 0;
}

function round(v: number): number {
  return Number(v.toPrecision(7));
}
