/**
 * Robustness run: generated hostile specs and CSV files (bench/robustness/mutate.ts) thrown at `vgnet analyze` and
 * `vgnet fix --apply` in this process (main() or its command functions, see vgnet() below), a sample also through the built CLI as a
 * subprocess (real exit codes), then a kill -9 loop on `fix --apply`. Prints exceptions, hangs past the deadline
 * (+10%), peak RSS, and files corrupted or changed unexpectedly — all must be 0 except RSS.
 *   npm run bench:robustness [-- cases [kills [seed]]]     (defaults 10000 100 1; needs `npm run build`)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { RunCache } from '../../src/analysis/cache';
import { applyTextEdits } from '../../src/analysis/fixes/edit';
import { runAnalyze } from '../../src/cli/analyze';
import { parseArgs, type AnalyzeArgs, type FixArgs } from '../../src/cli/args';
import { runFix } from '../../src/cli/fix';
import { WorkerPool } from '../../src/node/pool';
import { parseSpec } from '../../src/spec';
import { changedFiles, snapshot, writeFolder } from './files';
import { killLoop } from './kill';
import { generateCase, prng, type Case } from './mutate';

/**
 * src/cli/main.ts starts the CLI when it is the process's main module — which, bundled into this file, it is. So it is
 * loaded late, with require.main hidden while its top level runs.
 */
function loadCliMain(): typeof import('../../src/cli/main').main {
  const saved = require.main;
  (require as { main: NodeJS.Module | undefined }).main = undefined;
  try {
    return (require('../../src/cli/main') as typeof import('../../src/cli/main')).main;
  } finally {
    (require as { main: NodeJS.Module | undefined }).main = saved;
  }
}
const cliMain = loadCliMain();
const pool = new WorkerPool(undefined, path.join(__dirname, 'worker.js'), false);

/**
 * Every 10th case runs through the CLI's main(), which starts its own worker pool (~0.1 s of thread start-up each);
 * the others run the same command functions on one warm pool, reading the spec as main() does.
 */
async function vgnet(i: number, argv: string[], out: Sink, err: Sink): Promise<number> {
  if (i % 10 === 0) return cliMain(argv, out, err);
  const args = parseArgs(argv) as AnalyzeArgs | FixArgs;
  const file = args.specs[0]!;
  let text: string;
  try {
    if (fs.statSync(file).size > 4 * 1024 * 1024) return 2;
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return 2;
  }
  const outcome =
    args.command === 'fix'
      ? await runFix(file, args, text, pool, new RunCache())
      : await runAnalyze(file, args, text, pool, new RunCache());
  for (const line of outcome.errors) err.write(`${line}\n`);
  out.write(`${JSON.stringify(outcome.record ?? null)}\n`);
  return outcome.exitCode;
}

const ROOT = path.join(__dirname, '..');
const CLI = path.join(__dirname, 'cli.js');
const BUDGET_S = 5;
const DEADLINE_MS = BUDGET_S * 1000 * 1.1;
const SAMPLE_EVERY = 100;

interface Problem {
  kind: string;
  label: string;
  detail: string;
}

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Every 6th case is `fix --apply`, every 6th an analysis with its fixes verified, the rest without (speed). */
function argvFor(i: number, spec: string): string[] {
  const common = ['--steps', '2', '--budget', String(BUDGET_S), '--threads', '1', '--json'];
  return isFix(i)
    ? ['fix', spec, '--apply', ...common]
    : ['analyze', spec, ...common, ...(i % 6 === 3 ? [] : ['--no-fixes'])];
}

const isFix = (i: number): boolean => i % 6 === 0;

/** A spec the fix run changed must be the original with the recorded edit applied, and still parse. */
function checkFixed(before: Buffer, after: Buffer, out: string): string | null {
  let record: any;
  try {
    record = JSON.parse(out);
  } catch {
    return 'spec changed but no JSON record printed';
  }
  const edit = record?.applied ? record.fixes?.[0]?.edit : undefined;
  if (!edit) return 'spec changed without an applied fix';
  const original = before.toString('utf8');
  const body = original.replace(/^\uFEFF/, '');
  const expected = [
    applyTextEdits(original, [edit]),
    `${original === body ? '' : '\uFEFF'}${applyTextEdits(body, [edit])}`,
  ];
  const text = after.toString('utf8');
  if (!expected.includes(text)) return 'spec is not the original plus the recorded edit';
  if (parseSpec(text.replace(/^\uFEFF/, '')).diagnostics.some((d) => d.severity === 'error'))
    return 'fixed spec does not parse';
  return null;
}

