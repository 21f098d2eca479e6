/** The training loop: determinism, stopping, recording schedule, batching and the classic vanishing-gradient sanity check. */
import { describe, expect, it } from 'vitest';
import { Arena } from '../../src/engine/arena';
import type { ActivationName, InitName, LayerConfig, ModelConfig } from '../../src/engine/config';
import type { TrainResult } from '../../src/engine/stats';
import { createTrainer, train } from '../../src/engine/train';
import { buildModel, dense, modelConfig, optimizer, randomDataset, training } from './helpers';

function withoutTime(r: TrainResult): Omit<TrainResult, 'timeMs'> {
  const { timeMs: _ignored, ...rest } = r;
  return rest;
}

function mixedConfig(seed: number): ModelConfig {
  const layers: LayerConfig[] = [
    dense(8, 'relu', { name: 'he_normal' }),
    { kind: 'batchnorm', path: '/bn', eps: 1e-5, momentum: 0.1 },
    { kind: 'dropout', path: '/drop', rate: 0.2 },
    dense(3, 'softmax'),
  ];
  return modelConfig(4, layers, 'crossentropy', {
    optimizer: optimizer({ type: 'adam', lr: 0.01 }),
    training: training({ steps: 12, batchSize: 5, seed, recordEvery: 3 }),
  });
}

function deepNet(depth: number, activation: ActivationName, init: InitName): ModelConfig {
  const layers = Array.from({ length: depth }, () => dense(8, activation, { name: init }));
  layers.push(dense(1));
  return modelConfig(8, layers, 'mse', { training: training({ steps: 1, batchSize: 16 }) });
}

describe('determinism', () => {
  const data = randomDataset(1, 23, 4, 'crossentropy', 3);
  it('two runs of the same config give identical records', () => {
    const config = mixedConfig(5);
    const a = train(config, data);
    const b = train(config, data);
    expect(withoutTime(a)).toEqual(withoutTime(b));
    expect(a.loss.every(Number.isFinite)).toBe(true);
  });
  it('another seed gives other numbers', () => {
    expect(train(mixedConfig(5), data).loss).not.toEqual(train(mixedConfig(6), data).loss);
  });
});

describe('recording', () => {
  const data = randomDataset(2, 40, 4, 'crossentropy', 3);
  it('records step 0, every recordEvery steps and the last step; loss and accuracy every step', () => {
    const r = train(mixedConfig(1), data);
    expect(r.recordedSteps).toEqual([0, 3, 6, 9, 11]);
    expect(r.stepsRun).toBe(12);
    expect(r.loss).toHaveLength(12);
    expect(r.accuracy).toHaveLength(12);
    expect(r.stopped).toBeNull();
    for (const s of r.series) expect(s.gradNorm).toHaveLength(5);
  });
  it('regression has no accuracy', () => {
    const r = train(
      modelConfig(3, [dense(2)], 'mse', { training: training({ steps: 3 }) }),
      randomDataset(3, 20, 3, 'mse', 2),
    );
    expect(r.accuracy).toEqual([]);
  });
  it('calls onRecord after each recorded step', () => {
    const seen: number[] = [];
    train(mixedConfig(1), data, { onRecord: (step, result) => seen.push(step, result.recordedSteps.length) });
    expect(seen).toEqual([0, 1, 3, 2, 6, 3, 9, 4, 11, 5]);
  });
  it('layer list: residual block before its children, parents, parameter counts', () => {
    const block: LayerConfig = {
      kind: 'residual',
      path: '/layers/1',
      projection: true,
      projectionInit: { name: 'orthogonal', scale: 1 },
      layers: [dense(5, 'prelu'), { kind: 'batchnorm', path: '/layers/1/layers/1', eps: 1e-5, momentum: 0.1 }],
    };
    const config = modelConfig(3, [dense(4, 'tanh'), block, dense(2)], 'mse', { training: training({ steps: 2 }) });
    const r = train(config, randomDataset(4, 16, 3, 'mse', 2));
    expect(
      r.layers.map((l) => [l.kind, l.parent, l.parameterCount, l.hasWeights, l.inputWidth, l.outputWidth]),
    ).toEqual([
      ['dense', -1, 4 * 3 + 4, true, 3, 4],
      ['residual', -1, 5 * 4, true, 4, 5],
      ['dense', 1, 5 * 4 + 5 + 5, true, 4, 5],
      ['batchnorm', 1, 10, false, 5, 5],
      ['dense', -1, 2 * 5 + 2, true, 5, 2],
    ]);
    expect(r.series[3]!.gradNorm[0]).toBeNaN();
    expect(r.series[3]!.biasGradNorm[0]).toBeGreaterThan(0);
  });
});

