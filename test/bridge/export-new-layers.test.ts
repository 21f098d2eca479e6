/**
 * `vgnet export --to pytorch` for the layers of issue 15, checked in PyTorch itself (no VGNet engine involved):
 * each exported program trains and records; every layer's output has the shape the export computed (TF's 'same'
 * padding: ceil(L / stride)); a recurrent layer's recorded ‖∂L/∂h_t‖ is the total gradient reaching h_t (autograd
 * through an independently unrolled cell with a zero perturbation added to every h_t) and its gate saturation the
 * share of that cell's gate pre-activations past the threshold; ReLU convolutions record their dead filters; and
 * what has no PyTorch form is an ExportError.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describeLayers } from '../../src/analysis/analyze';
import { exportPytorch, ExportError } from '../../src/bridge/export-pytorch';
import type { LayerConfig } from '../../src/engine/config';
import { conv, newLayerModels, recurrent } from './new-layer-models';
import { python, SKIP_TORCH } from './torch';

const DRIVER = String.raw`
import importlib.util, json, sys, torch
import torch.nn.functional as F
torch.set_num_threads(1)


def unrolled(module, kind, x, deltas, gates):
    """The cell's equations written out (PyTorch's documentation), h_t + delta_t; gate pre-activations into gates."""
    h = x.new_zeros(x.shape[0], module.hidden_size)
    c = torch.zeros_like(h)
    hs = []
    for t in range(x.shape[1]):
        gi = F.linear(x[:, t], module.weight_ih_l0, module.bias_ih_l0)
        gh = F.linear(h, module.weight_hh_l0, module.bias_hh_l0)
        if kind == "lstm":
            i, f, g, o = (gi + gh).chunk(4, 1)
            gates.append({"input": i, "forget": f, "cell": g, "output": o})
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        elif kind == "gru":
            (ir, iz, i_n), (hr, hz, hn) = gi.chunk(3, 1), gh.chunk(3, 1)
            r = torch.sigmoid(ir + hr)
            n_pre = i_n + r * hn
            gates.append({"reset": ir + hr, "update": iz + hz, "new": n_pre})
            z = torch.sigmoid(iz + hz)
            h = (1 - z) * torch.tanh(n_pre) + z * h
        else:
            h = torch.tanh(gi + gh) if module.nonlinearity == "tanh" else torch.relu(gi + gh)
        h = h + deltas[t]
        hs.append(h)
    return hs


out = {}
for job in json.load(open(sys.argv[1])):
    spec = importlib.util.spec_from_file_location("m_" + job["name"].replace("-", "_"), job["program"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.train(3, "cpu").result()
    torch.manual_seed(1)
    model = module.Model()
    x, y = module.load_data("cpu", torch.float32)
    x, y = x[:6], y[:6]
    # Recorded: the exported program's own step-by-step run.
    model.nodes = model.vgnet_nodes()
    module.loss_of(model(x), y).backward()
    shapes = [[list(n.out.shape[1:]), n.output_shape] for n in model.nodes]
    # Conv and pooling layers' inputs and outputs (z for a conv), for TensorFlow's own 'same' padding to compare.
    # A layer's input: the output before it in its chain, or its residual block's input when it opens the branch.
    spatial, last, inputs = [], {-1: x[:2]}, {}
    for i, n in enumerate(model.nodes):
        previous = last[n.parent] if n.parent in last else inputs[n.parent]
        inputs[i] = previous
        if n.kind in ("conv1d", "conv2d", "maxpool", "avgpool"):
            spatial.append({"kind": n.kind, "input": previous.tolist(), "output": (n.pre if n.pre is not None else n.out)[:2].tolist(),
                            "weight": n.weight.tolist() if n.weight is not None else None,
                            "bias": n.bias.tolist() if n.bias is not None else None})
        last[n.parent] = n.out[:2]
    recurrent = [n for n in model.nodes if n.module is not None]
    recorded = [{"time": n.time_grad_norms(), "gates": n.gate_saturation(0.5) if n.kind != "simple_rnn" else {}}
                for n in recurrent]
    # Reference: the unrolled cell, autograd's gradient of the loss with respect to a zero added to each h_t.
    references = []
    for n in recurrent:
        model.nodes = None
        deltas = [torch.zeros(x.shape[0], n.module.hidden_size, requires_grad=True) for _ in range(x.shape[1])]
        gates = []
        target = n.module

        def run(index, m, inputs, return_sequences, n=n, deltas=deltas, gates=gates, target=target):
            if m is not target:
                return type(model).run_recurrent(model, index, m, inputs, return_sequences)
            hs = unrolled(m, n.kind, inputs, deltas, gates)
            return torch.stack(hs, 1) if return_sequences else hs[-1]

        model.run_recurrent = run
        grads = torch.autograd.grad(module.loss_of(model(x), y), deltas)
        del model.run_recurrent
        fractions = {k: float(torch.cat([g[k].detach().reshape(-1) for g in gates]).abs().gt(0.5).double().mean())
                     for k in (gates[0] if n.kind != "simple_rnn" else {})}
        references.append({"time": [float(g.norm()) for g in grads], "gates": fractions})
    out[job["name"]] = {"record": module._json_safe(result), "shapes": shapes, "spatial": spatial, "recorded": recorded,
                        "references": references}
json.dump(out, open(sys.argv[2], "w"))
`;

type Nested = number | Nested[];

/** The layers as the record lists them: depth-first, a residual block before its branch. */
function depthFirst(layers: readonly LayerConfig[]): LayerConfig[] {
  return layers.flatMap((l) => (l.kind === 'residual' ? [l, ...depthFirst(l.layers)] : [l]));
}

