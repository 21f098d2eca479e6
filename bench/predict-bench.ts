/**
 * Static-prediction timing: predictGradientFlow on 200-layer specs (target < 5 ms each, it runs on keystrokes).
 *   npx esbuild bench/predict-bench.ts --bundle --platform=node --outfile=/tmp/predictbench.js && node /tmp/predictbench.js
 * Reports the median and best of many calls after a warm-up, per spec.
 */
import { predictGradientFlow } from '../src/analysis/predict';
import type { ActivationName, InitConfig, LayerConfig, ModelConfig } from '../src/engine/config';

const WARMUP_CALLS = 20;
const TIMED_CALLS = 200;
const DEPTH = 200;

export interface PredictTiming {
  name: string;
  layers: number;
  medianMs: number;
  bestMs: number;
}

function dense(index: string, units: number, activation: ActivationName, init: InitConfig): LayerConfig {
  return {
    kind: 'dense',
    path: `/layers/${index}`,
    units,
    activation: { name: activation, alpha: activation === 'leaky_relu' ? 0.01 : 1 },
    init,
    biasInit: 0,
  };
}

function spec(layers: LayerConfig[]): ModelConfig {
  return {
    input: 2,
    layers,
    loss: 'bce',
    optimizer: { type: 'sgd', lr: 0.1, momentum: 0, nesterov: false, beta1: 0.9, beta2: 0.999, eps: 1e-8, rho: 0.99 },
    training: { steps: 100, batchSize: 64, seed: 1, weightDecay: 0, clipNorm: null, clipValue: null, recordEvery: 1 },
  };
}

/** A plain MLP of DEPTH dense layers (the last one the sigmoid output). */
function plain(activation: ActivationName, init: InitConfig): ModelConfig {
  const layers = Array.from({ length: DEPTH - 1 }, (_, i) => dense(String(i), 64, activation, init));
  return spec([...layers, dense(String(DEPTH - 1), 1, 'sigmoid', { name: 'glorot_uniform', scale: 1 })]);
}

/** DEPTH layers as dense(linear) → batchnorm → activation(sigmoid) triples. */
function batchNormed(): ModelConfig {
  const layers: LayerConfig[] = [];
  for (let i = 0; layers.length < DEPTH - 1; i++) {
    layers.push(dense(String(layers.length), 64, 'linear', { name: 'glorot_uniform', scale: 1 }));
    layers.push({ kind: 'batchnorm', path: `/layers/${layers.length}`, eps: 1e-5, momentum: 0.1 });
    layers.push({ kind: 'activation', path: `/layers/${layers.length}`, activation: { name: 'sigmoid', alpha: 1 } });
  }
  return spec([
    ...layers.slice(0, DEPTH - 1),
    dense(String(DEPTH - 1), 1, 'sigmoid', { name: 'glorot_uniform', scale: 1 }),
  ]);
}

/** Residual blocks of two tanh dense layers (3 nodes each) up to DEPTH nodes. */
function residual(): ModelConfig {
  const layers: LayerConfig[] = [];
  for (let block = 0; 3 * block < DEPTH - 3; block++) {
    const path = `/layers/${block}`;
    layers.push({
      kind: 'residual',
      path,
      projection: false,
      projectionInit: { name: 'glorot_uniform', scale: 1 },
      layers: [
        dense(`${block}/layers/0`, 64, 'tanh', { name: 'glorot_uniform', scale: 1 }),
        dense(`${block}/layers/1`, 64, 'linear', { name: 'normal', scale: 0.05 }),
      ],
    });
  }
  return spec([
    dense('first', 64, 'tanh', { name: 'glorot_uniform', scale: 1 }),
    ...layers,
    dense('last', 1, 'sigmoid', { name: 'glorot_uniform', scale: 1 }),
  ]);
}

function countNodes(layers: LayerConfig[]): number {
  return layers.reduce((n, l) => n + 1 + (l.kind === 'residual' ? countNodes(l.layers) : 0), 0);
}

function time(name: string, config: ModelConfig): PredictTiming {
  for (let i = 0; i < WARMUP_CALLS; i++) predictGradientFlow(config);
  const samples: number[] = [];
  for (let i = 0; i < TIMED_CALLS; i++) {
    const start = performance.now();
    predictGradientFlow(config);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { name, layers: countNodes(config.layers), medianMs: samples[samples.length >> 1]!, bestMs: samples[0]! };
}

export function benchPredict(): PredictTiming[] {
  return [
    time('tanh, glorot_uniform', plain('tanh', { name: 'glorot_uniform', scale: 1 })),
    time('sigmoid, glorot_uniform', plain('sigmoid', { name: 'glorot_uniform', scale: 1 })),
    time('relu, he_normal', plain('relu', { name: 'he_normal', scale: 1 })),
    time('gelu, normal(1) (exploding)', plain('gelu', { name: 'normal', scale: 1 })),
    time('dense → batchnorm → sigmoid', batchNormed()),
    time('residual tanh blocks', residual()),
    time('tanh, constant(0.05) (symmetric)', plain('tanh', { name: 'constant', scale: 0.05 })),
  ];
}

const isMain = typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module;
if (isMain) {
  for (const t of benchPredict()) {
    console.log(
      `${t.name.padEnd(36)} ${String(t.layers).padStart(4)} layers   median ${t.medianMs.toFixed(3)} ms   best ${t.bestMs.toFixed(3)} ms`,
    );
  }
}
