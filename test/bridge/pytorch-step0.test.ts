/**
 * The exported PyTorch program against VGNet's engine at step 0: every example and 120 generated specs, the
 * parameters and first batch of `--save-init` loaded with `--init`, per-layer ‖∂L/∂W‖ equal to PyTorch's float64
 * value within 1e-4 relative — or, where PyTorch's own float32 run is further off (chaotic nets amplify rounding),
 * within 10× that gap. One Python process runs every program (torch is imported once).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/analysis/prepare';
import { exportPytorch } from '../../src/bridge/export-pytorch';
import { buildInitDump } from '../../src/cli/init-dump';
import { createTrainer } from '../../src/engine/train';
import { folderFileAccess } from '../../src/node/files';
import { generateSpecs } from './generated-specs';
import { python, SKIP_TORCH } from './torch';

const EXAMPLES = path.join(__dirname, '../../examples');

const DRIVER = String.raw`
import importlib.util, json, sys, torch
torch.set_num_threads(1)
jobs = json.load(open(sys.argv[1]))
out = {}
for job in jobs:
    spec = importlib.util.spec_from_file_location("m_" + job["name"].replace("-", "_"), job["program"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    runs = {}
    for dtype in ("float32", "float64"):
        result = module.train(1, "cpu", job["init"], getattr(torch, dtype)).result()
        runs[dtype] = [s["gradNorm"][0] for s in result["series"]]
    out[job["name"]] = runs
json.dump(module._json_safe(out), open(sys.argv[2], "w"))
`;

interface Case {
  name: string;
  text: string;
  folder: string;
}

function cases(): Case[] {
  const examples = fs
    .readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.vgnet.json'))
    .map((f) => ({
      name: f.replace('.vgnet.json', ''),
      text: fs.readFileSync(path.join(EXAMPLES, f), 'utf8'),
      folder: EXAMPLES,
    }));
  const generated = generateSpecs(120, 7).map((g) => ({
    name: g.name,
    text: JSON.stringify(g.spec),
    folder: EXAMPLES,
  }));
  return [...examples, ...generated];
}

describe.skipIf(SKIP_TORCH)('PyTorch export, step 0 (python3-torch)', () => {
  it("gives VGNet's per-layer weight-gradient norms for every example and 120 generated specs", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-step0-'));
    const jobs: { name: string; program: string; init: string }[] = [];
    const ours = new Map<string, number[]>();
    for (const c of cases()) {
      const prepared = prepare(c.text, { files: folderFileAccess(c.folder), steps: 1 });
      if (!prepared.ok) throw new Error(`${c.name}: ${prepared.diagnostics.map((d) => d.message).join('; ')}`);
      const trainer = createTrainer(prepared.config, prepared.dataset);
      const init = path.join(dir, `${c.name}.init.json`);
      fs.writeFileSync(init, JSON.stringify(buildInitDump(c.name, prepared.config, trainer)));
      trainer.step();
      ours.set(
        c.name,
        trainer.result().series.map((s) => s.gradNorm[0]!),
      );
      const program = path.join(dir, `${c.name}.py`);
      const exported = exportPytorch(prepared.config, prepared.dataset, {
        spec: `${c.name}.vgnet.json`,
        dataFile: `${c.name}.data.bin`,
        program: `${c.name}.py`,
      });
      fs.writeFileSync(program, exported.python);
      fs.writeFileSync(path.join(dir, `${c.name}.data.bin`), exported.data);
      jobs.push({ name: c.name, program, init });
    }
    fs.writeFileSync(path.join(dir, 'jobs.json'), JSON.stringify(jobs));
    fs.writeFileSync(path.join(dir, 'driver.py'), DRIVER);
    python([path.join(dir, 'driver.py'), path.join(dir, 'jobs.json'), path.join(dir, 'out.json')]);
    const theirs = JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8')) as Record<
      string,
      { float32: (number | null)[]; float64: (number | null)[] }
    >;
    const failures: string[] = [];
    let compared = 0;
    let worst = 0;
    for (const [name, norms] of ours) {
      const run = theirs[name]!;
      const gap = (a: number | null, b: number | null): number => Math.abs(a! - b!) / Math.max(Math.abs(b!), 1e-30);
      // PyTorch's own float32-vs-float64 gap, the largest over the spec's layers: rounding is amplified through the
      // net in both passes, so one layer's gap is a noisy sample of the spec's sensitivity to it.
      const ownGap = Math.max(0, ...norms.map((v, i) => (Number.isNaN(v) ? 0 : gap(run.float32[i]!, run.float64[i]!))));
      const tolerance = Math.max(1e-4, 10 * ownGap);
      norms.forEach((v, i) => {
        if (Number.isNaN(v)) return; // a layer without weights
        const error = gap(v, run.float64[i]!);
        compared++;
        worst = Math.max(worst, error / tolerance);
        if (!(error <= tolerance))
          failures.push(`${name} layer ${i}: VGNet ${v}, PyTorch ${run.float32[i]} (float64 ${run.float64[i]})`);
      });
    }
    console.log(
      `step 0: ${compared} weight-gradient norms of ${ours.size} specs, worst error/tolerance ${worst.toFixed(3)}`,
    );
    expect(failures).toEqual([]);
    expect(compared).toBeGreaterThan(400);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 600_000);
});