/**
 * TensorFlow's own 'same' (tfjs-core, the CPU kernels): PyTorch's layer output in channels-last, from its input,
 * weights and bias. 1-d layers run as 2-d ones of height 1.
 */
function tensorflow(layer: Run['spatial'][number], config: LayerConfig): number[] {
  const toLast = (t: tf.Tensor): tf.Tensor4D =>
    tf.transpose(t.rank === 3 ? tf.expandDims(t, 2) : t, [0, 2, 3, 1]) as tf.Tensor4D; // [N, C, (1,) L] → [N, H, W, C]
  const x = toLast(tf.tensor(layer.input as number[]));
  const pair = (v: number[]): [number, number] => (v.length === 1 ? [1, v[0]!] : [v[0]!, v[1]!]);
  let y: tf.Tensor4D;
  if (config.kind === 'conv1d' || config.kind === 'conv2d') {
    const w = tf.tensor(layer.weight as number[]);
    const filter = tf.transpose(w.rank === 3 ? tf.expandDims(w, 2) : w, [2, 3, 1, 0]) as tf.Tensor4D; // → [kh, kw, in, out]
    const z = tf.conv2d(x, filter, pair(config.stride), config.padding, 'NHWC', pair(config.dilation));
    y = tf.add(z, tf.tensor1d(layer.bias!));
  } else if (config.kind === 'maxpool' || config.kind === 'avgpool') {
    const f = config.kind === 'maxpool' ? tf.maxPool : tf.avgPool;
    y = f(x, pair(config.pool), pair(config.stride), config.padding);
  } else throw new Error(config.kind);
  return Array.from(y.dataSync());
}

