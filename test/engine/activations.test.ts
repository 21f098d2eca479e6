/** Activation values against independently computed references (Python's math module), and edge cases. */
import { describe, expect, it } from 'vitest';
import { ACTIVATION_KERNELS, erf } from '../../src/engine/activations';
import type { ActivationParams } from '../../src/engine/activations';
import type { ActivationName } from '../../src/engine/config';

function apply(name: ActivationName, zs: number[], alpha = 1, cols = zs.length): Float32Array {
  const z = Float32Array.from(zs);
  const y = new Float32Array(z.length);
  const slopes = name === 'prelu' ? new Float32Array(cols).fill(alpha) : null;
  const params: ActivationParams = { alpha, slopes, slopeGrad: slopes ? new Float32Array(cols) : null };
  ACTIVATION_KERNELS[name].forward(z, y, z.length / cols, cols, params);
  return y;
}

function derivative(name: ActivationName, zs: number[], alpha = 1): Float32Array {
  const z = Float32Array.from(zs);
  const y = apply(name, zs, alpha);
  const dy = new Float32Array(z.length).fill(1);
  const dz = new Float32Array(z.length);
  const slopes = name === 'prelu' ? new Float32Array(z.length).fill(alpha) : null;
  const params: ActivationParams = { alpha, slopes, slopeGrad: slopes ? new Float32Array(z.length) : null };
  ACTIVATION_KERNELS[name].backward(z, y, dy, dz, 1, z.length, params);
  return dz;
}

describe('erf', () => {
  // Reference: Python math.erf.
  const cases: [number, number][] = [
    [0.01, 0.011283415555849616],
    [0.1, 0.1124629160182849],
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [2, 0.9953222650189527],
    [-1.5, -0.9661051464753108],
    [3.5, 0.9999992569016276],
    [0, 0],
  ];
  for (const [x, expected] of cases) {
    it(`erf(${x}) within 2e-7`, () => {
      expect(Math.abs(erf(x) - expected)).toBeLessThan(2e-7);
    });
  }
});

describe('activation values (PyTorch definitions)', () => {
  const close = (actual: Float32Array, expected: number[]): void => {
    expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, 6));
  };
  it('gelu is the exact erf form', () => {
    close(
      apply('gelu', [1, -1, -3, 0.3]),
      [0.8413447460685429, -0.15865525393145707, -0.00404969409489031, 0.18537342665668577],
    );
  });
  it('selu uses PyTorch constants', () => {
    close(apply('selu', [-1, 2]), [-1.1113307378125625, 2.101401974710961]);
  });
  it('softplus is linear above 20 and smooth below', () => {
    const y = apply('softplus', [0, -30, 19.5, 25]);
    close(y, [0.6931471805599453, 9.357622968839737e-14, 19.500000003398267, 25]);
    expect(derivative('softplus', [25])[0]).toBe(1);
  });
  it('elu, leaky_relu and prelu use alpha on the negative side', () => {
    close(apply('elu', [-1, 2], 0.7), [-0.44248439117999033, 2]);
    close(apply('leaky_relu', [-2, 3], 0.1), [-0.2, 3]);
    close(apply('prelu', [-2, 3], 0.25), [-0.5, 3]);
  });
  it('swish is x·σ(x)', () => {
    close(apply('swish', [1, -2]), [0.7310585786300049, -0.2384058440442351]);
  });
  it('softmax rows sum to 1 and survive huge logits', () => {
    const y = apply('softmax', [1000, 1001, 1002, -5, 0, 5], 1, 3);
    expect(y.every(Number.isFinite)).toBe(true);
    expect(y[0]! + y[1]! + y[2]!).toBeCloseTo(1, 6);
    expect(y[2]).toBeCloseTo(Math.exp(2) / (1 + Math.exp(1) + Math.exp(2)), 6);
  });
  it('sigmoid is stable for large |z|', () => {
    const y = apply('sigmoid', [-200, 200, 0]);
    expect(Array.from(y)).toEqual([0, 1, 0.5]);
  });
  it('relu derivative is 0 at z = 0 (PyTorch threshold_backward)', () => {
    expect(Array.from(derivative('relu', [0, -1, 2]))).toEqual([0, 0, 1]);
  });
});

describe('derivatives against central differences in float64', () => {
  // f evaluated through the float32 kernel; a wide h keeps float32 rounding small against the step.
  const names: ActivationName[] = [
    'sigmoid',
    'tanh',
    'elu',
    'selu',
    'gelu',
    'softplus',
    'swish',
    'leaky_relu',
    'prelu',
  ];
  const points = [-3.1, -0.8, -0.3, 0.4, 1.3, 2.7];
  for (const name of names) {
    it(name, () => {
      const alpha = name === 'elu' ? 0.7 : 0.2;
      const analytic = derivative(name, points, alpha);
      const h = 1e-2;
      points.forEach((z, i) => {
        const [plus, minus] = apply(name, [z + h, z - h], alpha);
        const numeric = (plus! - minus!) / (2 * h);
        expect(Math.abs(numeric - analytic[i]!)).toBeLessThan(2e-4 + 1e-3 * Math.abs(numeric));
      });
    });
  }
});
