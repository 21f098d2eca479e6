/** The worker pool on the built worker bundle (dist/worker.js): results, progress, cancellation, crash recovery. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunProgress } from '../../src/analysis/measure';
import { MAX_WORKERS, poolSize, WorkerPool, workerLimits } from '../../src/node/pool';

const ROOT = path.join(__dirname, '../..');
const WORKER = path.join(ROOT, 'dist/worker.js');
const EXAMPLES = path.join(ROOT, 'examples');
const FAKE_WORKER = path.join(ROOT, 'test/node/fake-worker.cjs');
const spec = (name: string) => fs.readFileSync(path.join(EXAMPLES, `${name}.vgnet.json`), 'utf8');

let pool: WorkerPool | null = null;
afterEach(() => pool?.dispose());

describe('WorkerPool', () => {
  it('runs a job on a worker thread and returns the training record', async () => {
    pool = new WorkerPool(2, WORKER);
    const outcome = await pool.run(
      { text: spec('deep-relu-he'), steps: 20, seed: null, deadline: Date.now() + 30_000 },
      EXAMPLES,
    );
    expect(outcome.ok).toBe(true);
    if (outcome.ok) {
      expect(outcome.result.stepsRun).toBe(20);
      expect(outcome.result.layers[0]!.path).toBe('/layers/0');
    }
  });

  it('streams progress while training', async () => {
    pool = new WorkerPool(1, WORKER);
    const seen: RunProgress[] = [];
    const outcome = await pool.run(
      { text: spec('residual-rescue'), steps: 400, seed: null, deadline: Date.now() + 30_000 },
      EXAMPLES,
      undefined,
      (p) => seen.push(p),
    );
    expect(outcome.ok).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]!.totalSteps).toBe(400);
    expect(seen[seen.length - 1]!.stepsRun).toBeGreaterThan(seen[0]!.stepsRun - 1);
  });

  it('cancels a running job promptly through the shared flag', async () => {
    pool = new WorkerPool(1, WORKER);
    const signal = { cancelled: false };
    const started = performance.now();
    const pending = pool.run(
      { text: spec('residual-rescue'), steps: 100000, seed: null, deadline: Date.now() + 120_000 },
      EXAMPLES,
      signal,
    );
    setTimeout(() => {
      signal.cancelled = true;
    }, 300);
    const outcome = await pending;
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(outcome.ok && outcome.result.stopped?.reason).toBe('cancelled');
  });

  it('reports spec errors as an outcome, not an exception', async () => {
    pool = new WorkerPool(1, WORKER);
    const outcome = await pool.run({ text: '{ nope', steps: null, seed: null, deadline: Date.now() + 1000 }, EXAMPLES);
    expect(outcome.ok).toBe(false);
  });

  it('a crashed worker fails its job with a message and the pool keeps working', async () => {
    const crashing = path.join(ROOT, 'test/node/crash-worker.cjs');
    pool = new WorkerPool(1, crashing);
    const outcome = await pool.run({ text: '{}', steps: null, seed: null, deadline: Date.now() + 1000 }, EXAMPLES);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.message).toMatch(/worker/);
  });

  it('a worker that runs out of heap fails its job with a clear message; the next job gets a fresh worker', async () => {
    pool = new WorkerPool(1, FAKE_WORKER, false, 128);
    const job = (text: string) => ({ text, steps: null, seed: null, deadline: Date.now() + 1000 });
    const outcome = await pool.run(job('oom'), EXAMPLES);
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.message).toMatch(
      /^the analysis ran out of memory: its worker reached the heap limit of 64 MB/,
    );
    const next = await pool.run(job('hello'), EXAMPLES);
    expect(!next.ok && next.message).toMatch(/^\d+-\d+$/);
  });

  it('runs jobs side by side only while their memory estimates fit the budget together', async () => {
    const interval = (o: { ok: boolean; message?: string }) =>
      (o.message ?? '').split('-').map(Number) as [number, number];
    const job = { text: spec('deep-relu-he'), steps: null, seed: null, deadline: Date.now() + 1000 };
    // Each run is estimated at a little over 64 MB (the process baseline): one fits 100 MB, two do not.
    pool = new WorkerPool(2, FAKE_WORKER, false, 100);
    const [a, b] = (await Promise.all([pool.run(job, EXAMPLES), pool.run(job, EXAMPLES)])).map(interval);
    expect(b![0]).toBeGreaterThanOrEqual(a![1]);
  });

  it('runs three jobs on two cores side by side to the end, but a longer queue one job per core', async () => {
    const interval = (o: { ok: boolean; message?: string }) =>
      (o.message ?? '').split('-').map(Number) as [number, number];
    const job = { text: spec('deep-relu-he'), steps: null, seed: null, deadline: Date.now() + 10_000 };
    const startedBeforeFirstEnd = (intervals: [number, number][]) => {
      const firstEnd = Math.min(...intervals.map(([, end]) => end));
      return intervals.filter(([start]) => start < firstEnd).length;
    };
    pool = new WorkerPool(2, FAKE_WORKER, false, 4096);
    const three = (await Promise.all([1, 2, 3].map(() => pool!.run(job, EXAMPLES)))).map(interval);
    expect(startedBeforeFirstEnd(three)).toBe(3);
    pool.dispose();
    pool = new WorkerPool(2, FAKE_WORKER, false, 4096);
    const five = (await Promise.all([1, 2, 3, 4, 5].map(() => pool!.run(job, EXAMPLES)))).map(interval);
    expect(startedBeforeFirstEnd(five)).toBe(2);
    // An urgent job (the first seed, shown first) keeps its core: the third job waits for a free one.
    pool.dispose();
    pool = new WorkerPool(2, FAKE_WORKER, false, 4096);
    const urgent = [{ ...job, urgent: true }, job, job];
    const seeds = (await Promise.all(urgent.map((j) => pool!.run(j, EXAMPLES)))).map(interval);
    expect(startedBeforeFirstEnd(seeds)).toBe(2);
    expect(seeds[0]![0]).toBeLessThan(seeds[2]![0]);
  });

  it('has one worker per core (less the one the editor keeps), at least two from two cores on, at most MAX_WORKERS', () => {
    expect(poolSize(1)).toBe(1);
    expect(poolSize(1, 1)).toBe(1);
    expect(poolSize(2)).toBe(2);
    expect(poolSize(2, 1)).toBe(2);
    expect(poolSize(4)).toBe(4);
    expect(poolSize(4, 1)).toBe(3);
    expect(poolSize(64)).toBe(MAX_WORKERS);
    expect(poolSize(64, 1)).toBe(MAX_WORKERS);
  });

  it('a pool of four runs a long queue four jobs at a time', async () => {
    // Jobs long enough (1.5 s) that every worker is up before the first job ends, however busy the machine.
    const job = { text: 'hold:1500', steps: null, seed: null, deadline: Date.now() + 30_000 };
    pool = new WorkerPool(4, FAKE_WORKER, false, 4096);
    const intervals = (await Promise.all([1, 2, 3, 4, 5, 6].map(() => pool!.run(job, EXAMPLES)))).map(
      (o) => (o.ok ? [0, 0] : o.message.split('-').map(Number)) as [number, number],
    );
    // The most jobs running at one moment: at some job's start, those started before it and not yet ended.
    const overlap = Math.max(
      ...intervals.map(([start]) => intervals.filter(([s, e]) => s <= start && e > start).length),
    );
    expect(overlap).toBe(4);
  });

  it('workers get a heap limit derived from the memory budget', () => {
    expect(workerLimits(2048)).toEqual({ maxOldGenerationSizeMb: 1024 });
    expect(workerLimits(100)).toEqual({ maxOldGenerationSizeMb: 64 });
  });

  it('a job running alone shares its large products with a helper thread; jobs side by side do not; records are identical', async () => {
    const wide = (seed: number): string =>
      JSON.stringify({
        version: 1,
        name: 'wide',
        input: 64,
        layers: [
          ...Array.from({ length: 4 }, () => ({ type: 'dense', units: 256, activation: 'relu', init: 'he_normal' })),
          { type: 'dense', units: 10, activation: 'softmax' },
        ],
        loss: 'crossentropy',
        optimizer: { type: 'sgd', lr: 0.01 },
        training: { steps: 5, batchSize: 256, seed },
        data: { source: 'teacher', samples: 512 },
      });
    const job = (seed: number) => ({ text: wide(seed), steps: null, seed: null, deadline: Date.now() + 30_000 });
    const oneThread = new WorkerPool(2, WORKER, false);
    let single: Awaited<ReturnType<WorkerPool['run']>>[];
    try {
      single = await Promise.all([oneThread.run(job(1), EXAMPLES), oneThread.run(job(2), EXAMPLES)]);
      expect(oneThread.helperHandoffs).toBe(0);
    } finally {
      oneThread.dispose();
    }
    pool = new WorkerPool(2, WORKER, true);
    const alone = await pool.run(job(1), EXAMPLES);
    const afterAlone = pool.helperHandoffs;
    expect(afterAlone, 'products shared while running alone').toBeGreaterThan(0);
    // Two at once: each has a core of its own, so neither asks for a helper.
    const [first, second] = await Promise.all([pool.run(job(1), EXAMPLES), pool.run(job(2), EXAMPLES)]);
    expect(pool.helperHandoffs).toBe(afterAlone);
    for (const outcome of [...single, alone, first, second]) expect(outcome.ok).toBe(true);
    const record = (o: (typeof single)[number]) => (o.ok ? { loss: o.result.loss, series: o.result.series } : null);
    expect(record(alone)).toEqual(record(single[0]!));
    expect(record(first)).toEqual(record(single[0]!));
    expect(record(second)).toEqual(record(single[1]!));
  });

  it('memory stays flat over repeated runs with the helper thread (shared memories are collected)', async () => {
    const text = JSON.stringify({
      version: 1,
      name: 'wide',
      input: 64,
      layers: [
        ...Array.from({ length: 6 }, () => ({ type: 'dense', units: 256, activation: 'relu' })),
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
      loss: 'crossentropy',
      optimizer: { type: 'sgd', lr: 0.01 },
      training: { steps: 2, batchSize: 256, seed: 1 },
      data: { source: 'teacher', samples: 256 },
    });
    pool = new WorkerPool(1, WORKER, true);
    const rssMb = () => process.memoryUsage().rss / 2 ** 20;
    for (let i = 0; i < 5; i++) await pool.run({ text, steps: null, seed: i, deadline: Date.now() + 30_000 }, EXAMPLES);
    const before = rssMb();
    for (let i = 5; i < 35; i++)
      expect((await pool.run({ text, steps: null, seed: i, deadline: Date.now() + 30_000 }, EXAMPLES)).ok).toBe(true);
    expect(pool.helperHandoffs).toBeGreaterThan(0);
    // Each run's memory is ~12 MB: kept, 30 runs would add ~360 MB.
    expect(rssMb() - before).toBeLessThan(120);
  });
});
