/**
 * The host side of the engine's opt-in parallel matrix products (src/engine/wasm/parallel-gemm.ts): one worker
 * thread (gemm-helper-worker.ts, bundled as dist/gemm-helper.js) that computes the second half of C's rows of every
 * large product, on the trainer's shared WebAssembly.Memory. Handoff: the arguments go into shared control words,
 * Atomics.add on SEQUENCE + notify; the worker spins briefly, then sleeps in Atomics.wait, for the next command.
 * The main thread spins briefly, then sleeps in Atomics.wait, for the helper's rows (DONE).
 *
 * The main thread blocks while the helper works, so it never runs its event loop in between: the attach handshake
 * passes the memory on a MessagePort that the worker reads synchronously (receiveMessageOnPort), and every wait of
 * the main thread either ends when the worker answers or, for the attach (the worker may still be starting, or may
 * have failed to start), after ATTACH_TIMEOUT_MS. The worker and the port are unref'd: they never keep a process
 * alive. One ParallelGemm serves one trainer at a time (the last attached); an older trainer's products, and every
 * product after close() or after a failure, run on one thread.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { GemmHelper, GemmKind, ParallelGemm } from '../engine/wasm/parallel-gemm';
import {
  ARG,
  ATTACH,
  type AttachMessage,
  COMMAND,
  CONTROL_WORDS,
  DETACH,
  DONE,
  FAILED,
  FAILED_PARTWAY,
  type HelperWorkerData,
  QUIT,
  RUN_ROWS,
  SEQUENCE,
  SLEPT,
} from './gemm-helper-protocol';

export interface HostParallelGemm extends ParallelGemm {
  /** False once closed, or once the worker could not start or failed: products then run on one thread. */
  readonly available: boolean;
  /** Products whose rows the helper shared so far (diagnostics and tests). */
  readonly handoffs: number;
  /** Times the helper was found late (its core busy elsewhere) and products went back to one thread for a while. */
  readonly backoffs: number;
  /** Lets the worker drop the last attached memory (that trainer's products then run on one thread). */
  detach(): void;
  /** Stops the worker; later products run on one thread. Idempotent. */
  close(): Promise<void>;
}

export interface ParallelGemmOptions {
  /** The bundled worker (default: gemm-helper.js next to this bundle). */
  workerFile?: string;
  /** See ParallelGemm.minFlops. */
  minFlops?: number | undefined;
  /** Polls of SEQUENCE by the idle worker before it sleeps (default WORKER_SPIN_POLLS). */
  workerSpinPolls?: number | undefined;
  /** Longest wait for the worker to take a memory (it may still be starting). Default ATTACH_TIMEOUT_MS. */
  attachTimeoutMs?: number;
  /** Decides when to keep products on one thread (default: a HelperPacer; tests pass one that never backs off). */
  pacer?: Pacer;
}

/** The busy-core policy the helper consults before each product and informs after it. */
export interface Pacer {
  readonly backoffs: number;
  allowed(): boolean;
  record(ownMs: number, waitedMs: number): void;
}

/** Polls of DONE before the main thread sleeps in Atomics.wait: the helper's half usually ends within µs of ours. */
const SPIN_POLLS = 20_000;
/**
 * Polls of SEQUENCE by the worker after each command before it sleeps (~1 ms at ~5 ns a poll). A training step hands
 * over a product every few µs to few hundred µs: the worker keeps watching through the elementwise work between
 * products, then sleeps; a futex wake-up costs a few to tens of µs.
 */
export const WORKER_SPIN_POLLS = 200_000;
/**
 * Busy-core detection (HelperPacer). The helper's half of a product is as much work as the main thread's half, so
 * the main thread's wait for it after its own half (waited) measures how late the helper is. Over a window of
 * products (main-thread halves, or waits, adding up to ≥ WINDOW_MS; at least WINDOW_PRODUCTS products), handing
 * over pays while Σwaited < Σown (one thread would take 2·Σown). When Σwaited > LATE_FRACTION·Σown the helper's
 * core is taken by another process or thread, and the products stay on one thread for a back-off time,
 * BACKOFF_MIN_MS doubling up to BACKOFF_MAX_MS while the windows keep failing. Measured on 2 cores, one of them busy
 * with another process (ms/step, one thread → two threads): without back-off W1 2.0 → 20, W2 17 → 27; with it
 * W1 2.0 → 2.3, W2 16.3 → 18.4 (the probes after each back-off). Stalls of the helper's vCPU (0.1–12 ms in a 20 ms
 * window, a few a second on an idle 2-vCPU VM) rarely trip it (≤ 2 back-offs in 2.5 s of W1 or W2). A helper that
 * was asleep before a product (woken by futex) is not judged on it.
 */
