/**
 * ONNX import against the real exporter: every example and 40 generated specs go spec → PyTorch program (with the
 * `--save-init` parameters) → `torch.onnx.export` → `vgnet import`. The imported spec has the original's layers
 * (kinds, widths, activations, BatchNorm settings, residual blocks; names and initialisers aside — the weights come
 * in the parameters file), and with those weights its step-0 per-layer ‖∂L/∂W‖ on the same batch equal PyTorch's
 * within 1e-4 relative (or 10× PyTorch's own float32-vs-float64 gap for chaotic nets).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/analysis/prepare';
import { exportPytorch } from '../../src/bridge/export-pytorch';
import { buildInitDump } from '../../src/cli/init-dump';
import type { LayerConfig, ModelConfig } from '../../src/engine/config';
import { createTrainer } from '../../src/engine/train';
import { folderFileAccess } from '../../src/node/files';
import { importModelFile } from '../../src/node/import-files';
import { generateSpecs } from './generated-specs';
import { python, SKIP_TORCH } from './torch';

const EXAMPLES = path.join(__dirname, '../../examples');

const DRIVER = String.raw`
import importlib.util, json, sys, warnings, torch
warnings.filterwarnings("ignore")
torch.set_num_threads(1)
out = {}
for job in json.load(open(sys.argv[1])):
    spec = importlib.util.spec_from_file_location("m_" + job["name"].replace("-", "_"), job["program"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.Model()
    x, _ = module.load_init(model, job["init"], "cpu", torch.float32)
    # Evaluation mode folds a conv's BatchNorm into its weights: conv nets are exported in training mode.
    conv = any(isinstance(m, (torch.nn.Conv1d, torch.nn.Conv2d)) for m in model.modules())
    model.train(conv)
    # The exported forward() returns what the loss takes (logits when the output activation is fused into it);
    # the deployed model a user exports ends in that activation.
    final = {"sigmoid": torch.sigmoid, "softmax": lambda z: torch.softmax(z, dim=1)}.get(module.FUSED_OUTPUT)
    wrapped = model if final is None else torch.nn.Sequential(model, type("Out", (torch.nn.Module,), {"forward": lambda self, z: final(z)})())
    mode = torch.onnx.TrainingMode.PRESERVE
    torch.onnx.export(wrapped, x, job["onnx"], opset_version=17, training=mode, do_constant_folding=not conv)
    runs = {}
    for dtype in ("float32", "float64"):
        result = module.train(1, "cpu", job["init"], getattr(torch, dtype)).result()
        runs[dtype] = [s["gradNorm"][0] for s in result["series"]]
    out[job["name"]] = runs
json.dump(module._json_safe(out), open(sys.argv[2], "w"))
`;

/** The structure both specs must share: everything but paths and initialisers. */
function shape(layers: readonly LayerConfig[]): unknown[] {
  return layers.map((l) => {
    switch (l.kind) {
      case 'dense':
        return [
          'dense',
          l.units,
          l.activation.name,
          l.activation.name === 'linear' ? 0 : Math.round(l.activation.alpha * 1e5),
        ];
      case 'activation':
        return ['activation', l.activation.name, Math.round(l.activation.alpha * 1e5)];
      case 'batchnorm':
        return ['batchnorm', l.eps.toPrecision(4), l.momentum.toPrecision(4)];
      case 'dropout':
        return ['dropout'];
      case 'residual':
        return ['residual', l.projection, shape(l.layers)];
      case 'conv1d':
      case 'conv2d':
        return [l.kind, l.filters, l.kernel, l.stride, l.dilation, l.padding, l.activation.name];
      case 'maxpool':
      case 'avgpool':
        return [l.kind, l.pool, l.stride, l.padding];
      case 'layernorm':
        return ['layernorm', l.eps.toPrecision(4)];
      case 'simple_rnn':
      case 'lstm':
      case 'gru':
        return [l.kind, l.units, l.kind === 'simple_rnn' ? l.activation.name : '', l.returnSequences];
      case 'flatten':
      case 'global_avgpool':
        return [l.kind];
    }
  });
}

/** Activations fused into dense layers count the same as separate ones (the import fuses); identities vanish. */
function fused(config: ModelConfig): unknown[] {
  const merge = (layers: readonly LayerConfig[]): LayerConfig[] => {
    const out: LayerConfig[] = [];
    for (const l of layers) {
      const prev = out[out.length - 1];
      if (l.kind === 'activation' && l.activation.name === 'linear') continue; // computes nothing: not in ONNX
      const fusing = prev?.kind === 'dense' || prev?.kind === 'conv1d' || prev?.kind === 'conv2d';
      if (l.kind === 'activation' && fusing && prev.activation.name === 'linear') {
        out[out.length - 1] = { ...prev, activation: l.activation };
        continue;
      }
      out.push(l.kind === 'residual' ? { ...l, layers: merge(l.layers) } : l);
    }
    return out;
  };
  return shape(merge(config.layers));
}

