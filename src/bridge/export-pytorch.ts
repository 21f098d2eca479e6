/**
 * `vgnet export --to pytorch`: a spec as a standalone, readable PyTorch program — the nn.Module with the spec's
 * initialisation written out (not PyTorch's defaults), its optimizer, loss, clipping and weight decay, the same
 * samples (written beside it as float32), and a harness that trains it and records VGNet's per-layer statistics.
 * Pure: config and data in, text and bytes out (the CLI and the editor write them). Mapping: docs/bridge.md.
 */
import type {
  ActivationConfig,
  Dataset,
  InitConfig,
  LayerConfig,
  ModelConfig,
  OptimizerConfig,
  RecurrentConfig,
  Shape,
} from '../engine/config';
import { samePadding } from '../engine/layers/conv-geometry';
import { PYTHON_RUNTIME } from './python-runtime';

export interface PytorchExport {
  /** The program (model.py). */
  python: string;
  /** The samples: little-endian float32, x (samples × features) then y (samples × targetWidth). */
  data: Uint8Array;
}

export interface ExportNames {
  /** The spec's file name, for the header. */
  spec: string;
  /** The data file's name, beside the program. */
  dataFile: string;
  /** The program's own file name, for its usage line. */
  program: string;
}

/** A node of the exported model: one entry of the record's layer list, in VGNet's depth-first order. */
interface Emitted {
  index: number;
  parent: number;
  config: LayerConfig;
  inputWidth: number;
  outputWidth: number;
  /** Per-sample shapes, PyTorch's layout without the batch axis ([C, H, W], [steps, features], [features]). */
  inputShape: number[];
  outputShape: number[];
  /** Conv and pooling: padding per spatial axis (before, after); conv/pool 'same' as TF pads the far side more. */
  pads: [number, number][];
  /** The Python attribute names of its modules. */
  module: string;
}

export function exportPytorch(config: ModelConfig, data: Dataset, names: ExportNames): PytorchExport {
  const nodes: Emitted[] = [];
  collect(config.layers, [...(config.inputShape ?? [config.input])], -1, nodes);
  const last = nodes.filter((n) => n.parent === -1).at(-1)!;
  const batchnorm = nodes.find((n) => n.config.kind === 'batchnorm');
  if (batchnorm && Math.min(config.training.batchSize, data.samples) === 1)
    throw new ExportError(
      `${batchnorm.config.path}: batchnorm on a batch of one sample has no PyTorch equivalent (BatchNorm1d refuses it in training; the output is β alone)`,
    );
  const fused = fusedOutput(last.config, config.loss);
  const lines: string[] = [];
  const emit = (line = ''): number => lines.push(line);
  header(emit, config, data, names);
  emit(PYTHON_RUNTIME.trimEnd());
  emit();
  emit();
  emit('# ---- the model, as the spec describes it ----');
  emitSettings(emit, config, data, names, fused);
  emitModel(emit, nodes, fused);
  emit();
  emit(HARNESS.trimEnd());
  emit();
  return { python: `${lines.join('\n')}\n`, data: dataBytes(data) };
}

function header(emit: (line?: string) => number, config: ModelConfig, data: Dataset, names: ExportNames): void {
  emit('#!/usr/bin/env python3');
  emit(`"""${pyString(names.spec, false)}, exported by VGNet as a standalone PyTorch program.`);
  emit('');
  emit(
    `    python3 ${'model.py'} [--steps N] [--device cpu|cuda] [--init vgnet-init.json] [--record out.vgnet-record.json]`,
  );
  emit('');
  emit("trains the model as VGNet does and, with --record, writes the per-layer gradient statistics in VGNet's record");
  emit('format: `vgnet analyze --record out.vgnet-record.json --spec SPEC` diagnoses the run. --init loads the');
  emit("parameters and first mini-batch that `vgnet analyze --save-init` wrote, so step 0 matches VGNet's engine.");
  emit(`The ${data.samples} samples are in ${pyString(names.dataFile, false)} beside this file (float32: x, then y).`);
  const input =
    config.inputShape && config.inputShape.length > 1
      ? `input [${config.inputShape.join(', ')}]`
      : `${config.input} inputs`;
  emit(`Needs torch only. Model: ${input}, ${config.layers.length} layers, ${config.loss} loss.`);
  emit('"""');
}

