/** Config builders and model factories for the recurrent and LayerNorm tests, on either backend. */
import { Arena, MeasuringArena } from '../../src/engine/arena';
import type { InitConfig, LayerConfig, LayerNormConfig, ModelConfig, RecurrentConfig } from '../../src/engine/config';
import { Model } from '../../src/engine/model';
import { Rng } from '../../src/engine/rng';
import { WasmBackend } from '../../src/engine/wasm/wasm-backend';
import { buildModel, modelConfig } from './helpers';

let counter = 0;

export function recurrent(
  kind: RecurrentConfig['kind'],
  units: number,
  overrides: Partial<Omit<RecurrentConfig, 'kind'>> = {},
): RecurrentConfig {
  return {
    kind,
    path: `/layers/r${counter++}`,
    units,
    activation: { name: 'tanh', alpha: 1 },
    init: { name: 'glorot_uniform', scale: 1 },
    recurrentInit: { name: 'orthogonal', scale: 1 },
    biasInit: 0,
    forgetBias: 1,
    returnSequences: false,
    ...overrides,
  };
}

export function layernorm(eps = 1e-5): LayerNormConfig {
  return { kind: 'layernorm', path: `/layers/n${counter++}`, eps };
}

export function init(name: InitConfig['name'], scale = 1): InitConfig {
  return { name, scale };
}

/** A model on [steps, features] samples. */
export function sequenceConfig(
  steps: number,
  features: number,
  layers: LayerConfig[],
  loss: ModelConfig['loss'] = 'mse',
): ModelConfig {
  return modelConfig(steps * features, layers, loss, { inputShape: [steps, features] });
}

export type BackendChoice = 'js' | 'wasm';

/** Built as the trainer builds it: on the pure-TypeScript kernels, or with every buffer in the wasm memory. */
export function buildOn(backend: BackendChoice, config: ModelConfig, batch: number, seed = 7): Model {
  if (backend === 'js') return buildModel(config, batch, seed);
  const measuring = new MeasuringArena();
  new Model(config, { batchSize: batch, arena: measuring, initRng: new Rng(seed), dropoutRng: new Rng(seed + 1) });
  const kernels = WasmBackend.create(measuring.usedFloats);
  if (!kernels) throw new Error('WebAssembly SIMD is unavailable');
  const arena = new Arena(measuring.usedFloats, kernels.buffer);
  return new Model(config, {
    batchSize: batch,
    arena,
    initRng: new Rng(seed),
    dropoutRng: new Rng(seed + 1),
    backend: kernels,
  });
}

/** Overwrites every bias-like tensor with N(0, scale²) so that zero biases cannot hide a wrong term. */
export function randomizeBiases(model: Model, seed: number, scale = 0.5): void {
  const rng = new Rng(seed);
  for (const p of model.parameters()) {
    if (p.name === 'bias' || p.name === 'recurrentBias' || p.name === 'beta' || p.name === 'gamma') {
      for (let i = 0; i < p.data.length; i++) p.data[i] = (p.name === 'gamma' ? 1 : 0) + scale * rng.normal();
    }
  }
}
