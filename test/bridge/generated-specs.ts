/**
 * Random valid specs for the bridge's proofs: dense stacks of every activation and initialiser, BatchNorm,
 * residual blocks (identity and projection), every loss with a fitting data source, every optimizer, clipping and
 * weight decay. Deterministic in the seed. No dropout: its masks are drawn by each engine's own generator, so a
 * step-0 comparison would compare two different nets.
 */
import { Rng } from '../../src/engine/rng';
import { ACTIVATION_NAMES } from '../../src/spec/names';

/** Every elementwise activation (softmax only ends a classifier), in the spec's own order. */
export const ACTIVATIONS = ACTIVATION_NAMES.filter((name) => name !== 'softmax');
export const INITS = [
  'glorot_uniform',
  'glorot_normal',
  'he_uniform',
  'he_normal',
  'lecun_uniform',
  'lecun_normal',
  'orthogonal',
  'uniform',
  'normal',
] as const;

export interface GeneratedSpec {
  name: string;
  spec: Record<string, unknown>;
}

export function generateSpecs(count: number, seed = 1): GeneratedSpec[] {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.uniform() * xs.length) % xs.length]!;
  const int = (lo: number, hi: number): number => lo + Math.floor(rng.uniform() * (hi - lo + 1));
  const specs: GeneratedSpec[] = [];
  for (let s = 0; s < count; s++) {
    const loss = pick(['mse', 'bce', 'crossentropy'] as const);
    const classes = loss === 'crossentropy' ? int(2, 5) : 2;
    const source =
      loss === 'mse'
        ? pick(['sine', 'teacher'] as const)
        : classes > 2
          ? pick(['blobs', 'spiral', 'teacher'] as const)
          : pick(['xor', 'moons', 'circles', 'blobs', 'spiral'] as const);
    const input = source === 'blobs' || source === 'teacher' ? int(2, 12) : source === 'sine' ? 1 : 2;
    const outputs = loss === 'crossentropy' ? classes : 1;
    const layers: unknown[] = [];
    const depth = int(1, 7);
    let width = input;
    for (let d = 0; d < depth; d++) {
      const units = int(1, 40);
      const dense = (): Record<string, unknown> => {
        const init = pick(INITS);
        const layer: Record<string, unknown> = {
          type: 'dense',
          units,
          activation: pick(ACTIVATIONS),
          init: init === 'uniform' || init === 'normal' ? { name: init, scale: 0.05 + rng.uniform() } : init,
        };
        const bias = rng.uniform();
        if (bias < 0.15) layer.biasInit = Math.round((rng.uniform() - 0.5) * 100) / 100;
        else if (bias < 0.25) layer.biasInit = { name: pick(['uniform', 'normal'] as const), scale: 0.1 };
        return layer;
      };
      const roll = rng.uniform();
      if (roll < 0.15) {
        const projection = units !== width || rng.uniform() < 0.3;
        const branch = [{ ...dense(), units: projection ? units : width }];
        if (rng.uniform() < 0.5) branch.push({ ...dense(), units: projection ? units : width });
        layers.push({ type: 'residual', layers: branch, projection });
        width = projection ? units : width;
        continue;
      }
      layers.push(dense());
      width = units;
      if (roll > 0.85) layers.push({ type: 'batchnorm' });
      else if (roll > 0.8) layers.push({ type: 'activation', activation: pick(ACTIVATIONS) });
    }
    const outputActivation =
      loss === 'bce'
        ? pick(['sigmoid', 'sigmoid', 'linear'] as const)
        : loss === 'crossentropy'
          ? pick(['softmax', 'linear'] as const)
          : pick(['linear', 'tanh'] as const);
    // A bce output must be a probability: an unfused linear output would not be one.
    const output = loss === 'bce' && outputActivation === 'linear' ? 'sigmoid' : outputActivation;
    layers.push({ type: 'dense', units: outputs, activation: output, init: pick(INITS.slice(0, 6)) });
    const optimizer = pick([
      { type: 'sgd', lr: 0.05, momentum: 0.9 },
      { type: 'sgd', lr: 0.1 },
      { type: 'sgd', lr: 0.05, momentum: 0.5, nesterov: true },
      { type: 'adam', lr: 0.003 },
      { type: 'rmsprop', lr: 0.002, momentum: 0.3 },
      { type: 'adagrad', lr: 0.05 },
      { type: 'adamw', lr: 0.003, weightDecay: 0.05 },
    ]);
    const hasBatchnorm = layers.some((l) => (l as { type: string }).type === 'batchnorm');
    // PyTorch's BatchNorm1d refuses a batch of one sample in training (the export says so).
    const batchSize = hasBatchnorm ? pick([8, 32, 64]) : pick([1, 8, 32, 64]);
    const training: Record<string, unknown> = { steps: 60, batchSize, seed: int(1, 1000) };
    if (rng.uniform() < 0.2 && optimizer.type !== 'adamw') training.weightDecay = 1e-3;
    if (rng.uniform() < 0.2) training.clipNorm = 0.5;
    if (rng.uniform() < 0.1) training.clipValue = 0.1;
    const data: Record<string, unknown> = { source, samples: int(64, 400) };
    if (source === 'blobs' || source === 'spiral' || (source === 'teacher' && loss !== 'mse')) data.classes = classes;
    specs.push({
      name: `gen-${seed}-${s}`,
      spec: { name: `gen-${seed}-${s}`, input, layers, loss, optimizer, training, data },
    });
  }
  return specs;
}
