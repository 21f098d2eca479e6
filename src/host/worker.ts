/**
 * Worker-thread entry: runs measure jobs off the calling thread (the extension host, the CLI's fix verification).
 * Cancellation arrives through a SharedArrayBuffer flag (the worker is busy in a synchronous loop and cannot read
 * messages); nothing is transferred, so no ArrayBuffer is ever detached in this process.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { measure } from '../analysis/measure';
import { folderFileAccess } from './files';
import type { WorkerRequest, WorkerResponse } from './protocol';

const cancelFlag = new Int32Array(workerData.cancel as SharedArrayBuffer);

parentPort?.on('message', (request: WorkerRequest) => {
  Atomics.store(cancelFlag, 0, 0);
  const post = (response: WorkerResponse): void => parentPort?.postMessage(response);
  const outcome = measure(request.job, folderFileAccess(request.folder), {
    shouldStop: () => Atomics.load(cancelFlag, 0) !== 0,
    ...(request.progress ? { onProgress: (progress) => post({ type: 'progress', id: request.id, progress }) } : {}),
  });
  post({ type: 'done', id: request.id, outcome });
});
