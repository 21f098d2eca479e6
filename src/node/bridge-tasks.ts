/**
 * The host side of the bridge worker: one worker per task, with the analysis's heap limit, ended after its answer
 * or its failure. The extension host never parses a record or loads a spec's data itself.
 */
import { Worker } from 'node:worker_threads';
import type { BridgeRequest, BridgeResponse } from './bridge-messages';
import { workerLimits } from './pool';

export function runBridgeTask(script: string, request: BridgeRequest, memoryBudgetMB: number): Promise<BridgeResponse> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(script, { workerData: request, resourceLimits: workerLimits(memoryBudgetMB) });
    } catch (err) {
      resolve({ kind: 'failed', message: `cannot start the bridge worker: ${(err as Error).message}` });
      return;
    }
    let settled = false;
    const settle = (response: BridgeResponse): void => {
      if (settled) return;
      settled = true;
      resolve(response);
      void worker.terminate();
    };
    worker.once('message', (response: BridgeResponse) => settle(response));
    worker.once('error', (err) => settle({ kind: 'failed', message: `bridge worker failed: ${err.message}` }));
    worker.once('exit', (code) =>
      settle({ kind: 'failed', message: `bridge worker exited (${code}) without an answer` }),
    );
  });
}