function emitSettings(
  emit: (line?: string) => number,
  config: ModelConfig,
  data: Dataset,
  names: ExportNames,
  fused: string | null,
): void {
  const t = config.training;
  emit(`SPEC_FILE = ${pyString(names.spec)}`);
  emit(`DATA_FILE = ${pyString(names.dataFile)}  # beside this file`);
  emit(
    `SAMPLES, FEATURES, TARGET_WIDTH, CLASSES = ${data.samples}, ${data.features}, ${data.targetWidth}, ${data.classes}`,
  );
  const shape = config.inputShape ?? [config.input];
  emit(
    `INPUT_SHAPE = (${shape.join(', ')}${shape.length === 1 ? ',' : ''})  # one sample, PyTorch's layout (the file holds it flat)`,
  );
  emit(
    `LOSS = ${pyString(config.loss)}${fused ? `  # the loss takes the logits: the output ${fused} is fused into it` : ''}`,
  );
  emit(`FUSED_OUTPUT = ${fused ? pyString(fused) : 'None'}`);
  emit(`STEPS, BATCH_SIZE, SEED, RECORD_EVERY = ${t.steps}, ${t.batchSize}, ${t.seed}, ${t.recordEvery}`);
  emit(`WEIGHT_DECAY = ${pyNumber(t.weightDecay)}  # L2 on weight matrices only (dense weights, projections)`);
  emit(`CLIP_VALUE = ${t.clipValue === null ? 'None' : pyNumber(t.clipValue)}  # elementwise, before CLIP_NORM`);
  emit(`CLIP_NORM = ${t.clipNorm === null ? 'None' : pyNumber(t.clipNorm)}  # the global norm of every gradient`);
  emit('SATURATION_THRESHOLD = 5.0');
  emit();
  emit();
  emit('def make_optimizer(model):');
  emit('    decayed = model.vgnet_decayed()');
  emit('    others = [p for p in model.parameters() if all(p is not q for q in decayed)]');
  emit('    groups = [{"params": decayed, "weight_decay": WEIGHT_DECAY}, {"params": others, "weight_decay": 0.0}]');
  emit(`    return ${optimizerCall(config.optimizer)}`);
  emit();
  emit();
}

function optimizerCall(o: OptimizerConfig): string {
  const lr = pyNumber(o.lr);
  switch (o.type) {
    case 'sgd':
      return `torch.optim.SGD(groups, lr=${lr}, momentum=${pyNumber(o.momentum)}, nesterov=${o.nesterov ? 'True' : 'False'})`;
    case 'adam':
      return `torch.optim.Adam(groups, lr=${lr}, betas=(${pyNumber(o.beta1)}, ${pyNumber(o.beta2)}), eps=${pyNumber(o.eps)})`;
    case 'rmsprop':
      return `torch.optim.RMSprop(groups, lr=${lr}, alpha=${pyNumber(o.rho)}, eps=${pyNumber(o.eps)}, momentum=${pyNumber(o.momentum)})`;
    case 'adagrad':
      return `torch.optim.Adagrad(groups, lr=${lr}, eps=${pyNumber(o.eps)}, initial_accumulator_value=${pyNumber(o.initialAccumulator ?? 0)})`;
    case 'adamw':
      // The decoupled decay on the weight matrices only (the decayed group), as VGNet applies it.
      return `torch.optim.AdamW([{"params": decayed, "weight_decay": ${pyNumber(o.weightDecay ?? 0.01)}}, {"params": others, "weight_decay": 0.0}], lr=${lr}, betas=(${pyNumber(o.beta1)}, ${pyNumber(o.beta2)}), eps=${pyNumber(o.eps)})`;
    default:
      return exportError(`the optimizer "${(o as OptimizerConfig).type}"`);
  }
}

function collect(layers: LayerConfig[], inputShape: number[], parent: number, out: Emitted[]): number[] {
  let shape = inputShape;
  for (const config of layers) {
    const index = out.length;
    const node: Emitted = {
      index,
      parent,
      config,
      inputWidth: size(shape),
      outputWidth: size(shape),
      inputShape: shape,
      outputShape: shape,
      pads: [],
      module: `${config.kind}_${index}`,
    };
    out.push(node);
    if (config.kind === 'residual') node.outputShape = collect(config.layers, shape, index, out);
    else node.outputShape = outputShapeOf(node, shape);
    node.outputWidth = size(node.outputShape);
    shape = node.outputShape;
  }
  return shape;
}

function size(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The layer's per-sample output shape (as the engine's, config.ts), and its padding in `node.pads`. */
function outputShapeOf(node: Emitted, input: number[]): number[] {
  const c = node.config;
  const where = c.path;
  const spatial = (rank: number): number[] => {
    if (input.length !== rank + 1)
      throw new ExportError(
        `${where}: ${c.kind} needs a [channels, ${rank === 1 ? 'length' : 'height, width'}] input, not [${input.join(', ')}]`,
      );
    return input.slice(1);
  };
  switch (c.kind) {
    case 'dense':
      // nn.Linear acts on the last axis.
      return [...input.slice(0, -1), c.units];
    case 'conv1d':
    case 'conv2d': {
      const dims = spatial(c.kind === 'conv1d' ? 1 : 2);
      const outDims = dims.map((L, a) => {
        const k = c.kernel[a]!;
        const s = c.stride[a]!;
        const d = c.dilation[a]!;
        const [before, after] = c.padding === 'same' ? samePadding(L, k, s, d) : [0, 0];
        node.pads.push([before, after]);
        return Math.floor((L + before + after - d * (k - 1) - 1) / s) + 1;
      });
      return [c.filters, ...outDims];
    }
    case 'maxpool':
    case 'avgpool': {
      const dims = spatial(c.pool.length);
      const outDims = dims.map((L, a) => {
        const k = c.pool[a]!;
        const s = c.stride[a]!;
        const [before, after] = c.padding === 'same' ? samePadding(L, k, s, 1) : [0, 0];
        node.pads.push([before, after]);
        return Math.floor((L + before + after - k) / s) + 1;
      });
      return [input[0]!, ...outDims];
    }
    case 'flatten':
      return [size(input)];
    case 'global_avgpool':
      if (input.length < 2) throw new ExportError(`${where}: global_avgpool needs a [channels, …] input`);
      return [input[0]!];
    case 'simple_rnn':
    case 'lstm':
    case 'gru':
      if (input.length !== 2)
        throw new ExportError(`${where}: ${c.kind} needs a [steps, features] input, not [${input.join(', ')}]`);
      return c.returnSequences ? [input[0]!, c.units] : [c.units];
    default:
      return input;
  }
}

