/**
 * The same training step in TensorFlow.js on its WebAssembly backend (single-threaded; the SIMD build when the
 * runtime supports it, which Node 20 does). Weights are [in, out] variables as tf.layers.dense keeps them, the
 * bias add is fused into the matMul (tf.fused.matMul, what tf.layers uses), the activation applied apart (TF.js
 * fuses only 'linear' under gradients). Each step: tf.variableGrads, tf.norm per gradient, manual SGD, and
 * dataSync of loss and norms so the work is really done.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import './tfjs-gradients';
import type { DenseShape, SharedStart, StepCheck, Workload } from './workloads';
import { denseShapes } from './workloads';

export interface TfjsInfo {
  version: string;
  backend: string;
  simd: boolean;
  threads: boolean;
}

/** Loads the wasm binaries from the installed package folder (never from the network). */
export async function initTfjsWasm(): Promise<TfjsInfo> {
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
  setWasmPaths(wasmDir);
  // Node has no wasm threads in TF.js anyway (tfjs#3830); set it so the single-threaded build is certain.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('TF.js wasm backend failed to initialise');
  await tf.ready();
  return {
    version: tf.version_core,
    backend: tf.getBackend(),
    simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    threads: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
  };
}

let modelCounter = 0;

export class TfjsMlp {
  private readonly shapes: DenseShape[];
  private readonly weights: tf.Variable[];
  private readonly biases: tf.Variable[];
  private readonly x: tf.Tensor2D;
  /** mse: batch × outputs targets; crossentropy: batch × classes one-hot. */
  private readonly y: tf.Tensor2D;
  private readonly lr: tf.Scalar;

  constructor(
    private readonly workload: Workload,
    start: SharedStart,
    lr: number,
  ) {
    const id = modelCounter++;
    this.shapes = denseShapes(workload);
    // Shared weights are out × in; TF.js dense layers keep in × out, hence the transpose at copy time.
    this.weights = this.shapes.map((s, l) =>
      tf.tidy(() =>
        tf.variable(tf.transpose(tf.tensor2d(start.weights[l]!, [s.outputs, s.inputs])), true, `m${id}_W${l}`),
      ),
    );
    this.biases = this.shapes.map((_, l) => tf.variable(tf.tensor1d(start.biases[l]!), true, `m${id}_b${l}`));
    this.x = tf.tensor2d(start.x, [workload.batch, workload.input]);
    this.y =
      workload.loss === 'mse'
        ? tf.tensor2d(start.y, [workload.batch, workload.outputs])
        : tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(start.y, 'int32'), workload.outputs), 'float32') as tf.Tensor2D);
    this.lr = tf.scalar(lr);
  }

  /** One step; returns loss and the weight-gradient norm of every layer (biases' norms are computed too). */
  step(): { loss: number; weightGradNorms: Float32Array } {
    const variables = [...this.weights, ...this.biases];
    const [lossTensor, normsTensor] = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => this.lossOf(), variables);
      const norms = variables.map((v) => tf.norm(grads[v.name]!));
      for (const v of variables) v.assign(tf.sub(v, tf.mul(grads[v.name]!, this.lr)));
      return [value, tf.stack(norms)];
    });
    const loss = lossTensor.dataSync()[0]!;
    const norms = normsTensor.dataSync() as Float32Array;
    lossTensor.dispose();
    normsTensor.dispose();
    return { loss, weightGradNorms: norms.subarray(0, this.weights.length) };
  }

  check(): StepCheck {
    const { loss, weightGradNorms } = this.step();
    return { loss, firstGradNorm: weightGradNorms[0]!, lastGradNorm: weightGradNorms[weightGradNorms.length - 1]! };
  }

  dispose(): void {
    for (const t of [...this.weights, ...this.biases, this.x, this.y, this.lr]) t.dispose();
  }

  private lossOf(): tf.Scalar {
    let h: tf.Tensor2D = this.x;
    this.shapes.forEach((shape, l) => {
      const z = tf.fused.matMul({ a: h, b: this.weights[l]! as tf.Tensor2D, bias: this.biases[l]! }) as tf.Tensor2D;
      h = applyActivation(shape.activation, z);
    });
    if (this.workload.loss === 'mse') return tf.mean(tf.squaredDifference(h, this.y));
    // Fused softmax + cross-entropy on logits, mean over the batch.
    return tf.losses.softmaxCrossEntropy(this.y, h) as tf.Scalar;
  }
}

function applyActivation(activation: DenseShape['activation'], z: tf.Tensor2D): tf.Tensor2D {
  switch (activation) {
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'tanh':
      return tf.tanh(z);
    case 'relu':
      return tf.relu(z);
    case 'linear':
      return z;
  }
}