export const WINDOW_MS = 20;
export const WINDOW_PRODUCTS = 8;
export const LATE_FRACTION = 1;
export const BACKOFF_MIN_MS = 50;
export const BACKOFF_MAX_MS = 2000;
/** A worker that starts takes ~30–100 ms; one that has not taken the memory after this never will. */
const ATTACH_TIMEOUT_MS = 10_000;

export function defaultWorkerFile(): string {
  return join(__dirname, 'gemm-helper.js');
}

export function createParallelGemm(options: ParallelGemmOptions = {}): HostParallelGemm {
  return new WorkerParallelGemm(options);
}

class WorkerParallelGemm implements HostParallelGemm {
  readonly minFlops?: number;
  private readonly words = new Int32Array(new SharedArrayBuffer(4 * CONTROL_WORDS));
  private readonly port: MessagePort | null = null;
  private readonly worker: Worker | null = null;
  private readonly exited: Promise<void> = Promise.resolve();
  private readonly attachTimeoutMs: number;
  /** Bumped by every attach: a GemmHelper of an older attach no longer owns the worker. */
  private generation = 0;
  private closed = false;
  /** The worker failed to start, exited, failed a command or did not answer an attach in time. */
  private broken = false;
  handoffs = 0;
  private readonly pacer: Pacer;
  /** Start (performance.now() ms) of the pending product. */
  private startedAt = 0;

  constructor(options: ParallelGemmOptions) {
    if (options.minFlops !== undefined) this.minFlops = options.minFlops;
    this.pacer = options.pacer ?? new HelperPacer();
    this.attachTimeoutMs = options.attachTimeoutMs ?? ATTACH_TIMEOUT_MS;
    const workerFile = options.workerFile ?? defaultWorkerFile();
    // A missing script would only fail inside the worker, reported as an event the blocked main thread cannot see.
    if (!existsSync(workerFile) || typeof SharedArrayBuffer !== 'function') {
      this.broken = true;
      return;
    }
    const { port1, port2 } = new MessageChannel();
    const data: HelperWorkerData = {
      control: this.words.buffer as SharedArrayBuffer,
      port: port2,
      spinPolls: options.workerSpinPolls ?? WORKER_SPIN_POLLS,
    };
    let worker: Worker;
    try {
      worker = new Worker(workerFile, { workerData: data, transferList: [port2] });
    } catch {
      port1.close();
      this.broken = true;
      return;
    }
    this.port = port1;
    this.worker = worker;
    // Without a listener an 'error' event would be thrown in the main thread.
    worker.on('error', () => {
      this.broken = true;
    });
    this.exited = new Promise((resolve) =>
      worker.once('exit', () => {
        this.broken = true;
        resolve();
      }),
    );
    worker.unref();
    port1.unref();
  }

  get backoffs(): number {
    return this.pacer.backoffs;
  }

  get available(): boolean {
    return !this.closed && !this.broken;
  }

  attach(
    memory: WebAssembly.Memory,
    scratchByteOffset: number,
    fusedMultiplyAdd: boolean,
    module: WebAssembly.Module,
  ): GemmHelper | null {
    if (!this.available || !this.port) return null;
    const message: AttachMessage = { memory, scratchByteOffset, fusedMultiplyAdd, module };
    this.port.postMessage(message);
    this.command(ATTACH);
    const answer = this.await(this.attachTimeoutMs);
    if (answer !== 'ok') {
      // 'timed-out': the worker may still take this memory later; it is never used again.
      this.broken = true;
      return null;
    }
    const generation = ++this.generation;
    return {
      start: (kind, m, n, k, a, b, c, accumulate, rowStart, rowEnd) =>
        generation === this.generation &&
        this.available &&
        this.pacer.allowed() &&
        this.run(kind, m, n, k, a, b, c, accumulate, rowStart, rowEnd),
      finish: () => {
        const finishing = performance.now();
        const answer = this.await(Infinity);
        if (answer === 'ok') {
          // A helper woken from sleep is late by its wake-up, not because its core is busy.
          if (Atomics.load(this.words, SLEPT) === 0)
            this.pacer.record(finishing - this.startedAt, performance.now() - finishing);
          return true;
        }
        this.broken = true;
        if (answer === 'failed-partway') throw new Error('the gemm helper thread failed inside a matrix product');
        return false;
      },
    };
  }

