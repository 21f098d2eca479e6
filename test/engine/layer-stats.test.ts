/** The per-layer statistic primitives on hand-made buffers. */
import { describe, expect, it } from 'vitest';
import { deadFraction, meanAndStd, saturatedFraction } from '../../src/engine/layers/layer-stats';
import { countNonFinite, sumOfSquares } from '../../src/engine/reference-kernels';

describe('layer statistics', () => {
  it('deadFraction: units with z ≤ 0 on every row (0 counts as dead)', () => {
    // 3 rows × 3 units: unit 0 always negative, unit 1 positive only in the last row, unit 2 always 0.
    const z = Float32Array.from([-1, -2, 0, -3, -1, 0, -0.5, 4, 0]);
    expect(deadFraction(z, 3, 3)).toBeCloseTo(2 / 3, 12);
  });
  it('saturatedFraction: strictly above the threshold in absolute value', () => {
    expect(saturatedFraction(Float32Array.from([6, -7, 5, 0.1]), 5)).toBe(0.5);
  });
  it('mean and population standard deviation', () => {
    const { mean, std } = meanAndStd(Float32Array.from([1, 2, 3, 6]));
    expect(mean).toBe(3);
    expect(std).toBeCloseTo(Math.sqrt((4 + 1 + 0 + 9) / 4), 12);
  });
  it('sum of squares and non-finite count', () => {
    expect(sumOfSquares(Float32Array.from([3, 4]))).toBe(25);
    expect(countNonFinite(Float32Array.from([1, NaN, Infinity, -Infinity, 0]))).toBe(3);
  });
});
