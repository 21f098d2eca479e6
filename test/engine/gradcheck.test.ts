/** Analytic gradients of every layer, activation and loss against central finite differences. */
import { describe, expect, it } from 'vitest';
import type { ActivationName, LayerConfig, LossName } from '../../src/engine/config';
import { BatchNormLayer } from '../../src/engine/layers/batchnorm';
import { DropoutLayer } from '../../src/engine/layers/dropout';
import type { Model } from '../../src/engine/model';
import { Rng } from '../../src/engine/rng';
import { buildModel, checkGradients, defaultAlpha, dense, fillBatch, modelConfig } from './helpers';
import { ACTIVATION_KERNELS as ACTIVATION_KERNELS_FOR_CHECK } from '../../src/engine/activations';
import type { CheckOptions } from './helpers';

const ALL_ACTIVATIONS: ActivationName[] = [
  'linear',
  'sigmoid',
  'tanh',
  'relu',
  'leaky_relu',
  'prelu',
  'elu',
  'selu',
  'gelu',
  'softplus',
  'swish',
  'softmax',
];
/** Activations with a kink at 0: a smaller step keeps the differences from straddling it. */
const KINKED = new Set<ActivationName>(['relu', 'leaky_relu', 'prelu', 'elu', 'selu']);

function expectGradientsMatch(model: Model, options: CheckOptions = {}, maxRelativeError = 1e-2): void {
  const report = checkGradients(model, options);
  expect(report.checked).toBeGreaterThan(0);
  expect(report.mismatches).toEqual([]);
  for (const [tensor, error] of Object.entries(report.relativeErrors)) {
    expect(error, tensor).toBeLessThan(maxRelativeError);
  }
}

function checkModel(
  input: number,
  layers: LayerConfig[],
  loss: LossName,
  batch: number,
  options: CheckOptions = {},
): Model {
  const model = buildModel(modelConfig(input, layers, loss), batch);
  fillBatch(model, 11);
  expectGradientsMatch(model, options);
  return model;
}

function activationLayer(name: ActivationName, alpha = defaultAlpha(name)): LayerConfig {
  return { kind: 'activation', path: `/act/${name}`, activation: { name, alpha } };
}

describe('activations', () => {
  for (const name of ALL_ACTIVATIONS) {
    const h = KINKED.has(name) ? 1e-3 : 1e-2;
    // alpha ≠ 1 for elu and a non-default leaky slope so a dropped α factor shows.
    const alpha = name === 'elu' ? 0.7 : name === 'leaky_relu' ? 0.1 : defaultAlpha(name);
    it(`${name} fused in a dense layer`, () => {
      checkModel(3, [dense(5, name, { name: 'normal', scale: 1 }, alpha), dense(2)], 'mse', 4, { h });
    });
    it(`${name} as a standalone activation layer`, () => {
      checkModel(
        3,
        [dense(5, 'linear', { name: 'normal', scale: 1 }), activationLayer(name, alpha), dense(2)],
        'mse',
        4,
        { h },
      );
    });
  }

  it('prelu slopes get gradients (distinct slopes per unit)', () => {
    const model = buildModel(
      modelConfig(3, [dense(5, 'linear', { name: 'normal', scale: 1 }), activationLayer('prelu'), dense(2)], 'mse'),
      4,
    );
    const slope = model.parameters().find((p) => p.name === 'slope')!;
    for (let i = 0; i < slope.data.length; i++) slope.data[i] = 0.1 + 0.15 * i;
    fillBatch(model, 3);
    expectGradientsMatch(model, { h: 1e-3 });
    expect(slope.grad.some((g) => g !== 0)).toBe(true);
  });
});

describe('losses', () => {
  it('mse over several outputs', () => {
    checkModel(3, [dense(4, 'tanh'), dense(3)], 'mse', 5);
  });
  it('bce fused with a sigmoid output (from logits)', () => {
    const model = checkModel(3, [dense(4, 'tanh'), dense(1, 'sigmoid')], 'bce', 6);
    expect(model.fusedOutput?.name).toBe('sigmoid');
  });
  it('bce fused with a standalone sigmoid layer', () => {
    const model = checkModel(3, [dense(4, 'tanh'), dense(2), activationLayer('sigmoid')], 'bce', 6);
    expect(model.fusedOutput?.name).toBe('sigmoid');
  });
  it('bce on probabilities (sigmoid not last: clamped-log form)', () => {
    const dropout: LayerConfig = { kind: 'dropout', path: '/d', rate: 0 };
    const model = checkModel(3, [dense(4, 'tanh'), dense(1, 'sigmoid'), dropout], 'bce', 6);
    expect(model.fusedOutput).toBeNull();
  });
  it('crossentropy fused with a softmax output', () => {
    const model = checkModel(3, [dense(4, 'tanh'), dense(3, 'softmax')], 'crossentropy', 6);
    expect(model.fusedOutput?.name).toBe('softmax');
  });
  it('crossentropy on linear logits', () => {
    checkModel(3, [dense(4, 'tanh'), dense(3)], 'crossentropy', 6);
  });
  it('crossentropy fused with a standalone softmax layer', () => {
    checkModel(3, [dense(4, 'tanh'), dense(3), activationLayer('softmax')], 'crossentropy', 6);
  });
});

