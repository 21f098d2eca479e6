/**
 * A small pool of worker threads that runs measure jobs: one thread per analysis, independent runs (verified fixes)
 * spread over the cores. Workers start lazily, are unref'd (they never keep a CLI alive) and can be cancelled.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CancelSignal, Executor, MeasureJob, MeasureOutcome, ProgressListener } from '../analysis/measure';
import type { WorkerRequest, WorkerResponse } from './protocol';

interface Slot {
  worker: Worker;
  cancel: Int32Array;
  busy: boolean;
  pending: ((outcome: MeasureOutcome) => void) | null;
  onProgress: ProgressListener | undefined;
}

interface Queued {
  job: MeasureJob;
  folder: string;
  signal: CancelSignal | undefined;
  onProgress: ProgressListener | undefined;
  resolve: (outcome: MeasureOutcome) => void;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Queued[] = [];
  private nextId = 1;
  private disposed = false;
  /** The cancel signal of the job each busy slot is running. */
  private readonly signals = new Map<Slot, CancelSignal | undefined>();
  private readonly watchdog: ReturnType<typeof setInterval>;

  constructor(
    private readonly size = Math.max(1, Math.min(2, os.availableParallelism())),
    private readonly script = path.join(__dirname, 'worker.js'),
  ) {
    // Forward cancellation to busy workers (their loops poll a shared flag every step).
    this.watchdog = setInterval(() => this.forwardCancellation(), 25);
    this.watchdog.unref();
  }

  /** An Executor whose data files resolve against `folder`. */
  executor(folder: string): Executor {
    return { run: (job, signal, onProgress) => this.run(job, folder, signal, onProgress) };
  }

  run(job: MeasureJob, folder: string, signal?: CancelSignal, onProgress?: ProgressListener): Promise<MeasureOutcome> {
    if (this.disposed) return Promise.resolve({ ok: false, diagnostics: [], message: 'analysis pool is shut down' });
    return new Promise((resolve) => {
      this.queue.push({ job, folder, signal, onProgress, resolve });
      this.dispatch();
    });
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.watchdog);
    for (const slot of this.slots) void slot.worker.terminate();
    for (const q of this.queue.splice(0)) q.resolve({ ok: false, diagnostics: [], message: 'analysis cancelled' });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.freeSlot();
      if (!slot) return;
      const item = this.queue.shift()!;
      if (item.signal?.cancelled) {
        item.resolve({ ok: false, diagnostics: [], message: 'analysis cancelled' });
        continue;
      }
      slot.busy = true;
      slot.pending = item.resolve;
      slot.onProgress = item.onProgress;
      this.signals.set(slot, item.signal);
      const request: WorkerRequest = { id: this.nextId++, job: item.job, folder: item.folder, progress: item.onProgress !== undefined };
      slot.worker.ref();
      slot.worker.postMessage(request);
    }
  }

  private freeSlot(): Slot | undefined {
    const idle = this.slots.find((s) => !s.busy);
    if (idle) return idle;
    if (this.slots.length < this.size) return this.spawn();
    return undefined;
  }

  private spawn(): Slot {
    const shared = new SharedArrayBuffer(4);
    const worker = new Worker(this.script, { workerData: { cancel: shared } });
    const slot: Slot = { worker, cancel: new Int32Array(shared), busy: false, pending: null, onProgress: undefined };
    worker.on('message', (response: WorkerResponse) => {
      if (response.type === 'progress') slot.onProgress?.(response.progress);
      else this.settle(slot, response.outcome);
    });
    worker.on('error', (err) => this.replace(slot, `analysis worker failed: ${err.message}`));
    worker.on('exit', (code) => {
      if (!this.disposed) this.replace(slot, `analysis worker exited (code ${code})`);
    });
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private settle(slot: Slot, outcome: MeasureOutcome): void {
    const resolve = slot.pending;
    slot.busy = false;
    slot.pending = null;
    slot.onProgress = undefined;
    this.signals.delete(slot);
    slot.worker.unref();
    resolve?.(outcome);
    this.dispatch();
  }

  /** A crashed worker (e.g. out of memory) fails its job with a message and is replaced on demand. */
  private replace(slot: Slot, message: string): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    this.settle(slot, { ok: false, diagnostics: [], message });
  }

  private forwardCancellation(): void {
    for (const [slot, signal] of this.signals) {
      if (signal?.cancelled) Atomics.store(slot.cancel, 0, 1);
    }
  }
}
