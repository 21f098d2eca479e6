/** Loss values and accuracies on hand-computed cases, including the numerically hard ones. */
import { describe, expect, it } from 'vitest';
import type { LossName } from '../../src/engine/config';
import { computeAccuracy, computeLoss } from '../../src/engine/loss';
import type { LossBinding } from '../../src/engine/loss';

function binding(
  name: LossName,
  output: number[],
  target: number[],
  batch: number,
  logits: number[] | null = null,
): LossBinding {
  return {
    name,
    output: Float32Array.from(output),
    logits: logits ? Float32Array.from(logits) : null,
    grad: new Float32Array(output.length),
    target: Float32Array.from(target),
    batch,
    width: output.length / batch,
  };
}

describe('mse', () => {
  it('mean over batch and outputs, gradient 2(y − t)/n', () => {
    const b = binding('mse', [1, 2, 0, -1], [0, 0, 0, 1], 2);
    expect(computeLoss(b)).toBeCloseTo((1 + 4 + 0 + 4) / 4, 10);
    expect(Array.from(b.grad)).toEqual([0.5, 1, 0, -1]);
    expect(computeAccuracy(b)).toBeNaN();
  });
});

describe('crossentropy', () => {
  it('logsumexp − z_target, mean over the batch', () => {
    const b = binding('crossentropy', [0, Math.log(2), Math.log(3), 5, 0, 0], [2, 0], 2);
    const expected = (Math.log(6) - Math.log(3) + (Math.log(Math.exp(5) + 2) - 5)) / 2;
    expect(computeLoss(b)).toBeCloseTo(expected, 6);
    // ∂/∂z = (softmax − onehot)/batch
    expect(b.grad[0]).toBeCloseTo(1 / 6 / 2, 6);
    expect(b.grad[2]).toBeCloseTo((3 / 6 - 1) / 2, 6);
  });
  it('is finite for huge logits', () => {
    const b = binding('crossentropy', [1000, -1000, 0], [1], 1);
    expect(computeLoss(b)).toBeCloseTo(2000, 3);
  });
  it('accuracy by argmax', () => {
    const b = binding('crossentropy', [0.1, 0.7, 0.2, 0.5, 0.3, 0.2, 0.2, 0.2, 0.6], [1, 2, 2], 3);
    expect(computeAccuracy(b)).toBeCloseTo(2 / 3, 10);
  });
});

describe('bce', () => {
  it('from logits: softplus form, stable at |z| = 100', () => {
    const b = binding('bce', [0.5, 1, 0], [1, 0, 0], 3, [0, 100, -100]);
    expect(computeLoss(b)).toBeCloseTo((Math.log(2) + 100 + 0) / 3, 6);
    expect(b.grad[0]).toBeCloseTo((0.5 - 1) / 3, 7);
    expect(b.grad[1]).toBeCloseTo(1 / 3, 7);
  });
  it('on probabilities: log clamped at −100 like PyTorch BCELoss', () => {
    const b = binding('bce', [0, 0.25], [1, 0], 2);
    expect(computeLoss(b)).toBeCloseTo((100 - Math.log(0.75)) / 2, 5);
    expect(Number.isFinite(b.grad[0])).toBe(true);
  });
  it('accuracy thresholds the probability at 0.5', () => {
    const b = binding('bce', [0.9, 0.4, 0.6, 0.1], [1, 1, 0, 0], 4);
    expect(computeAccuracy(b)).toBe(0.5);
  });
});
