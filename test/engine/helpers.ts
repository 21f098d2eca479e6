/** Test helpers for the engine: random data sets, config builders, and a finite-difference gradient checker. */
import { Arena, MeasuringArena } from '../../src/engine/arena';
import type {
  ActivationName,
  Dataset,
  DenseConfig,
  InitConfig,
  LayerConfig,
  LossName,
  ModelConfig,
  OptimizerConfig,
  TrainingConfig,
} from '../../src/engine/config';
import { Model } from '../../src/engine/model';
import { Rng } from '../../src/engine/rng';

/** Random regression or classification data: x ~ N(0,1); y depends on the loss. */
export function randomDataset(
  seed: number,
  samples: number,
  features: number,
  loss: LossName,
  outputs: number,
): Dataset {
  const rng = new Rng(seed);
  const x = new Float32Array(samples * features);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const targetWidth = loss === 'crossentropy' ? 1 : outputs;
  const y = new Float32Array(samples * targetWidth);
  for (let i = 0; i < y.length; i++) {
    if (loss === 'mse') y[i] = rng.normal();
    else if (loss === 'bce') y[i] = rng.uniform() < 0.5 ? 0 : 1;
    else y[i] = rng.int(outputs);
  }
  return { x, y, samples, features, targetWidth, classes: loss === 'mse' ? 0 : Math.max(2, outputs) };
}

let pathCounter = 0;

export function dense(
  units: number,
  activation: ActivationName = 'linear',
  init: Partial<InitConfig> = {},
  alpha = defaultAlpha(activation),
): DenseConfig {
  return {
    kind: 'dense',
    path: `/layers/${pathCounter++}`,
    units,
    activation: { name: activation, alpha },
    init: { name: init.name ?? 'glorot_uniform', scale: init.scale ?? 1 },
    biasInit: 0,
  };
}

export function defaultAlpha(name: ActivationName): number {
  if (name === 'leaky_relu') return 0.01;
  if (name === 'prelu') return 0.25;
  return 1;
}

export function optimizer(overrides: Partial<OptimizerConfig> = {}): OptimizerConfig {
  return {
    type: 'sgd',
    lr: 0.05,
    momentum: 0,
    nesterov: false,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    rho: 0.99,
    ...overrides,
  };
}

export function training(overrides: Partial<TrainingConfig> = {}): TrainingConfig {
  return {
    steps: 10,
    batchSize: 8,
    seed: 1,
    weightDecay: 0,
    clipNorm: null,
    clipValue: null,
    recordEvery: 1,
    ...overrides,
  };
}

export function modelConfig(
  input: number,
  layers: LayerConfig[],
  loss: LossName = 'mse',
  overrides: Partial<ModelConfig> = {},
): ModelConfig {
  return { input, layers, loss, optimizer: optimizer(), training: training(), ...overrides };
}

/** Builds a model on an exactly sized arena (measured first), as the trainer does. */
export function buildModel(config: ModelConfig, batchSize: number, seed = 7): Model {
  const measuring = new MeasuringArena();
  new Model(config, { batchSize, arena: measuring, initRng: new Rng(seed), dropoutRng: new Rng(seed + 1) });
  const arena = new Arena(measuring.usedFloats);
  return new Model(config, { batchSize, arena, initRng: new Rng(seed), dropoutRng: new Rng(seed + 1) });
}

/** Fills the model's input with N(0, scale²) and its targets with values valid for its loss. */
export function fillBatch(model: Model, seed: number, scale = 1): void {
  const rng = new Rng(seed);
  for (let i = 0; i < model.input.length; i++) model.input[i] = scale * rng.normal();
  for (let i = 0; i < model.target.length; i++) {
    if (model.config.loss === 'mse') model.target[i] = rng.normal();
    else if (model.config.loss === 'bce') model.target[i] = rng.uniform() < 0.5 ? 0 : 1;
    else model.target[i] = rng.int(model.outputWidth);
  }
}

export interface GradientMismatch {
  tensor: string;
  index: number;
  analytic: number;
  numeric: number;
}

export interface GradientReport {
  /** ‖numeric − analytic‖ / max(‖numeric‖, ‖analytic‖, 10·atol·√n) per checked tensor. */
  relativeErrors: Record<string, number>;
  /** Elements outside atol + rtol·|numeric|. */
  mismatches: GradientMismatch[];
  /** Number of checked elements (guards against checking nothing). */
  checked: number;
}

export interface CheckOptions {
  h?: number;
  rtol?: number;
  atol?: number;
  /** Include ∂loss/∂input (default true). */
  input?: boolean;
}

function lossAt(model: Model): number {
  model.forward(true);
  return model.computeLoss();
}

/**
 * Central differences (f(w+h) − f(w−h)) / (w₊ − w₋) on every parameter element and input element, where
 * w₊, w₋ are the float32-rounded perturbed values actually used; the loss is accumulated in float64 by the engine.
 */
export function checkGradients(model: Model, options: CheckOptions = {}): GradientReport {
  const { h = 1e-2, rtol = 2e-2, atol = 2e-4, input = true } = options;
  lossAt(model);
  model.backward();
  const targets = model
    .parameters()
    .map((p) => ({ label: `${p.path}:${p.name}`, data: p.data, analytic: p.grad.slice() }));
  if (input) targets.push({ label: 'input', data: model.input, analytic: model.inputGrad.slice() });
  const report: GradientReport = { relativeErrors: {}, mismatches: [], checked: 0 };
  for (const { label, data, analytic } of targets) {
    const numeric = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const original = data[i]!;
      data[i] = original + h;
      const plus = data[i]!;
      const lossPlus = lossAt(model);
      data[i] = original - h;
      const minus = data[i]!;
      const lossMinus = lossAt(model);
      data[i] = original;
      numeric[i] = (lossPlus - lossMinus) / (plus - minus);
      if (Math.abs(numeric[i]! - analytic[i]!) > atol + rtol * Math.abs(numeric[i]!)) {
        report.mismatches.push({ tensor: label, index: i, analytic: analytic[i]!, numeric: numeric[i]! });
      }
      report.checked++;
    }
    report.relativeErrors[label] = relativeError(numeric, analytic, 10 * atol * Math.sqrt(data.length));
  }
  lossAt(model);
  model.backward();
  return report;
}

function relativeError(a: Float64Array, b: Float32Array, floor: number): number {
  let diff = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  // A floor keeps gradients that are truly ~0 (a bias in front of BatchNorm) from comparing noise with noise.
  const scale = Math.max(Math.sqrt(na), Math.sqrt(nb), floor);
  return Math.sqrt(diff) / scale;
}
