/**
 * The wait for verified fixes, and the training work behind it: the whole analysis of a spec as the editor runs it
 * (3 seeds; the first seed's report early; its candidate fixes started then; the fixes verified on a worker pool),
 * timed round by round, with the CLI's `analyze` of the same spec timed in between (a process of its own):
 *   npm run bench:latency [-- spec.vgnet.json] [--rounds N]
 * Besides the milestones it prints every run the analysis trained (seed, steps, seconds), their sum — the work — and
 * that work perfectly shared by the cores, both for the whole verification and for the least the verification rules
 * allow: every seed unfixed, every candidate once on the first seed (fixes are ranked by their measured effect) and
 * the preferred fix on the other seeds (it is *fixed* only when it holds on every one). No scheduler can finish in
 * less than the latter; compare it with the 2 s target of issue 14.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze, verifyReportFixes, type AnalyzeOptions } from '../src/analysis/analyze';
import { RunCache } from '../src/analysis/cache';
import { applyTextEdits } from '../src/analysis/fixes/edit';
import type { Executor, MeasureJob } from '../src/analysis/measure';
import { poolSize, WorkerPool } from '../src/node/pool';
import { parseSpec } from '../src/spec';
import { median } from './measure';

interface RunLog {
  kind: 'seed' | 'candidate' | 'confirmation';
  text: string;
  seed: number | null;
  steps: number;
  ms: number;
}

const args = process.argv.slice(2);
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 3;
const file =
  args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--rounds') ?? 'examples/deep-sigmoid-30.vgnet.json';
const text = readFileSync(file, 'utf8');
const folder = path.dirname(path.resolve(file));
/** The pool's workers (the CLI's: one per core); the work is shared by as many. */
const cores = poolSize(os.availableParallelism());
const cli = path.join(__dirname, 'cli.js');
const seconds = (ms: number): string => (ms / 1000).toFixed(2);
/** The seed of a job that names none: the spec's own. */
const specSeed = parseSpec(text).config?.training.seed ?? 'the spec’s';

/** The pool's executor, logging every run: which it was, its steps and its training time. */
function loggingExecutor(pool: WorkerPool, log: RunLog[]): Executor {
  const inner = pool.executor(folder);
  return {
    run: async (job: MeasureJob, signal, onProgress) => {
      const outcome = await inner.run(job, signal, onProgress);
      const kind = job.text === text ? 'seed' : job.seed === null ? 'candidate' : 'confirmation';
      log.push({
        kind,
        text: job.text,
        seed: job.seed,
        steps: outcome.ok ? outcome.result.stepsRun : 0,
        // The training in the worker (the queue's wait and the run's few ms of setup not counted: a lower bound).
        ms: outcome.ok ? outcome.result.timeMs : 0,
      });
      return outcome;
    },
  };
}

async function round(): Promise<{
  firstMs: number;
  seedsMs: number;
  verifiedMs: number;
  mainMs: number;
  log: RunLog[];
  preferred: string[];
  /** Fix titles by fixed text (the preferred one starred). */
  titles: Map<string, string>;
}> {
  const pool = new WorkerPool();
  const log: RunLog[] = [];
  const options: AnalyzeOptions = { executor: loggingExecutor(pool, log), cache: new RunCache(), verifyFixes: false };
  const elu = performance.eventLoopUtilization();
  const t0 = performance.now();
  let firstMs = NaN;
  const measured = await analyze(text, {
    ...options,
    prefetchFixes: true,
    onFirstSeed: () => (firstMs = performance.now() - t0),
  });
  const seedsMs = performance.now() - t0;
  const verified = await verifyReportFixes(text, measured, options);
  const verifiedMs = performance.now() - t0;
  // The calling thread's own work (parsing, applying fixes, detecting, judging): the extension host's, in the editor.
  const mainMs = performance.eventLoopUtilization(elu).active;
  pool.dispose();
  const preferred = verified.fixes.filter((f) => f.preferred).map((f) => applyTextEdits(text, [f.edit]));
  const titles = new Map(
    verified.fixes.map((f) => [applyTextEdits(text, [f.edit]), `${f.preferred ? '★ ' : ''}${f.title}`]),
  );
  return { firstMs, seedsMs, verifiedMs, mainMs, log, preferred, titles };
}

function cliWall(): number {
  const t0 = performance.now();
  const run = spawnSync(process.execPath, [cli, 'analyze', file], { encoding: 'utf8' });
  if (run.status !== 0 && run.status !== 1) throw new Error(`vgnet analyze failed: ${run.stderr}`);
  return performance.now() - t0;
}

async function main(): Promise<void> {
  process.stdout.write(
    `${path.basename(file)}: 3 seeds, fixes verified, ${cores} worker${cores > 1 ? 's' : ''} (${os.availableParallelism()} cores), Node ${process.versions.node}\n\n` +
      '| round | first seed s | every seed s | verified fixes s | calling thread busy s | CLI analyze s | runs | work s | work / workers s | least work s | least work / workers s |\n' +
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n',
  );
  const rows: { verified: number; main: number; cli: number; least: number }[] = [];
  let lastLog: RunLog[] = [];
  let lastTitles = new Map<string, string>();
  for (let r = 1; r <= rounds; r++) {
    const { firstMs, seedsMs, verifiedMs, mainMs, log, preferred, titles } = await round();
    const cliMs = cliWall();
    const work = log.reduce((s, run) => s + run.ms, 0);
    // Confirmations of fixes other than the preferred one are the only runs the rules could do without.
    const least = log
      .filter((run) => run.kind !== 'confirmation' || preferred.includes(run.text))
      .reduce((s, run) => s + run.ms, 0);
    rows.push({ verified: verifiedMs, main: mainMs, cli: cliMs, least: least / cores });
    lastLog = log;
    lastTitles = titles;
    process.stdout.write(
      `| ${r} | ${seconds(firstMs)} | ${seconds(seedsMs)} | ${seconds(verifiedMs)} | ${seconds(mainMs)} | ${seconds(cliMs)} | ${log.length} | ` +
        `${seconds(work)} | ${seconds(work / cores)} | ${seconds(least)} | ${seconds(least / cores)} |\n`,
    );
  }
  process.stdout.write(`\nruns of the last round (training time in the worker; runs side by side share the cores):\n`);
  for (const run of lastLog) {
    const seed = run.seed ?? specSeed;
    const title = lastTitles.get(run.text) ?? 'a fix';
    const what = run.kind === 'seed' ? 'the spec' : title.length > 60 ? `${title.slice(0, 59)}…` : title;
    process.stdout.write(
      `  ${run.kind.padEnd(12)} seed ${String(seed).padEnd(2)} ${String(run.steps).padStart(4)} steps ${seconds(run.ms)} s  ${what}\n`,
    );
  }
  const m = (pick: (row: (typeof rows)[number]) => number): string => seconds(median(rows.map(pick)));
  process.stdout.write(
    `\nmedian: verified fixes ${m((x) => x.verified)} s (the calling thread busy ${m((x) => x.main)} s of it), CLI analyze ${m((x) => x.cli)} s, ` +
      `least work the rules allow on ${cores} workers ${m((x) => x.least)} s (target of issue 14: 2 s)\n`,
  );
}

void main();
