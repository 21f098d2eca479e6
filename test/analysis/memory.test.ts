import { describe, expect, it } from 'vitest';
import { checkMemory, memoryParts, MB } from '../../src/analysis/memory';
import { prepare } from '../../src/analysis/prepare';
import { SizingArena } from '../../src/engine/arena';
import { probeSize } from '../../src/engine/probe';
import type { ModelConfig } from '../../src/engine/config';
import { Model } from '../../src/engine/model';
import { Optimizer } from '../../src/engine/optimizer';
import { Rng } from '../../src/engine/rng';
import { parseSpec, type ParsedSpec } from '../../src/spec';

const NO_FILES = { readText: () => ({ error: 'no files here' }) };

function spec(layers: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      version: 1,
      input: 8,
      layers,
      loss: 'mse',
      optimizer: { type: 'adam', lr: 0.001 },
      training: { steps: 10, batchSize: 32 },
      data: { source: 'teacher', samples: 200 },
      ...extra,
    },
    null,
    2,
  );
}

function parsed(text: string): ParsedSpec & { config: ModelConfig } {
  const result = parseSpec(text);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result as ParsedSpec & { config: ModelConfig };
}

/** Bytes the engine's own sizing build counts for the training arena (as src/engine/setup.ts sizes it). */
function arenaBytes(config: ModelConfig, samples: number): number {
  const arena = new SizingArena();
  const model = new Model(config, {
    batchSize: config.training.batchSize,
    arena,
    initRng: new Rng(1),
    dropoutRng: new Rng(2),
    inputGradient: false,
    initialize: false,
  });
  new Optimizer(config.optimizer, 0, model.parameters(), arena);
  // The probe model: the same layers for the probe set's rows, on the training model's parameters.
  new Model(config, {
    batchSize: probeSize(samples),
    arena,
    initRng: new Rng(1),
    dropoutRng: new Rng(2),
    inputGradient: false,
    shareWith: model,
  });
  return 4 * arena.usedFloats;
}

/** The estimate's share that lives in the arena: the batches and the layers (not the data or the baseline). */
function estimatedArenaBytes(p: ParsedSpec & { config: ModelConfig }): number {
  return memoryParts(p.config, p.data!)
    .filter((part) => part.path === '/training/batchSize' || part.path.startsWith('/layers/'))
    .reduce((sum, part) => sum + part.bytes, 0);
}

const MODELS: Record<string, string> = {
  'wide relu, adam': spec([
    { type: 'dense', units: 512, activation: 'relu' },
    { type: 'dense', units: 1 },
  ]),
  'weights dominate, adam, batch 2': spec(
    [
      { type: 'dense', units: 256, activation: 'relu' },
      { type: 'dense', units: 256 },
    ],
    { input: 256, training: { batchSize: 2 } },
  ),
  'linear layers, plain sgd': spec(
    [
      { type: 'dense', units: 300, activation: 'linear' },
      { type: 'dense', units: 3 },
    ],
    { optimizer: { type: 'sgd', lr: 0.1 }, training: { batchSize: 100 } },
  ),
  'batchnorm, dropout, prelu': spec(
    [
      { type: 'dense', units: 64, activation: 'linear' },
      { type: 'batchnorm' },
      { type: 'activation', activation: 'prelu' },
      { type: 'dropout', rate: 0.2 },
      { type: 'dense', units: 64, activation: 'tanh' },
      { type: 'dense', units: 2 },
    ],
    { optimizer: { type: 'rmsprop', lr: 0.01, momentum: 0.9 } },
  ),
  'activation layer first, residual with projection': spec(
    [
      { type: 'activation', activation: 'tanh' },
      {
        type: 'residual',
        projection: true,
        layers: [
          { type: 'dense', units: 48, activation: 'relu' },
          { type: 'dense', units: 24 },
        ],
      },
      { type: 'residual', layers: [{ type: 'dense', units: 24, activation: 'gelu' }] },
      { type: 'dense', units: 1 },
    ],
    { optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9 }, training: { batchSize: 7 } },
  ),
  'residual first, crossentropy': spec(
    [
      { type: 'residual', layers: [{ type: 'dense', units: 8, activation: 'relu' }] },
      { type: 'dense', units: 10, activation: 'softmax' },
    ],
    { loss: 'crossentropy', data: { source: 'blobs', samples: 100 } },
  ),
};

