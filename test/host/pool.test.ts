/** The worker pool on the built worker bundle (dist/worker.js): results, progress, cancellation, crash recovery. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunProgress } from '../../src/analysis/measure';
import { WorkerPool } from '../../src/host/pool';

const ROOT = path.join(__dirname, '../..');
const WORKER = path.join(ROOT, 'dist/worker.js');
const EXAMPLES = path.join(ROOT, 'examples');
const spec = (name: string) => fs.readFileSync(path.join(EXAMPLES, `${name}.vgnet.json`), 'utf8');

let pool: WorkerPool | null = null;
afterEach(() => pool?.dispose());

describe('WorkerPool', () => {
  it('runs a job on a worker thread and returns the training record', async () => {
    pool = new WorkerPool(2, WORKER);
    const outcome = await pool.run({ text: spec('deep-relu-he'), steps: 20, seed: null, timeBudgetMs: 30_000 }, EXAMPLES);
    expect(outcome.ok).toBe(true);
    if (outcome.ok) {
      expect(outcome.result.stepsRun).toBe(20);
      expect(outcome.result.layers[0]!.path).toBe('/layers/0');
    }
  });

  it('streams progress while training', async () => {
    pool = new WorkerPool(1, WORKER);
    const seen: RunProgress[] = [];
    const outcome = await pool.run({ text: spec('residual-rescue'), steps: 400, seed: null, timeBudgetMs: 30_000 }, EXAMPLES, undefined, (p) => seen.push(p));
    expect(outcome.ok).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]!.totalSteps).toBe(400);
    expect(seen[seen.length - 1]!.stepsRun).toBeGreaterThan(seen[0]!.stepsRun - 1);
  });

  it('cancels a running job promptly through the shared flag', async () => {
    pool = new WorkerPool(1, WORKER);
    const signal = { cancelled: false };
    const started = performance.now();
    const pending = pool.run({ text: spec('residual-rescue'), steps: 100000, seed: null, timeBudgetMs: 120_000 }, EXAMPLES, signal);
    setTimeout(() => { signal.cancelled = true; }, 300);
    const outcome = await pending;
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(outcome.ok && outcome.result.stopped?.reason).toBe('cancelled');
  });

  it('reports spec errors as an outcome, not an exception', async () => {
    pool = new WorkerPool(1, WORKER);
    const outcome = await pool.run({ text: '{ nope', steps: null, seed: null, timeBudgetMs: 1000 }, EXAMPLES);
    expect(outcome.ok).toBe(false);
  });

  it('a crashed worker fails its job with a message and the pool keeps working', async () => {
    const crashing = path.join(ROOT, 'test/host/crash-worker.cjs');
    pool = new WorkerPool(1, crashing);
    const outcome = await pool.run({ text: '{}', steps: null, seed: null, timeBudgetMs: 1000 }, EXAMPLES);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.message).toMatch(/worker/);
  });
});
