import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../src/engine/config';
import { parseSpec } from '../../src/spec';
import { spec } from './helpers';

const EXAMPLE = `{
  "version": 1,
  "name": "deep-sigmoid",
  "input": 2,                                   // input features
  "layers": [
    { "type": "dense", "units": 32, "activation": "sigmoid", "init": "glorot_uniform" },
    { "type": "batchnorm" },
    { "type": "activation", "activation": "relu" },
    { "type": "dropout", "rate": 0.1 },
    { "type": "residual", "layers": [ { "type": "dense", "units": 32, "activation": "relu", "init": "he_normal" } ] },
    { "type": "dense", "units": 1, "activation": "sigmoid" }
  ],
  "loss": "bce",
  "optimizer": { "type": "sgd", "lr": 0.1, "momentum": 0.9 },
  "training": { "steps": 300, "batchSize": 64, "seed": 1, "weightDecay": 0, "clipNorm": 1.0 },
  "data": { "source": "spiral", "samples": 1000, "noise": 0.1 }
}`;

// Written out by hand from docs/spec.md's defaults (not copied from the code's output).
const glorot = { name: 'glorot_uniform', scale: 1 } as const;
const EXPECTED: ModelConfig = {
  input: 2,
  layers: [
    {
      kind: 'dense',
      path: '/layers/0',
      units: 32,
      activation: { name: 'sigmoid', alpha: 0 },
      init: glorot,
      biasInit: 0,
    },
    { kind: 'batchnorm', path: '/layers/1', eps: 1e-5, momentum: 0.1 },
    { kind: 'activation', path: '/layers/2', activation: { name: 'relu', alpha: 0 } },
    { kind: 'dropout', path: '/layers/3', rate: 0.1 },
    {
      kind: 'residual',
      path: '/layers/4',
      projection: false,
      projectionInit: glorot,
      layers: [
        {
          kind: 'dense',
          path: '/layers/4/layers/0',
          units: 32,
          activation: { name: 'relu', alpha: 0 },
          init: { name: 'he_normal', scale: 1 },
          biasInit: 0,
        },
      ],
    },
    {
      kind: 'dense',
      path: '/layers/5',
      units: 1,
      activation: { name: 'sigmoid', alpha: 0 },
      init: glorot,
      biasInit: 0,
    },
  ],
  loss: 'bce',
  optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9, nesterov: false, beta1: 0.9, beta2: 0.999, eps: 1e-8, rho: 0.99 },
  training: { steps: 300, batchSize: 64, seed: 1, weightDecay: 0, clipNorm: 1, clipValue: null, recordEvery: 2 },
};