/** The output activation the loss takes over (as VGNet fuses softmax+crossentropy and sigmoid+bce), or null. */
function fusedOutput(last: LayerConfig, loss: ModelConfig['loss']): string | null {
  const activation = last.kind === 'dense' || last.kind === 'activation' ? last.activation.name : null;
  if (loss === 'crossentropy' && activation === 'softmax') return 'softmax';
  if (loss === 'bce' && activation === 'sigmoid') return 'sigmoid';
  return null;
}

function emitModel(emit: (line?: string) => number, nodes: Emitted[], fused: string | null): void {
  if (nodes.some((n) => n.config.kind === 'avgpool' && n.pads.some(([a, b]) => a !== b || a * 2 > poolOf(n, 0))))
    emitAvgPoolSame(emit);
  emit('class Model(nn.Module):');
  emit('    def __init__(self):');
  emit('        super().__init__()');
  for (const n of nodes) {
    const c = n.config;
    emit(`        # ${c.path}: ${describe(n)}`);
    const m = `        self.${n.module}`;
    switch (c.kind) {
      case 'dense':
        emit(`${m} = nn.Linear(${n.inputShape.at(-1)}, ${c.units})`);
        break;
      case 'batchnorm': {
        // Per feature on [features]; per channel (over batch and positions) on [C, L] and [C, H, W].
        const dims = n.inputShape.length === 3 ? '2d' : '1d';
        emit(
          `${m} = nn.BatchNorm${dims}(${n.inputShape[0]}, eps=${pyNumber(c.eps)}, momentum=${pyNumber(c.momentum)})`,
        );
        break;
      }
      case 'dropout':
        emit(`${m} = nn.Dropout(p=${pyNumber(c.rate)})`);
        break;
      case 'residual':
        if (c.projection)
          emit(`${m} = nn.Linear(${n.inputShape.at(-1)}, ${n.outputShape.at(-1)}, bias=False)  # the skip projection`);
        break;
      case 'conv1d':
      case 'conv2d': {
        const d = c.kind === 'conv1d' ? '1d' : '2d';
        const padding = symmetric(n) ? pyTuple(n.pads.map(([a]) => a)) : '0';
        emit(
          `${m} = nn.Conv${d}(${n.inputShape[0]}, ${c.filters}, kernel_size=${pyTuple(c.kernel)}, stride=${pyTuple(c.stride)}, padding=${padding}, dilation=${pyTuple(c.dilation)})`,
        );
        break;
      }
      case 'maxpool':
      case 'avgpool': {
        const d = `${c.pool.length}d`;
        const kind = c.kind === 'maxpool' ? 'MaxPool' : 'AvgPool';
        const pads = n.pads.map(([a]) => a);
        // PyTorch pads symmetrically and at most half a window; TF's 'same' can be one more on the far side.
        const inModule = symmetric(n) && pads.every((p, a) => 2 * p <= poolOf(n, a));
        const padding = inModule && pads.some((p) => p > 0) ? `, padding=${pyTuple(pads)}` : '';
        const exclude = c.kind === 'avgpool' && padding ? ', count_include_pad=False' : '';
        emit(`${m} = nn.${kind}${d}(${pyTuple(c.pool)}, stride=${pyTuple(c.stride)}${padding}${exclude})`);
        break;
      }
      case 'flatten':
        emit(`${m} = nn.Flatten()`);
        break;
      case 'global_avgpool':
        emit(`${m} = nn.AdaptiveAvgPool${n.inputShape.length - 1}d(1)`);
        break;
      case 'layernorm':
        emit(`${m} = nn.LayerNorm(${n.inputShape.at(-1)}, eps=${pyNumber(c.eps)})`);
        break;
      case 'simple_rnn':
      case 'lstm':
      case 'gru': {
        const features = n.inputShape[1]!;
        if (c.kind === 'simple_rnn') {
          if (c.activation.name !== 'tanh' && c.activation.name !== 'relu')
            throw new ExportError(`${c.path}: simple_rnn with ${c.activation.name} (nn.RNN has tanh and relu)`);
          emit(`${m} = nn.RNN(${features}, ${c.units}, nonlinearity=${pyString(c.activation.name)}, batch_first=True)`);
        } else emit(`${m} = nn.${c.kind.toUpperCase()}(${features}, ${c.units}, batch_first=True)`);
        break;
      }
    }
    const activation = activationOf(c);
    if (activation?.name === 'prelu') emit(`${m}_act = nn.PReLU(${preluWidth(n)}, init=${pyNumber(activation.alpha)})`);
  }
  emit('        self.nodes = None  # set by the harness: the recorder taps every layer in forward()');
  emit('        self.reset_parameters()');
  emit();
  emit('    def reset_parameters(self):');
  emit(
    '        """The spec\'s initialisation, written out (PyTorch\'s defaults differ: U(±1/√fan_in) for nn.Linear)."""',
  );
  emit('        with torch.no_grad():');
  let any = false;
  for (const n of nodes) {
    const c = n.config;
    const m = `self.${n.module}`;
    const line = (text: string): void => {
      emit(`            ${text}`);
      any = true;
    };
    if (c.kind === 'dense') {
      const fanIn = n.inputShape.at(-1)!;
      line(initCall(`${m}.weight`, c.init, fanIn, c.units));
      line(
        c.biasRandom
          ? initCall(`${m}.bias`, c.biasRandom, fanIn, c.units)
          : `nn.init.constant_(${m}.bias, ${pyNumber(c.biasInit)})`,
      );
    }
    if (c.kind === 'residual' && c.projection)
      line(initCall(`${m}.weight`, c.projectionInit, n.inputShape.at(-1)!, n.outputShape.at(-1)!));
    if (c.kind === 'conv1d' || c.kind === 'conv2d') {
      // Fans as PyTorch's: channels (filters) × the kernel's area.
      const area = size(c.kernel);
      line(initCall(`${m}.weight`, c.init, n.inputShape[0]! * area, c.filters * area));
      line(`nn.init.constant_(${m}.bias, ${pyNumber(c.biasInit)})`);
    }
    if (c.kind === 'layernorm') {
      line(`nn.init.ones_(${m}.weight)`);
      line(`nn.init.zeros_(${m}.bias)`);
    }
    if (c.kind === 'simple_rnn' || c.kind === 'lstm' || c.kind === 'gru')
      for (const text of recurrentInit(n, c)) line(text);
  }
  if (!any) emit('            pass');
  emit();
  emit('    def forward(self, x):');
  for (const line of forwardLines(nodes, -1, 'x', fused, 2)) emit(line);
  emit();
  emit('    def tap(self, index, pre, out, grad_of=None):');
  emit('        if self.nodes is not None:');
  emit('            self.nodes[index].tap(pre, out, grad_of)');
  emit();
  if (nodes.some((n) => isRecurrent(n.config))) {
    emit('    def run_recurrent(self, index, module, x, return_sequences):');
    emit('        """While recording, one step at a time: each h_t is then one tensor whose gradient is the total');
    emit(
      '        ∂L/∂h_t (through the output and through h_{t+1}). Otherwise the whole sequence in one call (the same',
    );
    emit('        computation, and one node for torch.onnx.export)."""');
    emit('        if self.nodes is None:');
    emit('            out, _ = module(x)');
    emit('            return out if return_sequences else out[:, -1]');
    emit('        hs, state = [], None');
    emit('        for t in range(x.shape[1]):');
    emit('            out, state = module(x[:, t:t + 1], state)');
    emit('            h = out[:, 0]');
    emit('            hs.append(h)');
    emit('            state = (h.unsqueeze(0), state[1]) if isinstance(state, tuple) else h.unsqueeze(0)');
    emit('        y = torch.stack(hs, 1) if return_sequences else hs[-1]');
    emit('        self.nodes[index].tap_sequence(x, hs, y)');
    emit('        return y');
    emit();
  }
  emit('    def vgnet_nodes(self):');
  emit('        """The layers as VGNet\'s record lists them (depth-first, a residual block before its branch)."""');
  emit('        return [');
  for (const n of nodes) emit(`            ${nodeCall(n)},`);
  emit('        ]');
  emit();
  emit('    def vgnet_parameters(self):');
  emit('        """(spec path, name) → tensor, the keys of vgnet-init.json."""');
  emit('        return {');
  for (const n of nodes)
    for (const [name, expr] of parameterNames(n))
      emit(`            (${pyString(n.config.path)}, ${pyString(name)}): ${expr},`);
  emit('        }');
  emit();
  emit('    def vgnet_decayed(self):');
  const decayed = nodes.flatMap((n) => {
    const c = n.config;
    const m = `self.${n.module}`;
    if (c.kind === 'dense' || c.kind === 'conv1d' || c.kind === 'conv2d' || (c.kind === 'residual' && c.projection))
      return [`${m}.weight`];
    // The engine decays tensors named weight: W_ih, not the recurrent kernel (optimizer.ts).
    if (isRecurrent(c)) return [`${m}.weight_ih_l0`];
    return [];
  });
  emit(`        return [${decayed.join(', ')}]`);
  emit();
  emit();
}

