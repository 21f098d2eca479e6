import { describe, expect, it } from 'vitest';
import { NaiveMlp } from '../../bench/naive';
import { denseShapes, flopsPerStep, makeSharedStart } from '../../bench/workloads';
import type { SharedStart, Workload } from '../../bench/workloads';

const regression: Workload = {
  name: 'tiny-mse',
  input: 3,
  hiddenLayers: 2,
  hiddenUnits: 4,
  hiddenActivation: 'tanh',
  outputs: 2,
  loss: 'mse',
  batch: 5,
};
const classification: Workload = {
  name: 'tiny-ce',
  input: 4,
  hiddenLayers: 2,
  hiddenUnits: 5,
  hiddenActivation: 'sigmoid',
  outputs: 3,
  loss: 'crossentropy',
  batch: 6,
};

function lossAt(w: Workload, start: SharedStart): number {
  return new NaiveMlp(w, start, 0.01).check(start.x, start.y).loss;
}

function withWeight(start: SharedStart, layer: number, index: number, delta: number): SharedStart {
  const weights = start.weights.map((weight) => weight.slice());
  weights[layer]![index]! += delta;
  return { ...start, weights };
}

/** Central differences of the loss with respect to every weight of one layer. */
function finiteDifferenceGradient(w: Workload, start: SharedStart, layer: number): number[] {
  const h = 1e-2;
  return Array.from(
    start.weights[layer]!,
    (_, i) => (lossAt(w, withWeight(start, layer, i, h)) - lossAt(w, withWeight(start, layer, i, -h))) / (2 * h),
  );
}

function finiteDifferenceBiasGradient(w: Workload, start: SharedStart, layer: number): number[] {
  const h = 1e-2;
  const shifted = (i: number, delta: number): SharedStart => {
    const biases = start.biases.map((bias) => bias.slice());
    biases[layer]![i]! += delta;
    return { ...start, biases };
  };
  return Array.from(start.biases[layer]!, (_, i) => (lossAt(w, shifted(i, h)) - lossAt(w, shifted(i, -h))) / (2 * h));
}

function norm(values: number[]): number {
  return Math.sqrt(values.reduce((sum, v) => sum + v * v, 0));
}

describe('NaiveMlp', () => {
  for (const w of [regression, classification]) {
    it(`${w.name}: first and last weight-gradient norms match finite differences`, () => {
      const start = makeSharedStart(w, 7);
      const check = new NaiveMlp(w, start, 0.01).check(start.x, start.y);
      const last = denseShapes(w).length - 1;
      expect(check.firstGradNorm).toBeCloseTo(norm(finiteDifferenceGradient(w, start, 0)), 3);
      expect(check.lastGradNorm).toBeCloseTo(norm(finiteDifferenceGradient(w, start, last)), 3);
    });
  }

  it("applies plain SGD: the second step's loss is the loss at θ − lr·∇θ (∇θ by finite differences)", () => {
    const w = regression;
    const lr = 0.1;
    const start = makeSharedStart(w, 3);
    const updated: SharedStart = {
      ...start,
      weights: start.weights.map((weight, l) => {
        const grad = finiteDifferenceGradient(w, start, l);
        return weight.map((value, i) => value - lr * grad[i]!);
      }),
      biases: start.biases.map((bias, l) => {
        const grad = finiteDifferenceBiasGradient(w, start, l);
        return bias.map((value, i) => value - lr * grad[i]!);
      }),
    };
    const mlp = new NaiveMlp(w, start, lr);
    const firstLoss = mlp.step(start.x, start.y);
    const secondLoss = mlp.step(start.x, start.y);
    expect(secondLoss).toBeLessThan(firstLoss);
    expect(secondLoss).toBeCloseTo(lossAt(w, updated), 4);
  });

  it('starts at ln(classes) for cross-entropy and mean(y²) for MSE when every parameter is zero', () => {
    for (const w of [regression, classification]) {
      const start = makeSharedStart(w, 11);
      const zero: SharedStart = {
        ...start,
        weights: start.weights.map((a) => new Float32Array(a.length)),
        biases: start.biases.map((a) => new Float32Array(a.length)),
      };
      const expected =
        w.loss === 'crossentropy'
          ? Math.log(w.outputs)
          : Array.from(start.y, (v) => v * v).reduce((a, b) => a + b, 0) / start.y.length;
      expect(lossAt(w, zero)).toBeCloseTo(expected, 6);
    }
  });
});

describe('flopsPerStep', () => {
  it('counts 6·B·in·out for every dense layer', () => {
    const w3: Workload = {
      name: 'W3',
      input: 784,
      hiddenLayers: 3,
      hiddenUnits: 1024,
      hiddenActivation: 'relu',
      outputs: 10,
      loss: 'crossentropy',
      batch: 512,
    };
    expect(flopsPerStep(w3)).toBe(6 * 512 * (784 * 1024 + 1024 * 1024 + 1024 * 1024 + 1024 * 10));
  });
});