describe('layers', () => {
  it('dense with non-zero biases', () => {
    const model = buildModel(modelConfig(4, [dense(3, 'tanh'), dense(2)], 'mse'), 5);
    const rng = new Rng(5);
    for (const p of model.parameters())
      if (p.name === 'bias') for (let i = 0; i < p.data.length; i++) p.data[i] = rng.normal();
    fillBatch(model, 2);
    expectGradientsMatch(model);
  });

  it('batchnorm: gamma, beta and the input (through the batch statistics)', () => {
    const bn: LayerConfig = { kind: 'batchnorm', path: '/bn', eps: 1e-5, momentum: 0.1 };
    const model = buildModel(modelConfig(3, [dense(4, 'tanh'), bn, dense(2, 'tanh'), dense(2)], 'mse'), 6);
    const rng = new Rng(9);
    const layer = model.nodes[1] as BatchNormLayer;
    for (let i = 0; i < 4; i++) {
      layer.gamma.data[i] = 0.5 + rng.uniform();
      layer.bias.data[i] = rng.normal();
    }
    fillBatch(model, 4);
    expectGradientsMatch(model);
  });

  it('dropout with a fixed mask', () => {
    const drop: LayerConfig = { kind: 'dropout', path: '/drop', rate: 0.4 };
    const model = buildModel(modelConfig(3, [dense(6, 'tanh'), drop, dense(2)], 'mse'), 5);
    fillBatch(model, 6);
    model.forward(true);
    const layer = model.nodes[1] as DropoutLayer;
    layer.maskFrozen = true;
    expect(layer.mask.some((m) => m === 0)).toBe(true);
    expect(layer.mask.some((m) => Math.abs(m - 1 / 0.6) < 1e-6)).toBe(true);
    expectGradientsMatch(model);
  });

  it('residual block with an identity skip', () => {
    const block: LayerConfig = {
      kind: 'residual',
      path: '/res',
      layers: [dense(4, 'tanh'), dense(4)],
      projection: false,
      projectionInit: { name: 'glorot_uniform', scale: 1 },
    };
    const model = checkModel(3, [dense(4, 'tanh'), block, dense(2)], 'mse', 4);
    expect(model.nodes.map((n) => n.kind)).toEqual(['dense', 'residual', 'dense', 'dense', 'dense']);
  });

  it('residual block with a projection (4 → 6)', () => {
    const block: LayerConfig = {
      kind: 'residual',
      path: '/res',
      layers: [dense(6, 'sigmoid')],
      projection: true,
      projectionInit: { name: 'normal', scale: 0.5 },
    };
    const model = checkModel(3, [dense(4, 'tanh'), block, dense(2)], 'mse', 4);
    expect(model.parameters().some((p) => p.name === 'projection')).toBe(true);
  });

  it('a small full model: dense, batchnorm, prelu, residual with projection, dropout, softmax + crossentropy', () => {
    const block: LayerConfig = {
      kind: 'residual',
      path: '/res',
      projection: true,
      projectionInit: { name: 'orthogonal', scale: 1 },
      layers: [dense(5, 'gelu'), { kind: 'batchnorm', path: '/res/bn', eps: 1e-5, momentum: 0.1 }, dense(5, 'swish')],
    };
    const layers: LayerConfig[] = [
      dense(4, 'linear', { name: 'he_normal', scale: 1 }),
      { kind: 'batchnorm', path: '/bn', eps: 1e-5, momentum: 0.1 },
      activationLayer('prelu'),
      block,
      { kind: 'dropout', path: '/drop', rate: 0.3 },
      dense(3, 'softmax'),
    ];
    const model = buildModel(modelConfig(3, layers, 'crossentropy'), 6);
    fillBatch(model, 8);
    model.forward(true);
    for (const node of model.nodes) if (node instanceof DropoutLayer) node.maskFrozen = true;
    expectGradientsMatch(model, { h: 1e-3, atol: 5e-4 });
  });
});