/** Keras' average pooling with 'same' padding: the mean of the real elements of each window, as sum / count. */
function emitAvgPoolSame(emit: (line?: string) => number): void {
  emit('def avg_pool_same(x, pool, pads):');
  emit('    """pool: nn.AvgPool without padding; pads: F.pad\'s (last axis first). Padding counts as nothing."""');
  emit('    ones = torch.ones_like(x[:1, :1])');
  emit('    return pool(F.pad(x, pads)) / pool(F.pad(ones, pads))');
  emit();
  emit();
}

function poolOf(n: Emitted, axis: number): number {
  const c = n.config;
  return c.kind === 'maxpool' || c.kind === 'avgpool' ? c.pool[axis]! : 0;
}

function symmetric(n: Emitted): boolean {
  return n.pads.every(([a, b]) => a === b);
}

/** F.pad's argument: (before, after) per axis, the last axis first. */
function fPad(n: Emitted): string {
  return `(${[...n.pads]
    .reverse()
    .flatMap(([a, b]) => [a, b])
    .join(', ')})`;
}

function pyTuple(values: readonly number[]): string {
  return values.length === 1 ? String(values[0]) : `(${values.join(', ')})`;
}

function isRecurrent(c: LayerConfig): c is RecurrentConfig {
  return c.kind === 'simple_rnn' || c.kind === 'lstm' || c.kind === 'gru';
}