  /** Drops the worker's reference to the last attached memory (so that trainer's memory can be collected). */
  detach(): void {
    if (!this.available || this.generation === 0) return;
    this.generation++;
    this.command(DETACH);
    if (this.await(this.attachTimeoutMs) !== 'ok') this.broken = true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.worker) return;
    this.command(QUIT);
    await this.worker.terminate();
    await this.exited;
    this.port?.close();
  }

  private run(
    kind: GemmKind,
    m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    c: number,
    accumulate: boolean,
    rowStart: number,
    rowEnd: number,
  ): true {
    const w = this.words;
    w[ARG.kind] = kind;
    w[ARG.m] = m;
    w[ARG.n] = n;
    w[ARG.k] = k;
    w[ARG.a] = a;
    w[ARG.b] = b;
    w[ARG.c] = c;
    w[ARG.accumulate] = accumulate ? 1 : 0;
    w[ARG.rowStart] = rowStart;
    w[ARG.rowEnd] = rowEnd;
    this.startedAt = performance.now();
    this.command(RUN_ROWS);
    this.handoffs++;
    return true;
  }

  /**
   * Publishes the command and wakes the helper. The Atomics.add is sequentially consistent: the plain writes of the
   * arguments before it are visible to the worker once it reads the new SEQUENCE.
   */
  private command(command: number): void {
    Atomics.store(this.words, COMMAND, command);
    Atomics.add(this.words, SEQUENCE, 1);
    Atomics.notify(this.words, SEQUENCE);
  }

  /** Waits for the last command: 'ok', failed in the helper (see FAILED_*), or 'timed-out' after `timeoutMs`. */
  private await(timeoutMs: number): 'ok' | 'failed' | 'failed-partway' | 'timed-out' {
    const w = this.words;
    const target = Atomics.load(w, SEQUENCE);
    for (let i = 0; i < SPIN_POLLS && Atomics.load(w, DONE) !== target; i++) {
      // spin: a futex wake-up costs more than the usual wait here
    }
    const deadline = performance.now() + timeoutMs;
    for (let done = Atomics.load(w, DONE); done !== target; done = Atomics.load(w, DONE)) {
      const left = deadline - performance.now();
      if (left <= 0) return 'timed-out';
      Atomics.wait(w, DONE, done, left);
    }
    const failed = Atomics.load(w, FAILED);
    return failed === 0 ? 'ok' : failed === FAILED_PARTWAY ? 'failed-partway' : 'failed';
  }
}

/** The busy-core back-off (see WINDOW_MS): a pure policy over measured times, `now` in ms. */
export class HelperPacer implements Pacer {
  backoffs = 0;
  private windowOwnMs = 0;
  private windowWaitedMs = 0;
  private windowProducts = 0;
  /** The last back-off (0: the last window passed) and its end. */
  private backoffMs = 0;
  private backoffUntil = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** False while backing off. */
  allowed(): boolean {
    return this.backoffUntil === 0 || this.now() >= this.backoffUntil;
  }

  /** A handed-over product whose main-thread half took `ownMs` and whose helper half ended `waitedMs` after it. */
  record(ownMs: number, waitedMs: number): void {
    this.windowOwnMs += ownMs;
    this.windowWaitedMs += waitedMs;
    if (++this.windowProducts < WINDOW_PRODUCTS || Math.max(this.windowOwnMs, this.windowWaitedMs) < WINDOW_MS) return;
    const late = this.windowWaitedMs > LATE_FRACTION * this.windowOwnMs;
    this.windowOwnMs = 0;
    this.windowWaitedMs = 0;
    this.windowProducts = 0;
    if (!late) {
      this.backoffMs = 0;
      return;
    }
    this.backoffs++;
    this.backoffMs = this.backoffMs === 0 ? BACKOFF_MIN_MS : Math.min(BACKOFF_MAX_MS, 2 * this.backoffMs);
    this.backoffUntil = this.now() + this.backoffMs;
  }
}
