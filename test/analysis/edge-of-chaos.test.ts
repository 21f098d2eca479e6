import { describe, expect, it } from 'vitest';
import { chiAt, edgeOfChaosSigmaW } from '../../src/analysis/fixes/edge-of-chaos';

const act = (name: string, alpha = 0.01) => ({ name, alpha }) as Parameters<typeof chiAt>[0];

describe('edge-of-chaos initialisation (χ₁ = 1)', () => {
  it('gives He for ReLU and σ_w = 1 for tanh and linear', () => {
    expect(edgeOfChaosSigmaW(act('relu'))).toBeCloseTo(Math.SQRT2, 3);
    expect(edgeOfChaosSigmaW(act('tanh'))).toBeCloseTo(1, 1);
    expect(edgeOfChaosSigmaW(act('linear'))).toBeCloseTo(1, 3);
  });

  it('finds a σ_w for sigmoid where χ₁ is 1 (larger than any named initialiser gives)', () => {
    const s = edgeOfChaosSigmaW(act('sigmoid'))!;
    expect(s).toBeGreaterThan(2);
    expect(chiAt(act('sigmoid'), s)).toBeCloseTo(1, 4);
    expect(chiAt(act('sigmoid'), 1)).toBeLessThan(0.2);
  });

  it('has none for softmax', () => {
    expect(edgeOfChaosSigmaW(act('softmax'))).toBeNull();
  });
});
