/** Messages between the pool and its worker threads. */
import type { MeasureJob, MeasureOutcome } from '../analysis/measure';

export interface WorkerRequest {
  id: number;
  job: MeasureJob;
  /** Folder the spec's data paths are relative to (and may not leave). */
  folder: string;
}

export interface WorkerResponse {
  id: number;
  outcome: MeasureOutcome;
}
