/**
 * Repeated training runs in one process, printing heap, external (WebAssembly memories, array buffers) and RSS
 * after each batch of runs — they must stay flat:
 *   npx esbuild bench/memory-check.ts --bundle --platform=node --outfile=/tmp/memory-check.js
 *   node --expose-gc /tmp/memory-check.js [runs] [W1|W2|W4]
 */
import { train } from '../src/engine/train';
import { WORKLOADS, makeSharedStart, toDataset, toModelConfig } from './workloads';

const runs = Number(process.argv[2] ?? 300);
const workload = WORKLOADS.find((w) => w.name === (process.argv[3] ?? 'W1'))!;
const start = makeSharedStart(workload, 1);
const config = toModelConfig(workload, 5, 1);
const data = toDataset(workload, start);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1).padStart(7);

process.stdout.write(`${workload.name}, 5 steps per run\n   runs  heap MB  external MB  RSS MB\n`);
for (let run = 1; run <= runs; run++) {
  train(config, data);
  if (run % Math.max(1, Math.floor(runs / 6)) === 0 || run === 1) {
    gc();
    const m = process.memoryUsage();
    process.stdout.write(
      `${String(run).padStart(7)} ${mb(m.heapUsed)} ${mb(m.external + m.arrayBuffers).padStart(12)} ${mb(m.rss)}\n`,
    );
  }
}
