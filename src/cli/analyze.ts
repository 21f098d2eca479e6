/** `vgnet analyze` for one spec file: analyse, then format. Returns text; never prints itself. */
import * as path from 'node:path';
import { analyze, type Report } from '../analysis/analyze';
import type { RunCache } from '../analysis/cache';
import { SEVERITY_RANK, type Severity } from '../analysis/findings';
import { MB } from '../analysis/memory';
import { prepare } from '../analysis/prepare';
import { createTrainer } from '../engine/train';
import { folderFileAccess } from '../node/files';
import type { WorkerPool } from '../node/pool';
import { formatDiagnostics } from '../spec';
import type { AnalyzeArgs, CommonArgs } from './args';
import { writeAtomically } from './atomic';
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
