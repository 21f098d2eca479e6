/**
 * Losses with PyTorch's mean reduction. Each returns the loss (float64 sums) and writes its gradient.
 * - mse: mean over batch and outputs.
 * - bce: from logits when the output activation is sigmoid (BCEWithLogitsLoss form, stable), otherwise on
 *   probabilities with log clamped at −100 (BCELoss).
 * - crossentropy: from logits (CrossEntropyLoss), targets are class indices stored as floats.
 */
import type { LossName } from './config';

export interface LossBinding {
  name: LossName;
  /** Model output y, batch × width (probabilities for bce/softmax outputs). */
  output: Float32Array;
  /** Logits z when the loss is fused with the output activation (or is crossentropy on a raw output). */
  logits: Float32Array | null;
  /** Receives ∂loss/∂logits when `logits` is set, ∂loss/∂output otherwise. */
  grad: Float32Array;
  /** batch × targetWidth */
  target: Float32Array;
  batch: number;
  width: number;
}

/** Loss of the current batch; writes the gradient into binding.grad. */
export function computeLoss(b: LossBinding): number {
  switch (b.name) {
    case 'mse':
      return meanSquaredError(b.output, b.target, b.grad, b.batch * b.width);
    case 'bce':
      return b.logits
        ? binaryCrossEntropyFromLogits(b.logits, b.target, b.grad, b.batch * b.width)
        : binaryCrossEntropy(b.output, b.target, b.grad, b.batch * b.width);
    case 'crossentropy':
      return crossEntropyFromLogits(b.logits ?? b.output, b.target, b.grad, b.batch, b.width);
    default:
      throw new Error(`unknown loss "${b.name as string}"`);
  }
}

/** Fraction of correct predictions in the batch; NaN for regression. */
export function computeAccuracy(b: LossBinding): number {
  if (b.name === 'bce') return thresholdAccuracy(b.output, b.target, b.batch * b.width);
  if (b.name === 'crossentropy') return argmaxAccuracy(b.output, b.target, b.batch, b.width);
  return NaN;
}

/** L = Σ (y − t)² / n, ∂L/∂y = 2(y − t)/n */
function meanSquaredError(y: Float32Array, t: Float32Array, grad: Float32Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = y[i]! - t[i]!;
    sum += d * d;
    grad[i] = (2 * d) / n;
  }
  return sum / n;
}

/** L = mean[softplus(z) − t·z] = mean[max(z,0) − t·z + log1p(e^−|z|)], ∂L/∂z = (σ(z) − t)/n */
function binaryCrossEntropyFromLogits(z: Float32Array, t: Float32Array, grad: Float32Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = z[i]!;
    const e = Math.exp(-Math.abs(x));
    sum += Math.max(x, 0) - t[i]! * x + Math.log1p(e);
    const sigma = x >= 0 ? 1 / (1 + e) : e / (1 + e);
    grad[i] = (sigma - t[i]!) / n;
  }
  return sum / n;
}

/** PyTorch BCELoss: L = −mean[t·log p + (1−t)·log(1−p)], logs clamped at −100; ∂L/∂p = (p − t)/max(p(1−p), 1e−12)/n */
function binaryCrossEntropy(p: Float32Array, t: Float32Array, grad: Float32Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const pi = p[i]!;
    const logP = Math.max(Math.log(pi), -100);
    const log1mP = Math.max(Math.log(1 - pi), -100);
    sum -= t[i]! * logP + (1 - t[i]!) * log1mP;
    grad[i] = (pi - t[i]!) / Math.max(pi * (1 - pi), 1e-12) / n;
  }
  return sum / n;
}

/** L = mean_rows[logsumexp(z) − z_target], ∂L/∂z = (softmax(z) − onehot)/batch */
function crossEntropyFromLogits(
  z: Float32Array,
  t: Float32Array,
  grad: Float32Array,
  batch: number,
  width: number,
): number {
  let sum = 0;
  for (let r = 0; r < batch; r++) {
    const o = r * width;
    const target = t[r]! | 0; // class index (validated to be an integer)
    // An out-of-range class makes the loss NaN, which stops training as non-finite.
    if (target < 0 || target >= width) return NaN;
    let max = -Infinity;
    for (let c = 0; c < width; c++) if (z[o + c]! > max) max = z[o + c]!;
    let expSum = 0;
    for (let c = 0; c < width; c++) expSum += Math.exp(z[o + c]! - max);
    const logSumExp = max + Math.log(expSum);
    sum += logSumExp - z[o + target]!;
    for (let c = 0; c < width; c++) {
      const softmax = Math.exp(z[o + c]! - logSumExp);
      grad[o + c] = (softmax - (c === target ? 1 : 0)) / batch;
    }
  }
  return sum / batch;
}

function thresholdAccuracy(p: Float32Array, t: Float32Array, n: number): number {
  let correct = 0;
  for (let i = 0; i < n; i++) if (p[i]! > 0.5 === t[i]! > 0.5) correct++;
  return correct / n;
}

function argmaxAccuracy(y: Float32Array, t: Float32Array, batch: number, width: number): number {
  let correct = 0;
  for (let r = 0; r < batch; r++) {
    let best = 0;
    for (let c = 1; c < width; c++) if (y[r * width + c]! > y[r * width + best]!) best = c;
    if (best === (t[r]! | 0)) correct++;
  }
  return correct / batch;
}