describe('step 0', () => {
  it('is the gradient of the first mini-batch at the initial parameters', () => {
    const config = modelConfig(3, [dense(6, 'tanh'), dense(2)], 'mse', {
      training: training({ steps: 3, batchSize: 4 }),
    });
    const trainer = createTrainer(config, randomDataset(5, 10, 3, 'mse', 2));
    const initial = trainer.parameters();
    const batch = trainer.firstBatch();
    while (trainer.step()) {
      /* run */
    }
    const r = trainer.result();
    // Independent evaluation on a separately built model with the same parameters and batch.
    const model = buildModel(config, 4);
    model.parameters().forEach((p, i) => p.data.set(initial[i]!.data));
    model.input.set(batch.x);
    model.target.set(batch.y);
    model.forward(true);
    expect(r.loss[0]).toBeCloseTo(model.computeLoss(), 6);
    model.backward();
    const w = model.parameters()[0]!;
    expect(r.series[0]!.gradNorm[0]).toBeCloseTo(Math.hypot(...w.grad), 6);
    expect(r.series[0]!.weightNorm[0]).toBeCloseTo(Math.hypot(...initial[0]!.data), 5);
    // sgd: ‖ΔW‖ = lr·‖∇W‖
    expect(r.series[0]!.updateRatio[0]).toBeCloseTo(
      (0.05 * Math.hypot(...w.grad)) / Math.hypot(...initial[0]!.data),
      6,
    );
  });

  it('gradNorm is measured before weight decay', () => {
    const base = modelConfig(3, [dense(6, 'tanh'), dense(2)], 'mse', { training: training({ steps: 1 }) });
    const data = randomDataset(5, 10, 3, 'mse', 2);
    const decayed = { ...base, training: { ...base.training, weightDecay: 10 } };
    expect(train(decayed, data).series[0]!.gradNorm[0]).toBe(train(base, data).series[0]!.gradNorm[0]);
  });
});

describe('batches', () => {
  it('uses every sample once per epoch and drops the partial batch', () => {
    const data = randomDataset(6, 14, 2, 'mse', 1);
    const trainer = createTrainer(
      modelConfig(2, [dense(1)], 'mse', { training: training({ steps: 6, batchSize: 4 }) }),
      data,
    );
    const epochs: number[][] = [[], []];
    for (let step = 0; step < 6; step++) {
      trainer.step();
      const x = trainer.model.input;
      for (let r = 0; r < 4; r++) {
        const sample = [...Array(14).keys()].find(
          (i) => data.x[i * 2] === x[r * 2] && data.x[i * 2 + 1] === x[r * 2 + 1],
        )!;
        epochs[Math.floor(step / 3)]!.push(sample);
      }
    }
    for (const epoch of epochs) {
      expect(epoch).toHaveLength(12);
      expect(new Set(epoch).size).toBe(12);
    }
    expect(epochs[0]).not.toEqual(epochs[1]);
  });

  it('shrinks the batch to the sample count', () => {
    const data = randomDataset(7, 3, 2, 'bce', 1);
    const trainer = createTrainer(
      modelConfig(2, [dense(1, 'sigmoid')], 'bce', { training: training({ batchSize: 32 }) }),
      data,
    );
    const first = trainer.firstBatch();
    expect(first.x).toHaveLength(6);
    expect(first.y).toHaveLength(3);
    expect(trainer.model.batchSize).toBe(3);
  });

  it('rejects data that does not fit the model', () => {
    const config = modelConfig(2, [dense(3, 'softmax')], 'crossentropy');
    expect(() => train(config, randomDataset(8, 10, 3, 'crossentropy', 3))).toThrow(/features/);
    expect(() => train(config, randomDataset(8, 10, 2, 'crossentropy', 5))).toThrow(/class/);
  });
});

