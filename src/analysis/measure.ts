/**
 * One measured run: spec text → training record. Runs in whatever thread calls it (the CLI's main thread, or a
 * worker thread for the extension and for verifying fixes in parallel). Never throws.
 */
import type { ModelConfig } from '../engine/config';
import type { TrainResult } from '../engine/stats';
import { train } from '../engine/train';
import type { ParallelGemm } from '../engine/wasm/parallel-gemm';
import type { SpecDiagnostic } from '../spec';
import type { FileAccess } from '../spec/types';
import { Settlement, type SettledKind, type SettleThresholds } from './detect';
import { prepare } from './prepare';

export interface MeasureJob {
  text: string;
  steps: number | null;
  seed: number | null;
  /** The analysis's deadline, Date.now() ms (a clock shared by every thread): training stops when it passes. */
  deadline: number;
  /** Specs needing more memory to train are refused (src/analysis/memory.ts); the pool fills in its own budget. */
  memoryBudgetBytes?: number;
  /**
   * Its answer is awaited before the others' (the first seed, shown first): the pool gives it a core of its own
   * rather than running one job more than the cores side by side (src/node/pool.ts).
   */
  urgent?: boolean;
  /**
   * Stop once the run is sure to end with this problem by these thresholds (detect.ts settled): a candidate fix for
   * vanishing or exploding gradients that cannot fix them needs no more steps to say so (stopped.reason 'decided').
   */
  stopOnceSettled?: { kind: SettledKind; thresholds: SettleThresholds };
}

export type MeasureOutcome =
  | { ok: true; config: ModelConfig; result: TrainResult }
  /**
   * `budget`: the deadline passed before training began (while data loaded): not the spec's fault. `cancelled`: the
   * run never started (cancelled while queued, or the pool shut down).
   */
  | { ok: false; diagnostics: SpecDiagnostic[]; message: string; budget?: true; cancelled?: true };

export interface MeasureHooks {
  shouldStop?: () => boolean;
  onProgress?: ProgressListener;
  /** A helper thread for the large matrix products (src/node/gemm-helper.ts); results are bit-identical. */
  parallel?: ParallelGemm;
}

export function measure(job: MeasureJob, files: FileAccess, hooks: MeasureHooks = {}): MeasureOutcome {
  try {
    const shouldStop = (): boolean => Date.now() >= job.deadline || (hooks.shouldStop?.() ?? false);
    const prepared = prepare(job.text, {
      files,
      steps: job.steps,
      seed: job.seed,
      memoryBudgetBytes: job.memoryBudgetBytes ?? null,
      shouldStop,
    });
    if (!prepared.ok && prepared.stopped !== undefined) {
      return { ok: false, diagnostics: [], message: prepared.stopped, budget: true };
    }
    if (!prepared.ok) {
      return {
        ok: false,
        diagnostics: prepared.diagnostics,
        message: prepared.diagnostics[0]?.message ?? 'invalid spec',
      };
    }
    // Building a wide model (initialising its weights) is work the deadline must see too: none past it.
    if (shouldStop())
      return { ok: false, diagnostics: [], message: 'the time budget was used up before training began', budget: true };
    const training = prepared.config.training;
    const until = job.stopOnceSettled;
    const settlement = until && new Settlement(until.kind, training.steps, training.recordEvery, until.thresholds);
    const result = train(prepared.config, prepared.dataset, {
      deadline: job.deadline,
      ...(settlement ? { stopWhen: (r: TrainResult) => settlement.update(r) } : {}),
      ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
      ...(hooks.parallel ? { parallel: hooks.parallel } : {}),
      ...(hooks.onProgress ? { onRecord: throttledProgress(hooks.onProgress, prepared.config.training.steps) } : {}),
    });
    return { ok: true, config: prepared.config, result };
  } catch (err) {
    return { ok: false, diagnostics: [], message: `internal error while training: ${(err as Error).message}` };
  }
}

/** A running job's state, streamed while it trains (throttled): for progress bars and live plots. */
export interface RunProgress {
  stepsRun: number;
  totalSteps: number;
  /** Layer pointers and, per layer, the weight-gradient norms recorded so far (NaN for layers without weights). */
  layers: string[];
  recordedSteps: number[];
  gradNorm: number[][];
  loss: number[];
}

export type ProgressListener = (progress: RunProgress) => void;

/** Runs measure jobs — in this thread, or on worker threads (src/node/pool.ts) — and can be cancelled. */
export interface Executor {
  run(job: MeasureJob, signal?: CancelSignal, onProgress?: ProgressListener): Promise<MeasureOutcome>;
}

/** Snapshot of a partial record (copies, so it can be posted across threads without transfer). */
export function progressOf(result: TrainResult, totalSteps: number): RunProgress {
  return {
    stepsRun: result.stepsRun,
    totalSteps,
    layers: result.layers.map((l) => l.path),
    recordedSteps: [...result.recordedSteps],
    gradNorm: result.series.map((s) => [...s.gradNorm]),
    loss: [...result.loss],
  };
}

/** Calls `listener` at most every `intervalMs` (and never for a run that ends before the first interval). */
export function throttledProgress(
  listener: ProgressListener,
  totalSteps: number,
  intervalMs = 150,
): (step: number, result: TrainResult) => void {
  let last = globalThis.performance.now();
  return (_step, result) => {
    const now = globalThis.performance.now();
    if (now - last < intervalMs) return;
    last = now;
    listener(progressOf(result, totalSteps));
  };
}

export interface CancelSignal {
  readonly cancelled: boolean;
}

/** Runs jobs one after the other in the calling thread (the default; tests; environments without workers). */
export function inProcessExecutor(files: FileAccess): Executor {
  return {
    run: async (job, signal, onProgress) =>
      measure(job, files, {
        ...(signal ? { shouldStop: () => signal.cancelled } : {}),
        ...(onProgress ? { onProgress } : {}),
      }),
  };
}
