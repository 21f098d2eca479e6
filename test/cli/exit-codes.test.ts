/** Exit codes of `vgnet analyze` for a failed run: 2 for a spec the validator or the memory budget refuses, 3 otherwise. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunCache } from '../../src/analysis/cache';
import { measure, type MeasureOutcome } from '../../src/analysis/measure';
import { runReport } from '../../src/cli/analyze';
import { parseArgs, type AnalyzeArgs } from '../../src/cli/args';
import { exitCodeOf } from '../../src/cli/main';
import type { WorkerPool } from '../../src/node/pool';

const EXAMPLES = path.join(__dirname, '../../examples');
const NO_FILES = { readText: () => ({ error: 'no files here' }) };

/** A pool whose runs happen in this thread: `measure` itself, or a fixed outcome. */
function poolOf(run: (text: string) => MeasureOutcome): WorkerPool {
  return { executor: () => ({ run: async (job: { text: string }) => run(job.text) }) } as unknown as WorkerPool;
}

async function exitCode(text: string, pool: WorkerPool): Promise<number> {
  const args = parseArgs(['analyze', 'spec.vgnet.json', '--no-fixes']) as AnalyzeArgs;
  return exitCodeOf(await runReport('spec.vgnet.json', text, args, pool, new RunCache()));
}

describe('exit codes', () => {
  const example = fs.readFileSync(path.join(EXAMPLES, 'deep-sigmoid.vgnet.json'), 'utf8');

  it('an exception while training exits 3 (internal error), even when the spec has warnings', async () => {
    const failing = poolOf(() => ({ ok: false, diagnostics: [], message: 'internal error while training: boom' }));
    expect(await exitCode(example, failing)).toBe(3);
    const withWarning = example.replace('"version": 1,', '"version": 1, "colour": "blue",');
    expect(await exitCode(withWarning, failing)).toBe(3);
  });

  it('a spec over the memory budget exits 2, like any invalid spec', async () => {
    const layers = Array.from({ length: 24 }, (_, i) => ({ type: 'dense', units: i % 2 === 0 ? 65_536 : 1 }));
    const big = JSON.stringify({
      version: 1,
      input: 2,
      layers,
      loss: 'mse',
      training: { steps: 5, batchSize: 762 },
      data: { source: 'teacher', samples: 1000 },
    });
    const inThread = poolOf((text) =>
      measure({ text, steps: null, seed: null, deadline: Date.now() + 1000 }, NO_FILES, {}),
    );
    expect(await exitCode(big, inThread)).toBe(2);
    expect(await exitCode('{"version": 1, "input": 0}', inThread)).toBe(2);
  });

  it('parses --memory-budget in MB', () => {
    expect((parseArgs(['analyze', 'a.vgnet.json']) as AnalyzeArgs).memoryBudgetMB).toBe(2048);
    expect((parseArgs(['analyze', 'a.vgnet.json', '--memory-budget', '512']) as AnalyzeArgs).memoryBudgetMB).toBe(512);
    expect(() => parseArgs(['analyze', 'a.vgnet.json', '--memory-budget', '12'])).toThrow(/from 128/);
  });
});
