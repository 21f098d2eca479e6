/**
 * The exported PyTorch program against VGNet's engine at step 0 for the layers of issue 15 (a small CNN with 'same'
 * padding, pooling and per-channel BatchNorm, a 1-d CNN with dilation and global average pooling, an LSTM, a GRU
 * returning sequences, SimpleRNNs with tanh and with ReLU + identity, a pre-LN residual block): the `--save-init`
 * parameters and batch loaded with `--init`, per-layer ‖∂L/∂W‖ (and, where the engine records it, ‖∂L/∂h_t‖ per
 * step) equal PyTorch's float64 value within 1e-4 relative, or 10× PyTorch's own float32-vs-float64 gap.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportPytorch } from '../../src/bridge/export-pytorch';
import { buildInitDump } from '../../src/cli/init-dump';
import { createTrainer } from '../../src/engine/train';
import { newLayerModels } from './new-layer-models';
import { python, SKIP_TORCH } from './torch';

const DRIVER = String.raw`
import importlib.util, json, sys, torch
torch.set_num_threads(1)
out = {}
for job in json.load(open(sys.argv[1])):
    spec = importlib.util.spec_from_file_location("m_" + job["name"].replace("-", "_"), job["program"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    runs = {}
    for dtype in ("float32", "float64"):
        series = module.train(1, "cpu", job["init"], getattr(torch, dtype)).result()["series"]
        runs[dtype] = {"grad": [s["gradNorm"][0] for s in series],
                       "time": [s["timeGradNorm"][0] if "timeGradNorm" in s else None for s in series]}
    out[job["name"]] = runs
json.dump(module._json_safe(out), open(sys.argv[2], "w"))
`;

type Values = (number | null)[];

describe.skipIf(SKIP_TORCH)('PyTorch export of the new layers, step 0 against the engine (python3-torch)', () => {
  it("gives VGNet's per-layer weight-gradient norms and per-step hidden-state gradients", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-step0-new-'));
    const jobs: { name: string; program: string; init: string }[] = [];
    const ours = new Map<string, { grad: number[]; time: (number[] | null)[] }>();
    for (const m of newLayerModels()) {
      const trainer = createTrainer(m.config, m.data);
      const init = path.join(dir, `${m.name}.init.json`);
      fs.writeFileSync(init, JSON.stringify(buildInitDump(m.name, m.config, trainer)));
      trainer.step();
      const series = trainer.result().series;
      ours.set(m.name, {
        grad: series.map((s) => s.gradNorm[0]!),
        time: series.map((s) => s.timeGradNorm?.[0] ?? null),
      });
      const exported = exportPytorch(m.config, m.data, {
        spec: `${m.name}.vgnet.json`,
        dataFile: `${m.name}.data.bin`,
        program: `${m.name}.py`,
      });
      fs.writeFileSync(path.join(dir, `${m.name}.py`), exported.python);
      fs.writeFileSync(path.join(dir, `${m.name}.data.bin`), exported.data);
      jobs.push({ name: m.name, program: path.join(dir, `${m.name}.py`), init });
    }
    fs.writeFileSync(path.join(dir, 'jobs.json'), JSON.stringify(jobs));
    fs.writeFileSync(path.join(dir, 'driver.py'), DRIVER);
    python([path.join(dir, 'driver.py'), path.join(dir, 'jobs.json'), path.join(dir, 'out.json')]);
    const theirs = JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8')) as Record<
      string,
      { float32: { grad: Values; time: (Values | null)[] }; float64: { grad: Values; time: (Values | null)[] } }
    >;
    const failures: string[] = [];
    let compared = 0;
    let times = 0;
    const gap = (a: number | null, b: number | null): number => Math.abs(a! - b!) / Math.max(Math.abs(b!), 1e-30);
    for (const [name, norms] of ours) {
      const run = theirs[name]!;
      const ownGap = Math.max(
        0,
        ...norms.grad.map((v, i) => (Number.isNaN(v) ? 0 : gap(run.float32.grad[i]!, run.float64.grad[i]!))),
      );
      const tolerance = Math.max(1e-4, 10 * ownGap);
      expect(norms.grad.length, `${name}: layers`).toBe(run.float64.grad.length);
      norms.grad.forEach((v, i) => {
        if (Number.isNaN(v)) {
          if (run.float64.grad[i] !== null) failures.push(`${name} layer ${i}: VGNet has no weight, PyTorch has`);
          return;
        }
        compared++;
        if (!(gap(v, run.float64.grad[i]!) <= tolerance))
          failures.push(
            `${name} layer ${i}: VGNet ${v}, PyTorch ${run.float32.grad[i]} (float64 ${run.float64.grad[i]})`,
          );
      });
      norms.time.forEach((series, i) => {
        const reference = run.float64.time[i];
        if (series === null || !reference) return;
        times++;
        if (series.length !== reference.length) failures.push(`${name} layer ${i}: ${series.length} steps`);
        series.forEach((v, t) => {
          if (!(gap(v, reference[t]!) <= tolerance))
            failures.push(`${name} layer ${i} step ${t}: VGNet ‖∂L/∂h_t‖ ${v}, PyTorch ${reference[t]}`);
        });
      });
    }
    console.log(`step 0, new layers: ${compared} weight-gradient norms, ${times} recurrent layers' time series`);
    expect(failures).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(14);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 300_000);
});