describe('stopping', () => {
  it('a huge learning rate stops with reason non-finite at a finite step, which is recorded', () => {
    const config = modelConfig(
      4,
      [dense(16, 'relu', { name: 'he_normal' }), dense(16, 'relu', { name: 'he_normal' }), dense(2)],
      'mse',
      {
        optimizer: optimizer({ lr: 1e6 }),
        training: training({ steps: 200, recordEvery: 50 }),
      },
    );
    const r = train(config, randomDataset(9, 64, 4, 'mse', 2));
    expect(r.stopped?.reason).toBe('non-finite');
    const step = r.stopped!.step;
    expect(step).toBeLessThan(200);
    expect(r.stopped!.detail).toMatch(
      new RegExp(`^(loss is (NaN|Infinity)|gradient of /\\S+ is (NaN|Infinity)) at step ${step}$`),
    );
    expect(r.stepsRun).toBe(step + 1);
    expect(r.loss).toHaveLength(step + 1);
    expect(r.recordedSteps[r.recordedSteps.length - 1]).toBe(step);
  });

  it('shouldStop cancels after the current step', () => {
    let calls = 0;
    const r = train(mixedConfig(2), randomDataset(2, 40, 4, 'crossentropy', 3), { shouldStop: () => ++calls >= 2 });
    expect(r.stopped).toMatchObject({ step: 1, reason: 'cancelled' });
    expect(r.stepsRun).toBe(2);
    expect(r.recordedSteps).toEqual([0, 1]);
  });

  it('a long step is abandoned between layers when the stop condition turns true, and not recorded', () => {
    // 4 × dense 512 at batch 256: each step is past CHECKED_STEP_MACS, so it is checked between layers.
    const layers = [dense(512, 'relu'), dense(512, 'relu'), dense(512, 'relu'), dense(2)];
    const config = modelConfig(512, layers, 'crossentropy', { training: training({ steps: 5, batchSize: 256 }) });
    const data = randomDataset(512, 256, 512, 'crossentropy', 2);
    // Asked once between steps and 6 times inside a step (3 forward, 3 backward): true on the 11th call is
    // inside step 1 (calls 8–14), after its forward pass (8–10) and at the second backward check.
    let calls = 0;
    const r = train(config, data, { shouldStop: () => ++calls >= 11 });
    expect(calls).toBe(12);
    expect(r.stopped).toMatchObject({ step: 1, reason: 'cancelled', detail: 'cancelled during step 1' });
    expect(r.stepsRun).toBe(1);
    expect(r.loss).toHaveLength(1);
    expect(r.recordedSteps).toEqual([0]);
  });

  it('small steps are only checked between steps', () => {
    let calls = 0;
    train(mixedConfig(2), randomDataset(2, 40, 4, 'crossentropy', 3), { shouldStop: () => (++calls, false) });
    expect(calls).toBe(mixedConfig(2).training.steps - 1);
  });

  it('a zero time budget stops after step 0', () => {
    const r = train(mixedConfig(2), randomDataset(2, 40, 4, 'crossentropy', 3), { timeBudgetMs: 0 });
    expect(r.stopped).toMatchObject({ step: 0, reason: 'budget' });
    expect(r.recordedSteps).toEqual([0]);
  });
});

