/**
 * A small pool of worker threads that runs measure jobs: one thread per analysis, independent runs (verified fixes)
 * spread over the cores. Workers start lazily, are unref'd (they never keep a CLI alive) and can be cancelled.
 * A job that starts while no other job runs or waits gets a helper thread for its large matrix products (the
 * other core is free then; results are bit-identical); if other jobs arrive meanwhile the helper notices it is late
 * and backs off (src/node/gemm-helper.ts).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CancelSignal, Executor, MeasureJob, MeasureOutcome, ProgressListener } from '../analysis/measure';
import { DEFAULT_MEMORY_BUDGET_MB, estimateMemory, MB } from '../analysis/memory';
import { Memo } from '../analysis/memo';
import { parseSpec } from '../spec';
import type { WorkerRequest, WorkerResponse } from './worker-messages';

interface Slot {
  worker: Worker;
  cancel: Int32Array;
  busy: boolean;
  /** The job it runs (null when idle), for its memory estimate. */
  job: MeasureJob | null;
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
  /** Matrix products shared with helper threads so far (diagnostics, tests). */
  helperHandoffs = 0;
  private dispatchScheduled = false;

  constructor(
    private readonly size = poolSize(os.availableParallelism()),
    private readonly script = path.join(__dirname, 'worker.js'),
    /** Whether a job running alone may use a second thread (default: when there are ≥ 2 cores). */
    private readonly helperThreads = os.availableParallelism() >= 2,
    /** The memory budget (MB) the workers' heap limit derives from (workerLimits). */
    private readonly memoryBudgetMB = DEFAULT_MEMORY_BUDGET_MB,
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
    if (this.disposed) return Promise.resolve(cancelledOutcome('analysis pool is shut down'));
    return new Promise((resolve) => {
      this.queue.push({ job, folder, signal, onProgress, resolve });
      this.scheduleDispatch();
    });
  }

  /**
   * Dispatches on the next turn of the event loop, so that jobs submitted together (the candidate fixes of one
   * analysis, queued through promise chains) are all queued first and none of them is taken for one running alone.
   */
  private scheduleDispatch(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    setImmediate(() => {
      this.dispatchScheduled = false;
      this.dispatch();
    });
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.watchdog);
    for (const slot of this.slots) void slot.worker.terminate();
    for (const q of this.queue.splice(0)) q.resolve(cancelledOutcome('analysis cancelled'));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      // Runs side by side only while their estimates fit the budget together (each fits alone: prepare() checks).
      // Estimated only then: a run that starts alone costs no extra parse on the calling thread.
      const busy = this.slots.filter((s) => s.job !== null);
      if (busy.length > 0) {
        const running = busy.reduce((sum, s) => sum + jobBytes(s.job!), 0);
        if (running + jobBytes(this.queue[0]!.job) > this.memoryBudgetMB * MB) return;
      }
      const slot = this.freeSlot();
      if (!slot) return;
      const item = this.queue.shift()!;
      if (item.signal?.cancelled) {
        item.resolve(cancelledOutcome('analysis cancelled'));
        continue;
      }
      slot.busy = true;
      slot.job = item.job;
      slot.pending = item.resolve;
      slot.onProgress = item.onProgress;
      this.signals.set(slot, item.signal);
      const alone = this.queue.length === 0 && this.slots.every((s) => s === slot || !s.busy);
      // The pool's budget unless the job brings its own (prepare() in the worker refuses specs above it).
      const job = { ...item.job, memoryBudgetBytes: item.job.memoryBudgetBytes ?? this.memoryBudgetMB * MB };
      const request: WorkerRequest = {
        id: this.nextId++,
        job,
        folder: item.folder,
        progress: item.onProgress !== undefined,
        threads: this.helperThreads && alone ? 2 : 1,
      };
      slot.worker.ref();
      slot.worker.postMessage(request);
    }
  }

  /**
   * One slot more than the cores while the work outstanding (running and queued) is at most that many: three seeds
   * on two cores then share both cores to the end (1.5 runs' time) instead of the third running alone after the
   * first two (2 runs' time). A longer queue (verifying fixes) keeps one job per core, which runs it faster.
   */
  private freeSlot(): Slot | undefined {
    const idle = this.slots.find((s) => !s.busy);
    const busy = this.slots.filter((s) => s.busy).length;
    // Not while an urgent job (the first seed, shown before the others: MeasureJob.urgent) runs or waits: it would
    // share its core.
    const urgent = this.slots.some((s) => s.job?.urgent) || this.queue.some((q) => q.job.urgent);
    const extra = this.size > 1 && !urgent && busy + this.queue.length <= this.size + 1;
    const limit = extra ? this.size + 1 : this.size;
    if (busy >= limit) return undefined;
    if (idle) return idle;
    if (this.slots.length < limit) return this.spawn();
    return undefined;
  }

  private spawn(): Slot {
    const shared = new SharedArrayBuffer(4);
    const resourceLimits = workerLimits(this.memoryBudgetMB);
    const worker = new Worker(this.script, { workerData: { cancel: shared }, resourceLimits });
    const slot: Slot = {
      worker,
      cancel: new Int32Array(shared),
      busy: false,
      job: null,
      pending: null,
      onProgress: undefined,
    };
    worker.on('message', (response: WorkerResponse) => {
      if (response.type === 'progress') slot.onProgress?.(response.progress);
      else {
        this.helperHandoffs += response.handoffs;
        this.settle(slot, response.outcome);
      }
    });
    worker.on('error', (err) => this.replace(slot, failureMessage(err, this.memoryBudgetMB)));
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
    slot.job = null;
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

/** The answer to a job that never ran: cancelled while queued, or the pool shut down. */
function cancelledOutcome(message: string): MeasureOutcome {
  return { ok: false, diagnostics: [], message, cancelled: true };
}

/** Most workers a pool runs: each holds a V8 heap of its own, and the runs side by side share one memory budget. */
export const MAX_WORKERS = 8;

/**
 * Workers for a machine of `cores` cores: one per core less `reserve` (the editor keeps one core for itself), at
 * least two from two cores on (three seeds on two cores then share both to the end), at most MAX_WORKERS. Runs side by
 * side are independent (no shared products), so a verification of 16 runs gains about one core's worth per worker.
 */
export function poolSize(cores: number, reserve = 0): number {
  if (cores <= 1) return 1;
  return Math.min(MAX_WORKERS, Math.max(2, cores - reserve));
}

/**
 * What a job's run will hold, estimated from its spec's text (0 for a spec prepare() will refuse anyway). Kept by
 * text: the seeds of a spec, and the confirmations of a fix on them, cost one parse between them.
 */
function jobBytes(job: MeasureJob): number {
  return ESTIMATES.get(job.text, (text) => {
    const parsed = parseSpec(text);
    return parsed.config && parsed.data ? estimateMemory(parsed.config, parsed.data) : 0;
  });
}

const ESTIMATES = new Memo<string, number>(64);

/**
 * A worker's V8 heap limit: half the memory budget (at least 64 MB). The training arena is ArrayBuffer memory
 * outside the heap, kept under the budget by the estimate prepare() checks first (src/analysis/memory.ts); the limit
 * is the backstop for what the estimate does not count (parsed text, records), so one run cannot take the host down.
 */
export function workerLimits(memoryBudgetMB: number): { maxOldGenerationSizeMb: number } {
  return { maxOldGenerationSizeMb: Math.max(64, Math.floor(memoryBudgetMB / 2)) };
}

function failureMessage(err: Error, memoryBudgetMB: number): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== 'ERR_WORKER_OUT_OF_MEMORY') return `analysis worker failed: ${err.message}`;
  const limit = workerLimits(memoryBudgetMB).maxOldGenerationSizeMb;
  return (
    `the analysis ran out of memory: its worker reached the heap limit of ${limit} MB (half the memory budget ` +
    `of ${memoryBudgetMB} MB; raise it with --memory-budget or the setting vgnet.memoryBudgetMB)`
  );
}
