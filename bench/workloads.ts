/**
 * The four benchmark workloads and what every implementation shares: layer shapes, the flop count, and one
 * starting point (batch + initial parameters) generated once from a seeded Rng and copied into each contender.
 */
import type { ActivationName, Dataset, DenseConfig, ModelConfig, OptimizerConfig } from '../src/engine/config';
import { Rng } from '../src/engine/rng';

export type HiddenActivation = 'sigmoid' | 'relu' | 'tanh';
export type BenchLoss = 'mse' | 'crossentropy';

export interface Workload {
  name: string;
  input: number;
  hiddenLayers: number;
  hiddenUnits: number;
  hiddenActivation: HiddenActivation;
  outputs: number;
  loss: BenchLoss;
  batch: number;
}

export const WORKLOADS: Workload[] = [
  {
    name: 'W1',
    input: 32,
    hiddenLayers: 30,
    hiddenUnits: 64,
    hiddenActivation: 'sigmoid',
    outputs: 1,
    loss: 'mse',
    batch: 128,
  },
  {
    name: 'W2',
    input: 64,
    hiddenLayers: 10,
    hiddenUnits: 256,
    hiddenActivation: 'relu',
    outputs: 10,
    loss: 'crossentropy',
    batch: 256,
  },
  {
    name: 'W3',
    input: 784,
    hiddenLayers: 3,
    hiddenUnits: 1024,
    hiddenActivation: 'relu',
    outputs: 10,
    loss: 'crossentropy',
    batch: 512,
  },
  {
    name: 'W4',
    input: 2,
    hiddenLayers: 8,
    hiddenUnits: 16,
    hiddenActivation: 'tanh',
    outputs: 1,
    loss: 'mse',
    batch: 32,
  },
];

/** Plain SGD, no momentum, for every contender. */
export const LEARNING_RATE = 0.01;
/** Plain SGD at LEARNING_RATE, every contender's optimizer in the benches. */
export const BENCH_SGD: OptimizerConfig = {
  type: 'sgd',
  lr: LEARNING_RATE,
  momentum: 0,
  nesterov: false,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  rho: 0.99,
};

/**
 * Activation the engine's output layer gets for cross-entropy. The output is logits and the loss applies the
 * softmax itself (fused softmax + cross-entropy, gradient (softmax − onehot)/B), as PyTorch's CrossEntropyLoss
 * and tf.losses.softmaxCrossEntropy do.
 */
export const CROSSENTROPY_OUTPUT_ACTIVATION: ActivationName = 'softmax';

export interface DenseShape {
  inputs: number;
  outputs: number;
  /** 'linear' for the output layer (the loss applies any softmax). */
  activation: HiddenActivation | 'linear';
}

export function denseShapes(w: Workload): DenseShape[] {
  const shapes: DenseShape[] = [];
  let width = w.input;
  for (let l = 0; l < w.hiddenLayers; l++) {
    shapes.push({ inputs: width, outputs: w.hiddenUnits, activation: w.hiddenActivation });
    width = w.hiddenUnits;
  }
  shapes.push({ inputs: width, outputs: w.outputs, activation: 'linear' });
  return shapes;
}

/** 6·B·in·out per dense layer and step: 2 forward (Y = XWᵀ), 2 for dX = dZ·W, 2 for dW = dZᵀX. */
export function flopsPerStep(w: Workload): number {
  return denseShapes(w).reduce((sum, s) => sum + 6 * w.batch * s.inputs * s.outputs, 0);
}

/** One batch and one set of initial parameters, in the engine's layout: W is out×in row-major. */
export interface SharedStart {
  /** batch × input, row-major. */
  x: Float32Array;
  /** mse: batch × outputs targets; crossentropy: batch class indices. */
  y: Float32Array;
  weights: Float32Array[];
  biases: Float32Array[];
}

export function makeSharedStart(w: Workload, seed: number): SharedStart {
  const rng = new Rng(seed);
  const x = new Float32Array(w.batch * w.input);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const y = new Float32Array(w.loss === 'mse' ? w.batch * w.outputs : w.batch);
  for (let i = 0; i < y.length; i++) y[i] = w.loss === 'mse' ? rng.normal() : rng.int(w.outputs);
  const weights: Float32Array[] = [];
  const biases: Float32Array[] = [];
  for (const shape of denseShapes(w)) {
    // He scale for ReLU, Glorot-like 1/fan_in otherwise: keeps step-0 activations in a sane range.
    const std = Math.sqrt((shape.activation === 'relu' ? 2 : 1) / shape.inputs);
    const weight = new Float32Array(shape.outputs * shape.inputs);
    for (let i = 0; i < weight.length; i++) weight[i] = std * rng.normal();
    const bias = new Float32Array(shape.outputs);
    for (let i = 0; i < bias.length; i++) bias[i] = rng.range(-0.1, 0.1);
    weights.push(weight);
    biases.push(bias);
  }
  return { x, y, weights, biases };
}

/** The dataset is exactly one batch, so any batch the engine draws from it (in any order) is the shared batch. */
export function toDataset(w: Workload, start: SharedStart): Dataset {
  return {
    x: start.x,
    y: start.y,
    samples: w.batch,
    features: w.input,
    targetWidth: w.loss === 'mse' ? w.outputs : 1,
    classes: w.loss === 'mse' ? 0 : w.outputs,
  };
}

/** The resolved engine config of a workload (no spec parsing). recordEvery is huge: only step 0 is recorded in full. */
export function toModelConfig(w: Workload, steps: number, seed: number): ModelConfig {
  const layers: DenseConfig[] = denseShapes(w).map((shape, index) => ({
    kind: 'dense',
    path: `/layers/${index}`,
    units: shape.outputs,
    activation: {
      name:
        shape.activation === 'linear' && w.loss === 'crossentropy' ? CROSSENTROPY_OUTPUT_ACTIVATION : shape.activation,
      alpha: 0,
    },
    init: { name: shape.activation === 'relu' ? 'he_normal' : 'glorot_normal', scale: 1 },
    biasInit: 0,
  }));
  return {
    input: w.input,
    layers,
    loss: w.loss,
    optimizer: BENCH_SGD,
    training: {
      steps,
      batchSize: w.batch,
      seed,
      weightDecay: 0,
      clipNorm: null,
      clipValue: null,
      recordEvery: 1e9,
    },
  };
}

/** What every contender reports for its first step on the shared start: the cheap correctness check. */
export interface StepCheck {
  loss: number;
  /** ‖∂loss/∂W‖ of the first and the last dense layer. */
  firstGradNorm: number;
  lastGradNorm: number;
}
