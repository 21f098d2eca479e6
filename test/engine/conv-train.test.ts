/** Training a small CNN end to end: the record's shapes, dead filters per channel, and the memory estimate. */
import { describe, expect, it } from 'vitest';
import { estimateMemory, memoryParts } from '../../src/analysis/memory';
import { readRecord } from '../../src/analysis/record';
import { SizingArena } from '../../src/engine/arena';
import type { LayerConfig, ModelConfig } from '../../src/engine/config';
import { Model } from '../../src/engine/model';
import { Optimizer } from '../../src/engine/optimizer';
import { probeSize } from '../../src/engine/probe';
import { Rng } from '../../src/engine/rng';
import { train } from '../../src/engine/train';
import type { DataSpec } from '../../src/spec';
import { batchNorm, conv, flatten, globalAvgPool, pool } from './conv-helpers';
import { dense, modelConfig, randomDataset, training } from './helpers';

function cnnConfig(layers: LayerConfig[], inputShape: number[], overrides: Partial<ModelConfig> = {}): ModelConfig {
  const input = inputShape.reduce((a, b) => a * b, 1);
  return modelConfig(input, layers, 'crossentropy', {
    inputShape,
    training: training({ steps: 6, batchSize: 8, recordEvery: 1 }),
    ...overrides,
  });
}

describe('training a CNN', () => {
  const alive = conv(4, [3, 3], { activation: 'relu', padding: 'same', init: { name: 'he_uniform', scale: 1 } });
  // A bias of −100 keeps every pre-activation of this layer negative: all its filters are dead.
  const dead = conv(3, [2, 2], { activation: 'relu', biasInit: -100 });
  const config = cnnConfig([alive, pool('maxpool', [2, 2]), dead, flatten(), dense(3, 'softmax')], [1, 6, 6]);
  const data = { ...randomDataset(1, 40, 36, 'crossentropy', 3), shape: [1, 6, 6] };
  const result = train(config, data);

  it('records input and output shapes in the layer table', () => {
    expect(result.layers.map((l) => l.outputShape)).toEqual([[4, 6, 6], [4, 3, 3], [3, 2, 2], [12], [3]]);
    expect(result.layers[2]!.inputShape).toEqual([4, 3, 3]);
    expect(result.layers[0]!.parameterCount).toBe(4 * 9 + 4);
  });

  it('records per-filter dead flags aligned with the recorded steps, and the dead-filter fraction', () => {
    const steps = result.recordedSteps.length;
    const deadSeries = result.series[2]!;
    expect(deadSeries.channelDead).toHaveLength(steps);
    const measured = deadSeries.channelDead!.filter((flags) => flags.length > 0);
    expect(measured.length).toBeGreaterThan(0);
    for (const flags of measured) expect(flags).toEqual([1, 1, 1]);
    deadSeries.deadFraction.forEach((f, i) => {
      if (deadSeries.channelDead![i]!.length > 0) expect(f).toBe(1);
    });
    const aliveSeries = result.series[0]!;
    for (const flags of aliveSeries.channelDead!) for (const flag of flags) expect(flag === 0 || flag === 1).toBe(true);
    aliveSeries.deadFraction.forEach((f, i) => {
      const flags = aliveSeries.channelDead![i]!;
      if (flags.length > 0) expect(f).toBe(flags.reduce((a, b) => a + b, 0) / flags.length);
    });
    // Not ReLU family: no per-channel record.
    expect(result.series[1]!.channelDead).toBeUndefined();
    expect(result.loss.every(Number.isFinite)).toBe(true);
  });
});

