#!/usr/bin/env node
/** `vgnet` — the command line: the same analysis as the extension, for terminals and CI. */
import { RunCache } from '../analysis/cache';
import { readSpecFile } from '../node/files';
import { WorkerPool } from '../node/pool';
import { runAnalyze, runAnalyzeRecord, type AnalyzeOutcome } from './analyze';
import { runExport } from './export';
import { importModelFile } from '../node/import-files';
import { parseArgs, USAGE, UsageError, type AnalyzeArgs, type FixArgs } from './args';
import { runFix } from './fix';

const VERSION = '0.1.0';

/**
 * `startedAt` (Date.now() ms) is when the first spec's `--budget` began: the process's start when `vgnet` runs as a
 * command, so the budget bounds the wall time a user sees; a caller in a long-lived process gets now.
 */
export async function main(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
  startedAt: number = Date.now(),
): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`vgnet: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (args.command === 'help') {
    out.write(`${USAGE}\n`);
    return 0;
  }
  if (args.command === 'version') {
    out.write(`vgnet ${VERSION}\n`);
    return 0;
  }
  if (args.command === 'import') {
    const result = importModelFile(args.file, args.out, args.force);
    if (!result.ok) {
      err.write(`vgnet: ${result.message}\n`);
      return result.internal ? 3 : 2;
    }
    out.write(
      `wrote ${result.spec}${result.parameters ? ` and ${result.parameters}` : ''} (${result.layers} layers)\n`,
    );
    for (const note of result.notes.slice(1)) out.write(`  ${note}\n`);
    return 0;
  }
  if (args.command === 'export') {
    const outcome = runExport(args);
    for (const line of outcome.errors) err.write(`${line}\n`);
    for (const line of outcome.lines) out.write(`${line}\n`);
    return outcome.exitCode;
  }
  const helperThreads = args.threads === null ? undefined : args.threads === 2;
  const pool = new WorkerPool(undefined, undefined, helperThreads, args.memoryBudgetMB);
  try {
    return await runAll(args, pool, out, err, startedAt);
  } finally {
    pool.dispose();
  }
}

async function runAll(
  args: AnalyzeArgs | FixArgs,
  pool: WorkerPool,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  firstStart: number,
): Promise<number> {
  const cache = new RunCache();
  if (args.command === 'analyze' && args.record !== null) {
    const outcome = await runAnalyzeRecord(args.record, { ...args, startedAt: firstStart }, pool, cache);
    for (const line of outcome.errors) err.write(`${line}\n`);
    if (args.json && outcome.record !== undefined) out.write(`${JSON.stringify(outcome.record)}\n`);
    else if (outcome.text) out.write(`${outcome.text}\n\n`);
    return exitCodeOf(outcome);
  }
  let exitCode = 0;
  const records: unknown[] = [];
  for (const [index, file] of args.specs.entries()) {
    const source = readSpecFile(file);
    // Each spec gets a budget of its own; the first one's began with the command.
    const startedAt = index === 0 ? firstStart : Date.now();
    const outcome: AnalyzeOutcome =
      'error' in source
        ? { exitCode: 2, text: '', errors: [`vgnet: ${source.error}`] }
        : args.command === 'fix'
          ? await runFix(file, { ...args, startedAt }, source.text, pool, cache)
          : await runAnalyze(file, { ...args, startedAt }, source.text, pool, cache);
    exitCode = Math.max(exitCode, exitCodeOf(outcome));
    if (outcome.record !== undefined) records.push(outcome.record);
    for (const line of outcome.errors) err.write(`${line}\n`);
    if (!args.json && outcome.text) out.write(`${outcome.text}\n\n`);
  }
  if (args.json) out.write(`${JSON.stringify(args.specs.length === 1 ? (records[0] ?? null) : records)}\n`);
  return exitCode;
}

/**
 * Exit 3, not 2: the analysis failed for a reason that is not in the spec — an internal error, or a run that failed
 * without a positioned diagnostic (an exception while training, a worker that died). Spec errors always have one.
 */
export function exitCodeOf(outcome: AnalyzeOutcome): number {
  const report = outcome.report;
  if (!report) return outcome.exitCode;
  const positioned = report.diagnostics.some((d) => d.severity === 'error');
  const internal = report.status === 'internal-error' || (report.status === 'invalid' && !positioned);
  return internal ? 3 : outcome.exitCode;
}

if (require.main === module) {
  main(process.argv.slice(2), process.stdout, process.stderr, Math.round(performance.timeOrigin)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      // Last resort: an internal bug, reported as one line rather than a stack trace.
      process.stderr.write(
        `vgnet: internal error: ${(e as Error).message}\n(set VGNET_DEBUG=1 for details; please report it with the spec)\n`,
      );
      if (process.env.VGNET_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
      process.exitCode = 3;
    },
  );
}