describe('parseSpec on valid specs', () => {
  it('resolves the reference example with every default filled in', () => {
    const parsed = parseSpec(EXAMPLE);
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.config).toEqual(EXPECTED);
    expect(parsed.name).toBe('deep-sigmoid');
    expect(parsed.data).toEqual({
      source: 'spiral',
      samples: 1000,
      noise: 0.1,
      classes: null,
      seed: null,
      path: null,
      target: null,
      features: null,
      standardize: false,
      extra: {},
    });
    expect(parsed.layerPaths).toEqual([
      '/layers/0',
      '/layers/1',
      '/layers/2',
      '/layers/3',
      '/layers/4',
      '/layers/4/layers/0',
      '/layers/5',
    ]);
  });

  it('fills the defaults of a minimal spec (no version, optimizer or training)', () => {
    const parsed = parseSpec(
      '{"input": 3, "layers": [{"type": "dense", "units": 1}], "loss": "mse", "data": {"source": "sine"}}',
    );
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.config).toEqual({
      input: 3,
      layers: [
        {
          kind: 'dense',
          path: '/layers/0',
          units: 1,
          activation: { name: 'linear', alpha: 0 },
          init: glorot,
          biasInit: 0,
        },
      ],
      loss: 'mse',
      optimizer: {
        type: 'sgd',
        lr: 0.01,
        momentum: 0,
        nesterov: false,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        rho: 0.99,
      },
      training: { steps: 200, batchSize: 64, seed: 1, weightDecay: 0, clipNorm: null, clipValue: null, recordEvery: 1 },
    });
    expect(parsed.name).toBe('');
    expect(parsed.data).toMatchObject({ source: 'sine', samples: 512, noise: 0.1, standardize: false });
  });

  it('reads parameterised activations and initialisers, aliases and layer defaults', () => {
    const layers = `[
      { "type": "dense", "units": 4, "activation": { "name": "leaky_relu", "alpha": 0.2 }, "init": { "name": "uniform", "scale": 0.01 }, "biasInit": 0.1 },
      { "type": "dense", "units": 4, "activation": "prelu", "init": "orthogonal" },
      { "type": "dense", "units": 4, "activation": "elu", "init": { "name": "constant" } },
      { "type": "activation", "activation": "silu" },
      { "type": "dropout" },
      { "type": "batchnorm", "eps": 0.001, "momentum": 0.01 },
      { "type": "residual", "projection": true, "projectionInit": "he_uniform", "layers": [ { "type": "dense", "units": 3 } ] },
      { "type": "dense", "units": 1, "activation": "sigmoid" }
    ]`;
    const parsed = parseSpec(spec({ layers }));
    expect(parsed.diagnostics).toEqual([]);
    const l = parsed.config!.layers;
    expect(l[0]).toMatchObject({
      activation: { name: 'leaky_relu', alpha: 0.2 },
      init: { name: 'uniform', scale: 0.01 },
      biasInit: 0.1,
    });
    expect(l[1]).toMatchObject({ activation: { name: 'prelu', alpha: 0.25 }, init: { name: 'orthogonal', scale: 1 } });
    expect(l[2]).toMatchObject({ activation: { name: 'elu', alpha: 1 }, init: { name: 'constant', scale: 0 } });
    expect(l[3]).toMatchObject({ kind: 'activation', activation: { name: 'swish', alpha: 0 } });
    expect(l[4]).toEqual({ kind: 'dropout', path: '/layers/4', rate: 0.5 });
    expect(l[5]).toEqual({ kind: 'batchnorm', path: '/layers/5', eps: 0.001, momentum: 0.01 });
    expect(l[6]).toMatchObject({
      kind: 'residual',
      projection: true,
      projectionInit: { name: 'he_uniform', scale: 1 },
    });
  });

  it('uses PyTorch defaults for a named optimizer and derives recordEvery from steps', () => {
    const adam = parseSpec(spec({ optimizer: '"adam"', training: '{ "steps": 1000 }' })).config!;
    expect(adam.optimizer).toEqual({
      type: 'adam',
      lr: 0.001,
      momentum: 0,
      nesterov: false,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      rho: 0.99,
    });
    expect(adam.training.recordEvery).toBe(5); // ceil(1000 / 200)
    const rms = parseSpec(spec({ optimizer: '{ "type": "rmsprop", "rho": 0.9, "momentum": 0.5 }' })).config!;
    expect(rms.optimizer).toMatchObject({ type: 'rmsprop', lr: 0.01, rho: 0.9, momentum: 0.5, eps: 1e-8 });
    const nesterov = parseSpec(spec({ optimizer: '{ "lr": 0.05, "momentum": 0.9, "nesterov": true }' })).config!;
    expect(nesterov.optimizer).toMatchObject({ type: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true });
    const long = parseSpec(spec({ training: '{ "steps": 201, "clipValue": 0.5, "recordEvery": 7 }' })).config!;
    expect(long.training).toMatchObject({ steps: 201, clipValue: 0.5, recordEvery: 7 });
  });

  it('validates a csv data section and passes source parameters through', () => {
    const csv = parseSpec(
      spec({
        data: '{ "source": "csv", "path": "d.csv", "target": "label", "features": ["a", 2], "standardize": true, "header": false }',
      }),
    );
    expect(csv.diagnostics).toEqual([]);
    expect(csv.data).toEqual({
      source: 'csv',
      samples: Infinity,
      noise: 0.1,
      classes: null,
      seed: null,
      path: 'd.csv',
      target: 'label',
      features: ['a', 2],
      standardize: true,
      extra: { header: 0 },
    });
    const circles = parseSpec(spec({ data: '{ "source": "circles", "factor": 0.3, "classes": 2, "seed": 7 }' }));
    expect(circles.data).toMatchObject({ classes: 2, seed: 7, extra: { factor: 0.3 } });
  });

  it('accepts crossentropy with a linear or a softmax output', () => {
    for (const activation of ['linear', 'softmax']) {
      const layers = `[{ "type": "dense", "units": 8, "activation": "tanh" }, { "type": "dense", "units": 3, "activation": "${activation}" }]`;
      const parsed = parseSpec(spec({ layers, loss: '"crossentropy"', data: '{ "source": "spiral", "classes": 3 }' }));
      expect(parsed.diagnostics).toEqual([]);
      expect(parsed.config?.loss).toBe('crossentropy');
    }
  });

  it('keeps the config when there are only warnings', () => {
    const parsed = parseSpec(spec({ training: '{ "step": 10 }' }));
    expect(parsed.diagnostics.map((d) => d.severity)).toEqual(['warning']);
    expect(parsed.config).not.toBeNull();
    expect(parsed.config!.training.steps).toBe(200);
  });

  it('locates values and keys by JSON Pointer', () => {
    const parsed = parseSpec(EXAMPLE);
    const units = parsed.locate('/layers/4/layers/0/units')!;
    expect(EXAMPLE.slice(units.offset, units.offset + units.length)).toBe('32');
    const key = parsed.locateKey('/layers/4/layers/0/units')!;
    expect(EXAMPLE.slice(key.offset, key.offset + key.length)).toBe('"units"');
    expect(parsed.locateKey('/layers/4')).toBeNull(); // an array element has no key
    expect(parsed.locate('/layers/9')).toBeNull();
    expect(parsed.locate('')).toEqual({ offset: 0, length: EXAMPLE.length });
    expect(parsed.nodeAt('/loss')?.value).toBe('bce');
  });
});
