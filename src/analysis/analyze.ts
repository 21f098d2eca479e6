/**
 * The one analysis API behind the CLI and the extension: spec text in, Report out. Never throws, honours one
 * wall-clock deadline for the whole analysis, can be cancelled, and caches measured runs by spec content.
 * A report carries the parsed spec, and each phase continues from the previous phase's report: the text is parsed
 * once (analyzeStatic), trained once (analyze), and its fixes verified from that run (verifyReportFixes).
 */
import type { LayerConfig, LayerKind, LossName, ModelConfig, Shape } from '../engine/config';
import { layerOutputShape, shapeSize } from '../engine/layers/shapes';
import type { LayerInfo, TrainResult } from '../engine/stats';
import { parseSpec, type ParsedSpec, type SpecDiagnostic } from '../spec';
import { detectMeasured } from './detect';
import type { Finding } from './findings';
import type { CancelSignal, Executor, MeasureJob, MeasureOutcome, ProgressListener } from './measure';
import { predictGradientFlow, type Prediction } from './predict';
import type { RecordedRun } from './record';
import { detectPredicted } from './detect-predicted';
import { summarize, type RunSummary } from './summary';
import { resolveThresholds, type Thresholds } from './thresholds';
import { candidateJob, firstRoundCandidates, verifyFixes, type VerifiedFix, type VerifyProgress } from './verify';
import { plural } from './wording';
import { cacheable, RunCache } from './cache';
import { combineSeeds, DEFAULT_SEEDS, seedList } from './seeds';

export interface AnalyzeOptions {
  executor: Executor;
  steps?: number | null;
  seed?: number | null;
  /** Seeds to measure on (default 3: seeds.ts); a problem is reported when a majority of them show it. */
  seeds?: number;
  thresholds?: Partial<Thresholds>;
  /** Whole-analysis wall-clock budget (training + verified fixes), ms, from the call. Default 30 s. */
  timeBudgetMs?: number;
  /** An absolute deadline (Date.now() ms) that wins over timeBudgetMs: a later phase keeps an earlier one's. */
  deadline?: number;
  /** Try each candidate fix and measure it (default true). */
  verifyFixes?: boolean;
  signal?: CancelSignal;
  cache?: RunCache;
  /** Streams the main run's progress (not the fix verifications'). */
  onProgress?: ProgressListener;
  /**
   * With more than one seed: called with the first seed's report as soon as that seed is measured, while the others
   * still train (`Report.refining`): the editor shows it, then the report of every seed replaces it.
   */
  onFirstSeed?: (report: Report) => void;
  /**
   * Start the candidate fixes of the first seed's findings as soon as it is measured, before the other seeds are in
   * (default: when `verifyFixes` is not false). The verification then finds their runs started or done (RunCache);
   * the extension, which verifies in a second call, sets it.
   */
  prefetchFixes?: boolean;
  /** While fixes are verified: how many candidates are tried and how many are being confirmed on the other seeds. */
  onVerifyProgress?: (progress: VerifyProgress) => void;
}

export type ReportStatus = 'ok' | 'invalid' | 'cancelled' | 'internal-error';

export interface Report {
  status: ReportStatus;
  name: string;
  /** Spec problems (syntax, validation, data) with offsets into the text. */
  diagnostics: SpecDiagnostic[];
  /** The parsed spec (null for a text too large to parse): callers locate findings with it instead of re-parsing. */
  spec: ParsedSpec | null;
  /** The configuration the measured run trained (the spec's, with the step and seed overrides); null before. */
  trainedConfig: ModelConfig | null;
  prediction: Prediction | null;
  /** Measured findings when a run exists, plus predicted findings of kinds the run did not measure. */
  findings: Finding[];
  fixes: VerifiedFix[];
  result: TrainResult | null;
  summary: RunSummary | null;
  timing: { predictMs: number; trainMs: number; verifyMs: number; totalMs: number };
  /** Human-readable note for internal errors, budget cuts and cancellation. */
  message: string | null;
  /** Every seed's run (the first is `result`), with the training.seed it used. */
  seedRuns: { seed: number; result: TrainResult }[];
  /** Set when `result` is a run another engine recorded (analyzeRecorded): which engine, from which file. */
  recorded: { engine: string; file: string | null } | null;
  /** With `recorded`: VGNet's own run of the same spec, when one was made — the other side of the compare view. */
  reference: TrainResult | null;
  /** The first seed's report, given to `onFirstSeed` while this many more seeds train (0 in every other report). */
  refining: number;
}

const DEFAULT_BUDGET_MS = 30_000;

