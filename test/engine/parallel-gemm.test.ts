/**
 * The opt-in helper thread inside large matrix products (src/engine/wasm/parallel-gemm.ts, src/node/gemm-helper.ts):
 * with it, products, training records and final weights are bit-identical to one thread; a helper that is closed,
 * cannot start, does not answer or serves another trainer falls back to one thread with the same results.
 * The worker is bundled from its TypeScript source into a temporary directory (esbuild), so the test does not
 * depend on dist/ being built or current.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../src/engine/config';
import { Rng } from '../../src/engine/rng';
import { createTrainer, type Trainer, type TrainOptions } from '../../src/engine/train';
import { parallelSplit, PARALLEL_ROW_ALIGN } from '../../src/engine/wasm/parallel-gemm';
import { createWasmKernels, type WasmKernels } from '../../src/engine/wasm/wasm-gemm';
import {
  BACKOFF_MAX_MS,
  BACKOFF_MIN_MS,
  createParallelGemm,
  HelperPacer,
  type HostParallelGemm,
  type Pacer,
  WINDOW_MS,
  WINDOW_PRODUCTS,
} from '../../src/node/gemm-helper';
import { dense, modelConfig, optimizer, randomDataset, training } from './helpers';

let dir: string;
let workerFile: string;
const opened: HostParallelGemm[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vgnet-gemm-helper-'));
  workerFile = join(dir, 'gemm-helper.js');
  await build({
    entryPoints: [join(__dirname, '../../src/node/gemm-helper-worker.ts')],
    outfile: workerFile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'silent',
  });
});

afterAll(async () => {
  for (const helper of opened) await helper.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Never backs off: on a busy machine the real pacer rightly keeps products on one thread, which would make the
 * hand-off counts below depend on the load (the pacer's policy has tests of its own, on an injected clock).
 */
const NEVER_BACK_OFF: Pacer = { backoffs: 0, allowed: () => true, record: () => {} };

function helper(options: Parameters<typeof createParallelGemm>[0] = {}): HostParallelGemm {
  const created = createParallelGemm({ workerFile, pacer: NEVER_BACK_OFF, ...options });
  opened.push(created);
  return created;
}

type Kind = 'gemmNT' | 'gemmNN' | 'gemmTN';

/** Runs `kind` on the same seeded operands in `kernels`' memory; returns a copy of C. */
function product(kernels: WasmKernels, kind: Kind, m: number, n: number, k: number, accumulate: boolean): Float32Array {
  const rng = new Rng(m * 7919 + n * 104_729 + k * 31 + (accumulate ? 1 : 0));
  const floats = new Float32Array(kernels.memory.buffer);
  // Odd float offsets: operands not 16-byte aligned, as the arena may place them.
  const a = 3;
  const b = a + m * k + 5;
  const c = b + k * n + 1;
  for (let i = a; i < c + m * n; i++) floats[i] = rng.range(-1, 1);
  kernels[kind](m, n, k, 4 * a, 4 * b, 4 * c, accumulate);
  return floats.slice(c, c + m * n);
}

function expectSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  expect(a.length, what).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    if (a[i] !== e[i]) expect.fail(`${what}: element ${i} is ${actual[i]}, one thread gives ${expected[i]}`);
  }
}

describe('parallelSplit', () => {
  it('gives the main thread about half of the rows, a multiple of the row tile', () => {
    for (const m of [64, 65, 127, 256, 257, 1000]) {
      const split = parallelSplit(m);
      expect(split % PARALLEL_ROW_ALIGN).toBe(0);
      expect(split).toBeGreaterThan(0);
      expect(Math.abs(m - 2 * split)).toBeLessThan(2 * PARALLEL_ROW_ALIGN);
    }
  });
});

