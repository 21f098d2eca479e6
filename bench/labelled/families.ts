/**
 * The labelled benchmark's specs (issue 14): ≥ 500 MLPs across the families where gradient problems live and the
 * edge cases where the rules change — deep sigmoid/tanh, tiny/huge/zero/constant initialisations, learning rates
 * per optimizer, deep narrow ReLU, BatchNorm before and after the activation, residual blocks with and without it,
 * dropout, clipping, every activation and initialiser, every data source, and exploding and near-exploding stacks
 * under several optimizers. Deterministic (families are only appended, so earlier specs keep their names); each spec
 * has a family and a half (calibration or held-out) fixed by its name, so thresholds are tuned on one half and
 * reported on the other.
 */
import { Rng } from '../../src/engine/rng';

export interface LabelledSpec {
  name: string;
  family: string;
  half: 'calibration' | 'held-out';
  spec: Record<string, unknown>;
}

type Json = Record<string, unknown>;

const ACTIVATIONS = [
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
  'softsign',
  'hard_sigmoid',
  'relu6',
  'mish',
  'linear',
] as const;
const INITS = [
  'glorot_uniform',
  'glorot_normal',
  'he_uniform',
  'he_normal',
  'lecun_uniform',
  'lecun_normal',
  'orthogonal',
] as const;

