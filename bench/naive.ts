/**
 * The baseline a first-year student would write: one Float32Array per tensor and plain i, j, k triple loops.
 * Same math as the engine: forward, loss, backward, per-layer gradient norms, plain SGD.
 * Conventions (PyTorch's): MSE is the mean over batch × outputs; cross-entropy takes logits (softmax fused)
 * and is the mean over the batch.
 */
import type { DenseShape, SharedStart, StepCheck, Workload } from './workloads';
import { denseShapes } from './workloads';

interface NaiveLayer {
  shape: DenseShape;
  /** out × in */
  weight: Float32Array;
  bias: Float32Array;
  /** Layer output after the activation, batch × out (for the output layer: the logits / prediction). */
  output: Float32Array;
  /** ∂loss/∂(pre-activation), batch × out. */
  gradPre: Float32Array;
  /** ∂loss/∂W, out × in; ∂loss/∂b, out. */
  gradWeight: Float32Array;
  gradBias: Float32Array;
}

export class NaiveMlp {
  private readonly layers: NaiveLayer[];
  private readonly batch: number;
  /** ∂loss/∂(layer input) scratch, batch × widest input. */
  private readonly gradInput: Float32Array;
  /** Gradient norms of the last step: weight and bias per layer. */
  readonly weightGradNorms: number[];
  readonly biasGradNorms: number[];

  constructor(
    private readonly workload: Workload,
    start: SharedStart,
    private readonly lr: number,
  ) {
    this.batch = workload.batch;
    this.layers = denseShapes(workload).map((shape, l) => ({
      shape,
      weight: Float32Array.from(start.weights[l]!),
      bias: Float32Array.from(start.biases[l]!),
      output: new Float32Array(this.batch * shape.outputs),
      gradPre: new Float32Array(this.batch * shape.outputs),
      gradWeight: new Float32Array(shape.outputs * shape.inputs),
      gradBias: new Float32Array(shape.outputs),
    }));
    const widest = Math.max(...this.layers.map((layer) => layer.shape.inputs));
    this.gradInput = new Float32Array(this.batch * widest);
    this.weightGradNorms = this.layers.map(() => 0);
    this.biasGradNorms = this.layers.map(() => 0);
  }

  /** One training step on (x, y); returns the loss before the update. */
  step(x: Float32Array, y: Float32Array): number {
    this.forward(x);
    const loss = this.lossAndOutputGradient(y);
    this.backward(x);
    this.computeNorms();
    this.updateWeights();
    return loss;
  }

  check(x: Float32Array, y: Float32Array): StepCheck {
    const loss = this.step(x, y);
    return {
      loss,
      firstGradNorm: this.weightGradNorms[0]!,
      lastGradNorm: this.weightGradNorms[this.layers.length - 1]!,
    };
  }

  private forward(x: Float32Array): void {
    let input = x;
    for (const layer of this.layers) {
      const { inputs, outputs, activation } = layer.shape;
      for (let i = 0; i < this.batch; i++) {
        for (let j = 0; j < outputs; j++) {
          let sum = layer.bias[j]!;
          for (let k = 0; k < inputs; k++) sum += input[i * inputs + k]! * layer.weight[j * inputs + k]!;
          layer.output[i * outputs + j] = activate(activation, sum);
        }
      }
      input = layer.output;
    }
  }