describe('parallel matrix products', () => {
  const MEMORY = 8 << 20;
  // Shapes with odd m, n and k, every kernel path: NT on dot blocks (k > 32) and on a transposed B (k ≤ 32), NN and
  // TN on broadcast blocks with n over one column block (128), narrow n that stays on one thread.
  const shapes: Array<[number, number, number]> = [
    [257, 19, 300],
    [256, 256, 256],
    [129, 200, 17],
    [67, 131, 259],
    [300, 16, 1],
    [96, 12, 64],
    [64, 40, 513],
  ];

  it('are bit-identical to one thread for NT, NN and TN, overwriting and accumulating', () => {
    const one = createWasmKernels(MEMORY)!;
    const shared = helper({ minFlops: 0 });
    const two = createWasmKernels(MEMORY, { parallel: shared })!;
    expect(two.parallel).toBe(true);
    expect(two.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    for (const [m, n, k] of shapes) {
      for (const kind of ['gemmNT', 'gemmNN', 'gemmTN'] as const) {
        for (const accumulate of [false, true]) {
          const before = shared.handoffs;
          const expected = product(one, kind, m, n, k, accumulate);
          const actual = product(two, kind, m, n, k, accumulate);
          expectSameBits(actual, expected, `${kind} ${m}×${n}×${k} accumulate=${accumulate}`);
          // Products with at least 16 columns and 64 rows are shared; narrower ones stay on one thread.
          expect(shared.handoffs - before, `${kind} ${m}×${n}×${k} handoffs`).toBe(n >= 16 && m >= 64 ? 1 : 0);
        }
      }
    }
  });

  it('keep products below minFlops on one thread', () => {
    const shared = helper({ minFlops: 2 * 256 * 256 * 256 });
    const two = createWasmKernels(MEMORY, { parallel: shared })!;
    product(two, 'gemmNT', 255, 256, 256, false);
    expect(shared.handoffs).toBe(0);
    product(two, 'gemmNT', 256, 256, 256, false);
    expect(shared.handoffs).toBe(1);
  });
});

/** The W2 benchmark's shape, smaller: 4 × dense 256 relu, batch 256 (crossentropy, 10 classes). */
interface Setup {
  config: ModelConfig;
  data: ReturnType<typeof randomDataset>;
}

/** The setup with `steps` training steps (layer paths, which name layers in the record, stay the same). */
function withSteps(setup: Setup, steps: number): Setup {
  return { config: { ...setup.config, training: { ...setup.config.training, steps } }, data: setup.data };
}

const W2_LIKE = w2Like();
const W3_LIKE = w3Like();
const ODD_SHAPES = oddShapes();

function w2Like(): Setup {
  const config = modelConfig(
    64,
    [dense(256, 'relu'), dense(256, 'relu'), dense(256, 'relu'), dense(256, 'relu'), dense(10, 'softmax')],
    'crossentropy',
    {
      training: training({ batchSize: 256, seed: 3, recordEvery: 2 }),
      optimizer: optimizer({ type: 'adam', lr: 1e-3 }),
    },
  );
  return { config, data: randomDataset(11, 512, 64, 'crossentropy', 10) };
}

/** The W3 benchmark's shape, smaller: 2 × dense 1024 relu, batch 512 (odd input width, mse, momentum). */
function w3Like(): Setup {
  const config = modelConfig(333, [dense(1024, 'relu'), dense(1024, 'tanh'), dense(7)], 'mse', {
    training: training({ batchSize: 512, seed: 5, recordEvery: 1 }),
    optimizer: optimizer({ lr: 0.01, momentum: 0.9 }),
  });
  return { config, data: randomDataset(13, 512, 333, 'mse', 7) };
}

/** An odd batch (m = 257 rows) through odd widths. */
function oddShapes(): Setup {
  const config = modelConfig(
    300,
    [dense(19, 'tanh'), dense(300, 'sigmoid'), dense(131, 'leaky_relu'), dense(3)],
    'mse',
    { training: training({ batchSize: 257, seed: 9, recordEvery: 1 }) },
  );
  return { config, data: randomDataset(17, 257, 300, 'mse', 3) };
}

interface Outcome {
  record: unknown;
  weights: Float32Array[];
}

function run(setup: Setup, options: TrainOptions = {}, during?: (trainer: Trainer, step: number) => void): Outcome {
  const trainer = createTrainer(setup.config, setup.data, options);
  expect(trainer.backend).toBe('wasm');
  for (let step = 0; trainer.step(); step++) during?.(trainer, step);
  return outcomeOf(trainer);
}

/** The record without its timing, and the final weights. */
function outcomeOf(trainer: Trainer): Outcome {
  const { timeMs: _timeMs, ...record } = trainer.result();
  return { record, weights: trainer.model.parameters().map((p) => p.data.slice()) };
}

function expectSameOutcome(actual: Outcome, expected: Outcome): void {
  expect(actual.record).toEqual(expected.record);
  expect(actual.weights.length).toBe(expected.weights.length);
  actual.weights.forEach((w, i) => expectSameBits(w, expected.weights[i]!, `parameter ${i}`));
}

describe('training with the parallel helper', () => {
  const cases = [
    ['W2-like', W2_LIKE, 6],
    ['W3-like', W3_LIKE, 2],
    ['odd shapes', ODD_SHAPES, 4],
  ] as const;

  for (const [name, setup, steps] of cases) {
    it(`${name}: losses, gradient statistics and weights are bit-identical to one thread`, () => {
      const expected = run(withSteps(setup, steps));
      const shared = helper({ minFlops: name === 'odd shapes' ? 0 : undefined });
      const actual = run(withSteps(setup, steps), { parallel: shared });
      expect(shared.handoffs).toBeGreaterThan(0);
      expectSameOutcome(actual, expected);
      expect((expected.record as { loss: number[] }).loss.every(Number.isFinite)).toBe(true);
    });
  }

  it('a closed helper runs every product on one thread with the same results', async () => {
    const expected = run(withSteps(W2_LIKE, 3));
    const shared = helper();
    await shared.close();
    await shared.close();
    expect(shared.available).toBe(false);
    expectSameOutcome(run(withSteps(W2_LIKE, 3), { parallel: shared }), expected);
    expect(shared.handoffs).toBe(0);
  });

  it('closing the helper in the middle of training falls back to one thread with the same results', async () => {
    const expected = run(withSteps(W2_LIKE, 6));
    const shared = helper();
    const trainer = createTrainer(withSteps(W2_LIKE, 6).config, W2_LIKE.data, { parallel: shared });
    trainer.step();
    trainer.step();
    const shared2 = shared.handoffs;
    expect(shared2).toBeGreaterThan(0);
    await shared.close();
    while (trainer.step()) {
      // the rest on one thread
    }
    expect(shared.handoffs).toBe(shared2);
    expectSameOutcome(outcomeOf(trainer), expected);
  });

  it('a missing worker script means no helper, and the same results', () => {
    const expected = run(withSteps(ODD_SHAPES, 2));
    const shared = helper({ workerFile: join(dir, 'missing.js') });
    expect(shared.available).toBe(false);
    expectSameOutcome(run(withSteps(ODD_SHAPES, 2), { parallel: shared }), expected);
    expect(shared.handoffs).toBe(0);
  });

  it('a worker that fails at start-up or never answers: the attach times out, one thread, same results', () => {
    const expected = run(withSteps(ODD_SHAPES, 2));
    const throwing = join(dir, 'throwing.js');
    writeFileSync(throwing, 'throw new Error("broken helper");\n');
    const silent = join(dir, 'silent.js');
    writeFileSync(silent, 'setTimeout(() => {}, 60_000).unref();\n');
    for (const file of [throwing, silent]) {
      const shared = helper({ workerFile: file, attachTimeoutMs: 300, minFlops: 0 });
      const t0 = performance.now();
      expectSameOutcome(run(withSteps(ODD_SHAPES, 2), { parallel: shared }), expected);
      expect(performance.now() - t0).toBeLessThan(10_000);
      expect(shared.available).toBe(false);
      expect(shared.handoffs).toBe(0);
    }
  });

  it('a helper attached to a newer trainer leaves the older one on one thread; both stay exact', () => {
    const expected = run(withSteps(W2_LIKE, 4));
    const shared = helper();
    const older = createTrainer(withSteps(W2_LIKE, 4).config, W2_LIKE.data, { parallel: shared });
    const newer = createTrainer(withSteps(W2_LIKE, 4).config, W2_LIKE.data, { parallel: shared });
    let before = shared.handoffs;
    older.step();
    expect(shared.handoffs).toBe(before);
    newer.step();
    expect(shared.handoffs).toBeGreaterThan(before);
    before = shared.handoffs;
    while (older.step()) {
      // one thread
    }
    expect(shared.handoffs).toBe(before);
    while (newer.step()) {
      // two threads
    }
    for (const trainer of [older, newer]) expectSameOutcome(outcomeOf(trainer), expected);
  });

  it('with every core busy (the helper lags, may back off and come back): the same results', async () => {
    const expected = run(withSteps(W2_LIKE, 30));
    const hogs = Array.from({ length: availableParallelism() }, () => new Worker('for (;;) {}', { eval: true }));
    try {
      const shared = helper();
      const actual = run(withSteps(W2_LIKE, 30), { parallel: shared });
      expectSameOutcome(actual, expected);
      expect(shared.available).toBe(true);
    } finally {
      await Promise.all(hogs.map((hog) => hog.terminate()));
    }
  });

  it('detach drops the memory: that trainer goes on on one thread, exactly', () => {
    const expected = run(withSteps(W2_LIKE, 4));
    const shared = helper();
    let atDetach = 0;
    const actual = run(withSteps(W2_LIKE, 4), { parallel: shared }, (_trainer, step) => {
      if (step !== 1) return;
      shared.detach();
      atDetach = shared.handoffs;
    });
    expect(atDetach).toBeGreaterThan(0);
    expect(shared.handoffs, 'no product handed over after detach').toBe(atDetach);
    expect(shared.available).toBe(true);
    expectSameOutcome(actual, expected);
  });
});

describe('HelperPacer (busy-core back-off)', () => {
  function pacer(): { pacer: HelperPacer; clock: { ms: number } } {
    const clock = { ms: 1000 };
    return { pacer: new HelperPacer(() => clock.ms), clock };
  }
  /** One window of WINDOW_PRODUCTS products whose halves add up to WINDOW_MS, the helper `lateBy` × own behind. */
  function window(p: HelperPacer, lateBy: number): void {
    const own = WINDOW_MS / WINDOW_PRODUCTS;
    for (let i = 0; i < WINDOW_PRODUCTS; i++) p.record(own, lateBy * own);
  }

  it('keeps handing over while the helper keeps up, including single stalls', () => {
    const { pacer: p } = pacer();
    window(p, 0);
    window(p, 0.02);
    p.record(0.01, 12); // one 12 ms stall in a window of otherwise punctual products
    for (let i = 0; i < 2 * WINDOW_PRODUCTS; i++) p.record(WINDOW_MS / WINDOW_PRODUCTS, 0);
    expect(p.allowed()).toBe(true);
    expect(p.backoffs).toBe(0);
  });

  it('backs off when the helper lags by more than its own share, doubling up to the maximum, and recovers', () => {
    const { pacer: p, clock } = pacer();
    window(p, 3);
    expect(p.backoffs).toBe(1);
    expect(p.allowed()).toBe(false);
    clock.ms += BACKOFF_MIN_MS - 1;
    expect(p.allowed()).toBe(false);
    clock.ms += 1;
    expect(p.allowed()).toBe(true);
    let expectedBackoff = BACKOFF_MIN_MS;
    for (let i = 0; i < 10; i++) {
      window(p, 3);
      expectedBackoff = Math.min(BACKOFF_MAX_MS, 2 * expectedBackoff);
      clock.ms += expectedBackoff - 1;
      expect(p.allowed(), `back-off ${i + 2}`).toBe(false);
      clock.ms += 1;
      expect(p.allowed()).toBe(true);
    }
    expect(expectedBackoff).toBe(BACKOFF_MAX_MS);
    window(p, 0.1); // a punctual window: the next back-off starts short again
    window(p, 3);
    clock.ms += BACKOFF_MIN_MS;
    expect(p.allowed()).toBe(true);
  });

  it('judges a window of very late small products by the wait, not after WINDOW_MS of own time', () => {
    const { pacer: p } = pacer();
    // 10 µs halves, each 5 ms late: the window closes after WINDOW_MS of waiting, not after 2000 products.
    for (let i = 0; i < Math.ceil(WINDOW_MS / 5); i++) p.record(0.01, 5);
    for (let i = Math.ceil(WINDOW_MS / 5); i < WINDOW_PRODUCTS; i++) p.record(0.01, 5);
    expect(p.backoffs).toBe(1);
  });
});
