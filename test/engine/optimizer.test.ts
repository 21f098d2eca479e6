/**
 * Optimizer updates against PyTorch's documented algorithms (torch.optim SGD/Adam/RMSprop pseudo-code),
 * transcribed here per scalar, plus a few numbers worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { Arena, MeasuringArena } from '../../src/engine/arena';
import type { OptimizerConfig } from '../../src/engine/config';
import type { ParamTensor } from '../../src/engine/layers/layer';
import { Optimizer } from '../../src/engine/optimizer';
import { optimizer as optimizerConfig } from './helpers';

const GRADS = [
  [0.5, -1],
  [0.2, 0.4],
  [-0.3, 0.1],
];

function tensor(name: ParamTensor['name'], values: number[]): ParamTensor {
  return {
    path: '/p',
    name,
    shape: [values.length],
    data: Float32Array.from(values),
    grad: new Float32Array(values.length),
  };
}

/** Runs the engine optimizer for GRADS.length steps; returns the weights after each step. */
function runEngine(config: OptimizerConfig, weightDecay: number, name: ParamTensor['name'] = 'weight'): number[][] {
  const p = tensor(name, [1, -2]);
  const opt = new Optimizer(config, weightDecay, [p], new MeasuringArena());
  return GRADS.map((g) => {
    p.grad.set(g);
    opt.step();
    return Array.from(p.data);
  });
}

/** PyTorch's update rules for one scalar; returns the weight after each step. */
function reference(config: OptimizerConfig, weightDecay: number, w0: number, grads: number[]): number[] {
  const { lr, momentum, nesterov, beta1, beta2, eps, rho } = config;
  let w = w0;
  let buf = 0;
  let m = 0;
  let v = 0;
  return grads.map((grad, index) => {
    const t = index + 1;
    const g = grad + weightDecay * w;
    if (config.type === 'sgd') {
      let d = g;
      if (momentum !== 0) {
        buf = t === 1 ? g : momentum * buf + g; // dampening 0
        d = nesterov ? g + momentum * buf : buf;
      }
      w -= lr * d;
    } else if (config.type === 'adam') {
      m = beta1 * m + (1 - beta1) * g;
      v = beta2 * v + (1 - beta2) * g * g;
      const mHat = m / (1 - beta1 ** t);
      const vHat = v / (1 - beta2 ** t);
      w -= (lr * mHat) / (Math.sqrt(vHat) + eps);
    } else {
      v = rho * v + (1 - rho) * g * g;
      const avg = Math.sqrt(v) + eps;
      if (momentum > 0) {
        buf = momentum * buf + g / avg;
        w -= lr * buf;
      } else {
        w -= (lr * g) / avg;
      }
    }
    return w;
  });
}

function expectMatchesReference(config: OptimizerConfig, weightDecay = 0): number[][] {
  const engine = runEngine(config, weightDecay);
  for (let k = 0; k < 2; k++) {
    const expected = reference(
      config,
      weightDecay,
      [1, -2][k]!,
      GRADS.map((g) => g[k]!),
    );
    expected.forEach((w, step) => expect(engine[step]![k]).toBeCloseTo(w, 6));
  }
  return engine;
}

describe('sgd', () => {
  it('plain: w −= lr·g (hand-computed)', () => {
    const engine = expectMatchesReference(optimizerConfig({ type: 'sgd', lr: 0.1 }));
    expect(engine[0]![0]).toBeCloseTo(0.95, 6);
    expect(engine[1]![0]).toBeCloseTo(0.93, 6);
  });
  it('momentum 0.9: buffer starts at g (hand-computed)', () => {
    const engine = expectMatchesReference(optimizerConfig({ type: 'sgd', lr: 0.1, momentum: 0.9 }));
    expect(engine[0]).toEqual([expect.closeTo(0.95, 6), expect.closeTo(-1.9, 6)]);
    expect(engine[1]).toEqual([expect.closeTo(0.885, 6), expect.closeTo(-1.85, 6)]);
  });
  it('nesterov (hand-computed)', () => {
    const engine = expectMatchesReference(optimizerConfig({ type: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true }));
    expect(engine[0]).toEqual([expect.closeTo(0.905, 6), expect.closeTo(-1.81, 6)]);
    expect(engine[1]).toEqual([expect.closeTo(0.8265, 6), expect.closeTo(-1.805, 6)]);
  });
  it('weight decay is added to weight gradients only', () => {
    const config = optimizerConfig({ type: 'sgd', lr: 0.1 });
    expectMatchesReference(config, 0.1);
    expect(runEngine(config, 0.1, 'weight')[0]![0]).toBeCloseTo(1 - 0.1 * (0.5 + 0.1), 6);
    expect(runEngine(config, 0.1, 'projection')[0]![0]).toBeCloseTo(1 - 0.1 * (0.5 + 0.1), 6);
    for (const name of ['bias', 'gamma', 'beta', 'slope'] as const) {
      expect(runEngine(config, 0.1, name)[0]![0]).toBeCloseTo(0.95, 6);
    }
  });
});

