/**
 * Labels specs in PyTorch: each spec is exported by the bridge (`vgnet export --to pytorch`), trained there on
 * three seeds and judged by the written rules of label.py. Never VGNet's engine. Two processes, one per core.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepare } from '../../src/analysis/prepare';
import { exportPytorch } from '../../src/bridge/export-pytorch';
import { folderFileAccess } from '../../src/node/files';

export const HERE = path.join(__dirname, '../bench/labelled');

export const KINDS = ['divergence', 'vanishing', 'exploding', 'dead-relu', 'saturation', 'output-saturation'] as const;
export type Kind = (typeof KINDS)[number];
export type Vote = 'yes' | 'no' | 'ambiguous';

export interface Measured {
  nonFinite: boolean;
  growth: number | null;
  endLoss: number | null;
  firstLoss?: number;
  /** The loss on the probe set in evaluation mode after training (labels made before it have none). */
  probeEndLoss?: number | null;
  vanishRatio: number | null;
  vanishNorm: number | null;
  explodeRatio: number | null;
  explodeNorm: number | null;
  dead: number;
  saturated: number;
  outputSaturated: number;
}

export interface Label {
  label: Record<Kind, Vote>;
  runs: Record<Kind, Vote>[];
  measured: Measured[];
}

/** Labels `specs` (spec text by name) in PyTorch; `onFailure` says why a spec could not be exported. */
export async function labelInPytorch(
  specs: { name: string; text: string }[],
  onFailure: (name: string, why: string) => void = (name, why) => {
    throw new Error(`${name}: ${why}`);
  },
): Promise<Record<string, Label>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-labels-'));
  try {
    const jobs: { name: string; program: string }[] = [];
    for (const s of specs) {
      const prepared = prepare(s.text, { files: folderFileAccess(dir) });
      if (!prepared.ok) {
        onFailure(s.name, prepared.diagnostics[0]?.message ?? 'invalid spec');
        continue;
      }
      const exported = exportPytorch(prepared.config, prepared.dataset, {
        spec: `${s.name}.vgnet.json`,
        dataFile: `${s.name}.data.bin`,
        program: `${s.name}.py`,
      });
      fs.writeFileSync(path.join(dir, `${s.name}.py`), exported.python);
      fs.writeFileSync(path.join(dir, `${s.name}.data.bin`), exported.data);
      jobs.push({ name: s.name, program: path.join(dir, `${s.name}.py`) });
    }
    if (jobs.length === 0) return {};
    fs.writeFileSync(path.join(dir, 'jobs.json'), JSON.stringify(jobs));
    const shards = [0, 1].map(
      (shard) =>
        new Promise<Record<string, Label>>((resolve, reject) => {
          const out = path.join(dir, `labels-${shard}.json`);
          const child = spawn(
            '/usr/bin/python3',
            [path.join(HERE, 'label.py'), path.join(dir, 'jobs.json'), out, String(shard), '2'],
            { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, OMP_NUM_THREADS: '1' } },
          );
          child.on('error', reject);
          child.on('exit', (code) =>
            code === 0
              ? resolve(JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, Label>)
              : reject(new Error(`label.py shard ${shard} exited with ${code}`)),
          );
        }),
    );
    return Object.assign({}, ...(await Promise.all(shards))) as Record<string, Label>;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** labels.json: one spec a line, for reviewable diffs when the labels are made again. */
export function writeLabels(file: string, labels: Record<string, unknown>): void {
  const lines = Object.keys(labels)
    .sort()
    .map((k) => `${JSON.stringify(k)}: ${JSON.stringify(labels[k])}`);
  fs.writeFileSync(file, `{\n${lines.join(',\n')}\n}\n`);
}
