/**
 * ONNX → spec: MLP graphs of Gemm (or MatMul + Add), the activation ops (and the patterns exporters write for
 * GELU, SiLU/swish, Mish and softsign), BatchNormalization, Add of two computed tensors (a residual block, the skip
 * an identity or a bias-free MatMul projection), Identity/Dropout/Flatten. ONNX files carry weights: they become
 * the spec's `parameters` file (vgnet-init/1, the format of --save-init), and each dense layer's initialiser is a
 * normal of the stored weights' standard deviation (used when the parameters file is removed). Pure.
 */
import { ACTIVATION_NAMES } from '../spec/names';
import { ImportError } from './import-keras';
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
  const g = new Graph(graph);
  const notes: string[] = [];
  const inputs = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  if (inputs.length !== 1) throw new ImportError(`the graph has ${inputs.length} inputs; VGNet models have one`);
  if (graph.outputs.length !== 1)
    throw new ImportError(`the graph has ${graph.outputs.length} outputs; VGNet models have one`);
  const shape = inputs[0]!.shape;
  if (!shape || shape.length !== 2 || shape[1] === null || shape[1]! < 1)
    throw new ImportError(
      `input "${inputs[0]!.name}" has shape ${JSON.stringify(shape)}; VGNet's models take [batch, features]`,
    );
  const input = shape[1]!;
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
  const outputs = widthOf(layers, input);
  return {
    spec: {
      name: fileName.replace(/\.onnx$/i, ''),
      description: `Imported from ${fileName} (ONNX, opset ${graph.opset}${graph.producer ? `, ${graph.producer}` : ''}) by vgnet import.`,
      input,
      layers,
      loss,
      optimizer: null,
      training: { steps: 200, batchSize: 64, seed: 1 },
      data:
        loss === 'mse'
          ? { source: 'teacher', samples: 1000 }
          : { source: 'blobs', samples: 1000, classes: loss === 'crossentropy' ? Math.max(2, outputs) : 2 },
      notes: [
        `Imported from ${fileName} by vgnet import; each layer's comment names its ONNX node.`,
        `"parameters" loads the file's weights (${parametersFile}); without it, each dense layer draws from a normal of its stored weights' std.`,
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

function nested(data: Float32Array, dims: number[]): unknown {
  if (dims.length <= 1) return Array.from(data);
  const [rows, cols] = [dims[0]!, data.length / dims[0]!];
  return Array.from({ length: rows }, (_, r) => Array.from(data.subarray(r * cols, (r + 1) * cols)));
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

  constructor(g: OnnxGraph) {
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
      case 'Flatten':
        return this.chain(node.inputs[0]!, from);
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
        if ((node.attributes.get('training_mode')?.i ?? 0) !== 0)
          throw new ImportError(`${where}: exported in training mode`);
        const scale = this.tensor(node.inputs[1]!, where);
        const bias = this.tensor(node.inputs[2]!, where);
        const eps = node.attributes.get('epsilon')?.f ?? 1e-5;
        const momentum = node.attributes.get('momentum')?.f ?? 0.9;
        const layer: WeightedLayer = {
          json: { type: 'batchnorm', eps: round(eps), momentum: round(1 - momentum) },
          source: `${source}: momentum ${round(momentum)} in ONNX's convention`,
          tensors: { gamma: scale, beta: bias },
        };
        return [...this.chain(node.inputs[0]!, from), layer];
      }
      default:
        throw new ImportError(`${where}: the operator ${node.opType} cannot be expressed in a VGNet spec`);
    }
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
    if (last && last.json.type === 'dense' && last.json.activation === 'linear' && last.json.noBias !== true) {
      Object.assign(last.json, json);
      last.source = `${last.source} + ${source}`;
      if (slopes) last.tensors!.slope = expand(slopes, last.json.units as number);
      return layers;
    }
    // The width the slopes belong to: the last dense layer before it (0 when none: the slope count decides).
    const width = widthOf(layers, 0);
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
