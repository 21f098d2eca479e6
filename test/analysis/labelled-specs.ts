/**
 * A labelled set of specs built from the textbook cases, with the label each one should get (ground truth by
 * construction, from the theory: σ'(z) ≤ 1/4 shrinks gradients; tanh with σ_w² ≫ 1 is chaotic and amplifies them;
 * He init keeps ReLU nets at gain 1; a strongly negative bias kills ReLUs; a huge step size diverges).
 */
import type { FindingKind } from '../../src/analysis/findings';

export interface LabelledSpec {
  name: string;
  text: string;
  /** The warnings/errors the spec should get; [] = healthy. */
  labels: FindingKind[];
  /**
   * Secondary effects that may or may not show and are not scored either way: a chaotic net whose first update,
   * driven by the exploding gradient, wrecks it will then also saturate and vanish.
   */
  optional: FindingKind[];
}

interface Plan {
  depth: number;
  width: number;
  activation: string;
  init: unknown;
  biasInit?: number;
  loss: 'bce' | 'mse';
  lr: number;
  momentum?: number;
  seed: number;
  block?: 'batchnorm' | 'residual';
  /** Initialise the output layer like the hidden ones (default: Glorot). */
  sameOutputInit?: boolean;
}

function build(plan: Plan): string {
  const dense = (units: number, activation: string, init: unknown) => ({
    type: 'dense',
    units,
    activation,
    init,
    ...(plan.biasInit !== undefined ? { biasInit: plan.biasInit } : {}),
  });
  const layers: unknown[] = [];
  for (let i = 0; i < plan.depth; i++) {
    if (plan.block === 'batchnorm')
      layers.push(
        dense(plan.width, 'linear', plan.init),
        { type: 'batchnorm' },
        { type: 'activation', activation: plan.activation },
      );
    // Residual branches end in a small-initialised linear layer so the sum's variance does not grow with depth.
    else if (plan.block === 'residual' && i > 0)
      layers.push({
        type: 'residual',
        layers: [
          dense(plan.width, plan.activation, plan.init),
          dense(plan.width, 'linear', { name: 'normal', scale: 0.05 }),
        ],
      });
    else layers.push(dense(plan.width, plan.activation, plan.init));
  }
  const bce = plan.loss === 'bce';
  layers.push({
    type: 'dense',
    units: 1,
    activation: bce ? 'sigmoid' : 'linear',
    ...(plan.sameOutputInit ? { init: plan.init } : {}),
  });
  return JSON.stringify(
    {
      input: 2,
      layers,
      loss: plan.loss,
      optimizer: { type: 'sgd', lr: plan.lr, momentum: plan.momentum ?? 0.9 },
      training: { steps: 150, batchSize: 64, seed: plan.seed },
      data: bce ? { source: 'moons', samples: 512 } : { source: 'teacher', samples: 512 },
    },
    null,
    1,
  );
}

export function labelledSpecs(): LabelledSpec[] {
  const out: LabelledSpec[] = [];
  const add = (name: string, plan: Plan, labels: FindingKind[], optional: FindingKind[] = []) =>
    out.push({ name, text: build(plan), labels, optional });
  for (const [depth, width, seed] of [
    [10, 16, 1],
    [12, 32, 2],
    [16, 24, 3],
    [20, 32, 4],
  ] as const) {
    add(
      `sigmoid-${depth}x${width}`,
      { depth, width, activation: 'sigmoid', init: 'glorot_uniform', loss: 'bce', lr: 0.01, seed },
      ['vanishing'],
    );
  }
  for (const [depth, width, seed] of [
    [6, 64, 1],
    [8, 32, 2],
    [10, 48, 3],
  ] as const) {
    add(
      `tanh-tiny-${depth}x${width}`,
      {
        depth,
        width,
        activation: 'tanh',
        init: { name: 'uniform', scale: 0.01 },
        loss: 'mse',
        lr: 0.05,
        momentum: 0,
        seed,
      },
      ['vanishing'],
    );
  }
  // (8×64 and 12×32 variants sit near the threshold: their first-layer ratio hovers around 70× and the verdict
  // depends on the seed.)
  for (const [depth, width, seed] of [
    [14, 32, 1],
    [14, 64, 2],
    [16, 48, 3],
  ] as const) {
    add(
      `tanh-chaotic-${depth}x${width}`,
      {
        depth,
        width,
        activation: 'tanh',
        init: { name: 'normal', scale: 1 },
        sameOutputInit: true,
        loss: 'mse',
        lr: 0.001,
        momentum: 0,
        seed,
      },
      ['exploding', 'saturation'],
      ['vanishing', 'learning-rate-low', 'learning-rate-high'],
    );
  }
  for (const [depth, width, seed] of [
    [4, 32, 1],
    [6, 64, 2],
    [5, 48, 3],
  ] as const) {
    add(
      `dead-relu-${depth}x${width}`,
      { depth, width, activation: 'relu', init: 'he_normal', biasInit: -2.5, loss: 'bce', lr: 0.01, seed },
      ['dead-relu'],
    );
  }
  for (const [depth, lr, seed] of [
    [3, 5, 1],
    [4, 3, 2],
    [2, 10, 3],
  ] as const) {
    add(
      `diverge-${depth}-lr${lr}`,
      { depth, width: 32, activation: 'relu', init: 'he_normal', loss: 'mse', lr, seed },
      ['divergence', 'learning-rate-high'],
    );
  }
  // Healthy: He-initialised ReLU, Glorot tanh (shallow), BatchNorm- and residual-rescued deep nets.
  for (const [depth, width, seed] of [
    [3, 16, 1],
    [8, 32, 2],
    [12, 32, 3],
    [15, 32, 4],
  ] as const) {
    add(
      `relu-he-${depth}x${width}`,
      { depth, width, activation: 'relu', init: 'he_normal', loss: 'bce', lr: 0.01, seed },
      [],
    );
  }
  for (const [depth, width, seed] of [
    [3, 32, 1],
    [5, 16, 2],
  ] as const) {
    add(
      `tanh-glorot-${depth}x${width}`,
      { depth, width, activation: 'tanh', init: 'glorot_uniform', loss: 'bce', lr: 0.01, seed },
      [],
    );
  }
  for (const [depth, seed] of [
    [10, 1],
    [14, 2],
  ] as const) {
    add(
      `sigmoid-bn-${depth}`,
      {
        depth,
        width: 32,
        activation: 'sigmoid',
        init: 'glorot_uniform',
        loss: 'bce',
        lr: 0.05,
        seed,
        block: 'batchnorm',
      },
      [],
    );
  }
  for (const [depth, seed] of [
    [10, 1],
    [16, 2],
  ] as const) {
    add(
      `tanh-residual-${depth}`,
      { depth, width: 32, activation: 'tanh', init: 'glorot_uniform', loss: 'bce', lr: 0.01, seed, block: 'residual' },
      [],
    );
  }
  return out;
}
