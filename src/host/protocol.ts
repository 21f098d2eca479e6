/** Messages between the pool and its worker threads. */
import type { MeasureJob, MeasureOutcome, RunProgress } from '../analysis/measure';

export interface WorkerRequest {
  id: number;
  job: MeasureJob;
  /** Folder the spec's data paths are relative to (and may not leave). */
  folder: string;
  /** Whether to stream progress messages while training. */
  progress: boolean;
}

export type WorkerResponse =
  | { type: 'done'; id: number; outcome: MeasureOutcome }
  | { type: 'progress'; id: number; progress: RunProgress };
