/** `vgnet analyze` for one spec file: analyse, then format. Returns text; never prints itself. */
import * as path from 'node:path';
import { analyze, analyzeRecorded, type Report } from '../analysis/analyze';
import { readRecord } from '../analysis/record';
import type { RunCache } from '../analysis/cache';
import { SEVERITY_RANK, type Severity } from '../analysis/findings';
import { MB } from '../analysis/memory';
import { prepare } from '../analysis/prepare';
import { createTrainer } from '../engine/train';
import { folderFileAccess, readRecordFile, readSpecFile } from '../node/files';
import type { WorkerPool } from '../node/pool';
import { formatDiagnostics, lineColIn } from '../spec';
import { LineIndex } from '../spec/line-index';
import type { AnalyzeArgs, CommonArgs } from './args';
import { writeAtomically } from '../node/atomic';
import { formatFindings, formatReport } from './report-text';
import { buildInitDump } from './init-dump';
import { buildRecord } from './record';

export interface AnalyzeOutcome {
  exitCode: number;
  text: string;
  errors: string[];
  record?: unknown;
  report?: Report;
}

/** Shared by `analyze` and `fix`: runs the analysis and turns spec errors into `file:line:col` lines (exit 2). */
export async function runReport(
  file: string,
  text: string,
  args: CommonArgs & { fixes?: boolean },
  pool: WorkerPool,
  cache: RunCache,
): Promise<AnalyzeOutcome & { report: Report }> {
  const report = await analyze(text, {
    executor: pool.executor(path.dirname(path.resolve(file))),
    steps: args.steps,
    seed: args.seed,
    seeds: args.seeds,
    deadline: (args.startedAt ?? Date.now()) + args.budgetMs,
    verifyFixes: args.fixes ?? true,
    cache,
  });
  const lines = formatDiagnostics(file, text, report.diagnostics);
  if (report.status === 'invalid' || report.status === 'internal-error') {
    if (report.message && report.diagnostics.length === 0) lines.push(`${file}: error: ${report.message}`);
    return { exitCode: 2, text: '', errors: lines, report };
  }
  return { exitCode: 0, text: '', errors: lines, report };
}

export async function runAnalyze(
  file: string,
  args: AnalyzeArgs,
  text: string,
  pool: WorkerPool,
  cache: RunCache,
): Promise<AnalyzeOutcome> {
  const outcome = await runReport(file, text, args, pool, cache);
  if (outcome.exitCode !== 0) return outcome;
  const report = outcome.report;
  if (args.saveInit !== null) {
    const error = saveInit(file, text, args, args.saveInit);
    if (error !== null) return { ...outcome, exitCode: 2, errors: [...outcome.errors, `vgnet: ${error}`] };
  }
  const failing =
    args.failOn !== 'never' &&
    report.findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[args.failOn as Severity]);
  const findingLines = formatFindings(file, text, report);
  return {
    exitCode: failing ? 1 : 0,
    text: `${formatReport(file, report)}\n${findingLines}`.trimEnd(),
    errors: outcome.errors,
    record: buildRecord(file, report),
    report,
  };
}

/** Writes the initial parameters and first mini-batch (the trainer is built but never stepped). */
function saveInit(file: string, text: string, args: AnalyzeArgs, target: string): string | null {
  const files = folderFileAccess(path.dirname(file));
  const prepared = prepare(text, {
    files,
    steps: args.steps,
    seed: args.seed,
    memoryBudgetBytes: args.memoryBudgetMB * MB,
  });
  if (!prepared.ok) return prepared.diagnostics[0]?.message ?? 'invalid spec';
  const trainer = createTrainer(prepared.config, prepared.dataset);
  return writeAtomically(target, JSON.stringify(buildInitDump(file, prepared.config, trainer)));
}

/**
 * `vgnet analyze --record RUN [--spec SPEC]`: the detectors on a run another engine recorded. With the spec, the
 * findings are printed at its layers and its fixes verified with VGNet's engine (the record is not re-trained).
 */
export async function runAnalyzeRecord(
  recordFile: string,
  args: AnalyzeArgs,
  pool: WorkerPool,
  cache: RunCache,
): Promise<AnalyzeOutcome> {
  const source = readRecordFile(recordFile);
  if ('error' in source) return { exitCode: 2, text: '', errors: [`vgnet: ${source.error}`] };
  const read = readRecord(source.text);
  if (!read.ok) {
    const { line, col } = lineColIn(new LineIndex(source.text), read.offset);
    return { exitCode: 2, text: '', errors: [`${recordFile}:${line}:${col}: error: ${read.message}`] };
  }
  const specFile = args.specs[0] ?? null;
  let text: string | null = null;
  if (specFile !== null) {
    const spec = readSpecFile(specFile);
    if ('error' in spec) return { exitCode: 2, text: '', errors: [`vgnet: ${spec.error}`] };
    text = spec.text;
  }
  const report = await analyzeRecorded(read.run, text, {
    executor: pool.executor(path.dirname(path.resolve(specFile ?? recordFile))),
    steps: args.steps,
    seed: args.seed,
    seeds: args.seeds,
    deadline: (args.startedAt ?? Date.now()) + args.budgetMs,
    verifyFixes: args.fixes,
    cache,
  });
  const errors = specFile !== null && text !== null ? formatDiagnostics(specFile, text, report.diagnostics) : [];
  if (report.status !== 'ok') {
    errors.push(`${specFile ?? recordFile}: error: ${report.message ?? 'invalid spec'}`);
    // A record that does not fit its spec is the user's input, not an internal error: exit 2 (3 when it is ours).
    return { exitCode: report.status === 'internal-error' ? 3 : 2, text: '', errors };
  }
  const failing =
    args.failOn !== 'never' &&
    report.findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[args.failOn as Severity]);
  const where = specFile ?? recordFile;
  const heading = `${formatReport(`${recordFile} (${read.run.engine})`, report)}`;
  return {
    exitCode: failing ? 1 : 0,
    text: `${heading}\n${formatFindings(where, text, report)}`.trimEnd(),
    errors,
    record: { ...(buildRecord(where, report) as object), engine: read.run.engine, recordFile },
    report,
  };
}
