/**
 * Worker-thread entry: runs measure jobs off the calling thread (the extension host, the CLI's fix verification).
 * Cancellation arrives through a SharedArrayBuffer flag (the worker is busy in a synchronous loop and cannot read
 * messages); nothing is transferred, so no ArrayBuffer is ever detached in this process.
 * A job the pool runs alone (`threads: 2`) gets a helper thread for its large matrix products: this worker starts
 * one gemm helper (dist/gemm-helper.js) the first time and keeps it; it sleeps between products and runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { measure } from '../analysis/measure';
import { collectGarbage } from './collect-garbage';
import { folderFileAccess } from './files';
import { createParallelGemm, type HostParallelGemm } from './gemm-helper';
import type { WorkerRequest, WorkerResponse } from './worker-messages';

const cancelFlag = new Int32Array(workerData.cancel as SharedArrayBuffer);
let helper: HostParallelGemm | null = null;

function gemmHelper(): HostParallelGemm | null {
  helper ??= createParallelGemm();
  return helper.available ? helper : null;
}

parentPort?.on('message', (request: WorkerRequest) => {
  Atomics.store(cancelFlag, 0, 0);
  const post = (response: WorkerResponse): void => parentPort?.postMessage(response);
  const parallel = request.threads === 2 ? gemmHelper() : null;
  const handoffsBefore = parallel?.handoffs ?? 0;
  const outcome = measure(request.job, folderFileAccess(request.folder), {
    shouldStop: () => Atomics.load(cancelFlag, 0) !== 0,
    ...(parallel ? { parallel } : {}),
    ...(request.progress ? { onProgress: (progress) => post({ type: 'progress', id: request.id, progress }) } : {}),
  });
  // The helper lets go of this run's memory (it would otherwise keep the trainer's buffers alive).
  parallel?.detach();
  post({ type: 'done', id: request.id, outcome, handoffs: (parallel?.handoffs ?? 0) - handoffsBefore });
  // The run's memory goes now, after the answer (the caller does not wait for it): a shared memory only when this
  // thread and the helper's have both collected (collect-garbage.ts), and a plain one would otherwise stay until V8
  // feels pressure — measured: 1.9× the memory budget while fixes were verified one after another.
  collectGarbage();
});