/** Instant part only: parse, validate, predict. Cheap enough for every keystroke. */
export function analyzeStatic(text: string, thresholds?: Partial<Thresholds>): Report {
  const start = now();
  const report = emptyReport();
  try {
    const parsed = parseSpec(text);
    report.spec = parsed;
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

/**
 * Static analysis (or `from`, the static report of this very text), then the measured run and — unless
 * `verifyFixes` is false — the verified fixes, all within one deadline.
 */
export async function analyze(text: string, options: AnalyzeOptions & { from?: Report }): Promise<Report> {
  const start = now();
  // Runs started early (prefetchFixes) are found again through a cache: the caller's, or one for this analysis.
  options = options.cache ? options : { ...options, cache: new RunCache() };
  const deadline = deadlineOf(options);
  const report = options.from ? continueFrom(options.from) : analyzeStatic(text, options.thresholds);
  if (report.status !== 'ok') return report;
  try {
    await measureAndDiagnose(text, options, report, deadline);
    if (report.status === 'ok' && options.verifyFixes !== false) await verifyInto(text, options, report, deadline);
  } catch (err) {
    report.status = 'internal-error';
    report.message = `internal error: ${(err as Error).message}`;
  }
  return finish(report, start, options.from);
}

/**
 * Verifies the fixes of a measured report (from `analyze` with `verifyFixes: false`) without parsing, predicting
 * or training the spec again; returns a new report. Never throws.
 */
export async function verifyReportFixes(text: string, measured: Report, options: AnalyzeOptions): Promise<Report> {
  const start = now();
  const report = continueFrom(measured);
  try {
    await verifyInto(text, options, report, deadlineOf(options));
  } catch (err) {
    report.status = 'internal-error';
    report.message = `internal error: ${(err as Error).message}`;
  }
  return finish(report, start, measured);
}

/**
 * A run another engine recorded (record.ts: an exported PyTorch program, the Python recorder), diagnosed by the
 * same detectors. With the spec's text the findings sit on its layers and — unless `verifyFixes` is false — its
 * fixes are verified with VGNet's engine; without it they name the record's layers. Never throws.
 */
export async function analyzeRecorded(
  run: RecordedRun,
  text: string | null,
  options: AnalyzeOptions & { recordFile?: string; from?: Report },
): Promise<Report> {
  const start = now();
  // `from`: the static report of this very text (the editor has one), so the text is not parsed again.
  const report = options.from
    ? continueFrom(options.from)
    : text === null
      ? emptyReport()
      : analyzeStatic(text, options.thresholds);
  report.name ||= run.spec ?? 'recorded run';
  report.recorded = { engine: run.engine, file: options.recordFile ?? null };
  if (report.status !== 'ok') return report;
  try {
    const config = report.spec?.config ?? null;
    if (text !== null && config) {
      const mismatch = recordMismatch(config, run.result.layers);
      if (mismatch !== null) {
        report.status = 'invalid';
        report.message = `the record does not describe this spec: ${mismatch}`;
        return finish(report, start);
      }
    }
    if (run.result.stepsRun === 0) {
      report.message = 'nothing measured: the record has no step';
      return finish(report, start);
    }
    diagnoseRun(
      report,
      [{ seed: NaN, result: run.result }],
      config,
      run.lossFunction ?? config?.loss ?? null,
      options.thresholds,
    );
    report.timing.trainMs = run.result.timeMs;
    if (text !== null && config && options.verifyFixes !== false)
      await verifyInto(text, options, report, deadlineOf(options));
  } catch (err) {
    report.status = 'internal-error';
    report.message = `internal error: ${(err as Error).message}`;
  }
  return finish(report, start);
}

/** Where the record's layer list departs from the spec's (path, kind and width of every layer), or null. */
function recordMismatch(config: ModelConfig, recorded: readonly LayerInfo[]): string | null {
  const expected = describeLayers(config);
  if (expected.length !== recorded.length)
    return `the spec has ${expected.length} layers, the record ${recorded.length}`;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const r = recorded[i]!;
    if (e.path !== r.path) return `layer ${i} is ${e.path} in the spec, ${r.path} in the record`;
    if (e.kind !== r.kind) return `${e.path} is ${e.kind} in the spec, ${r.kind} in the record`;
    if (e.outputWidth !== r.outputWidth)
      return `${e.path} has ${e.outputWidth} outputs in the spec, ${r.outputWidth} in the record`;
  }
  return null;
}

/** Path, kind and output width of every layer node, depth-first as TrainResult.layers lists them. */
export function describeLayers(config: ModelConfig): { path: string; kind: LayerKind; outputWidth: number }[] {
  const out: { path: string; kind: LayerKind; outputWidth: number }[] = [];
  // Per-sample shapes as the engine's layers compute them (conv, pooling and recurrent layers change them).
  const walk = (layers: readonly LayerConfig[], shape: Shape): Shape => {
    for (const layer of layers) {
      const node = { path: layer.path, kind: layer.kind, outputWidth: 0 };
      out.push(node);
      shape = layer.kind === 'residual' ? walk(layer.layers, shape) : layerOutputShape(layer, shape);
      node.outputWidth = shapeSize(shape);
    }
    return shape;
  };
  walk(config.layers, config.inputShape ?? [config.input]);
  return out;
}

/** The absolute deadline (Date.now() ms, valid across threads) of an analysis starting now. */
export function deadlineOf(options: Pick<AnalyzeOptions, 'deadline' | 'timeBudgetMs'>): number {
  return options.deadline ?? Date.now() + (options.timeBudgetMs ?? DEFAULT_BUDGET_MS);
}

async function measureAndDiagnose(
  text: string,
  options: AnalyzeOptions,
  report: Report,
  deadline: number,
): Promise<void> {
  const job: MeasureJob = { text, steps: options.steps ?? null, seed: options.seed ?? null, deadline };
  const base = options.seed ?? report.spec?.config?.training.seed ?? 0;
  const seeds = seedList(base, options.seeds ?? DEFAULT_SEEDS);
  const t0 = now();
  const early = seeds.length > 1 && (options.onFirstSeed !== undefined || prefetching(options));
  // Every seed at once, the first streaming its progress. When its answer is wanted early, the first keeps a core
  // to itself (MeasureJob.urgent) instead of sharing two cores three ways with the other seeds.
  const started = seeds.map((seed, i) =>
    i === 0
      ? runCached(early ? { ...job, urgent: true } : job, options, options.onProgress)
      : runCached({ ...job, seed }, options),
  );
  if (early) firstSeedEarly(text, await started[0]!, seeds, options, report, deadline, t0);
  const outcomes = await Promise.all(started);
  const outcome = outcomes[0]!;
  report.timing.trainMs = now() - t0;
  if (options.signal?.cancelled || (outcome.ok && outcome.result.stopped?.reason === 'cancelled')) {
    report.status = 'cancelled';
    report.message = 'analysis cancelled';
    return;
  }
  if (!outcome.ok && outcome.budget) {
    report.message = `nothing measured: ${outcome.message}`;
    return;
  }
  if (!outcome.ok) {
    report.status = 'invalid';
    report.diagnostics = [...report.diagnostics, ...outcome.diagnostics];
    report.message = outcome.message;
    return;
  }
  const { result, config } = outcome;
  if (result.stepsRun === 0) {
    // Not one step finished before the deadline: nothing was measured, the predictions stay.
    report.message = `nothing measured: ${result.stopped?.detail ?? 'no step ran'} (a larger budget, or a smaller model or batch)`;
    return;
  }
  // Seeds whose run was cut short (the budget) or failed do not vote.
  const runs = [{ seed: seeds[0]!, result }];
  outcomes.forEach((o, i) => {
    if (i > 0 && o.ok && o.result.stepsRun > 0 && o.result.stopped?.reason !== 'budget')
      runs.push({ seed: seeds[i]!, result: o.result });
  });
  diagnoseRun(report, runs, config, config.loss, options.thresholds);
  if (runs.length < seeds.length && result.stopped?.reason !== 'budget')
    report.message = `measured on ${runs.length} of ${seeds.length} seeds: the time budget ran out`;
  if (result.stopped?.reason === 'budget')
    report.message = `training stopped by the time budget: ${result.stopped.detail}`;
}

/** What every candidate fix's run shares: the analysis's step budget, first seed and deadline. */
function candidateBase(options: AnalyzeOptions, deadline: number): Omit<MeasureJob, 'text'> {
  return { steps: options.steps ?? null, seed: options.seed ?? null, deadline };
}

function prefetching(options: AnalyzeOptions): boolean {
  return options.prefetchFixes ?? options.verifyFixes !== false;
}

/**
 * The first seed is measured and the others still train: its report goes to `onFirstSeed`, and the candidate fixes
 * of its findings start (their first round runs on this seed: verify.ts), so the cores never wait for the last seed.
 * Should the seeds together decide otherwise, the verification asks only for what it needs.
 */
function firstSeedEarly(
  text: string,
  outcome: MeasureOutcome,
  seeds: number[],
  options: AnalyzeOptions,
  report: Report,
  deadline: number,
  t0: number,
): void {
  if (options.signal?.cancelled || !outcome.ok || outcome.result.stepsRun === 0 || outcome.result.stopped) return;
  const first = continueFrom(report);
  first.timing.trainMs = now() - t0;
  diagnoseRun(
    first,
    [{ seed: seeds[0]!, result: outcome.result }],
    outcome.config,
    outcome.config.loss,
    options.thresholds,
  );
  first.refining = seeds.length - 1;
  first.message = `measured on seed ${seeds[0]} so far; ${plural(seeds.length - 1, 'more seed')} still training`;
  options.onFirstSeed?.(first);
  if (!prefetching(options)) return;
  const job = candidateBase(options, deadline);
  const context = { text, config: outcome.config, layers: outcome.result.layers };
  const t = resolveThresholds(options.thresholds);
  for (const { finding, fixed } of firstRoundCandidates(first.findings, context))
    void runCached(candidateJob(job, finding, t, fixed), options);
}

/**
 * Measured runs (one per seed, the first shown) into the report: the first's summary and the combined findings.
 * Once measured, the predictions give way: a prediction the measurement confirmed or refuted is not shown beside it.
 */
function diagnoseRun(
  report: Report,
  runs: { seed: number; result: TrainResult }[],
  config: ModelConfig | null,
  loss: LossName | null,
  thresholds: Partial<Thresholds> | undefined,
): void {
  const t = resolveThresholds(thresholds);
  const result = runs[0]!.result;
  report.result = result;
  report.seedRuns = runs;
  report.trainedConfig = config;
  report.summary = summarize(result);
  report.findings = combineSeeds(
    runs.map((r) => detectMeasured(r.result, t, loss)),
    runs.map((r) => r.seed),
  );
}

/**
 * Tries every candidate fix of the report's findings. After a run the deadline cut short the candidates are still
 * listed, each "unverified" (their runs stop at once): the user learns what could be tried.
 */
async function verifyInto(text: string, options: AnalyzeOptions, report: Report, deadline: number): Promise<void> {
  const result = report.result;
  const config = report.trainedConfig;
  if (result === null || config === null || report.findings.length === 0) return;
  const t1 = now();
  report.fixes = await verifyFixes({
    text,
    before: result,
    findings: report.findings,
    thresholds: resolveThresholds(options.thresholds),
    context: { text, config, layers: result.layers },
    job: candidateBase(options, deadline),
    others: report.seedRuns.slice(1).map((r) => ({ seed: r.seed, before: r.result })),
    run: (j) => runCached(j, options),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onVerifyProgress ? { onProgress: options.onVerifyProgress } : {}),
  });
  report.timing.verifyMs = now() - t1;
  if (options.signal?.cancelled) {
    report.status = 'cancelled';
    report.message = 'analysis cancelled while verifying fixes';
  }
}

