/**
 * W5, the convolutional workload: a LeNet-style CNN on 28×28×1 (conv 5×5×6 relu → maxpool 2 → conv 5×5×16 relu →
 * maxpool 2 → flatten → dense 120 relu → 84 relu → 10, crossentropy), batch 64, plain SGD. One shared start (batch and
 * the engine's initial parameters, PyTorch layout) for every contender.
 */
import type { Dataset, LayerConfig, ModelConfig } from '../src/engine/config';
import { Rng } from '../src/engine/rng';
import { BENCH_SGD } from './workloads';

export const W5 = { name: 'W5', inputShape: [1, 28, 28], classes: 10, batch: 64 } as const;
export const W5_INPUT = 28 * 28;

const relu = { name: 'relu', alpha: 0 } as const;
const he = { name: 'he_normal', scale: 1 } as const;

export function w5Layers(): LayerConfig[] {
  const conv = (path: string, filters: number): LayerConfig => ({
    kind: 'conv2d',
    path,
    filters,
    kernel: [5, 5],
    stride: [1, 1],
    dilation: [1, 1],
    padding: 'valid',
    activation: relu,
    init: he,
    biasInit: 0,
  });
  const maxpool = (path: string): LayerConfig => ({
    kind: 'maxpool',
    path,
    pool: [2, 2],
    stride: [2, 2],
    padding: 'valid',
  });
  const dense = (path: string, units: number, last = false): LayerConfig => ({
    kind: 'dense',
    path,
    units,
    activation: last ? { name: 'softmax', alpha: 0 } : relu,
    init: last ? { name: 'glorot_normal', scale: 1 } : he,
    biasInit: 0,
  });
  return [
    conv('/layers/0', 6),
    maxpool('/layers/1'),
    conv('/layers/2', 16),
    maxpool('/layers/3'),
    { kind: 'flatten', path: '/layers/4' },
    dense('/layers/5', 120),
    dense('/layers/6', 84),
    dense('/layers/7', 10, true),
  ];
}

export function w5Config(steps: number, seed: number): ModelConfig {
  return {
    input: W5_INPUT,
    inputShape: W5.inputShape,
    layers: w5Layers(),
    loss: 'crossentropy',
    optimizer: BENCH_SGD,
    training: {
      steps,
      batchSize: W5.batch,
      seed,
      weightDecay: 0,
      clipNorm: null,
      clipValue: null,
      recordEvery: 1e9,
    },
  };
}

/** Exactly one batch, so every batch the engine draws is the shared one. */
export function w5Dataset(seed: number): Dataset {
  const rng = new Rng(seed);
  const x = new Float32Array(W5.batch * W5_INPUT);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const y = new Float32Array(W5.batch);
  for (let i = 0; i < y.length; i++) y[i] = rng.int(W5.classes);
  return { x, y, samples: W5.batch, features: W5_INPUT, targetWidth: 1, classes: W5.classes, shape: W5.inputShape };
}

/** Multiply-adds ×2 per step: forward, input gradient and weight gradient of every conv and dense layer. */
export function w5FlopsPerStep(): number {
  const conv1 = 6 * 24 * 24 * 25;
  const conv2 = 16 * 8 * 8 * 6 * 25;
  const dense = 256 * 120 + 120 * 84 + 84 * 10;
  return 6 * W5.batch * (conv1 + conv2 + dense);
}