export function labelledSpecs(seed = 14): LabelledSpec[] {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.uniform() * xs.length) % xs.length]!;
  const int = (lo: number, hi: number): number => lo + Math.floor(rng.uniform() * (hi - lo + 1));
  const out: LabelledSpec[] = [];
  const add = (family: string, spec: Json): void => {
    const name = `${family}-${out.filter((s) => s.family === family).length}`;
    // Alternate within each family, so both halves see every family.
    const half = out.filter((s) => s.family === family).length % 2 === 0 ? 'calibration' : 'held-out';
    out.push({ name, family, half, spec: { name, ...spec } });
  };
  const dense = (units: number, activation: string, init: unknown, extra: Json = {}): Json => ({
    type: 'dense',
    units,
    activation,
    init,
    ...extra,
  });
  const classification = (): { loss: string; data: Json; out: Json } =>
    pick([
      {
        loss: 'bce',
        data: { source: pick(['moons', 'circles', 'xor', 'spiral']), samples: 512 },
        out: dense(1, 'sigmoid', 'glorot_uniform'),
      },
      {
        loss: 'crossentropy',
        data: { source: 'spiral', samples: 600, classes: 3 },
        out: dense(3, 'softmax', 'glorot_uniform'),
      },
      {
        loss: 'crossentropy',
        data: { source: 'blobs', samples: 600, classes: 4 },
        out: dense(4, 'linear', 'glorot_uniform'),
      },
    ]);
  const training = (extra: Json = {}): Json => ({ steps: 200, batchSize: 32, seed: int(1, 10_000), ...extra });

  // 1. Deep sigmoid / tanh stacks: depth and init decide vanishing.
  for (let i = 0; i < 70; i++) {
    const act = pick(['sigmoid', 'tanh']);
    const depth = int(2, 24);
    const width = pick([8, 16, 32, 64]);
    const init = pick([...INITS, { name: 'normal', scale: pick([0.05, 0.2, 1]) }]);
    const c = classification();
    add('deep-saturating', {
      input: 2,
      layers: [...Array.from({ length: depth }, () => dense(width, act, init)), c.out],
      loss: c.loss,
      optimizer: pick([
        { type: 'sgd', lr: 0.1, momentum: 0.9 },
        { type: 'adam', lr: 0.003 },
      ]),
      training: training(),
      data: c.data,
    });
  }
  // 2. Initialisation scale: tiny, huge, zero, constant — with ReLU and tanh.
  for (let i = 0; i < 70; i++) {
    const act = pick(['relu', 'tanh', 'sigmoid']);
    const init = pick([
      'zeros',
      { name: 'constant', scale: pick([0.01, 0.1, 0.5]) },
      { name: 'normal', scale: pick([1e-4, 1e-3, 0.01, 0.1, 0.5, 1, 2, 3]) },
      { name: 'uniform', scale: pick([1e-3, 0.05, 1, 3]) },
    ]);
    const depth = int(2, 10);
    add('init-scale', {
      input: 4,
      layers: [...Array.from({ length: depth }, () => dense(32, act, init)), dense(1, 'linear', init)],
      loss: 'mse',
      optimizer: { type: 'sgd', lr: pick([0.001, 0.01, 0.05]) },
      training: training(),
      data: { source: 'teacher', samples: 512 },
    });
  }
  // 3. Learning rates per optimizer on a healthy architecture.
  for (let i = 0; i < 80; i++) {
    const type = pick(['sgd', 'adam', 'rmsprop', 'adagrad', 'adamw']);
    const lr = pick([1e-6, 1e-4, 1e-3, 0.01, 0.1, 1, 5, 30]);
    const c = classification();
    add('learning-rate', {
      input: 2,
      layers: [dense(32, 'relu', 'he_normal'), dense(32, 'relu', 'he_normal'), dense(32, 'relu', 'he_normal'), c.out],
      loss: c.loss,
      optimizer: { type, lr, ...(type === 'sgd' && rng.uniform() < 0.5 ? { momentum: 0.9 } : {}) },
      training: training(),
      data: c.data,
    });
  }
  // 4. Deep narrow ReLU stacks: dead at initialisation or soon after.
  for (let i = 0; i < 60; i++) {
    const depth = int(6, 40);
    const width = pick([2, 3, 4, 6, 8, 16]);
    const c = classification();
    add('deep-narrow-relu', {
      input: 2,
      layers: [
        ...Array.from({ length: depth }, () =>
          dense(width, pick(['relu', 'relu', 'leaky_relu']), pick(['he_normal', 'glorot_uniform'])),
        ),
        c.out,
      ],
      loss: c.loss,
      optimizer: { type: 'sgd', lr: pick([0.01, 0.1]), momentum: 0.9 },
      training: training({ batchSize: pick([1, 8, 32]) }),
      data: c.data,
    });
  }
  // 5. BatchNorm before / after the activation, deep.
  for (let i = 0; i < 50; i++) {
    const depth = int(4, 20);
    const act = pick(['relu', 'sigmoid', 'tanh']);
    const before = rng.uniform() < 0.5;
    const layers: Json[] = [];
    for (let d = 0; d < depth; d++) {
      if (before)
        layers.push(dense(32, 'linear', 'he_normal'), { type: 'batchnorm' }, { type: 'activation', activation: act });
      else layers.push(dense(32, act, 'he_normal'), { type: 'batchnorm' });
    }
    const c = classification();
    add('batchnorm', {
      input: 2,
      layers: [...layers, c.out],
      loss: c.loss,
      optimizer: { type: 'sgd', lr: pick([0.01, 0.1, 1]), momentum: 0.9 },
      training: training({ batchSize: pick([16, 64]) }),
      data: c.data,
    });
  }
  // 6. Residual blocks, with and without BatchNorm inside.
  for (let i = 0; i < 50; i++) {
    const blocks = int(2, 12);
    const act = pick(['relu', 'tanh', 'sigmoid']);
    const bn = rng.uniform() < 0.5;
    const block = (): Json => ({
      type: 'residual',
      layers: [
        dense(32, act, 'he_normal'),
        ...(bn ? [{ type: 'batchnorm' }] : []),
        dense(32, 'linear', pick(['he_normal', 'zeros', 'glorot_uniform'])),
      ],
    });
    const c = classification();
    add('residual', {
      input: 2,
      layers: [dense(32, act, 'he_normal'), ...Array.from({ length: blocks }, block), c.out],
      loss: c.loss,
      optimizer: { type: 'sgd', lr: pick([0.01, 0.1]), momentum: 0.9 },
      training: training(),
      data: c.data,
    });
  }
  // 7. Dropout and clipping.
  for (let i = 0; i < 50; i++) {
    const clip = rng.uniform() < 0.5;
    const c = classification();
    const rate = pick([0, 0.1, 0.3, 0.5, 0.8]);
    add('dropout-clipping', {
      input: 2,
      layers: [
        dense(64, 'relu', 'he_normal'),
        { type: 'dropout', rate },
        dense(64, 'relu', 'he_normal'),
        { type: 'dropout', rate },
        c.out,
      ],
      loss: c.loss,
      optimizer: { type: 'sgd', lr: pick([0.05, 1, 10]), momentum: 0.9 },
      training: training(clip ? { clipNorm: pick([0.1, 1]) } : {}),
      data: c.data,
    });
  }
  // 8. Every activation with every initialiser.
  for (let i = 0; i < 80; i++) {
    const act = pick(ACTIVATIONS);
    const init = pick(INITS);
    const depth = int(2, 8);
    const c = classification();
    add('activation-init', {
      input: 2,
      layers: [...Array.from({ length: depth }, () => dense(pick([8, 32]), act, init)), c.out],
      loss: c.loss,
      optimizer: pick([
        { type: 'sgd', lr: 0.05, momentum: 0.9 },
        { type: 'adam', lr: 0.003 },
      ]),
      training: training(),
      data: c.data,
    });
  }
  // 9. Every data source, regression included.
  for (let i = 0; i < 30; i++) {
    const source = pick(['xor', 'circles', 'moons', 'spiral', 'blobs', 'sine', 'teacher']);
    const regression = source === 'sine' || (source === 'teacher' && rng.uniform() < 0.5);
    const input = source === 'sine' ? 1 : source === 'blobs' || source === 'teacher' ? 5 : 2;
    add('data-source', {
      input,
      layers: [
        dense(32, pick(['relu', 'tanh']), pick(INITS)),
        dense(32, pick(['relu', 'tanh']), pick(INITS)),
        regression ? dense(1, 'linear', 'glorot_uniform') : dense(1, 'sigmoid', 'glorot_uniform'),
      ],
      loss: regression ? 'mse' : 'bce',
      optimizer: { type: 'adam', lr: pick([0.001, 0.01]) },
      training: training(),
      data: {
        source,
        samples: 512,
        ...(source === 'blobs' || (source === 'teacher' && !regression) ? { classes: 2 } : {}),
      },
    });
  }
  // 10. Saturating outputs under mse (not fused into the loss): the output itself saturates, or does not.
  for (let i = 0; i < 40; i++) {
    const out = pick(['sigmoid', 'tanh']);
    const scale = pick([0.1, 0.5, 1, 2, 4, 8]);
    add('output-saturation', {
      input: 2,
      layers: [
        dense(32, pick(['relu', 'tanh']), pick(['he_normal', 'glorot_uniform'])),
        dense(32, pick(['relu', 'tanh']), { name: 'normal', scale }),
        dense(1, out, { name: 'normal', scale }),
      ],
      loss: 'mse',
      optimizer: pick([
        { type: 'sgd', lr: pick([0.01, 0.1]) },
        { type: 'adam', lr: 0.003 },
      ]),
      training: training(),
      data: { source: pick(['moons', 'circles', 'xor']), samples: 512 },
    });
  }
  // 11. Chaotic deep tanh stacks (σ_w > 1: gradients grow towards the input) and deep BatchNorm stacks, whose
  //     gradients explode at initialisation (Yang et al. 2019) — where exploding verdicts live.
  for (let i = 0; i < 70; i++) {
    const c = classification();
    const bn = rng.uniform() < 0.3;
    const width = pick([16, 32, 64]);
    const depth = int(8, 30);
    const sigma = pick([1.5, 2, 3, 4, 6]);
    const init = { name: 'normal', scale: Number((sigma / Math.sqrt(width)).toPrecision(3)) };
    const layers: Json[] = [];
    for (let d = 0; d < depth; d++) {
      if (bn)
        layers.push(
          dense(width, 'linear', 'he_normal'),
          { type: 'batchnorm' },
          { type: 'activation', activation: pick(['relu', 'tanh']) },
        );
      else layers.push(dense(width, 'tanh', init));
    }
    add('exploding', {
      input: 2,
      layers: [dense(width, 'tanh', init), ...layers, c.out],
      loss: c.loss,
      optimizer: pick([
        { type: 'sgd', lr: pick([0.001, 0.01, 0.1]), momentum: 0.9 },
        { type: 'sgd', lr: pick([0.001, 0.01]) },
        { type: 'adam', lr: pick([1e-4, 0.001]) },
      ]),
      training: training(),
      data: c.data,
    });
  }
  // 12. Strongly chaotic wide tanh stacks (σ_w 4–8) trained gently: the gradient grows layer by layer towards the
  //     input and training does not undo it — exploding by AutoTrainer's ratio, with a real size.
  for (let i = 0; i < 50; i++) {
    const c = classification();
    const width = pick([32, 64, 64]);
    const sigma = pick([4, 6, 8]);
    const init = { name: 'normal', scale: Number((sigma / Math.sqrt(width)).toPrecision(3)) };
    add('chaotic-tanh', {
      input: 2,
      layers: [...Array.from({ length: int(10, 24) }, () => dense(width, 'tanh', init)), c.out],
      loss: c.loss,
      optimizer: pick([
        { type: 'adam', lr: pick([1e-4, 3e-4]) },
        { type: 'sgd', lr: 0.001 },
      ]),
      training: training(),
      data: c.data,
    });
  }
  // 13. Exploding and near-exploding MLPs, varied (appended: the specs above keep their names and halves). Bounded
  //     activations past the edge of chaos (σ_w > 1 for tanh; softsign needs about twice that) make the gradient grow
  //     towards the input, more the deeper and the further past the edge; positively homogeneous ones (ReLU, leaky,
  //     ELU's positive side, linear) at 1.2–3× He scale the forward and the backward pass alike, so they diverge
  //     rather than show a ratio — the near misses a ratio rule must not flag. The optimizer and its learning rate
  //     decide whether training leaves the chaotic regime; clipping bounds the steps, not the measured gradient.
  for (let i = 0; i < 160; i++) {
    const c = classification();
    const bounded = rng.uniform() < 0.7;
    const width = bounded ? pick([32, 64]) : pick([16, 32, 64]);
    const act = bounded ? pick(['tanh', 'tanh', 'softsign']) : pick(['relu', 'leaky_relu', 'elu', 'linear']);
    const sigma = bounded
      ? pick([3, 4, 6, 8]) * (act === 'softsign' ? 2 : 1)
      : pick([1.2, 1.5, 2, 3]) * (act === 'linear' ? 1 : Math.SQRT2);
    const init =
      rng.uniform() < 0.15
        ? { name: 'orthogonal', scale: Number(sigma.toPrecision(3)) }
        : { name: 'normal', scale: Number((sigma / Math.sqrt(width)).toPrecision(3)) };
    const depth = bounded ? int(12, 28) : int(4, 16);
    add('exploding-mlp', {
      input: 2,
      layers: [...Array.from({ length: depth }, () => dense(width, act, init)), c.out],
      loss: c.loss,
      optimizer: pick([
        { type: 'adam', lr: pick([1e-4, 3e-4, 1e-3]) },
        { type: 'sgd', lr: pick([1e-3, 0.01]) },
        { type: 'sgd', lr: pick([1e-3, 0.01]), momentum: 0.9 },
        { type: 'rmsprop', lr: pick([1e-4, 1e-3]) },
      ]),
      training: training(rng.uniform() < 0.3 ? { clipNorm: pick([0.5, 1, 5]) } : {}),
      data: c.data,
    });
  }
  return out;
}
