/**
 * LayerNorm over the last axis: finite-difference gradients on both backends ([features] and [steps, features]
 * input, pre-LN and post-LN residual blocks), the normalisation itself, and PyTorch's nn.LayerNorm as the oracle.
 */
import { describe, expect, it } from 'vitest';
import type { LayerConfig, ResidualConfig } from '../../src/engine/config';
import { LayerNormLayer } from '../../src/engine/layers/layernorm';
import type { Model } from '../../src/engine/model';
import { SKIP_TORCH } from '../bridge/torch';
import { checkGradients, dense, fillBatch, modelConfig } from './helpers';
import {
  buildOn,
  layernorm,
  randomizeBiases,
  recurrent,
  sequenceConfig,
  type BackendChoice,
} from './recurrent-helpers';
import { relativeDistance, torchOracle } from './torch-oracle';

function residual(layers: LayerConfig[], projection = false): ResidualConfig {
  return {
    kind: 'residual',
    path: `/res${layers.length}${projection}`,
    layers,
    projection,
    projectionInit: { name: 'glorot_uniform', scale: 1 },
  };
}

/** A pre-LN block x + f(LN(x)) and a post-LN block LN(x + f(x)) (Xiong et al. 2020), on 4 features. */
const PRE_LN = (): LayerConfig[] => [dense(4, 'tanh'), residual([layernorm(), dense(6, 'tanh'), dense(4)]), dense(2)];
const POST_LN = (): LayerConfig[] => [dense(4, 'tanh'), residual([dense(6, 'tanh'), dense(4)]), layernorm(), dense(2)];

function expectGradientsMatch(model: Model): void {
  // A smaller step than the default: the row statistics curve the loss enough for 1e-2 to miss by a few percent.
  const report = checkGradients(model, { h: 3e-3 });
  expect(report.checked).toBeGreaterThan(30);
  expect(report.mismatches).toEqual([]);
  for (const [tensor, error] of Object.entries(report.relativeErrors)) expect(error, tensor).toBeLessThan(1e-2);
}

function prepared(backend: BackendChoice, config: ReturnType<typeof modelConfig>, batch: number, seed: number): Model {
  const model = buildOn(backend, config, batch, seed);
  randomizeBiases(model, seed + 1);
  fillBatch(model, seed + 2, 2);
  return model;
}

describe.each<BackendChoice>(['js', 'wasm'])('layernorm gradients = finite differences (%s backend)', (backend) => {
  it('on [features] between dense layers (γ, β and the input through the row statistics)', () => {
    expectGradientsMatch(prepared(backend, modelConfig(3, [dense(5, 'tanh'), layernorm(), dense(2)]), 4, 3));
  });
  it('on [steps, features]: each step normalised on its own', () => {
    const layers = [recurrent('gru', 4, { returnSequences: true }), layernorm(), dense(2)];
    expectGradientsMatch(prepared(backend, sequenceConfig(3, 2, layers), 3, 4));
  });
  it('in a pre-LN residual block', () => {
    expectGradientsMatch(prepared(backend, modelConfig(3, PRE_LN()), 4, 5));
  });
  it('after a residual block (post-LN)', () => {
    expectGradientsMatch(prepared(backend, modelConfig(3, POST_LN()), 4, 6));
  });
});

describe('normalisation', () => {
  it('each row of the last axis gets mean 0 and variance 1 − eps-shrinkage, then γ⊙x̂ + β', () => {
    const model = buildOn('js', sequenceConfig(3, 5, [layernorm(1e-5), dense(1)]), 2);
    fillBatch(model, 9, 3);
    const layer = model.nodes[0] as LayerNormLayer;
    expect(layer.outputShape).toEqual([3, 5]);
    expect(layer.params.map((p) => p.shape)).toEqual([[5], [5]]);
    expect(Array.from(layer.gamma.data)).toEqual([1, 1, 1, 1, 1]);
    model.forward(false);
    for (let row = 0; row < 6; row++) {
      const x = Array.from(model.input.subarray(row * 5, row * 5 + 5));
      const y = Array.from(layer.output.subarray(row * 5, row * 5 + 5));
      const mean = x.reduce((a, b) => a + b) / 5;
      const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / 5;
      y.forEach((v, j) => expect(v).toBeCloseTo((x[j]! - mean) / Math.sqrt(variance + 1e-5), 5));
    }
  });
});

describe.skipIf(SKIP_TORCH)('against PyTorch nn.LayerNorm (float64)', () => {
  const cases: [string, () => ReturnType<typeof modelConfig>][] = [
    ['[features]', () => modelConfig(3, [dense(6, 'tanh'), layernorm(1e-3), dense(2)])],
    [
      '[steps, features] after an LSTM',
      () => sequenceConfig(5, 3, [recurrent('lstm', 4, { returnSequences: true }), layernorm(), dense(2)]),
    ],
    ['pre-LN residual block', () => modelConfig(3, PRE_LN())],
    ['post-LN residual block', () => modelConfig(3, POST_LN())],
  ];
  const models = (['js', 'wasm'] as const).flatMap((backend) =>
    cases.map(([label, config], i) => {
      const model = prepared(backend, config(), 5, 60 + i);
      model.forward(true);
      const loss = model.computeLoss();
      model.backward();
      return { label: `${label} (${backend})`, model, loss };
    }),
  );
  let oracle: ReturnType<typeof torchOracle> | null = null;
  const reference = (i: number) => (oracle ??= torchOracle(models.map((m) => m.model)))[i]!;

  it.each(models.map((m, i) => [m.label, i] as const))('%s: loss and every gradient within 1e-4', (_label, i) => {
    const { model, loss } = models[i]!;
    const torch = reference(i);
    expect(Math.abs(loss - torch.loss) / torch.loss).toBeLessThan(1e-4);
    const params = model.parameters();
    expect(torch.grads).toHaveLength(params.length);
    params.forEach((p, k) =>
      expect(relativeDistance(p.grad, torch.grads[k]!), `${p.path}#${p.name}`).toBeLessThan(1e-4),
    );
    expect(relativeDistance(model.inputGrad, torch.inputGrad), 'input').toBeLessThan(1e-4);
  });
});