describe('memory estimate', () => {
  it.each(Object.entries(MODELS))("is within ±25%% of the engine's arena: %s", (_name, text) => {
    const p = parsed(text);
    const real = arenaBytes(p.config, p.data!.samples);
    const estimate = estimatedArenaBytes(p);
    expect(Math.abs(estimate - real) / real).toBeLessThan(0.25);
  });

  it('refuses 12 × dense 65,536 / dense 1 at batch 762 at the layer that passes the budget', () => {
    const layers = Array.from({ length: 24 }, (_, i) => ({
      type: 'dense',
      units: i % 2 === 0 ? 65_536 : 1,
      activation: 'relu',
    }));
    const text = spec(layers, { input: 2, training: { batchSize: 762 }, data: { source: 'teacher', samples: 1000 } });
    const result = prepare(text, { files: NO_FILES });
    expect(result.ok).toBe(false);
    const diagnostic = !result.ok ? result.diagnostics[0]! : null;
    // 2 GB: the 4 buffers of one 65,536-wide layer for batch 762 + the 256 probe rows are 1.07 GB, so the second
    // wide layer (/layers/2) passes.
    expect(diagnostic).toMatchObject({ path: '/layers/2', code: 'limit', severity: 'error' });
    expect(diagnostic!.message).toMatch(
      /needs ~12 GB to train \(activations of \/layers\/2: 65,536 units × \(batch 762 \+ probe 256\)/,
    );
    expect(diagnostic!.message).toContain('the memory budget is 2 GB');
    expect(text.slice(diagnostic!.offset, diagnostic!.offset + diagnostic!.length)).toMatch(/^\{/);
  });

  it('refuses one-hot targets of 65,536 outputs × 1,000,000 samples at /data/samples, before generating them', () => {
    const text = spec([{ type: 'dense', units: 65_536, activation: 'linear' }], {
      input: 2,
      data: { source: 'blobs', samples: 1_000_000 },
    });
    const result = prepare(text, { files: NO_FILES });
    expect(!result.ok && result.diagnostics[0]).toMatchObject({ path: '/data/samples' });
    expect(!result.ok && result.diagnostics[0]!.message).toContain('1,000,000 samples × (2 features + 65,536 targets)');
  });

  it('follows the budget it is given, and blames the batch size when the input batch passes it', () => {
    const text = spec([{ type: 'dense', units: 1 }], {
      input: 65_536,
      training: { batchSize: 700 },
      data: { source: 'teacher', samples: 700 },
    });
    expect(prepare(text, { files: NO_FILES }).ok).toBe(true);
    const small = prepare(text, { files: NO_FILES, memoryBudgetBytes: 400 * MB });
    expect(!small.ok && small.diagnostics[0]).toMatchObject({ path: '/training/batchSize' });
    expect(!small.ok && small.diagnostics[0]!.message).toContain('the memory budget is 400 MB');
  });

  it('counts the batch the trainer uses: never more rows than the data set has', () => {
    const wide = (samples: number) =>
      parsed(
        spec(
          [
            { type: 'dense', units: 8192, activation: 'relu' },
            { type: 'dense', units: 1 },
          ],
          { input: 2, training: { batchSize: 4096 }, data: { source: 'teacher', samples } },
        ),
      );
    const small = wide(64);
    const large = wide(4096);
    expect(checkMemory(small, small.config, small.data!, 512 * MB)).toBeNull();
    expect(checkMemory(large, large.config, large.data!, 512 * MB)).toMatchObject({ path: '/layers/0' });
  });

  it('refuses a csv file whose one-hot targets would not fit before parsing it, at /data/samples', () => {
    // 100,000 one-hot rows of 65,536 are more floats than a typed array can hold: loading them would throw.
    const rows = Array.from({ length: 100_000 }, (_, i) => `${i},${i % 7}`).join('\n');
    const text = spec([{ type: 'dense', units: 65_536, activation: 'linear' }], {
      input: 1,
      training: { batchSize: 8 },
      data: { source: 'csv', path: 'd.csv' },
    });
    const result = prepare(text, {
      files: { readText: () => ({ text: `x,label\n${rows}` }) },
      memoryBudgetBytes: 512 * MB,
    });
    expect(!result.ok && result.diagnostics[0]).toMatchObject({ path: '/data/samples', code: 'limit' });
    expect(!result.ok && result.diagnostics[0]!.message).toContain('100,000 samples × (1 features + 65,536 targets)');
  });

  it('counts a csv data set by the rows it has once read', () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${i},${i % 2}`).join('\n');
    const text = spec([{ type: 'dense', units: 1, activation: 'sigmoid' }], {
      input: 1,
      loss: 'bce',
      data: { source: 'csv', path: 'd.csv' },
    });
    const p = parsed(text);
    expect(checkMemory(p, p.config, p.data!, 65 * MB)).toBeNull();
    expect(checkMemory(p, p.config, p.data!, 65 * MB, 5_000_000)).toMatchObject({ path: '/data/samples' });
    expect(prepare(text, { files: { readText: () => ({ text: `x,y\n${rows}` }) } }).ok).toBe(true);
  });
});

describe('memory of the digits sources', () => {
  it('counts the raw digits the thread keeps (10,000 float32 images of 28 × 28) on top of the samples', () => {
    const dataPart = (source: string): number => {
      const p = parsed(
        spec([{ type: 'dense', units: 10, activation: 'softmax' }], {
          input: 784,
          loss: 'crossentropy',
          data: { source, samples: 300 },
        }),
      );
      return memoryParts(p.config, p.data!).find((part) => part.path === '/data/samples')!.bytes;
    };
    const raw = 10_000 * 784 * 4;
    for (const source of ['digits', 'digit_rows']) {
      const extra = dataPart(source) - dataPart('blobs');
      expect(extra).toBeGreaterThanOrEqual(raw);
      expect(extra).toBeLessThan(raw + MB);
    }
  });
});
