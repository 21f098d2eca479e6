/**
 * Training on the WebAssembly backend against the pure-TypeScript one: the same records within float32
 * tolerance for every layer kind, loss and optimizer; each backend deterministic; several trainers in one thread
 * independent of each other; gradient checks on the SIMD kernels.
 */
import { describe, expect, it, vi } from 'vitest';
import { Arena, MeasuringArena } from '../../src/engine/arena';
import type { ActivationName, LayerConfig, LossName, ModelConfig, OptimizerConfig } from '../../src/engine/config';
import { Model } from '../../src/engine/model';
import { Rng } from '../../src/engine/rng';
import type { LayerSeries, TrainResult } from '../../src/engine/stats';
import { createTrainer, train } from '../../src/engine/train';
import { WasmBackend } from '../../src/engine/wasm/wasm-backend';
import { conv, flatten, pool } from './conv-helpers';
import { checkGradients, dense, fillBatch, modelConfig, optimizer, randomDataset, training } from './helpers';

interface Case {
  label: string;
  config: ModelConfig;
  loss: LossName;
  outputs: number;
}

function activation(name: ActivationName, path: string): LayerConfig {
  return { kind: 'activation', path, activation: { name, alpha: name === 'leaky_relu' ? 0.05 : 0.25 } };
}

function trainingCase(
  label: string,
  layers: LayerConfig[],
  loss: LossName,
  outputs: number,
  opt: Partial<OptimizerConfig>,
  extra: Partial<ModelConfig['training']> = {},
): Case {
  const config = modelConfig(5, layers, loss, {
    optimizer: optimizer(opt),
    training: training({ steps: 8, batchSize: 12, seed: 3, recordEvery: 2, ...extra }),
  });
  return { label, config, loss, outputs };
}

const CASES: Case[] = [
  trainingCase(
    'tanh/sigmoid/relu dense + mse + sgd with weight decay',
    [dense(9, 'tanh'), dense(7, 'sigmoid'), dense(6, 'relu', { name: 'he_normal' }), dense(3)],
    'mse',
    3,
    { lr: 0.1 },
    { weightDecay: 0.01 },
  ),
  trainingCase(
    'leaky_relu, standalone activations, batchnorm, dropout + crossentropy + nesterov',
    [
      dense(8, 'leaky_relu', {}, 0.05),
      { kind: 'batchnorm', path: '/bn', eps: 1e-5, momentum: 0.1 },
      activation('tanh', '/act'),
      { kind: 'dropout', path: '/drop', rate: 0.25 },
      dense(4, 'softmax'),
    ],
    'crossentropy',
    4,
    { momentum: 0.9, nesterov: true },
  ),
  trainingCase(
    'residual blocks (identity and projection), prelu, gelu + bce + adam, clipping',
    [
      dense(6, 'relu', { name: 'he_uniform' }),
      {
        kind: 'residual',
        path: '/r1',
        projection: false,
        projectionInit: { name: 'glorot_uniform', scale: 1 },
        layers: [dense(6, 'gelu'), dense(6, 'sigmoid')],
      },
      {
        kind: 'residual',
        path: '/r2',
        projection: true,
        projectionInit: { name: 'orthogonal', scale: 1 },
        layers: [dense(8, 'prelu'), activation('relu', '/r2/a')],
      },
      dense(1, 'sigmoid'),
    ],
    'bce',
    1,
    { type: 'adam', lr: 0.01 },
    { clipNorm: 0.5, clipValue: 0.2 },
  ),
  trainingCase(
    'deep sigmoid (vanishing) + rmsprop with momentum',
    [...Array.from({ length: 10 }, () => dense(8, 'sigmoid')), dense(2)],
    'mse',
    2,
    { type: 'rmsprop', lr: 0.01, momentum: 0.5 },
  ),
  {
    // Two convs so the second's input gradient runs the col2im kernel; 'same' padding, stride and dilation in the tables.
    label: 'conv1d (same, strided, dilated) + maxpool + crossentropy + sgd',
    config: modelConfig(
      5,
      [
        conv(3, [3], { padding: 'same', activation: 'tanh' }),
        conv(4, [2], { padding: 'same', dilation: [2], activation: 'relu', init: { name: 'he_normal', scale: 1 } }),
        conv(3, [2], { stride: [2], padding: 'same', activation: 'sigmoid' }),
        pool('maxpool', [2], { padding: 'same' }),
        flatten(),
        dense(3, 'softmax'),
      ],
      'crossentropy',
      {
        inputShape: [1, 5],
        optimizer: optimizer({ lr: 0.1 }),
        training: training({ steps: 8, batchSize: 12, seed: 3, recordEvery: 2 }),
      },
    ),
    loss: 'crossentropy',
    outputs: 3,
  },
];

/** |a − b| ≤ 1e-4·max(|a|, |b|) + floor, NaN only against NaN. */
function expectSeriesClose(a: number[], b: number[], what: string, floor = 1e-9): void {
  expect(a.length, what).toBe(b.length);
  a.forEach((x, i) => {
    const y = b[i]!;
    if (Number.isNaN(x) || Number.isNaN(y)) {
      expect(Number.isNaN(x) && Number.isNaN(y), `${what}[${i}]: ${x} vs ${y}`).toBe(true);
      return;
    }
    if (!(Math.abs(x - y) <= 1e-4 * Math.max(Math.abs(x), Math.abs(y)) + floor))
      expect.fail(`${what}[${i}]: ${x} vs ${y}`);
  });
}

