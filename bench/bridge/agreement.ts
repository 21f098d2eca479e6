/**
 * Full runs, VGNet's engine vs PyTorch: does the exported program's run (`--record`) get the verdicts VGNet's own
 * run gets? For every example and N generated specs (test/bridge/generated-specs.ts): VGNet trains the spec on three
 * seeds, the exported PyTorch program trains it on its own generator, and the same detectors read both records.
 * A spec has a clear verdict when VGNet's problem kinds are the same on its seeds (the first two, or all three); on
 * those, the PyTorch run should get the same kinds. Prints both agreements and lists the rest.
 *   npm run bench:bridge [-- N [seed]]      (default 150 1; needs /usr/bin/python3 with torch)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze, analyzeRecorded, type Report } from '../../src/analysis/analyze';
import { inProcessExecutor } from '../../src/analysis/measure';
import { prepare } from '../../src/analysis/prepare';
import { readRecord } from '../../src/analysis/record';
import { exportPytorch } from '../../src/bridge/export-pytorch';
import { folderFileAccess } from '../../src/node/files';
import { generateSpecs } from '../../test/bridge/generated-specs';

const PROBLEMS = new Set(['vanishing', 'exploding', 'divergence', 'dead-relu', 'saturation']);
const EXAMPLES = path.join(__dirname, '../examples');

const DRIVER = String.raw`
import importlib.util, json, sys, torch
torch.set_num_threads(1)
for job in json.load(open(sys.argv[1])):
    spec = importlib.util.spec_from_file_location("m_" + job["name"].replace("-", "_"), job["program"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.train(job["steps"]).save(job["out"])
`;

function problems(report: Report): string[] {
  const kinds = report.findings
    .filter((f) => f.source === 'measured' && f.severity !== 'info' && PROBLEMS.has(f.kind))
    .map((f) => f.kind);
  return [...new Set(kinds)].sort();
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 150);
  const seed = Number(process.argv[3] ?? 1);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-agreement-'));
  const files = folderFileAccess(EXAMPLES);
  const executor = inProcessExecutor(files);
  const cases = [
    ...fs
      .readdirSync(EXAMPLES)
      .filter((f) => f.endsWith('.vgnet.json'))
      .map((f) => ({ name: f.replace('.vgnet.json', ''), text: fs.readFileSync(path.join(EXAMPLES, f), 'utf8') })),
    ...generateSpecs(count, seed).map((g) => ({ name: g.name, text: JSON.stringify(g.spec) })),
  ];
  const t0 = Date.now();
  const ours = new Map<string, { seeds: string[][]; steps: number }>();
  const jobs: { name: string; program: string; steps: number; out: string }[] = [];
  for (const c of cases) {
    const prepared = prepare(c.text, { files });
    if (!prepared.ok) throw new Error(`${c.name}: ${prepared.diagnostics[0]?.message}`);
    const steps = prepared.config.training.steps;
    const base = prepared.config.training.seed;
    const run = (s: number): Promise<Report> =>
      analyze(c.text, { executor, seed: s, verifyFixes: false, timeBudgetMs: 600_000 });
    const seeds: string[][] = [];
    for (let k = 0; k < 3; k++) seeds.push(problems(await run(base + 1000 * k)));
    ours.set(c.name, { seeds, steps });
    const exported = exportPytorch(prepared.config, prepared.dataset, {
      spec: `${c.name}.vgnet.json`,
      dataFile: `${c.name}.data.bin`,
      program: `${c.name}.py`,
    });
    const program = path.join(dir, `${c.name}.py`);
    fs.writeFileSync(program, exported.python);
    fs.writeFileSync(path.join(dir, `${c.name}.data.bin`), exported.data);
    jobs.push({ name: c.name, program, steps, out: path.join(dir, `${c.name}.record.json`) });
  }
  const vgnetSeconds = (Date.now() - t0) / 1000;
  fs.writeFileSync(path.join(dir, 'jobs.json'), JSON.stringify(jobs));
  fs.writeFileSync(path.join(dir, 'driver.py'), DRIVER);
  const t1 = Date.now();
  const py = spawnSync('/usr/bin/python3', [path.join(dir, 'driver.py'), path.join(dir, 'jobs.json')], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  if (py.status !== 0) throw new Error(py.stderr);
  const torchSeconds = (Date.now() - t1) / 1000;
  // Clear: VGNet's verdict is the same on its first two seeds (and, stricter, on all three).
  const tally = { clear2: 0, agree2: 0, clear3: 0, agree3: 0 };
  const differing: string[] = [];
  const unclear: string[] = [];
  const show = (k: string[]): string => (k.length ? k.join('+') : 'healthy');
  for (const c of cases) {
    const mine = ours.get(c.name)!;
    const read = readRecord(fs.readFileSync(path.join(dir, `${c.name}.record.json`), 'utf8'));
    if (!read.ok) throw new Error(`${c.name}: ${read.message}`);
    const theirs = show(problems(await analyzeRecorded(read.run, c.text, { executor, verifyFixes: false })));
    const [a, b, d] = mine.seeds.map(show) as [string, string, string];
    if (a !== b) {
      unclear.push(`${c.name}: VGNet ${a} / ${b} by seed, PyTorch ${theirs}`);
      continue;
    }
    tally.clear2++;
    if (theirs === a) tally.agree2++;
    if (a === d) {
      tally.clear3++;
      if (theirs === a) tally.agree3++;
    }
    if (theirs !== a) differing.push(`${c.name}: VGNet ${a} (${a === d ? '3/3' : '2/3'} seeds), PyTorch ${theirs}`);
  }
  const pct = (n: number, d: number): string => `${((100 * n) / Math.max(1, d)).toFixed(1)}%`;
  console.log(
    `bridge agreement, ${cases.length} specs (${cases.length - count} examples, ${count} generated, seed ${seed}): ` +
      `VGNet ${vgnetSeconds.toFixed(0)} s for 3 seeds, PyTorch ${torchSeconds.toFixed(0)} s`,
  );
  console.log(
    `  clear verdicts, same kinds on VGNet's seeds 1-2: ${tally.clear2}; PyTorch's run agrees on ${tally.agree2} (${pct(tally.agree2, tally.clear2)})`,
  );
  console.log(
    `  clear verdicts, same kinds on all 3 VGNet seeds: ${tally.clear3}; PyTorch's run agrees on ${tally.agree3} (${pct(tally.agree3, tally.clear3)})`,
  );
  for (const d of differing) console.log(`    differs: ${d}`);
  console.log(`  seed-dependent in VGNet (left out): ${unclear.length}`);
  for (const u of unclear) console.log(`    ${u}`);
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
