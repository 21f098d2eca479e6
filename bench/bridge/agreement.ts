/**
 * Full runs, VGNet's engine vs PyTorch: does the exported program's run (`--record`) get the verdicts VGNet's own
 * run gets? For every example and N generated specs (test/bridge/generated-specs.ts): VGNet trains the spec on two
 * seeds, the exported PyTorch program trains it on its own generator, and the same detectors read both records.
 * A spec has a clear verdict when VGNet's problem kinds are the same on both seeds; on those, the PyTorch run
 * should get the same kinds. Prints the agreement and lists the rest.
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
  const ours = new Map<string, { a: string[]; b: string[]; steps: number }>();
  const jobs: { name: string; program: string; steps: number; out: string }[] = [];
  for (const c of cases) {
    const prepared = prepare(c.text, { files });
    if (!prepared.ok) throw new Error(`${c.name}: ${prepared.diagnostics[0]?.message}`);
    const steps = prepared.config.training.steps;
    const base = prepared.config.training.seed;
    const run = (s: number): Promise<Report> =>
      analyze(c.text, { executor, seed: s, verifyFixes: false, timeBudgetMs: 600_000 });
    ours.set(c.name, { a: problems(await run(base)), b: problems(await run(base + 1000)), steps });
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
  let clear = 0;
  let agree = 0;
  const differing: string[] = [];
  const unclear: string[] = [];
  for (const c of cases) {
    const mine = ours.get(c.name)!;
    const read = readRecord(fs.readFileSync(path.join(dir, `${c.name}.record.json`), 'utf8'));
    if (!read.ok) throw new Error(`${c.name}: ${read.message}`);
    const theirs = problems(await analyzeRecorded(read.run, c.text, { executor, verifyFixes: false }));
    const show = (k: string[]): string => (k.length ? k.join('+') : 'healthy');
    if (show(mine.a) !== show(mine.b)) {
      unclear.push(`${c.name}: VGNet ${show(mine.a)} / ${show(mine.b)} by seed, PyTorch ${show(theirs)}`);
      continue;
    }
    clear++;
    if (show(theirs) === show(mine.a)) agree++;
    else differing.push(`${c.name}: VGNet ${show(mine.a)} (both seeds), PyTorch ${show(theirs)}`);
  }
  console.log(
    `bridge agreement, ${cases.length} specs (${cases.length - count} examples, ${count} generated, seed ${seed}): ` +
      `VGNet ${vgnetSeconds.toFixed(0)} s for 2 seeds, PyTorch ${torchSeconds.toFixed(0)} s`,
  );
  console.log(`  clear verdicts (same problem kinds on VGNet's two seeds): ${clear}`);
  console.log(
    `  PyTorch's run gets the same kinds: ${agree} of ${clear} (${((100 * agree) / Math.max(1, clear)).toFixed(1)}%)`,
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