describe('clipping', () => {
  function parameterStep(clip: { clipNorm?: number; clipValue?: number }): { delta: number[]; gradNorm: number } {
    const config = modelConfig(3, [dense(5, 'tanh', { name: 'normal', scale: 3 }), dense(2)], 'mse', {
      optimizer: optimizer({ lr: 1 }),
      training: training({ steps: 2, clipNorm: clip.clipNorm ?? null, clipValue: clip.clipValue ?? null }),
    });
    const data = randomDataset(10, 16, 3, 'mse', 2);
    for (let i = 0; i < data.y.length; i++) data.y[i] = data.y[i]! * 50;
    const trainer = createTrainer(config, data);
    const before = trainer.parameters().flatMap((p) => Array.from(p.data));
    trainer.step();
    const after = trainer.model.parameters().flatMap((p) => Array.from(p.data));
    const r = trainer.result();
    return {
      delta: after.map((v, i) => v - before[i]!),
      gradNorm: Math.hypot(...r.series.flatMap((s) => [s.gradNorm[0]!, s.biasGradNorm[0]!])),
    };
  }

  it('clipNorm scales the global gradient norm down to the limit', () => {
    const { delta, gradNorm } = parameterStep({ clipNorm: 0.5 });
    expect(gradNorm).toBeGreaterThan(1);
    expect(Math.hypot(...delta)).toBeCloseTo(0.5, 4);
  });
  it('clipValue bounds every element', () => {
    const { delta } = parameterStep({ clipValue: 0.01 });
    expect(Math.max(...delta.map(Math.abs))).toBeCloseTo(0.01, 6);
  });
});

describe('statistics', () => {
  it('dead and saturated fractions follow the layer activations', () => {
    const deadRelu = { ...dense(6, 'relu'), biasInit: -100 };
    // The dead layer outputs 0, so this layer outputs its bias 1 everywhere, and the tanh layer sees z = 4·10.
    const onesLayer = { ...dense(4, 'linear'), biasInit: 1 };
    const saturatedTanh = dense(6, 'tanh', { name: 'constant', scale: 10 });
    const config = modelConfig(3, [deadRelu, onesLayer, saturatedTanh, dense(1)], 'mse', {
      training: training({ steps: 1 }),
    });
    const r = train(config, randomDataset(11, 16, 3, 'mse', 1));
    expect(r.series[0]!.deadFraction[0]).toBe(1);
    expect(r.series[0]!.saturatedFraction[0]).toBeNaN();
    expect(r.series[2]!.saturatedFraction[0]).toBe(1);
    expect(r.series[2]!.deadFraction[0]).toBeNaN();
    expect(r.series[1]!.deadFraction[0]).toBeNaN();
    expect(r.series[0]!.activationMean[0]).toBe(0);
    expect(r.series[0]!.activationStd[0]).toBe(0);
    expect(r.series.every((s) => s.nonFiniteCount[0] === 0)).toBe(true);
  });

  it('builds on an arena of exactly the measured size, from a supplied factory', () => {
    let arena: Arena | null = null;
    const trainer = createTrainer(mixedConfig(3), randomDataset(2, 40, 4, 'crossentropy', 3), {
      createArena: (floats) => (arena = new Arena(floats)),
    });
    expect(arena).not.toBeNull();
    expect(arena!.usedFloats).toBeGreaterThan(0);
    expect(arena!.usedFloats).toBeLessThanOrEqual(arena!.capacity);
    expect(arena!.capacity - arena!.usedFloats).toBeLessThan(4);
    expect(trainer.model.parameters()[0]!.data.buffer).toBe(arena!.buffer);
  });
});

describe('vanishing gradients (classic sanity check)', () => {
  const data = randomDataset(12, 64, 8, 'mse', 1);
  function ratioFirstToLast(config: ModelConfig): number {
    const r = train(config, data);
    const dense = r.layers.map((l, i) => (l.kind === 'dense' ? i : -1)).filter((i) => i >= 0);
    return r.series[dense[0]!]!.gradNorm[0]! / r.series[dense[dense.length - 2]!]!.gradNorm[0]!;
  }
  it('20 sigmoid layers with glorot init: the first layer gets orders of magnitude less gradient', () => {
    expect(ratioFirstToLast(deepNet(20, 'sigmoid', 'glorot_uniform'))).toBeLessThan(1e-4);
  });
  it('20 relu layers with he_normal init: no such collapse', () => {
    expect(ratioFirstToLast(deepNet(20, 'relu', 'he_normal'))).toBeGreaterThan(1e-2);
  });
});