function activationOf(c: LayerConfig): ActivationConfig | null {
  return c.kind === 'dense' || c.kind === 'activation' || c.kind === 'conv1d' || c.kind === 'conv2d'
    ? c.activation
    : null;
}

/** The record's activation name: a fused activation, or simple_rnn's (its saturation and dead units are measured). */
function recordedActivation(c: LayerConfig): string | null {
  return c.kind === 'simple_rnn' ? c.activation.name : (activationOf(c)?.name ?? null);
}

/**
 * PReLU's slopes, as the engine's: one per value of the sample (the engine's conv layer, like a standalone activation,
 * owns a slope per output value, shape [filters, …positions]), so on a shaped tensor nn.PReLU runs on its flattened
 * view (perElement). One per unit of a dense output.
 */
function preluWidth(n: Emitted): number {
  return n.outputWidth;
}

function perElement(n: Emitted): boolean {
  return n.outputShape.length > 1;
}

/**
 * nn.RNN/LSTM/GRU with the spec's initialisers, one gate block at a time (fans features → units for W_ih, units →
 * units for W_hh; orthogonal and identity per square block), b_ih the bias (the LSTM's forget block its forgetBias),
 * b_hh zero.
 */
function recurrentInit(n: Emitted, c: RecurrentConfig): string[] {
  const m = `self.${n.module}`;
  const gates = c.kind === 'lstm' ? 4 : c.kind === 'gru' ? 3 : 1;
  const h = c.units;
  const features = n.inputShape[1]!;
  const lines: string[] = [];
  for (let g = 0; g < gates; g++) {
    const rows = `[${g * h}:${(g + 1) * h}]`;
    lines.push(initCall(`${m}.weight_ih_l0${rows}`, c.init, features, h));
    lines.push(initCall(`${m}.weight_hh_l0${rows}`, c.recurrentInit, h, h));
  }
  lines.push(`nn.init.constant_(${m}.bias_ih_l0, ${pyNumber(c.biasInit)})`);
  if (c.kind === 'lstm')
    lines.push(`${m}.bias_ih_l0[${h}:${2 * h}].fill_(${pyNumber(c.forgetBias)})  # the forget gate`);
  lines.push(`nn.init.zeros_(${m}.bias_hh_l0)`);
  return lines;
}

