/**
 * Runs training steps of the benchmark workloads in a loop, for profiling:
 *   npx esbuild bench/profile-steps.ts --bundle --platform=node --outfile=/tmp/profile-steps.js
 *   node --cpu-prof /tmp/profile-steps.js W1 [seconds] [wasm|js]
 * Prints ms/step; the profile shows where a step's time goes.
 */
import { createTrainer } from '../src/engine/train';
import type { BackendName } from '../src/engine/backend';
import { WORKLOADS, makeSharedStart, toDataset, toModelConfig } from './workloads';

const name = process.argv[2] ?? 'W1';
const seconds = Number(process.argv[3] ?? 3);
const backend = (process.argv[4] ?? 'wasm') as BackendName;
const workload = WORKLOADS.find((w) => w.name === name);
if (!workload) throw new Error(`unknown workload ${name}`);
const start = makeSharedStart(workload, 1);
const trainer = createTrainer(toModelConfig(workload, 1e7, 1), toDataset(workload, start), { backend });
for (let i = 0; i < 5; i++) trainer.step();
const t0 = performance.now();
let steps = 0;
while (performance.now() - t0 < seconds * 1000) {
  trainer.step();
  steps++;
}
const ms = (performance.now() - t0) / steps;
process.stdout.write(`${name} ${trainer.backend}: ${ms.toFixed(3)} ms/step over ${steps} steps\n`);
