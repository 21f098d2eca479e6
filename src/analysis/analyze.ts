/**
 * The one analysis API behind the CLI and the extension: spec text in, Report out. Never throws, honours a
 * wall-clock budget, can be cancelled, and caches measured runs by spec content.
 */
import { parseSpec, type SpecDiagnostic } from '../spec';
import type { TrainResult } from '../engine/stats';
import { detectMeasured } from './detect';
import type { Finding } from './findings';
import type { CancelSignal, Executor, MeasureJob, MeasureOutcome, ProgressListener } from './measure';
import { predictGradientFlow, type Prediction } from './predict';
import { detectPredicted } from './detect-predicted';
import { summarize, type RunSummary } from './summary';
import { resolveThresholds, type Thresholds } from './thresholds';
import { verifyFixes, type VerifiedFix } from './verify';
import { RunCache } from './cache';

export interface AnalyzeOptions {
  executor: Executor;
  steps?: number | null;
  seed?: number | null;
  thresholds?: Partial<Thresholds>;
  /** Whole-analysis wall-clock budget (training + verified fixes), ms. Default 30 s. */
  timeBudgetMs?: number;
  /** Try each candidate fix and measure it (default true). */
  verifyFixes?: boolean;
  signal?: CancelSignal;
  cache?: RunCache;
  /** Streams the main run's progress (not the fix verifications'). */
  onProgress?: ProgressListener;
}

export type ReportStatus = 'ok' | 'invalid' | 'cancelled' | 'internal-error';

export interface Report {
  status: ReportStatus;
  name: string;
  /** Spec problems (syntax, validation, data) with offsets into the text. */
  diagnostics: SpecDiagnostic[];
  prediction: Prediction | null;
  /** Measured findings when a run exists, plus predicted findings of kinds the run did not measure. */
  findings: Finding[];
  fixes: VerifiedFix[];
  result: TrainResult | null;
  summary: RunSummary | null;
  timing: { predictMs: number; trainMs: number; verifyMs: number; totalMs: number };
  /** Human-readable note for internal errors, budget cuts and cancellation. */
  message: string | null;
}

const DEFAULT_BUDGET_MS = 30_000;

/** Instant part only: parse, validate, predict. Cheap enough for every keystroke. */
export function analyzeStatic(text: string, thresholds?: Partial<Thresholds>): Report {
  const start = now();
  const report = emptyReport();
  try {
    const parsed = parseSpec(text);
    report.name = parsed.name;
    report.diagnostics = parsed.diagnostics;
    if (parsed.config === null) {
      report.status = 'invalid';
      return finish(report, start);
    }
    const t0 = now();
    report.prediction = predictGradientFlow(parsed.config);
    report.findings = detectPredicted(report.prediction, resolveThresholds(thresholds));
    report.timing.predictMs = now() - t0;
  } catch (err) {
    report.status = 'internal-error';
    report.message = `internal error: ${(err as Error).message}`;
  }
  return finish(report, start);
}

export async function analyze(text: string, options: AnalyzeOptions): Promise<Report> {
  const start = now();
  const report = analyzeStatic(text, options.thresholds);
  if (report.status !== 'ok') return report;
  try {
    await measureAndDiagnose(text, options, report, start);
  } catch (err) {
    report.status = 'internal-error';
    report.message = `internal error: ${(err as Error).message}`;
  }
  return finish(report, start);
}

async function measureAndDiagnose(text: string, options: AnalyzeOptions, report: Report, start: number): Promise<void> {
  const t = resolveThresholds(options.thresholds);
  const budget = options.timeBudgetMs ?? DEFAULT_BUDGET_MS;
  const job: MeasureJob = { text, steps: options.steps ?? null, seed: options.seed ?? null, timeBudgetMs: budget };
  const run = (j: MeasureJob): Promise<MeasureOutcome> => runCached(j, options);
  const t0 = now();
  const outcome = await runCached(job, options, options.onProgress);
  report.timing.trainMs = now() - t0;
  if (options.signal?.cancelled || (outcome.ok && outcome.result.stopped?.reason === 'cancelled')) {
    report.status = 'cancelled';
    report.message = 'analysis cancelled';
    return;
  }
  if (!outcome.ok) {
    report.status = 'invalid';
    report.diagnostics = [...report.diagnostics, ...outcome.diagnostics];
    report.message = outcome.message;
    return;
  }
  const { result, config } = outcome;
  report.result = result;
  report.summary = summarize(result);
  if (result.stopped?.reason === 'budget') report.message = `training stopped by the time budget: ${result.stopped.detail}`;
  const measured = detectMeasured(result, t, config.loss);
  const measuredKinds = new Set(measured.map((f) => f.kind));
  // Once measured, predictions give way — except poor initialisation, kept as the "why" of a measured problem.
  const confirmsPrediction = measuredKinds.has('vanishing') || measuredKinds.has('exploding');
  const predictedKept = confirmsPrediction ? report.findings.filter((f) => f.kind === 'poor-init') : [];
  report.findings = [...measured, ...predictedKept];
  if (options.verifyFixes === false || report.findings.length === 0) return;
  const remainingMs = budget - (now() - start);
  const t1 = now();
  report.fixes = await verifyFixes({
    text, before: result, findings: report.findings, thresholds: t,
    context: { text, config, layers: result.layers },
    job: { steps: job.steps, seed: job.seed, timeBudgetMs: Math.max(1, remainingMs) },
    run, ...(options.signal ? { signal: options.signal } : {}),
  });
  report.timing.verifyMs = now() - t1;
  if (options.signal?.cancelled) {
    report.status = 'cancelled';
    report.message = 'analysis cancelled while verifying fixes';
  }
}

async function runCached(job: MeasureJob, options: AnalyzeOptions, onProgress?: ProgressListener): Promise<MeasureOutcome> {
  const cached = options.cache?.get(job);
  if (cached) return cached;
  const outcome = await options.executor.run(job, options.signal, onProgress);
  // Runs cut short by cancellation or the budget are not the spec's true answer: don't cache them.
  const complete = !outcome.ok || (outcome.result.stopped?.reason !== 'cancelled' && outcome.result.stopped?.reason !== 'budget');
  if (complete) options.cache?.set(job, outcome);
  return outcome;
}

function emptyReport(): Report {
  return {
    status: 'ok', name: '', diagnostics: [], prediction: null, findings: [], fixes: [], result: null, summary: null,
    timing: { predictMs: 0, trainMs: 0, verifyMs: 0, totalMs: 0 }, message: null,
  };
}

function finish(report: Report, start: number): Report {
  report.timing.totalMs = now() - start;
  return report;
}

function now(): number {
  return globalThis.performance.now();
}
