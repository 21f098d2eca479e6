/**
 * One measured run: spec text → training record. Runs in whatever thread calls it (the CLI's main thread, or a
 * worker thread for the extension and for verifying fixes in parallel). Never throws.
 */
import type { ModelConfig } from '../engine/config';
import type { TrainResult } from '../engine/stats';
import { train } from '../engine/train';
import type { SpecDiagnostic } from '../spec';
import type { FileAccess } from '../spec/types';
import { prepare } from './prepare';

export interface MeasureJob {
  text: string;
  steps: number | null;
  seed: number | null;
  /** Wall-clock budget for the training run, ms. */
  timeBudgetMs: number;
}

export type MeasureOutcome =
  | { ok: true; config: ModelConfig; result: TrainResult }
  | { ok: false; diagnostics: SpecDiagnostic[]; message: string };

export interface MeasureHooks {
  shouldStop?: () => boolean;
  onRecord?: (step: number, result: TrainResult) => void;
}

export function measure(job: MeasureJob, files: FileAccess, hooks: MeasureHooks = {}): MeasureOutcome {
  try {
    const prepared = prepare(job.text, { files, steps: job.steps, seed: job.seed });
    if (!prepared.ok) {
      return { ok: false, diagnostics: prepared.diagnostics, message: prepared.diagnostics[0]?.message ?? 'invalid spec' };
    }
    const result = train(prepared.config, prepared.dataset, {
      timeBudgetMs: job.timeBudgetMs,
      ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
      ...(hooks.onRecord ? { onRecord: hooks.onRecord } : {}),
    });
    return { ok: true, config: prepared.config, result };
  } catch (err) {
    return { ok: false, diagnostics: [], message: `internal error while training: ${(err as Error).message}` };
  }
}

/** Runs measure jobs — in this thread, or on worker threads (src/host/pool.ts) — and can be cancelled. */
export interface Executor {
  run(job: MeasureJob, signal?: CancelSignal): Promise<MeasureOutcome>;
}

export interface CancelSignal {
  readonly cancelled: boolean;
}

/** Runs jobs one after the other in the calling thread (the default; tests; environments without workers). */
export function inProcessExecutor(files: FileAccess): Executor {
  return {
    run: async (job, signal) => measure(job, files, signal ? { shouldStop: () => signal.cancelled } : {}),
  };
}
