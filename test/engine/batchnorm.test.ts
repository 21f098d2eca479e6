/** BatchNorm forward semantics and running statistics against the PyTorch formulas, computed here by hand. */
import { describe, expect, it } from 'vitest';
import type { LayerConfig } from '../../src/engine/config';
import type { BatchNormLayer } from '../../src/engine/layers/batchnorm';
import { buildModel, modelConfig } from './helpers';

const BN: LayerConfig = { kind: 'batchnorm', path: '/bn', eps: 1e-5, momentum: 0.1 };
// Two batches of 4 samples × 2 units.
const BATCH_1 = [1, 10, 2, 20, 3, 30, 6, 40];
const BATCH_2 = [-1, 0.5, 0, 0.5, 1, 1.5, 4, 2.5];

function column(values: number[], c: number): number[] {
  return [0, 1, 2, 3].map((r) => values[r * 2 + c]!);
}
const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const unbiasedVariance = (v: number[]): number => v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1);
const biasedVariance = (v: number[]): number => v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / v.length;

function bnModel(): { model: ReturnType<typeof buildModel>; layer: BatchNormLayer } {
  const model = buildModel(modelConfig(2, [BN], 'mse'), 4);
  return { model, layer: model.nodes[0] as BatchNormLayer };
}

describe('batchnorm', () => {
  it('starts with γ = 1, β = 0, running mean 0 and variance 1', () => {
    const { layer } = bnModel();
    expect(Array.from(layer.gamma.data)).toEqual([1, 1]);
    expect(Array.from(layer.bias.data)).toEqual([0, 0]);
    expect(Array.from(layer.runningMean)).toEqual([0, 0]);
    expect(Array.from(layer.runningVar)).toEqual([1, 1]);
  });

  it('running statistics after two training steps: momentum 0.1, unbiased variance', () => {
    const { model, layer } = bnModel();
    model.input.set(BATCH_1);
    model.forward(true);
    model.input.set(BATCH_2);
    model.forward(true);
    for (let c = 0; c < 2; c++) {
      const [a, b] = [column(BATCH_1, c), column(BATCH_2, c)];
      const expectedMean = 0.9 * (0.9 * 0 + 0.1 * mean(a)) + 0.1 * mean(b);
      const expectedVar = 0.9 * (0.9 * 1 + 0.1 * unbiasedVariance(a)) + 0.1 * unbiasedVariance(b);
      expect(layer.runningMean[c]).toBeCloseTo(expectedMean, 5);
      expect(layer.runningVar[c]).toBeCloseTo(expectedVar, 4);
    }
  });

  it('training output uses the batch mean and biased variance', () => {
    const { model, layer } = bnModel();
    layer.gamma.data.set([2, 0.5]);
    layer.bias.data.set([1, -1]);
    model.input.set(BATCH_1);
    model.forward(true);
    for (let c = 0; c < 2; c++) {
      const x = column(BATCH_1, c);
      const std = Math.sqrt(biasedVariance(x) + 1e-5);
      x.forEach((v, r) => {
        const expected = layer.gamma.data[c]! * ((v - mean(x)) / std) + layer.bias.data[c]!;
        expect(layer.output[r * 2 + c]).toBeCloseTo(expected, 5);
      });
    }
  });

  it('evaluation uses the running statistics and leaves them unchanged', () => {
    const { model, layer } = bnModel();
    model.input.set(BATCH_1);
    model.forward(true);
    const runningMean = Array.from(layer.runningMean);
    const runningVar = Array.from(layer.runningVar);
    model.input.set(BATCH_2);
    model.forward(false);
    expect(Array.from(layer.runningMean)).toEqual(runningMean);
    for (let c = 0; c < 2; c++) {
      column(BATCH_2, c).forEach((v, r) => {
        expect(layer.output[r * 2 + c]).toBeCloseTo((v - runningMean[c]!) / Math.sqrt(runningVar[c]! + 1e-5), 5);
      });
    }
  });
});