function expectRecordsClose(wasm: TrainResult, js: TrainResult): void {
  expect(wasm.recordedSteps).toEqual(js.recordedSteps);
  expect(wasm.stopped).toEqual(js.stopped);
  expectSeriesClose(wasm.loss, js.loss, 'loss');
  expectSeriesClose(wasm.accuracy, js.accuracy, 'accuracy');
  wasm.series.forEach((series, layer) => {
    for (const key of Object.keys(series) as Array<keyof LayerSeries>) {
      const what = `${wasm.layers[layer]!.path} ${key}`;
      const a = series[key] as (number | number[])[];
      const b = js.series[layer]![key] as (number | number[])[];
      // Per-channel series (channelDead) hold one array per record.
      if (Array.isArray(a[0])) {
        expect(a.length, what).toBe(b.length);
        a.forEach((row, i) => expectSeriesClose(row as number[], b[i] as number[], `${what}[${i}]`));
      } else expectSeriesClose(a as number[], b as number[], what);
    }
  });
}

describe('wasm and js backends', () => {
  it.each(CASES.map((c) => [c.label, c] as const))('record the same statistics: %s', (_label, c) => {
    const data = randomDataset(7, 40, 5, c.loss, c.outputs);
    const wasm = createTrainer(c.config, data);
    const js = createTrainer(c.config, data, { backend: 'js' });
    expect([wasm.backend, js.backend]).toEqual(['wasm', 'js']);
    while (wasm.step()) {
      /* run */
    }
    while (js.step()) {
      /* run */
    }
    expectRecordsClose(wasm.result(), js.result());
  });

  it.each(['wasm', 'js'] as const)('%s is deterministic: two runs give identical records', (backend) => {
    const c = CASES[1]!;
    const data = randomDataset(8, 40, 5, c.loss, c.outputs);
    const { timeMs: _a, ...first } = train(c.config, data, { backend });
    const { timeMs: _b, ...second } = train(c.config, data, { backend });
    expect(first).toEqual(second);
  });

  it('interleaved trainers in one thread do not disturb each other', () => {
    const c = CASES[0]!;
    const data = randomDataset(9, 40, 5, c.loss, c.outputs);
    const alone = train(c.config, data);
    const trainers = Array.from({ length: 6 }, () => createTrainer(c.config, data));
    let running = true;
    while (running) {
      running = false;
      for (const t of trainers) running = t.step() || running;
    }
    for (const t of trainers) expect(t.result().loss).toEqual(alone.loss);
  });

  it('falls back to the JS kernels where WebAssembly is unavailable', () => {
    const c = CASES[0]!;
    const data = randomDataset(11, 40, 5, c.loss, c.outputs);
    const expected = train(c.config, data, { backend: 'js' });
    vi.stubGlobal('WebAssembly', undefined);
    try {
      const trainer = createTrainer(c.config, data);
      expect(trainer.backend).toBe('js');
      while (trainer.step()) {
        /* run */
      }
      expect(trainer.result().loss).toEqual(expected.loss);
    } finally {
      vi.unstubAllGlobals();
    }
    expect(createTrainer(c.config, data).backend).toBe('wasm');
  });

  it('the trainer reports where it runs; parameters and first batch exist only before the first step', () => {
    const c = CASES[0]!;
    const trainer = createTrainer(c.config, randomDataset(10, 40, 5, c.loss, c.outputs));
    expect(trainer.backend).toBe('wasm');
    expect(trainer.model.parameters()[0]!.data.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(trainer.parameters()[0]!.data.buffer).not.toBe(trainer.model.parameters()[0]!.data.buffer);
    expect(trainer.firstBatch().x).toEqual(trainer.model.input);
    trainer.step();
    expect(() => trainer.parameters()).toThrow(/before step/);
    expect(() => trainer.firstBatch()).toThrow(/before step/);
  });
});

describe('gradient checks on the wasm backend', () => {
  /** A model on the SIMD kernels: every buffer in the backend's memory. */
  function wasmModel(config: ModelConfig, batch: number): Model {
    const measuring = new MeasuringArena();
    new Model(config, { batchSize: batch, arena: measuring, initRng: new Rng(7), dropoutRng: new Rng(8) });
    const backend = WasmBackend.create(measuring.usedFloats)!;
    const arena = new Arena(measuring.usedFloats, backend.buffer);
    return new Model(config, { batchSize: batch, arena, initRng: new Rng(7), dropoutRng: new Rng(8), backend });
  }

  it.each<ActivationName>(['sigmoid', 'tanh', 'relu', 'leaky_relu'])(
    '%s layers: analytic = finite differences',
    (name) => {
      const model = wasmModel(
        modelConfig(3, [dense(5, name, { name: 'normal', scale: 1 }, 0.1), dense(4, name), dense(2)], 'mse'),
        4,
      );
      expect(model.input.buffer).toBe(model.parameters()[0]!.data.buffer);
      fillBatch(model, 12);
      const report = checkGradients(model, { h: name.includes('relu') ? 1e-3 : 1e-2 });
      expect(report.checked).toBeGreaterThan(50);
      expect(report.mismatches).toEqual([]);
      for (const error of Object.values(report.relativeErrors)) expect(error).toBeLessThan(1e-2);
    },
  );
});