interface Run {
  record: {
    layers: {
      path: string;
      kind: string;
      outputWidth: number;
      outputShape: number[];
      inputShape: number[];
      activation: string | null;
    }[];
    series: { timeGradNorm?: number[][]; gateSaturation?: Record<string, number[]>; channelDead?: number[][] }[];
    recordedSteps: number[];
    loss: number[];
  };
  shapes: [number[], number[]][];
  spatial: { kind: string; input: Nested; output: Nested; weight: Nested | null; bias: number[] | null }[];
  recorded: { time: number[]; gates: Record<string, number> }[];
  references: { time: number[]; gates: Record<string, number> }[];
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.skipIf(SKIP_TORCH)('PyTorch export of conv, pooling, LayerNorm and recurrent layers (python3-torch)', () => {
  it('runs, has the shapes it says, records the total ‖∂L/∂h_t‖, gate saturation and dead filters', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-export-new-'));
    const models = newLayerModels();
    const jobs = models.map((m) => {
      const exported = exportPytorch(m.config, m.data, {
        spec: `${m.name}.vgnet.json`,
        dataFile: `${m.name}.data.bin`,
        program: `${m.name}.py`,
      });
      fs.writeFileSync(path.join(dir, `${m.name}.py`), exported.python);
      fs.writeFileSync(path.join(dir, `${m.name}.data.bin`), exported.data);
      return { name: m.name, program: path.join(dir, `${m.name}.py`) };
    });
    fs.writeFileSync(path.join(dir, 'jobs.json'), JSON.stringify(jobs));
    fs.writeFileSync(path.join(dir, 'driver.py'), DRIVER);
    python([path.join(dir, 'driver.py'), path.join(dir, 'jobs.json'), path.join(dir, 'out.json')]);
    const runs = JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8')) as Record<string, Run>;
    let recurrentLayers = 0;
    for (const m of models) {
      const run = runs[m.name]!;
      expect(run.record.loss, m.name).toHaveLength(3);
      expect(run.record.loss.every(Number.isFinite), m.name).toBe(true);
      // What PyTorch computed is what the export (and the record) says.
      for (const [actual, said] of run.shapes) expect(actual, m.name).toEqual(said);
      // …and what `vgnet analyze --record --spec` expects of a record of this spec.
      expect(describeLayers(m.config).map((l) => [l.path, l.kind, l.outputWidth])).toEqual(
        run.record.layers.map((l) => [l.path, l.kind, l.outputWidth]),
      );
      // 'same' layers give ceil(L / stride) positions, as TF/Keras.
      depthFirst(m.config.layers).forEach((l, i) => {
        if (
          (l.kind === 'conv2d' || l.kind === 'conv1d' || l.kind === 'maxpool' || l.kind === 'avgpool') &&
          l.padding === 'same'
        ) {
          const info = run.record.layers[i]!;
          expect(info.outputShape.slice(1), `${m.name} ${l.path}`).toEqual(
            info.inputShape.slice(1).map((L, a) => Math.ceil(L / l.stride[a]!)),
          );
        }
      });
      run.record.layers.forEach((info, i) => {
        const series = run.record.series[i]!;
        if (['simple_rnn', 'lstm', 'gru'].includes(info.kind)) {
          expect(series.timeGradNorm, m.name).toHaveLength(run.record.recordedSteps.length);
          expect(series.timeGradNorm![0], m.name).toHaveLength(info.inputShape[0]!);
          // simple_rnn: its activation's saturation (tanh) or dead units (relu) over every step's pre-activation.
          if (info.kind === 'simple_rnn') {
            const s = series as unknown as { saturatedFraction: (number | null)[]; deadFraction: (number | null)[] };
            const measured = info.activation === 'tanh' ? s.saturatedFraction : s.deadFraction;
            expect(
              measured.every((v) => typeof v === 'number' && v >= 0 && v <= 1),
              m.name,
            ).toBe(true);
          }
          if (info.kind !== 'simple_rnn')
            expect(Object.keys(series.gateSaturation ?? {}).length).toBe(info.kind === 'lstm' ? 4 : 3);
        } else expect(series.timeGradNorm, m.name).toBeUndefined();
        if (info.kind.startsWith('conv')) {
          const layer = depthFirst(m.config.layers)[i]!;
          if (layer.kind === 'conv2d' || layer.kind === 'conv1d')
            if (layer.activation.name === 'relu') expect(series.channelDead![0], m.name).toHaveLength(layer.filters);
        }
      });
      run.recorded.forEach((r, k) => {
        recurrentLayers++;
        const ref = run.references[k]!;
        expect(r.time.length).toBe(ref.time.length);
        r.time.forEach((v, t) =>
          expect(Math.abs(v - ref.time[t]!), `${m.name} t=${t}`).toBeLessThanOrEqual(
            1e-5 * Math.max(1e-3, ref.time[t]!),
          ),
        );
        // Vanishing through time is visible: the gradients differ across the steps.
        expect(new Set(r.time.map((v) => v.toPrecision(4))).size).toBeGreaterThan(1);
        for (const [gate, fraction] of Object.entries(ref.gates))
          expect(r.gates[gate], `${m.name} ${gate}`).toBeCloseTo(fraction, 6);
      });
    }
    expect(recurrentLayers).toBe(4);
    // TF's 'same' (and valid) convolution and pooling, computed by TensorFlow.js, equal the exported layers'.
    let spatial = 0;
    for (const m of models) {
      const layers = depthFirst(m.config.layers).filter((l) =>
        ['conv1d', 'conv2d', 'maxpool', 'avgpool'].includes(l.kind),
      );
      runs[m.name]!.spatial.forEach((layer, k) => {
        const ours = tf.tensor(layer.output as number[]);
        const last = tf.transpose(ours.rank === 3 ? tf.expandDims(ours, 2) : ours, [0, 2, 3, 1]);
        const theirs = tensorflow(layer, layers[k]!);
        const mine = Array.from(last.dataSync());
        expect(mine.length).toBe(theirs.length);
        const worst = Math.max(...mine.map((v, i) => Math.abs(v - theirs[i]!)));
        expect(worst, `${m.name} ${layers[k]!.path} (${layer.kind})`).toBeLessThan(1e-5);
        spatial++;
      });
    }
    expect(spatial).toBe(12);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 300_000);
});

describe('PyTorch export: what it refuses', () => {
  const names = { spec: 's.vgnet.json', dataFile: 's.data.bin', program: 's.py' };
  const base = newLayerModels().find((m) => m.name === 'rnn-tanh')!;
  const withFirst = (layer: LayerConfig): Parameters<typeof exportPytorch>[0] => ({
    ...base.config,
    layers: [layer, ...base.config.layers.slice(1)],
  });

  it('a simple_rnn with an activation nn.RNN lacks', () => {
    const config = withFirst(recurrent('simple_rnn', 4, { activation: 'elu' }));
    expect(() => exportPytorch(config, base.data, names)).toThrow(ExportError);
    expect(() => exportPytorch(config, base.data, names)).toThrow(/simple_rnn with elu/);
  });

  it('the identity initialiser on a kernel that is not square (the input kernel: 2 features, 7 units)', () => {
    const layer = recurrent('simple_rnn', 7);
    const config = withFirst({ ...layer, init: { name: 'identity', scale: 1 } } as LayerConfig);
    expect(() => exportPytorch(config, base.data, names)).toThrow(/identity initialiser on a 7×2 matrix/);
    // The recurrent kernel is square: identity there exports.
    const irnn = withFirst({ ...layer, recurrentInit: { name: 'identity', scale: 1 } } as LayerConfig);
    expect(exportPytorch(irnn, base.data, names).python).toContain('torch.eye(7)');
  });

  it('a conv layer on an input without channels and positions, a recurrent layer on flat input', () => {
    const flat = { ...base.config, input: 16, inputShape: [16], layers: [conv('conv2d', 2, [3, 3])] };
    expect(() => exportPytorch(flat, base.data, names)).toThrow(/conv2d needs a \[channels, height, width\] input/);
    const rnn = { ...base.config, input: 16, inputShape: [16], layers: [recurrent('lstm', 3)] };
    expect(() => exportPytorch(rnn, base.data, names)).toThrow(/lstm needs a \[steps, features\] input/);
  });
});