/** The slowest cases, for the report. */
const slowest: { ms: number; label: string }[] = [];

function noteTime(ms: number, label: string): void {
  slowest.push({ ms, label });
  slowest.sort((a, b) => b.ms - a.ms);
  slowest.length = Math.min(slowest.length, 5);
}

async function runInProcess(i: number, c: Case, folder: string, outside: string, problems: Problem[]): Promise<number> {
  writeFolder(folder, c.files, outside);
  const spec = path.join(folder, c.spec);
  const before = snapshot(folder, outside);
  const out = new Sink();
  const err = new Sink();
  const t0 = performance.now();
  let code: number;
  // The pool's workers are unref'd (they never keep a CLI alive); this timer keeps the process up meanwhile.
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<'hang'>((resolve) => {
      timer = setTimeout(() => resolve('hang'), DEADLINE_MS + 1000);
    });
    const result = await Promise.race([vgnet(i, argvFor(i, spec), out, err), timeout]);
    if (result === 'hang') {
      problems.push({ kind: 'hang', label: c.label, detail: `no result after ${DEADLINE_MS + 1000} ms` });
      return -1;
    }
    code = result;
  } catch (e) {
    problems.push({ kind: 'exception', label: c.label, detail: (e as Error).stack ?? String(e) });
    return -1;
  } finally {
    clearTimeout(timer);
  }
  const ms = performance.now() - t0;
  noteTime(ms, `${argvFor(i, '')[0]} ${c.label}`);
  if (ms > DEADLINE_MS)
    problems.push({ kind: 'hang', label: c.label, detail: `${ms.toFixed(0)} ms > deadline ${DEADLINE_MS} ms` });
  if (code === 3 || /internal error/.test(err.text))
    problems.push({ kind: 'exception', label: c.label, detail: err.text.slice(0, 500) });
  const after = snapshot(folder, outside);
  const fixing = isFix(i);
  for (const file of changedFiles(before, after, fixing ? spec : null))
    problems.push({ kind: 'file', label: c.label, detail: `${file} changed` });
  if (fixing && !before.get(spec)!.equals(after.get(spec) ?? Buffer.alloc(0))) {
    const wrong = after.has(spec) ? checkFixed(before.get(spec)!, after.get(spec)!, out.text) : 'spec removed';
    if (wrong) problems.push({ kind: 'file', label: c.label, detail: wrong });
  }
  return code;
}

function runSubprocess(i: number, c: Case, folder: string, outside: string, problems: Problem[]): void {
  writeFolder(folder, c.files, outside);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...argvFor(i, path.join(folder, c.spec))], {
    encoding: 'utf8',
    timeout: DEADLINE_MS + 2000,
  });
  const ms = performance.now() - t0;
  if (r.signal || r.status === null)
    problems.push({
      kind: 'hang',
      label: `${c.label} (subprocess)`,
      detail: `killed by ${r.signal} after ${ms.toFixed(0)} ms`,
    });
  else if (![0, 1, 2].includes(r.status) || /internal error/.test(r.stderr)) {
    problems.push({
      kind: 'exception',
      label: `${c.label} (subprocess)`,
      detail: `exit ${r.status}: ${r.stderr.slice(0, 500)}`,
    });
  }
}

function loadInputs(): { examples: { name: string; text: string }[]; csvSpec: string; csv: string } {
  const dir = path.join(ROOT, 'examples');
  const examples = fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.vgnet.json'))
    .sort()
    .map((name) => ({ name, text: fs.readFileSync(path.join(dir, name), 'utf8') }));
  return {
    examples,
    csvSpec: examples.find((e) => e.name === 'csv-wine.vgnet.json')!.text,
    csv: fs.readFileSync(path.join(dir, 'data/wine-small.csv'), 'utf8'),
  };
}