describe('adam', () => {
  it('bias-corrected, eps outside the square root', () => {
    // A large eps makes its position matter: eps inside √ would give a different update.
    expectMatchesReference(optimizerConfig({ type: 'adam', lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 0.1 }));
  });
  it('first step moves every weight by ≈ lr (hand-computed)', () => {
    const engine = expectMatchesReference(optimizerConfig({ type: 'adam', lr: 0.1, eps: 1e-8 }), 0);
    expect(engine[0]).toEqual([expect.closeTo(0.9, 6), expect.closeTo(-1.9, 6)]);
    expect(engine[1]![0]).toBeCloseTo(0.9 - (0.1 * (0.065 / 0.19)) / Math.sqrt(0.00028975 / 0.001999), 5);
  });
  it('with weight decay', () => {
    expectMatchesReference(optimizerConfig({ type: 'adam', lr: 0.05, beta1: 0.8, beta2: 0.99 }), 0.3);
  });
});

describe('rmsprop', () => {
  it('without momentum', () => {
    expectMatchesReference(optimizerConfig({ type: 'rmsprop', lr: 0.01, rho: 0.9, eps: 0.05 }));
  });
  it('with momentum', () => {
    expectMatchesReference(optimizerConfig({ type: 'rmsprop', lr: 0.01, rho: 0.99, eps: 1e-8, momentum: 0.5 }));
  });
  it('first step without momentum: w −= lr·g/(√((1−ρ)g²) + eps) (hand-computed)', () => {
    const engine = runEngine(optimizerConfig({ type: 'rmsprop', lr: 0.01, rho: 0.99, eps: 0 }), 0);
    expect(engine[0]![0]).toBeCloseTo(1 - 0.01 / Math.sqrt(0.01), 6);
  });
});

describe('update measurements', () => {
  it('records ‖W‖² before and ‖ΔW‖² of each update', () => {
    const p = tensor('weight', [3, 4]);
    const opt = new Optimizer(optimizerConfig({ type: 'sgd', lr: 0.5 }), 0, [p], new MeasuringArena());
    p.grad.set([1, 2]);
    opt.step();
    expect(opt.normSqBefore[0]).toBeCloseTo(25, 6);
    expect(opt.deltaNormSq[0]).toBeCloseTo(0.25 + 1, 6);
  });
});

const ADAGRAD_TORCH = [0.7730969331, -1.8569718441, 0.2319002125];
const ADAMW_TORCH = [0.5796325916, -1.4370076044, 0.1509450861];

describe('adagrad and adamw, against PyTorch', () => {
  // Printed by /usr/bin/python3 (torch 1.13, float64): three steps of torch.optim.Adagrad(lr 0.1, eps 1e-10,
  // initial_accumulator_value 0.1) and torch.optim.AdamW(lr 0.1, weight_decay 0.5) from w = [1, -2, 0.5] with the
  // gradients g_t = [0.3, -0.1, 2] · t.
  const grads = (t: number) => Float32Array.from([0.3 * t, -0.1 * t, 2 * t]);
  it.each([
    ['adagrad', { initialAccumulator: 0.1, eps: 1e-10 }, ADAGRAD_TORCH],
    ['adamw', { weightDecay: 0.5, eps: 1e-8 }, ADAMW_TORCH],
  ] as const)('%s', (type, extra, expected) => {
    const w = Float32Array.from([1, -2, 0.5]);
    const param: ParamTensor = { path: '/layers/0', name: 'weight', shape: [3], data: w, grad: new Float32Array(3) };
    const config: OptimizerConfig = {
      type,
      lr: 0.1,
      momentum: 0,
      nesterov: false,
      beta1: 0.9,
      beta2: 0.999,
      rho: 0.99,
      ...extra,
    };
    const optimizer = new Optimizer(config, 0, [param], new Arena(64));
    for (let t = 1; t <= 3; t++) {
      param.grad.set(grads(t));
      optimizer.step();
    }
    expected.forEach((v, i) => expect(w[i]).toBeCloseTo(v, 5));
  });
});
