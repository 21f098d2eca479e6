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
} from '../engine/config';
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
  /** The Python attribute names of its modules. */
  module: string;
}

export function exportPytorch(config: ModelConfig, data: Dataset, names: ExportNames): PytorchExport {
  const nodes: Emitted[] = [];
  collect(config.layers, config.input, -1, nodes);
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
  emit(`Needs torch only. Model: ${config.input} inputs, ${config.layers.length} layers, ${config.loss} loss.`);
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

function collect(layers: LayerConfig[], inputWidth: number, parent: number, out: Emitted[]): number {
  let width = inputWidth;
  for (const config of layers) {
    const index = out.length;
    const node: Emitted = {
      index,
      parent,
      config,
      inputWidth: width,
      outputWidth: width,
      module: `${config.kind}_${index}`,
    };
    out.push(node);
    if (config.kind === 'dense') node.outputWidth = config.units;
    if (config.kind === 'residual') node.outputWidth = collect(config.layers, width, index, out);
    width = node.outputWidth;
  }
  return width;
}

/** The output activation the loss takes over (as VGNet fuses softmax+crossentropy and sigmoid+bce), or null. */
function fusedOutput(last: LayerConfig, loss: ModelConfig['loss']): string | null {
  const activation = last.kind === 'dense' || last.kind === 'activation' ? last.activation.name : null;
  if (loss === 'crossentropy' && activation === 'softmax') return 'softmax';
  if (loss === 'bce' && activation === 'sigmoid') return 'sigmoid';
  return null;
}

function emitModel(emit: (line?: string) => number, nodes: Emitted[], fused: string | null): void {
  emit('class Model(nn.Module):');
  emit('    def __init__(self):');
  emit('        super().__init__()');
  for (const n of nodes) {
    const c = n.config;
    emit(`        # ${c.path}: ${describe(n)}`);
    if (c.kind === 'dense') emit(`        self.${n.module} = nn.Linear(${n.inputWidth}, ${n.outputWidth})`);
    if (c.kind === 'batchnorm')
      emit(
        `        self.${n.module} = nn.BatchNorm1d(${n.inputWidth}, eps=${pyNumber(c.eps)}, momentum=${pyNumber(c.momentum)})`,
      );
    if (c.kind === 'dropout') emit(`        self.${n.module} = nn.Dropout(p=${pyNumber(c.rate)})`);
    if (c.kind === 'residual' && c.projection)
      emit(
        `        self.${n.module} = nn.Linear(${n.inputWidth}, ${n.outputWidth}, bias=False)  # the skip projection`,
      );
    const activation = c.kind === 'dense' || c.kind === 'activation' ? c.activation : null;
    if (activation?.name === 'prelu')
      emit(`        self.${n.module}_act = nn.PReLU(${n.outputWidth}, init=${pyNumber(activation.alpha)})`);
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
    if (c.kind === 'dense') {
      emit(`            ${initCall(`self.${n.module}.weight`, c.init, n.inputWidth, n.outputWidth)}`);
      emit(
        c.biasRandom
          ? `            ${initCall(`self.${n.module}.bias`, c.biasRandom, n.inputWidth, n.outputWidth)}`
          : `            nn.init.constant_(self.${n.module}.bias, ${pyNumber(c.biasInit)})`,
      );
      any = true;
    }
    if (c.kind === 'residual' && c.projection) {
      emit(`            ${initCall(`self.${n.module}.weight`, c.projectionInit, n.inputWidth, n.outputWidth)}`);
      any = true;
    }
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
  const decayed = nodes.flatMap((n) =>
    n.config.kind === 'dense' || (n.config.kind === 'residual' && n.config.projection)
      ? [`self.${n.module}.weight`]
      : [],
  );
  emit(`        return [${decayed.join(', ')}]`);
  emit();
  emit();
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
    const isOutput = parent === -1 && i === chain.length - 1;
    if (c.kind === 'dense' || c.kind === 'activation') {
      // z: the activation's input (a standalone activation's too: tapping x after `x = f(x)` would record f(z)).
      const z = 'z';
      lines.push(c.kind === 'dense' ? `${pad}z = self.${n.module}(${x})  # ${c.path}` : `${pad}z = ${x}  # ${c.path}`);
      const y = activationCall(c.activation, z, `self.${n.module}_act`);
      if (isOutput && fused) {
        lines.push(`${pad}self.tap(${n.index}, ${z}, ${y}.detach(), grad_of=${z})  # the loss takes the logits`);
        lines.push(`${pad}return ${z}`);
        returned = true;
        return;
      }
      lines.push(`${pad}x = ${y}`);
      lines.push(`${pad}self.tap(${n.index}, ${z}, x)`);
      x = 'x';
    } else if (c.kind === 'batchnorm' || c.kind === 'dropout') {
      lines.push(`${pad}x = self.${n.module}(${x})  # ${c.path}`);
      lines.push(`${pad}self.tap(${n.index}, None, x)`);
      x = 'x';
    } else if (c.kind === 'residual') {
      const skip = `skip_${n.index}`;
      lines.push(`${pad}${skip} = ${x}  # ${c.path}: residual block`);
      lines.push(...forwardLines(nodes, n.index, skip, null, indent));
      const s = c.projection ? `self.${n.module}(${skip})` : skip;
      lines.push(`${pad}x = ${s} + x`);
      lines.push(`${pad}self.tap(${n.index}, None, x)`);
      x = 'x';
    }
  });
  if (parent === -1 && !returned) lines.push(`${pad}return ${x}`);
  return lines;
}