describe.skipIf(SKIP_TORCH)('ONNX import of torch.onnx.export files (python3-torch, python3-onnx)', () => {
  it("gives back the spec and, with the stored weights, PyTorch's step-0 gradients", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-onnx-'));
    const examples = fs
      .readdirSync(EXAMPLES)
      .filter((f) => f.endsWith('.vgnet.json'))
      .map((f) => ({ name: f.replace('.vgnet.json', ''), text: fs.readFileSync(path.join(EXAMPLES, f), 'utf8') }));
    const cases = [...examples, ...generateSpecs(40, 3).map((g) => ({ name: g.name, text: JSON.stringify(g.spec) }))];
    const jobs: { name: string; program: string; init: string; onnx: string }[] = [];
    const originals = new Map<string, { config: ModelConfig; batch: { x: Float32Array; y: Float32Array } }>();
    for (const c of cases) {
      const prepared = prepare(c.text, { files: folderFileAccess(EXAMPLES), steps: 1 });
      if (!prepared.ok) throw new Error(`${c.name}: ${prepared.diagnostics[0]?.message}`);
      const trainer = createTrainer(prepared.config, prepared.dataset);
      const init = path.join(dir, `${c.name}.init.json`);
      fs.writeFileSync(init, JSON.stringify(buildInitDump(c.name, prepared.config, trainer)));
      originals.set(c.name, { config: prepared.config, batch: trainer.firstBatch() });
      const exported = exportPytorch(prepared.config, prepared.dataset, {
        spec: `${c.name}.vgnet.json`,
        dataFile: `${c.name}.data.bin`,
        program: `${c.name}.py`,
      });
      fs.writeFileSync(path.join(dir, `${c.name}.py`), exported.python);
      fs.writeFileSync(path.join(dir, `${c.name}.data.bin`), exported.data);
      jobs.push({
        name: c.name,
        program: path.join(dir, `${c.name}.py`),
        init,
        onnx: path.join(dir, `${c.name}.onnx`),
      });
    }
    fs.writeFileSync(path.join(dir, 'jobs.json'), JSON.stringify(jobs));
    fs.writeFileSync(path.join(dir, 'driver.py'), DRIVER);
    python([path.join(dir, 'driver.py'), path.join(dir, 'jobs.json'), path.join(dir, 'out.json')]);
    const torch = JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8')) as Record<
      string,
      { float32: number[]; float64: number[] }
    >;
    const failures: string[] = [];
    let compared = 0;
    for (const job of jobs) {
      const original = originals.get(job.name)!;
      const target = path.join(dir, `${job.name}.imported.vgnet.json`);
      const imported = importModelFile(job.onnx, target, true);
      if (!imported.ok) {
        failures.push(`${job.name}: ${imported.message}`);
        continue;
      }
      const text = fs.readFileSync(target, 'utf8');
      const prepared = prepare(text, { files: folderFileAccess(dir), steps: 1 });
      if (!prepared.ok) {
        failures.push(`${job.name}: the imported spec: ${prepared.diagnostics[0]?.message}`);
        continue;
      }
      expect(fused(prepared.config), `${job.name}: the imported layers`).toEqual(fused(original.config));
      // The same batch as PyTorch's step 0 (the --save-init batch), all of it in one step.
      const { x, y } = original.batch;
      const rows = x.length / prepared.config.input;
      const data = {
        x,
        y,
        samples: rows,
        features: prepared.config.input,
        targetWidth: y.length / rows,
        classes: 0,
        shape: prepared.config.inputShape ?? [prepared.config.input],
      };
      // ONNX carries no loss: the import guesses one from the output; the gradients are compared under the spec's.
      const config = {
        ...prepared.config,
        loss: original.config.loss,
        training: { ...prepared.config.training, batchSize: rows },
      };
      const trainer = createTrainer(config, data);
      trainer.step();
      const ours = trainer.result().series.map((s) => s.gradNorm[0]!);
      const run = torch[job.name]!;
      const weighted = ours.filter((v) => !Number.isNaN(v));
      const theirs32 = run.float32.filter((v) => v !== null);
      const theirs64 = run.float64.filter((v) => v !== null);
      const gap = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);
      const tolerance = Math.max(1e-4, 10 * Math.max(0, ...theirs32.map((v, i) => gap(v, theirs64[i]!))));
      weighted.forEach((v, i) => {
        compared++;
        if (!(gap(v, theirs64[i]!) <= tolerance))
          failures.push(`${job.name} weighted layer ${i}: imported ${v}, PyTorch ${theirs64[i]}`);
      });
    }
    console.log(`ONNX round trip: ${jobs.length} specs, ${compared} weight-gradient norms compared`);
    expect(failures).toEqual([]);
    expect(compared).toBeGreaterThan(150);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 600_000);
});
