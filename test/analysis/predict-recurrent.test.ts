/**
 * The predicted gradient through time against the engine's measured step-0 ‖∂L/∂h_0‖/‖∂L/∂h_T‖ (Layer.timeGradNorms)
 * on N(0, 1) sequences: simple_rnn (tanh and ReLU), LSTM and GRU, orthogonal kernels of gain 1 and 1.2. Measured on
 * six seeds, the mean of log10 within half a decade of the prediction (it was within 0.4 when written).
 */
import { describe, expect, it } from 'vitest';
import { predictGradientFlow } from '../../src/analysis/predict';
import type { Dataset, ModelConfig } from '../../src/engine/config';
import { Rng } from '../../src/engine/rng';
import { createTrainer } from '../../src/engine/train';

const CASES = [
  ['simple_rnn', 'tanh', 30, 1],
  ['simple_rnn', 'tanh', 30, 1.2],
  ['simple_rnn', 'relu', 20, 1],
  ['lstm', 'tanh', 30, 1],
  ['lstm', 'tanh', 30, 1.2],
  ['gru', 'tanh', 30, 1],
  ['gru', 'tanh', 30, 1.2],
] as const;

describe('gradient through time: prediction vs the engine at step 0', () => {
  it.each(CASES)('%s (%s), %i steps, orthogonal gain %d', (kind, act, T, scale) => {
    const F = 4; // features per step
    const H = 32; // units
    const config: ModelConfig = {
      input: T * F,
      inputShape: [T, F],
      layers: [
        {
          kind,
          path: '/layers/0',
          units: H,
          activation: { name: act, alpha: 1 },
          init: { name: 'glorot_uniform', scale: 1 },
          recurrentInit: { name: 'orthogonal', scale },
          biasInit: 0,
          forgetBias: 1,
          returnSequences: false,
        },
        {
          kind: 'dense',
          path: '/layers/1',
          units: 1,
          activation: { name: 'linear', alpha: 1 },
          init: { name: 'glorot_uniform', scale: 1 },
          biasInit: 0,
        },
      ],
      loss: 'mse',
      optimizer: { type: 'sgd', lr: 0, momentum: 0, nesterov: false, beta1: 0.9, beta2: 0.999, eps: 1e-8, rho: 0.9 },
      training: { steps: 1, batchSize: 32, seed: 1, weightDecay: 0, clipNorm: null, clipValue: null, recordEvery: 1 },
    };
    const rng = new Rng(5);
    const n = 64;
    const data: Dataset = {
      x: new Float32Array(n * T * F).map(() => rng.normal()),
      y: new Float32Array(n).map(() => rng.normal()),
      samples: n,
      features: T * F,
      targetWidth: 1,
      classes: 0,
      shape: [T, F],
    };
    const logs: number[] = [];
    for (let s = 0; s < 6; s++) {
      const tr = createTrainer({ ...config, training: { ...config.training, seed: 100 + s } }, data);
      tr.step();
      const a = tr.result().series[0]!.timeGradNorm![0]!;
      logs.push(Math.log10(a[0]! / a[a.length - 1]!));
    }
    const p = predictGradientFlow(config).layers[0]!.recurrent!;
    const measured = logs.reduce((a, b) => a + b) / logs.length;
    expect(Math.abs(Math.log10(p.timeRatio) - measured)).toBeLessThan(0.5);
  });
});