/** PyTorch's functional form of each activation, with VGNet's constants (activations.ts). */
function activationCall(a: ActivationConfig, z: string, preluModule: string): string {
  const alpha = pyNumber(a.alpha);
  const calls: Record<string, string> = {
    linear: z,
    sigmoid: `torch.sigmoid(${z})`,
    tanh: `torch.tanh(${z})`,
    relu: `F.relu(${z})`,
    leaky_relu: `F.leaky_relu(${z}, ${alpha})`,
    prelu: `${preluModule}(${z})`,
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
    default:
      return exportError(`the initialiser "${(init as InitConfig).name}"`);
  }
}

function nodeCall(n: Emitted): string {
  const c = n.config;
  const m = `self.${n.module}`;
  const activation = c.kind === 'dense' || c.kind === 'activation' ? pyString(c.activation.name) : 'None';
  const prelu =
    (c.kind === 'dense' || c.kind === 'activation') && c.activation.name === 'prelu' ? `${m}_act.weight` : null;
  const args = [pyString(c.path), pyString(c.kind), String(n.inputWidth), String(n.outputWidth), activation];
  switch (c.kind) {
    case 'dense':
      return `Node(${args.join(', ')}, ${m}.weight, ${m}.bias, [${[`${m}.weight`, `${m}.bias`, ...(prelu ? [prelu] : [])].join(', ')}], parent=${n.parent})`;
    case 'activation':
      return `Node(${args.join(', ')}, params=[${prelu ?? ''}], parent=${n.parent})`;
    case 'batchnorm':
      return `Node(${args.join(', ')}, bias=${m}.bias, params=[${m}.weight, ${m}.bias], parent=${n.parent})`;
    case 'dropout':
      return `Node(${args.join(', ')}, parent=${n.parent})`;
    case 'residual':
      return c.projection
        ? `Node(${args.join(', ')}, ${m}.weight, params=[${m}.weight], parent=${n.parent})`
        : `Node(${args.join(', ')}, parent=${n.parent})`;
    default:
      return exportError(`TODO(wave2): ${c.kind} layers`);
  }
}

/** The parameter names of vgnet-init.json (the engine's ParamTensor names) and their tensors here. */
function parameterNames(n: Emitted): [string, string][] {
  const c = n.config;
  const m = `self.${n.module}`;
  const prelu: [string, string][] =
    (c.kind === 'dense' || c.kind === 'activation') && c.activation.name === 'prelu'
      ? [['slope', `${m}_act.weight`]]
      : [];
  switch (c.kind) {
    case 'dense':
      return [['weight', `${m}.weight`], ['bias', `${m}.bias`], ...prelu];
    case 'activation':
      return prelu;
    case 'batchnorm':
      return [
        ['gamma', `${m}.weight`],
        ['beta', `${m}.bias`],
      ];
    case 'residual':
      return c.projection ? [['projection', `${m}.weight`]] : [];
    case 'dropout':
      return [];
    default:
      return exportError(`TODO(wave2): ${c.kind} layers`);
  }
}

function describe(n: Emitted): string {
  const c = n.config;
  switch (c.kind) {
    case 'dense':
      return `dense ${c.units}, ${c.activation.name}, weights ${initWords(c.init)}, biases ${c.biasRandom ? initWords(c.biasRandom) : pyNumber(c.biasInit)}`;
    case 'activation':
      return `activation ${c.activation.name}`;
    case 'batchnorm':
      return `batchnorm (eps ${pyNumber(c.eps)}, momentum ${pyNumber(c.momentum)})`;
    case 'dropout':
      return `dropout ${pyNumber(c.rate)}`;
    case 'residual':
      return `residual block of ${c.layers.length} layer(s), ${c.projection ? `projection ${initWords(c.projectionInit)}` : 'identity skip'}`;
    default:
      return exportError(`TODO(wave2): ${c.kind} layers`);
  }
}

function initWords(init: InitConfig): string {
  return ['constant', 'uniform', 'normal', 'orthogonal'].includes(init.name)
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
    x = flat[: SAMPLES * FEATURES].reshape(SAMPLES, FEATURES)
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
    x = torch.tensor(init["batch"]["x"], dtype=torch.float32).to(device, dtype)
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
