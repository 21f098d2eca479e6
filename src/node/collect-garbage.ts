/**
 * A full garbage collection of the calling thread's heap, for the threads that share trainers' WebAssembly memories.
 * A shared memory (SharedArrayBuffer) is freed only once every thread that saw it has collected its objects, and V8
 * does not count shared memories as memory pressure: a thread that allocates little would keep them for ever.
 * Measured without it: +15 MB per W2-size analysis with the gemm helper, flat with it. (`--expose-gc` set at run
 * time exposes `gc` to new contexts; a no-op where that fails.)
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null = null;

export function collectGarbage(): void {
  if (collect === null) {
    try {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    } catch {
      collect = () => undefined;
    }
  }
  collect();
}