async function main(): Promise<void> {
  const [cases, kills, seed] = [
    Number(process.argv[2] ?? 10_000),
    Number(process.argv[3] ?? 100),
    Number(process.argv[4] ?? 1),
  ];
  const inputs = loadInputs();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-robustness-'));
  const outside = path.join(tmp, 'outside.csv');
  fs.writeFileSync(outside, inputs.csv);
  const problems: Problem[] = [];
  process.on('uncaughtException', (e) =>
    problems.push({ kind: 'exception', label: 'uncaught', detail: e.stack ?? String(e) }),
  );
  process.on('unhandledRejection', (e) =>
    problems.push({ kind: 'exception', label: 'unhandled rejection', detail: String(e) }),
  );
  const r = prng(seed);
  const codes = new Map<number, number>();
  const t0 = performance.now();
  let peakRss = 0;
  let samples = 0;
  for (let i = 0; i < cases; i++) {
    const c = generateCase(r, inputs.examples, inputs.csvSpec, inputs.csv);
    const code = await runInProcess(i, c, path.join(tmp, 'case'), outside, problems);
    codes.set(code, (codes.get(code) ?? 0) + 1);
    if (i % SAMPLE_EVERY === 0) {
      runSubprocess(i, c, path.join(tmp, 'case'), outside, problems);
      samples++;
    }
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if ((i + 1) % 1000 === 0)
      process.stderr.write(
        `  ${i + 1} cases, ${((performance.now() - t0) / 1000).toFixed(0)} s, ${problems.length} problems\n`,
      );
  }
  const caseSeconds = (performance.now() - t0) / 1000;
  process.stderr.write(`  cases done; kill -9 loop (${kills} kills)…\n`);
  fs.mkdirSync(path.join(tmp, 'kill'));
  const killed = await killLoop(
    CLI,
    path.join(tmp, 'kill'),
    fs.readFileSync(path.join(ROOT, 'examples/deep-sigmoid.vgnet.json'), 'utf8'),
    kills,
    r,
  );
  fs.rmSync(tmp, { recursive: true, force: true });
  pool.dispose();
  const count = (kind: string): number => problems.filter((p) => p.kind === kind).length;
  const lines = [
    `robustness run, seed ${seed}: ${cases} generated cases in-process (${caseSeconds.toFixed(0)} s), ${samples} also as subprocesses`,
    `  exit codes (in-process): ${[...codes]
      .sort((a, b) => a[0] - b[0])
      .map(([k, v]) => `${k === -1 ? 'none' : k}: ${v}`)
      .join(', ')}`,
    `  exceptions / internal errors:          ${count('exception')}`,
    `  hangs past the deadline (${DEADLINE_MS} ms):    ${count('hang')}`,
    `  corrupt or unexpectedly changed files: ${count('file')}`,
    `  peak RSS:                              ${(Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 2 ** 20).toFixed(0)} MB`,
    `kill -9 loop on fix --apply --backup: ${killed.kills} kills (${killed.exitedBeforeKill} runs finished before their kill)`,
    `  spec after kill: ${killed.original} original, ${killed.fixed} fixed, ${killed.corrupt} corrupt; corrupt .bak: ${killed.corruptBackups}`,
    `  temporaries left by kills: ${killed.tempsAfterKills}; left after the next completed fix: ${killed.tempsLeftAtEnd}`,
  ];
  lines.push(`  slowest cases: ${slowest.map((x) => `${x.ms.toFixed(0)} ms (${x.label.slice(0, 70)})`).join('; ')}`);
  for (const p of problems.slice(0, 30))
    lines.push(`  [${p.kind}] ${p.label}\n      ${p.detail.split('\n').slice(0, 6).join('\n      ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  process.exit(problems.length + killed.corrupt + killed.corruptBackups + killed.tempsLeftAtEnd > 0 ? 1 : 0);
}

main().catch((e: unknown) => {
  process.stderr.write(`robustness run failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(2);
});