/** forward() for a chain: one line a layer, each tapped for the recorder. Returns the lines (indent in levels). */
function forwardLines(nodes: Emitted[], parent: number, input: string, fused: string | null, indent: number): string[] {
  const pad = '    '.repeat(indent);
  const lines: string[] = [];
  const chain = nodes.filter((n) => n.parent === parent);
  let x = input;
  let returned = false;
  chain.forEach((n, i) => {
    const c = n.config;
    const m = `self.${n.module}`;
    const isOutput = parent === -1 && i === chain.length - 1;
    if (c.kind === 'dense' || c.kind === 'activation' || c.kind === 'conv1d' || c.kind === 'conv2d') {
      // z: the activation's input (a standalone activation's too: tapping x after `x = f(x)` would record f(z)).
      const z = 'z';
      if (c.kind === 'activation') lines.push(`${pad}z = ${x}  # ${c.path}`);
      else if (c.kind === 'dense') lines.push(`${pad}z = ${m}(${x})  # ${c.path}`);
      else lines.push(`${pad}z = ${m}(${symmetric(n) ? x : `F.pad(${x}, ${fPad(n)})`})  # ${c.path}`);
      const y = activationCall(c.activation, z, `${m}_act`, perElement(n));
      if (isOutput && fused) {
        lines.push(`${pad}self.tap(${n.index}, ${z}, ${y}.detach(), grad_of=${z})  # the loss takes the logits`);
        lines.push(`${pad}return ${z}`);
        returned = true;
        return;
      }
      lines.push(`${pad}x = ${y}`);
      lines.push(`${pad}self.tap(${n.index}, ${z}, x)`);
      x = 'x';
    } else if (c.kind === 'maxpool' || c.kind === 'avgpool') {
      const inModule = !n.pads.some(([a, b], axis) => a !== b || 2 * a > poolOf(n, axis));
      const call = inModule
        ? `${m}(${x})`
        : c.kind === 'maxpool'
          ? `${m}(F.pad(${x}, ${fPad(n)}, value=-math.inf))  # padding never wins the max`
          : `avg_pool_same(${x}, ${m}, ${fPad(n)})  # the mean of the real elements`;
      lines.push(`${pad}x = ${call}${call.includes('#') ? ` (${c.path})` : `  # ${c.path}`}`);
      lines.push(`${pad}self.tap(${n.index}, None, x)`);
      x = 'x';
    } else if (c.kind === 'global_avgpool') {
      lines.push(`${pad}x = torch.flatten(${m}(${x}), 1)  # ${c.path}`);
      lines.push(`${pad}self.tap(${n.index}, None, x)`);
      x = 'x';
    } else if (isRecurrent(c)) {
      lines.push(
        `${pad}x = self.run_recurrent(${n.index}, ${m}, ${x}, ${c.returnSequences ? 'True' : 'False'})  # ${c.path}`,
      );
      x = 'x';
    } else if (c.kind === 'residual') {
      const skip = `skip_${n.index}`;
      lines.push(`${pad}${skip} = ${x}  # ${c.path}: residual block`);
      lines.push(...forwardLines(nodes, n.index, skip, null, indent));
      const s = c.projection ? `${m}(${skip})` : skip;
      lines.push(`${pad}x = ${s} + x`);
      lines.push(`${pad}self.tap(${n.index}, None, x)`);
      x = 'x';
    } else {
      // batchnorm, dropout, flatten, layernorm: one module each.
      lines.push(`${pad}x = ${m}(${x})  # ${c.path}`);
      lines.push(`${pad}self.tap(${n.index}, None, x)`);
      x = 'x';
    }
  });
  if (parent === -1 && !returned) lines.push(`${pad}return ${x}`);
  return lines;
}

/** PyTorch's functional form of each activation, with VGNet's constants (activations.ts). */
function activationCall(a: ActivationConfig, z: string, preluModule: string, flat = false): string {
  const alpha = pyNumber(a.alpha);
  const calls: Record<string, string> = {
    linear: z,
    sigmoid: `torch.sigmoid(${z})`,
    tanh: `torch.tanh(${z})`,
    relu: `F.relu(${z})`,
    leaky_relu: `F.leaky_relu(${z}, ${alpha})`,
    prelu: flat ? `${preluModule}(${z}.flatten(1)).view_as(${z})` : `${preluModule}(${z})`,
    elu: `F.elu(${z}, ${alpha})`,
    selu: `F.selu(${z})`,
    gelu: `F.gelu(${z})`,
    softplus: `F.softplus(${z})`,
    swish: `F.silu(${z})`,
    softmax: `torch.softmax(${z}, dim=1)`,
    exponential: `torch.exp(${z})`,
    softsign: `F.softsign(${z})`,
    hard_sigmoid: `F.hardsigmoid(${z})`,
    relu6: `F.relu6(${z})`,
    mish: `F.mish(${z})`,
  };
  return calls[a.name] ?? exportError(`the activation "${a.name}"`);
}

/** The spec's initialiser as an explicit torch.nn.init call (VGNet's normals are plain, not truncated). */
function initCall(target: string, init: InitConfig, fanIn: number, fanOut: number): string {
  const std = (variance: string, note: string): string =>
    `nn.init.normal_(${target}, 0.0, math.sqrt(${variance}))  # ${note}`;
  const uniform = (bound: string, note: string): string =>
    `nn.init.uniform_(${target}, -math.sqrt(${bound}), math.sqrt(${bound}))  # ${note}`;
  switch (init.name) {
    case 'zeros':
      return `nn.init.zeros_(${target})`;
    case 'constant':
      return `nn.init.constant_(${target}, ${pyNumber(init.scale)})`;
    case 'uniform':
      return `nn.init.uniform_(${target}, -${pyNumber(init.scale)}, ${pyNumber(init.scale)})`;
    case 'normal':
      return `nn.init.normal_(${target}, 0.0, ${pyNumber(init.scale)})`;
    case 'glorot_uniform':
      return uniform(`6 / (${fanIn} + ${fanOut})`, 'glorot_uniform');
    case 'glorot_normal':
      return std(`2 / (${fanIn} + ${fanOut})`, 'glorot_normal');
    case 'he_uniform':
      return uniform(`6 / ${fanIn}`, 'he_uniform');
    case 'he_normal':
      return std(`2 / ${fanIn}`, 'he_normal');
    case 'lecun_uniform':
      return uniform(`3 / ${fanIn}`, 'lecun_uniform');
    case 'lecun_normal':
      return std(`1 / ${fanIn}`, 'lecun_normal');
    case 'orthogonal':
      return `nn.init.orthogonal_(${target}, gain=${pyNumber(init.scale)})`;
    case 'identity':
      if (fanIn !== fanOut) return exportError(`the identity initialiser on a ${fanOut}×${fanIn} matrix`);
      return `${target}.copy_(${pyNumber(init.scale)} * torch.eye(${fanIn}))  # identity`;
    default:
      return exportError(`the initialiser "${(init as InitConfig).name}"`);
  }
}

function nodeCall(n: Emitted): string {
  const c = n.config;
  const m = `self.${n.module}`;
  const act = activationOf(c);
  const recorded = recordedActivation(c);
  const activation = recorded ? pyString(recorded) : 'None';
  const prelu = act?.name === 'prelu' ? `${m}_act.weight` : null;
  const args = [pyString(c.path), pyString(c.kind), String(n.inputWidth), String(n.outputWidth), activation];
  const shapes = `input_shape=[${n.inputShape.join(', ')}], output_shape=[${n.outputShape.join(', ')}]`;
  const call = (rest: string): string => `Node(${[...args, rest].join(', ')}, parent=${n.parent}, ${shapes})`;
  switch (c.kind) {
    case 'dense':
    case 'conv1d':
    case 'conv2d':
      return call(`${m}.weight, ${m}.bias, [${[`${m}.weight`, `${m}.bias`, ...(prelu ? [prelu] : [])].join(', ')}]`);
    case 'activation':
      return call(`params=[${prelu ?? ''}]`);
    case 'batchnorm':
    case 'layernorm':
      return call(`bias=${m}.bias, params=[${m}.weight, ${m}.bias]`);
    case 'residual':
      return c.projection ? call(`${m}.weight, params=[${m}.weight]`) : call('params=[]');
    case 'simple_rnn':
    case 'lstm':
    case 'gru':
      // gradNorm is the recurrent kernel W_hh's, as the engine's (the matrix the gradient crosses every step).
      return call(
        `${m}.weight_hh_l0, ${m}.bias_ih_l0, [${['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'].map((p) => `${m}.${p}`).join(', ')}], module=${m}`,
      );
    default:
      // dropout, pooling, flatten, global_avgpool: no parameters.
      return call('params=[]');
  }
}

/** The parameter names of vgnet-init.json (the engine's ParamTensor names) and their tensors here. */
function parameterNames(n: Emitted): [string, string][] {
  const c = n.config;
  const m = `self.${n.module}`;
  const prelu: [string, string][] = activationOf(c)?.name === 'prelu' ? [['slope', `${m}_act.weight`]] : [];
  switch (c.kind) {
    case 'dense':
    case 'conv1d':
    case 'conv2d':
      return [['weight', `${m}.weight`], ['bias', `${m}.bias`], ...prelu];
    case 'activation':
      return prelu;
    case 'batchnorm':
    case 'layernorm':
      return [
        ['gamma', `${m}.weight`],
        ['beta', `${m}.bias`],
      ];
    case 'residual':
      return c.projection ? [['projection', `${m}.weight`]] : [];
    case 'simple_rnn':
    case 'lstm':
    case 'gru':
      // The engine's layouts are PyTorch's: W_ih [gates·units][features], W_hh [gates·units][units].
      return [
        ['weight', `${m}.weight_ih_l0`],
        ['recurrentWeight', `${m}.weight_hh_l0`],
        ['bias', `${m}.bias_ih_l0`],
        ['recurrentBias', `${m}.bias_hh_l0`],
      ];
    default:
      return [];
  }
}

function describe(n: Emitted): string {
  const c = n.config;
  const shape = `[${n.inputShape.join(', ')}] → [${n.outputShape.join(', ')}]`;
  switch (c.kind) {
    case 'dense':
      return `dense ${c.units}, ${c.activation.name}, weights ${initWords(c.init)}, biases ${c.biasRandom ? initWords(c.biasRandom) : pyNumber(c.biasInit)}`;
    case 'activation':
      return `activation ${c.activation.name}`;
    case 'batchnorm':
      return `batchnorm (eps ${pyNumber(c.eps)}, momentum ${pyNumber(c.momentum)})${n.inputShape.length > 1 ? ' per channel' : ''}`;
    case 'dropout':
      return `dropout ${pyNumber(c.rate)}`;
    case 'residual':
      return `residual block of ${c.layers.length} layer(s), ${c.projection ? `projection ${initWords(c.projectionInit)}` : 'identity skip'}`;
    case 'conv1d':
    case 'conv2d':
      return `${c.kind} ${c.filters} filters, kernel ${c.kernel.join('×')}, stride ${c.stride.join('×')}, dilation ${c.dilation.join('×')}, ${c.padding}${symmetric(n) ? '' : ' (TF pads the far side more: F.pad)'}, ${c.activation.name}, weights ${initWords(c.init)}, biases ${pyNumber(c.biasInit)}, ${shape}`;
    case 'maxpool':
    case 'avgpool':
      return `${c.kind} ${c.pool.join('×')}, stride ${c.stride.join('×')}, ${c.padding}${c.padding === 'same' ? (c.kind === 'maxpool' ? ' (padding never wins)' : ' (the mean of the real elements)') : ''}, ${shape}`;
    case 'flatten':
      return `flatten (channels first, as torch.flatten), ${shape}`;
    case 'global_avgpool':
      return `global average pooling, ${shape}`;
    case 'layernorm':
      return `layernorm over the last axis (eps ${pyNumber(c.eps)})`;
    case 'simple_rnn':
    case 'lstm':
    case 'gru':
      return `${c.kind} ${c.units} units${c.kind === 'simple_rnn' ? `, ${c.activation.name}` : ''}, W_ih ${initWords(c.init)}, W_hh ${initWords(c.recurrentInit)} (per gate block), bias ${pyNumber(c.biasInit)}${c.kind === 'lstm' ? `, forget bias ${pyNumber(c.forgetBias)}` : ''}, ${c.returnSequences ? 'every step' : 'the last step'}, ${shape}`;
  }
}

function initWords(init: InitConfig): string {
  return ['constant', 'uniform', 'normal', 'orthogonal', 'identity'].includes(init.name)
    ? `${init.name}(${pyNumber(init.scale)})`
    : init.name;
}

function dataBytes(data: Dataset): Uint8Array {
  const bytes = new Uint8Array((data.x.length + data.y.length) * 4);
  const view = new DataView(bytes.buffer);
  let o = 0;
  for (const a of [data.x, data.y]) for (let i = 0; i < a.length; i++, o += 4) view.setFloat32(o, a[i]!, true);
  return bytes;
}

/** A Python literal for a finite number (repr-exact for float32-derived values: JavaScript's shortest form). */
export function pyNumber(v: number): string {
  if (!Number.isFinite(v)) return exportError(`the value ${v}`);
  const s = String(v);
  return /[.e]/.test(s) || !Number.isInteger(v) ? s : `${s}.0`;
}

/** A Python string literal (JSON's escapes are Python's); `quoted` false gives the text for a docstring. */
export function pyString(s: string, quoted = true): string {
  const json = JSON.stringify(s);
  return quoted ? json : json.slice(1, -1).replace(/"""/g, '\\"\\"\\"');
}

export class ExportError extends Error {}

function exportError(what: string): never {
  throw new ExportError(`${what} has no PyTorch export yet`);
}

/** The training loop and command line of every exported program (after the model). */
const HARNESS = String.raw`# ---- the harness: data, training as VGNet trains, the record ----
import argparse
import os
import sys


def load_data(device, dtype):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), DATA_FILE)
    with open(path, "rb") as f:
        raw = bytearray(f.read())
    expected = (SAMPLES * FEATURES + SAMPLES * TARGET_WIDTH) * 4
    if len(raw) != expected:
        sys.exit("%s: %d bytes, expected %d (export it again)" % (path, len(raw), expected))
    flat = torch.frombuffer(raw, dtype=torch.float32)
    x = flat[: SAMPLES * FEATURES].reshape(SAMPLES, *INPUT_SHAPE)
    y = flat[SAMPLES * FEATURES:].reshape(SAMPLES, TARGET_WIDTH)
    return x.to(device, dtype), y.to(device, dtype)


def loss_of(out, y):
    if LOSS == "mse":
        return F.mse_loss(out, y)
    if LOSS == "bce":
        return F.binary_cross_entropy_with_logits(out, y) if FUSED_OUTPUT else F.binary_cross_entropy(out, y)
    return F.cross_entropy(out, y[:, 0].long())


def accuracy_of(out, y):
    if LOSS == "mse":
        return None
    if LOSS == "bce":
        p = torch.sigmoid(out) if FUSED_OUTPUT else out
        return float(((p > 0.5) == (y > 0.5)).double().mean())
    return float((out.argmax(dim=1) == y[:, 0].long()).double().mean())


def load_init(model, path, device, dtype):
    """Parameters and the first mini-batch from vgnet analyze --save-init (format vgnet-init/1)."""
    with open(path) as f:
        init = json.load(f)
    if init.get("format") != "vgnet-init/1":
        sys.exit("%s: not a vgnet-init/1 file" % path)
    tensors = model.vgnet_parameters()
    with torch.no_grad():
        for (layer, name), tensor in tensors.items():
            value = torch.tensor(init["parameters"][layer][name], dtype=torch.float32)
            tensor.copy_(value.reshape(tensor.shape))
    x = torch.tensor(init["batch"]["x"], dtype=torch.float32).to(device, dtype).reshape(-1, *INPUT_SHAPE)
    y = torch.tensor(init["batch"]["y"], dtype=torch.float32).to(device, dtype).reshape(x.shape[0], TARGET_WIDTH)
    return x, y


def train(steps, device="cpu", init_path=None, dtype=torch.float32):
    """Trains as VGNet does; returns the Recorder. float64 measures float32's own rounding (chaotic nets)."""
    torch.manual_seed(SEED)
    model = Model().to(device, dtype)
    x_all, y_all = load_data(device, dtype)
    first = load_init(model, init_path, device, dtype) if init_path else None
    model.nodes = model.vgnet_nodes()
    recorder = Recorder(model, RECORD_EVERY, SATURATION_THRESHOLD, nodes=model.nodes, loss_function=LOSS)
    optimizer = make_optimizer(model)
    batch = min(BATCH_SIZE, SAMPLES)
    per_epoch = SAMPLES // batch
    generator = torch.Generator().manual_seed(SEED)
    order, next_batch = None, per_epoch
    model.train()
    for step in range(steps):
        if step == 0 and first is not None:
            xb, yb = first
        else:
            if next_batch == per_epoch:  # a new epoch: shuffle, drop the partial last batch (as VGNet does)
                order, next_batch = torch.randperm(SAMPLES, generator=generator).to(device), 0
            rows = order[next_batch * batch:(next_batch + 1) * batch]
            next_batch += 1
            xb, yb = x_all[rows], y_all[rows]
        out = model(xb)
        loss = loss_of(out, yb)
        optimizer.zero_grad(set_to_none=False)
        loss.backward()
        if not recorder.step(loss, accuracy_of(out.detach(), yb)):
            break
        if CLIP_VALUE is not None:
            torch.nn.utils.clip_grad_value_(model.parameters(), CLIP_VALUE)
        if CLIP_NORM is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM)
        optimizer.step()
    return recorder


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=STEPS, help="training steps (default: the spec's, %d)" % STEPS)
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default cpu)")
    parser.add_argument("--init", help="vgnet-init.json from vgnet analyze --save-init: parameters and first batch")
    parser.add_argument("--record", help="write the run's per-layer statistics here (VGNet's record format)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's choice)")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32", help="float32 as VGNet (default)")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    recorder = train(max(0, args.steps), args.device, args.init, getattr(torch, args.dtype))
    result = recorder.result({"spec": SPEC_FILE})
    losses = result["loss"]
    if losses:
        print("loss %.4g -> %.4g in %d steps" % (losses[0], losses[-1], result["stepsRun"]))
    if result["stopped"]:
        print("stopped: %s" % result["stopped"]["detail"])
    if args.record:
        with open(args.record, "w") as f:
            f.write(json.dumps(_json_safe(result), allow_nan=False) + "\n")
        print("record: %s" % args.record)


if __name__ == "__main__":
    main()
`;