  /** Loss of the batch; writes ∂loss/∂logits into the output layer's gradPre. */
  private lossAndOutputGradient(y: Float32Array): number {
    const last = this.layers[this.layers.length - 1]!;
    const outputs = last.shape.outputs;
    const prediction = last.output;
    const grad = last.gradPre;
    let loss = 0;
    if (this.workload.loss === 'mse') {
      const count = this.batch * outputs;
      for (let i = 0; i < count; i++) {
        const diff = prediction[i]! - y[i]!;
        loss += diff * diff;
        grad[i] = (2 * diff) / count; // d/dŷ of mean((ŷ − y)²)
      }
      return loss / count;
    }
    for (let i = 0; i < this.batch; i++) {
      let max = -Infinity;
      for (let j = 0; j < outputs; j++) max = Math.max(max, prediction[i * outputs + j]!);
      let sumExp = 0;
      for (let j = 0; j < outputs; j++) sumExp += Math.exp(prediction[i * outputs + j]! - max);
      const target = y[i]!;
      for (let j = 0; j < outputs; j++) {
        const probability = Math.exp(prediction[i * outputs + j]! - max) / sumExp;
        grad[i * outputs + j] = (probability - (j === target ? 1 : 0)) / this.batch; // (softmax − onehot)/B
      }
      loss += Math.log(sumExp) + max - prediction[i * outputs + target]!;
    }
    return loss / this.batch;
  }

  private backward(x: Float32Array): void {
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const layer = this.layers[l]!;
      const { inputs, outputs } = layer.shape;
      const input = l === 0 ? x : this.layers[l - 1]!.output;
      // dW[j][k] = Σ_i dZ[i][j]·X[i][k];  db[j] = Σ_i dZ[i][j]
      for (let j = 0; j < outputs; j++) {
        for (let k = 0; k < inputs; k++) {
          let sum = 0;
          for (let i = 0; i < this.batch; i++) sum += layer.gradPre[i * outputs + j]! * input[i * inputs + k]!;
          layer.gradWeight[j * inputs + k] = sum;
        }
        let biasSum = 0;
        for (let i = 0; i < this.batch; i++) biasSum += layer.gradPre[i * outputs + j]!;
        layer.gradBias[j] = biasSum;
      }
      if (l === 0) continue;
      // dX[i][k] = Σ_j dZ[i][j]·W[j][k], then the previous layer's dZ = dX ⊙ f'(its output)
      const previous = this.layers[l - 1]!;
      for (let i = 0; i < this.batch; i++) {
        for (let k = 0; k < inputs; k++) {
          let sum = 0;
          for (let j = 0; j < outputs; j++) sum += layer.gradPre[i * outputs + j]! * layer.weight[j * inputs + k]!;
          this.gradInput[i * inputs + k] = sum;
        }
      }
      for (let i = 0; i < this.batch * inputs; i++) {
        previous.gradPre[i] = this.gradInput[i]! * derivativeFromOutput(previous.shape.activation, previous.output[i]!);
      }
    }
  }

  private computeNorms(): void {
    this.layers.forEach((layer, l) => {
      this.weightGradNorms[l] = euclideanNorm(layer.gradWeight);
      this.biasGradNorms[l] = euclideanNorm(layer.gradBias);
    });
  }

  private updateWeights(): void {
    for (const layer of this.layers) {
      for (let i = 0; i < layer.weight.length; i++) layer.weight[i] = layer.weight[i]! - this.lr * layer.gradWeight[i]!;
      for (let i = 0; i < layer.bias.length; i++) layer.bias[i] = layer.bias[i]! - this.lr * layer.gradBias[i]!;
    }
  }
}

function activate(activation: DenseShape['activation'], z: number): number {
  switch (activation) {
    case 'sigmoid':
      return 1 / (1 + Math.exp(-z));
    case 'tanh':
      return Math.tanh(z);
    case 'relu':
      return z > 0 ? z : 0;
    case 'linear':
      return z;
  }
}

/** f'(z) written through a = f(z): sigmoid a(1−a), tanh 1−a², relu [a > 0]. */
function derivativeFromOutput(activation: DenseShape['activation'], a: number): number {
  switch (activation) {
    case 'sigmoid':
      return a * (1 - a);
    case 'tanh':
      return 1 - a * a;
    case 'relu':
      return a > 0 ? 1 : 0;
    case 'linear':
      return 1;
  }
}

function euclideanNorm(values: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! * values[i]!;
  return Math.sqrt(sum);
}
