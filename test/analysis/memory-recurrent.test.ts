/** The memory estimate of recurrent and LayerNorm layers against the engine's own sizing build. */
import { describe, expect, it } from 'vitest';
import { memoryParts } from '../../src/analysis/memory';
import { SizingArena } from '../../src/engine/arena';
import type { LayerConfig, ModelConfig } from '../../src/engine/config';
import { Model } from '../../src/engine/model';
import { Optimizer } from '../../src/engine/optimizer';
import { probeSize } from '../../src/engine/probe';
import { Rng } from '../../src/engine/rng';
import type { DataSpec } from '../../src/spec';
import { dense, optimizer, training } from '../engine/helpers';
import { layernorm, recurrent, sequenceConfig } from '../engine/recurrent-helpers';

const SAMPLES = 300;
const DATA = { source: 'teacher', samples: SAMPLES } as DataSpec;

/** Bytes the engine's sizing build counts for the training arena, as test/analysis/memory.test.ts measures them. */
function arenaBytes(config: ModelConfig): number {
  const arena = new SizingArena();
  const build = { arena, initRng: new Rng(1), dropoutRng: new Rng(2), inputGradient: false, initialize: false };
  const model = new Model(config, { ...build, batchSize: config.training.batchSize });
  new Optimizer(config.optimizer, 0, model.parameters(), arena);
  new Model(config, { ...build, batchSize: probeSize(SAMPLES), shareWith: model });
  return 4 * arena.usedFloats;
}

function estimatedArenaBytes(config: ModelConfig): number {
  return memoryParts(config, DATA)
    .filter((part) => part.path === '/training/batchSize' || part.path.startsWith('/layers/'))
    .reduce((sum, part) => sum + part.bytes, 0);
}

function config(steps: number, features: number, layers: LayerConfig[]): ModelConfig {
  return {
    ...sequenceConfig(steps, features, layers),
    optimizer: optimizer({ type: 'adam', lr: 0.001 }),
    training: training({ batchSize: 32 }),
  };
}

const MODELS: Record<string, ModelConfig> = {
  'lstm 64 over 50 steps (first layer)': config(50, 8, [recurrent('lstm', 64), dense(1)]),
  'layernorm first, gru with sequences, layernorm, relu simple_rnn': config(20, 4, [
    layernorm(),
    recurrent('gru', 32, { returnSequences: true }),
    layernorm(),
    recurrent('simple_rnn', 16, { activation: { name: 'relu', alpha: 1 } }),
    dense(3),
  ]),
  'layernorm on [features] in a residual block': {
    ...config(1, 24, []),
    inputShape: [24],
    layers: [
      {
        kind: 'residual',
        path: '/layers/9',
        projection: false,
        projectionInit: { name: 'glorot_uniform', scale: 1 },
        layers: [layernorm(), dense(24, 'relu')],
      },
      dense(1),
    ],
  },
};

describe('memory estimate of recurrent and LayerNorm layers', () => {
  it.each(Object.keys(MODELS))("is within 1%% of the engine's arena: %s", (name) => {
    const model = MODELS[name]!;
    const real = arenaBytes(model);
    const estimate = estimatedArenaBytes(model);
    expect(Math.abs(estimate - real) / real).toBeLessThan(0.01);
  });

  it('says what the recurrent layer holds', () => {
    const part = memoryParts(MODELS['lstm 64 over 50 steps (first layer)']!, DATA).find(
      (p) => p.path === MODELS['lstm 64 over 50 steps (first layer)']!.layers[0]!.path,
    );
    expect(part!.why).toContain('50 steps × 256 gate units');
  });
});