describe('activations of imported models: finite differences', () => {
  it.each(['exponential', 'softsign', 'hard_sigmoid', 'relu6', 'mish'] as const)('%s', (name) => {
    const kernel = ACTIVATION_KERNELS_FOR_CHECK[name];
    // Points away from the kinks (hard_sigmoid ±3, relu6 0 and 6), where a central difference is exact enough.
    const z = Float32Array.from([-4.2, -2.5, -1.1, -0.3, 0.4, 1.7, 2.6, 5.1, 7.3]);
    const y = new Float32Array(z.length);
    const p = { alpha: 0, slopes: null, slopeGrad: null };
    kernel.forward(z, y, 1, z.length, p);
    const dz = new Float32Array(z.length);
    kernel.backward(z, y, new Float32Array(z.length).fill(1), dz, 1, z.length, p);
    for (let i = 0; i < z.length; i++) {
      const h = 1e-3 * Math.max(1, Math.abs(z[i]!));
      const f = (x: number): number => {
        const out = new Float32Array(1);
        kernel.forward(Float32Array.of(x), out, 1, 1, p);
        return out[0]!;
      };
      const numeric = (f(z[i]! + h) - f(z[i]! - h)) / (2 * h);
      expect(Math.abs(dz[i]! - numeric), `${name}'(${z[i]})`).toBeLessThanOrEqual(2e-3 * (1 + Math.abs(numeric)));
    }
  });
});

describe('activations of imported models against PyTorch (values and autograd derivatives, kinks included)', () => {
  // Printed by /usr/bin/python3 with torch 1.13 (float64): f(z) and autograd's df/dz of torch.exp, F.softsign,
  // F.hardsigmoid, F.relu6 and F.mish at these points.
  const Z = [-4.2, -3.0, -2.5, 0.0, 0.4, 3.0, 5.1, 6.0, 7.3];
  const TORCH: Record<string, [number[], number[]]> = {
    exponential: [
      [
        0.0149955768, 0.0497870684, 0.0820849986, 1.0, 1.4918246976, 20.0855369232, 164.0219072999, 403.4287934927,
        1480.2999275845,
      ],
      [
        0.0149955768, 0.0497870684, 0.0820849986, 1.0, 1.4918246976, 20.0855369232, 164.0219072999, 403.4287934927,
        1480.2999275845,
      ],
    ],
    softsign: [
      [-0.8076923077, -0.75, -0.7142857143, 0.0, 0.2857142857, 0.75, 0.8360655738, 0.8571428571, 0.8795180723],
      [0.0369822485, 0.0625, 0.0816326531, 1.0, 0.5102040816, 0.0625, 0.0268744961, 0.0204081633, 0.0145158949],
    ],
    hard_sigmoid: [
      [0.0, 0.0, 0.0833333333, 0.5, 0.5666666667, 1.0, 1.0, 1.0, 1.0],
      [0.0, 0.0, 0.1666666716, 0.1666666716, 0.1666666716, 0.0, 0.0, 0.0, 0.0],
    ],
    relu6: [
      [0.0, 0.0, 0.0, 0.0, 0.4, 3.0, 5.1, 6.0, 6.0],
      [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0],
    ],
    mish: [
      [
        -0.0625092536, -0.1456474613, -0.1968162039, 0.0, 0.2890305341, 2.986535005, 5.0996254576, 5.9999266341,
        7.2999933462,
      ],
      [
        -0.0471540327, -0.0933931145, -0.1097435728, 0.6, 0.8370175025, 1.0211069109, 1.0006710785, 1.0001341405,
        1.000012387,
      ],
    ],
  };
  it.each(Object.keys(TORCH))('%s', (name) => {
    const kernel = ACTIVATION_KERNELS_FOR_CHECK[name as ActivationName];
    const z = Float32Array.from(Z);
    const y = new Float32Array(Z.length);
    const dz = new Float32Array(Z.length);
    const p = { alpha: 0, slopes: null, slopeGrad: null };
    kernel.forward(z, y, 1, Z.length, p);
    kernel.backward(z, y, new Float32Array(Z.length).fill(1), dz, 1, Z.length, p);
    const [values, grads] = TORCH[name]!;
    Z.forEach((_, i) => {
      expect(Math.abs(y[i]! - values[i]!), `${name}(${Z[i]})`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(values[i]!)));
      expect(Math.abs(dz[i]! - grads[i]!), `${name}'(${Z[i]})`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(grads[i]!)));
    });
  });
});
