/**
 * ONNX import of the layers of issue 15 against the real exporter: each model of new-layer-models.ts goes
 * PyTorch program (with the engine's initial parameters) → `torch.onnx.export` → `vgnet import`. The imported spec
 * has the original's layers (conv geometry and TF's 'same' padding read back from the exporter's pads and F.pad
 * patterns, pooling, flatten, global pooling, LayerNorm, RNN/LSTM/GRU with their gate blocks reordered from ONNX's),
 * and with the stored weights its step-0 per-layer ‖∂L/∂W‖ on the same batch equal PyTorch's within 1e-4 relative.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/analysis/prepare';
import { exportPytorch } from '../../src/bridge/export-pytorch';
import { buildInitDump } from '../../src/cli/init-dump';
import type { LayerConfig } from '../../src/engine/config';
import { createTrainer } from '../../src/engine/train';
import { folderFileAccess } from '../../src/node/files';
import { importModelFile } from '../../src/node/import-files';
import { newLayerModels } from './new-layer-models';
import { python, SKIP_TORCH } from './torch';

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
    model.eval()
    final = {"sigmoid": torch.sigmoid, "softmax": lambda z: torch.softmax(z, dim=1)}.get(module.FUSED_OUTPUT)
    wrapped = model if final is None else torch.nn.Sequential(model, type("Out", (torch.nn.Module,), {"forward": lambda self, z: final(z)})())
    torch.onnx.export(wrapped, x, job["onnx"], opset_version=17)
    runs = {}
    for dtype in ("float32", "float64"):
        result = module.train(1, "cpu", job["init"], getattr(torch, dtype)).result()
        runs[dtype] = [s["gradNorm"][0] for s in result["series"]]
    out[job["name"]] = runs
json.dump(module._json_safe(out), open(sys.argv[2], "w"))
`;

/** What both specs must share: kinds and geometry, not paths or initialisers. */
function signature(layers: readonly LayerConfig[]): unknown[] {
  return layers.map((l) => {
    switch (l.kind) {
      case 'dense':
        return ['dense', l.units, l.activation.name];
      case 'conv1d':
      case 'conv2d':
        return [l.kind, l.filters, l.kernel, l.stride, l.dilation, l.padding, l.activation.name];
      case 'maxpool':
      case 'avgpool':
        return [l.kind, l.pool, l.stride, l.padding];
      case 'batchnorm':
      case 'layernorm':
        return [l.kind, l.eps.toPrecision(4)];
      case 'simple_rnn':
      case 'lstm':
      case 'gru':
        return [l.kind, l.units, l.kind === 'simple_rnn' ? l.activation.name : '', l.returnSequences];
      case 'residual':
        return ['residual', l.projection, signature(l.layers)];
      default:
        return [l.kind];
    }
  });
}

describe.skipIf(SKIP_TORCH)('ONNX import of conv, pooling, LayerNorm and recurrent layers (python3-torch)', () => {
  it("gives back each model and, with the stored weights, PyTorch's step-0 gradients", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-onnx-new-'));
    // cnn-prelu's standalone PReLU runs on a flattened view (Flatten → PRelu → Reshape to the input's own shape in
    // ONNX), which the import does not read.
    const models = newLayerModels().filter((m) => m.name !== 'cnn-prelu');
    const batches = new Map<string, { x: Float32Array; y: Float32Array }>();
    const jobs = models.map((m) => {
      const trainer = createTrainer(m.config, m.data);
      const init = path.join(dir, `${m.name}.init.json`);
      fs.writeFileSync(init, JSON.stringify(buildInitDump(m.name, m.config, trainer)));
      batches.set(m.name, trainer.firstBatch());
      const exported = exportPytorch(m.config, m.data, {
        spec: `${m.name}.vgnet.json`,
        dataFile: `${m.name}.data.bin`,
        program: `${m.name}.py`,
      });
      fs.writeFileSync(path.join(dir, `${m.name}.py`), exported.python);
      fs.writeFileSync(path.join(dir, `${m.name}.data.bin`), exported.data);
      return { name: m.name, program: path.join(dir, `${m.name}.py`), init, onnx: path.join(dir, `${m.name}.onnx`) };
    });
    fs.writeFileSync(path.join(dir, 'jobs.json'), JSON.stringify(jobs));
    fs.writeFileSync(path.join(dir, 'driver.py'), DRIVER);
    python([path.join(dir, 'driver.py'), path.join(dir, 'jobs.json'), path.join(dir, 'out.json')]);
    const torch = JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8')) as Record<
      string,
      { float32: (number | null)[]; float64: (number | null)[] }
    >;
    const failures: string[] = [];
    let compared = 0;
    for (const m of models) {
      const target = path.join(dir, `${m.name}.imported.vgnet.json`);
      const imported = importModelFile(path.join(dir, `${m.name}.onnx`), target, true);
      if (!imported.ok) {
        failures.push(`${m.name}: ${imported.message}`);
        continue;
      }
      const text = fs.readFileSync(target, 'utf8');
      const prepared = prepare(text, { files: folderFileAccess(dir), steps: 1 });
      if (!prepared.ok) {
        failures.push(`${m.name}: the imported spec: ${prepared.diagnostics[0]?.message}`);
        continue;
      }
      expect(signature(prepared.config.layers), `${m.name}: the imported layers\n${text}`).toEqual(
        signature(m.config.layers),
      );
      expect(prepared.config.inputShape ?? [prepared.config.input], m.name).toEqual(m.config.inputShape);
      const { x, y } = batches.get(m.name)!;
      const rows = x.length / m.config.input;
      const data = { ...m.data, x, y, samples: rows };
      const config = {
        ...prepared.config,
        loss: m.config.loss,
        training: { ...prepared.config.training, batchSize: rows },
      };
      const trainer = createTrainer(config, data);
      trainer.step();
      const ours = trainer.result().series.map((s) => s.gradNorm[0]!);
      const run = torch[m.name]!;
      const gap = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);
      const tolerance = Math.max(
        1e-4,
        10 * Math.max(0, ...run.float32.map((v, i) => (v === null ? 0 : gap(v, run.float64[i]!)))),
      );
      expect(ours.length, m.name).toBe(run.float64.length);
      ours.forEach((v, i) => {
        const theirs = run.float64[i];
        if (Number.isNaN(v) || theirs === null) {
          if (Number.isNaN(v) !== (theirs === null)) failures.push(`${m.name} layer ${i}: weights on one side only`);
          return;
        }
        compared++;
        if (!(gap(v, theirs!) <= tolerance)) failures.push(`${m.name} layer ${i}: imported ${v}, PyTorch ${theirs}`);
      });
    }
    console.log(`ONNX round trip of the new layers: ${models.length} models, ${compared} weight-gradient norms`);
    expect(failures).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(18);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 300_000);
});
