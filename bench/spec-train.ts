/**
 * Times the training run behind an analysis of a spec file, in this process (no CLI, no worker), on both backends:
 *   npx esbuild bench/spec-train.ts --bundle --platform=node --main-fields=module,main --outfile=/tmp/spec-train.js
 *   node /tmp/spec-train.js examples/deep-sigmoid.vgnet.json [runs]
 * Prints min and median ms per run; alternates the backends so load drift hits both alike.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { prepare } from '../src/analysis/prepare';
import type { BackendName } from '../src/engine/backend';
import { train } from '../src/engine/train';
import { folderFileAccess } from '../src/node/files';
import { median } from './measure';

const file = process.argv[2] ?? 'examples/deep-sigmoid.vgnet.json';
const runs = Number(process.argv[3] ?? 9);
const prepared = prepare(readFileSync(file, 'utf8'), { files: folderFileAccess(path.dirname(file)) });
if (!prepared.ok) throw new Error(`${file}: ${prepared.diagnostics[0]?.message ?? 'invalid spec'}`);
const times: Record<BackendName, number[]> = { wasm: [], js: [] };
for (let run = 0; run < runs; run++) {
  for (const backend of ['wasm', 'js'] as const) {
    const t0 = performance.now();
    train(prepared.config, prepared.dataset, { backend });
    times[backend].push(performance.now() - t0);
  }
}
for (const backend of ['wasm', 'js'] as const) {
  const t = times[backend];
  process.stdout.write(
    `${path.basename(file)} ${backend}: min ${Math.min(...t).toFixed(1)} ms, median ${median(t).toFixed(1)} ms over ${runs} runs\n`,
  );
}
