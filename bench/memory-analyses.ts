/**
 * Repeated whole analyses in one process, as the extension host runs them: analyze() through the worker pool
 * (dist/worker.js, so `npm run build` first), a different seed each time (no cache hit), every other one with its
 * fixes verified; the first run of each batch may use the gemm helper thread. Prints RSS after each batch — it must
 * stay flat (it grew by ~15 MB a run while the helper's shared memories were not collected).
 *   npm run bench:memory [-- runs [spec]]
 * Default spec: W2 (10 × dense 256 relu, batch 256), 10 steps.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../src/analysis/analyze';
import { WorkerPool } from '../src/node/pool';

const W2 = JSON.stringify({
  version: 1,
  name: 'w2',
  input: 64,
  layers: [
    ...Array.from({ length: 10 }, () => ({ type: 'dense', units: 256, activation: 'relu', init: 'he_normal' })),
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
  loss: 'crossentropy',
  optimizer: { type: 'sgd', lr: 0.01 },
  training: { steps: 10, batchSize: 256, seed: 1 },
  data: { source: 'teacher', samples: 2048 },
});

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 160);
  const specFile = process.argv[3];
  const text = specFile ? fs.readFileSync(specFile, 'utf8') : W2;
  const folder = specFile ? path.dirname(path.resolve(specFile)) : process.cwd();
  const pool = new WorkerPool(undefined, path.join(__dirname, 'worker.js'));
  process.stdout.write(`${runs} analyses of ${specFile ?? 'W2 (10 steps)'}\n   runs   RSS MB   helper products\n`);
  try {
    for (let run = 1; run <= runs; run++) {
      await analyze(text, {
        executor: pool.executor(folder),
        seed: run,
        verifyFixes: run % 2 === 0,
        timeBudgetMs: 60_000,
      });
      if (run % Math.max(1, Math.floor(runs / 8)) === 0 || run === 1) {
        const rss = process.memoryUsage().rss / 2 ** 20;
        process.stdout.write(
          `${String(run).padStart(7)} ${rss.toFixed(0).padStart(8)} ${String(pool.helperHandoffs).padStart(17)}\n`,
        );
      }
    }
  } finally {
    pool.dispose();
  }
}

void main();
