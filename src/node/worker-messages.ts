/** Messages between the pool and its worker threads. */
import type { MeasureJob, MeasureOutcome, RunProgress } from '../analysis/measure';

export interface WorkerRequest {
  id: number;
  job: MeasureJob;
  /** Folder the spec's data paths are relative to (and may not leave). */
  folder: string;
  /** Whether to stream progress messages while training. */
  progress: boolean;
  /**
   * 2: a helper thread shares the large matrix products of this run (the pool asks for it when this is the only
   * run, so the other core is free); 1: one thread.
   */
  threads: 1 | 2;
}

export type WorkerResponse =
  /** `handoffs`: matrix products the helper thread shared in this run (0 on one thread). */
  | { type: 'done'; id: number; outcome: MeasureOutcome; handoffs: number }
  | { type: 'progress'; id: number; progress: RunProgress };