describe('the record of a CNN', () => {
  it('reads back with its shapes and per-filter dead flags', () => {
    const layers = [conv(2, [3], { activation: 'relu' }), flatten(), dense(2, 'softmax')];
    const config = cnnConfig(layers, [2, 8]);
    const result = train(config, { ...randomDataset(2, 30, 16, 'crossentropy', 2), shape: [2, 8] });
    const read = readRecord(JSON.stringify({ format: 'vgnet-record/1', lossFunction: 'crossentropy', ...result }));
    if (!read.ok) throw new Error(read.message);
    expect(read.run.result.layers).toEqual(result.layers);
    expect(read.run.result.layers[0]!.outputShape).toEqual([2, 6]);
    expect(read.run.result.series[0]!.channelDead).toEqual(result.series[0]!.channelDead);
    const bad = { ...result, series: [{ ...result.series[0]!, channelDead: [[2]] }, ...result.series.slice(1)] };
    expect(readRecord(JSON.stringify({ format: 'vgnet-record/1', ...bad })).ok).toBe(false);
  });
});

describe('memory estimate of conv layers', () => {
  /** Bytes the engine's sizing builds count (training model without input gradient, optimizer, probe model). */
  function arenaBytes(config: ModelConfig, samples: number): number {
    const arena = new SizingArena();
    const options = { arena, initRng: new Rng(1), dropoutRng: new Rng(2), inputGradient: false };
    const model = new Model(config, { ...options, batchSize: config.training.batchSize, initialize: false });
    new Optimizer(config.optimizer, 0, model.parameters(), arena);
    new Model(config, { ...options, batchSize: probeSize(samples), shareWith: model });
    return 4 * arena.usedFloats;
  }

  const cases: [string, LayerConfig[], number[]][] = [
    [
      'LeNet-style',
      [
        conv(6, [5, 5], { activation: 'relu' }),
        pool('maxpool', [2, 2]),
        conv(16, [5, 5], { activation: 'relu' }),
        pool('avgpool', [2, 2]),
        flatten(),
        dense(120, 'relu'),
        dense(10, 'softmax'),
      ],
      [1, 28, 28],
    ],
    [
      '1d with channel BatchNorm and global pooling',
      [conv(8, [5], { stride: [2], padding: 'same' }), batchNorm(), globalAvgPool(), dense(3, 'softmax')],
      [2, 64],
    ],
  ];
  it.each(cases)('matches the sizing arena exactly: %s', (_name, layers, inputShape) => {
    const config = cnnConfig(layers, inputShape, { training: training({ batchSize: 16 }) });
    const data = { source: 'blobs', samples: 300 } as DataSpec;
    const estimate = memoryParts(config, data)
      .filter((part) => part.path === '/training/batchSize' || part.path.startsWith('/layers/'))
      .reduce((sum, part) => sum + part.bytes, 0);
    const real = arenaBytes(config, 300);
    // The estimate ignores only the arena's 16-byte alignment padding.
    expect(Math.abs(estimate - real) / real).toBeLessThan(0.01);
    expect(estimateMemory(config, data)).toBeGreaterThan(real);
  });
});

describe('a CNN on the wasm and the js backend', () => {
  it('records the same losses, gradient norms and dead filters', () => {
    const layers = [
      conv(4, [3, 3], { activation: 'relu', padding: 'same', init: { name: 'he_uniform', scale: 1 } }),
      batchNorm(),
      pool('maxpool', [2, 2], { padding: 'same' }),
      conv(3, [2, 2], { stride: [2, 2], activation: 'relu' }),
      globalAvgPool(),
      dense(3, 'softmax'),
    ];
    const config = cnnConfig(layers, [2, 7, 7], { training: training({ steps: 6, batchSize: 8, recordEvery: 2 }) });
    const data = { ...randomDataset(3, 40, 98, 'crossentropy', 3), shape: [2, 7, 7] };
    const wasm = train(config, data);
    const js = train(config, data, { backend: 'js' });
    const close = (a: number[], b: number[]): void =>
      a.forEach((x, i) => expect(Math.abs(x - b[i]!)).toBeLessThanOrEqual(1e-4 * Math.abs(b[i]!) + 1e-9));
    close(wasm.loss, js.loss);
    wasm.series.forEach((s, l) => {
      if (js.layers[l]!.hasWeights) close(s.gradNorm, js.series[l]!.gradNorm);
      expect(s.channelDead).toEqual(js.series[l]!.channelDead);
    });
    expect(js.series[0]!.channelDead).toHaveLength(js.recordedSteps.length);
  });
});