/**
 * A run of `job`: from the cache, or the one already training (started early, or by another analysis of the same
 * text), or a new one. A run that another analysis started and that ended cut short (cancelled with it) is run anew.
 */
async function runCached(
  job: MeasureJob,
  options: AnalyzeOptions,
  onProgress?: ProgressListener,
): Promise<MeasureOutcome> {
  const cache = options.cache;
  const cached = cache?.get(job);
  if (cached) return cached;
  const running = cache?.pending(job);
  if (running) {
    const outcome = await running;
    if (cacheable(outcome) || options.signal?.cancelled) return outcome;
  }
  const run = options.executor.run(job, options.signal, onProgress);
  return cache ? cache.track(job, run) : run;
}

/** A report of no analysis yet: the start of every analysis and of the editor's notices. */
export function emptyReport(): Report {
  return {
    status: 'ok',
    name: '',
    diagnostics: [],
    spec: null,
    trainedConfig: null,
    prediction: null,
    findings: [],
    fixes: [],
    result: null,
    summary: null,
    timing: { predictMs: 0, trainMs: 0, verifyMs: 0, totalMs: 0 },
    message: null,
    seedRuns: [],
    recorded: null,
    reference: null,
    refining: 0,
  };
}

/** A copy of an earlier phase's report to continue from (the earlier report stays as it was). */
function continueFrom(report: Report): Report {
  return {
    ...report,
    findings: [...report.findings],
    fixes: [...report.fixes],
    seedRuns: [...report.seedRuns],
    timing: { ...report.timing },
  };
}

/** Total time: this phase's plus the phases it continued from. */
function finish(report: Report, start: number, from?: Report): Report {
  report.timing.totalMs = (from?.timing.totalMs ?? 0) + now() - start;
  return report;
}

function now(): number {
  return globalThis.performance.now();
}
