import type { Executor } from '../../src/analysis/measure';

/**
 * One run at a time, each after a turn of the event loop: in-process runs are synchronous, and the seeds' and fixes'
 * runs start together, so minutes of training would pass without the test worker answering vitest (an RPC timeout).
 * setImmediate from the end of the previous run defers to the next loop iteration, past its I/O.
 */
export function yielding(executor: Executor): Executor {
  let previous: Promise<unknown> = Promise.resolve();
  return {
    run: (job, signal, onProgress) => {
      const next = previous
        .then(() => new Promise((resolve) => setImmediate(resolve)))
        .then(() => executor.run(job, signal, onProgress));
      previous = next.catch(() => undefined);
      return next;
    },
  };
}
