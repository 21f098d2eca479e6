/**
 * Synthetic data sets, deterministic given the Rng: the classic toy problems (TensorFlow Playground, sklearn,
 * CS231n), a random "teacher" network for any input/output size, and (data-sequences.ts, data-images.ts) sequence
 * and image tasks with a per-sample shape. Generators return raw points (labels or
 * real targets); `classificationDataset` / `regressionDataset` turn them into the engine's `Dataset` for a loss.
 * Pure math: no validation of user input here (src/spec/data.ts does that and words the errors).
 */
import type { Dataset, LossName } from './config';
import { CS231N_TURNS } from './data-sources';
import type { Rng } from './rng';

export interface Points {
  /** samples × features, row-major. */
  x: Float32Array;
  samples: number;
  features: number;
}

export interface LabelledPoints extends Points {
  /** Class index (0..classes-1) of every sample. */
  labels: Uint32Array;
  classes: number;
}

export interface RegressionPoints extends Points {
  /** samples × targetWidth, row-major. */
  targets: Float32Array;
  targetWidth: number;
}

// The registry of sources (names, kinds, extras, shapes) is a table of its own; re-exported for callers.
export { DIGIT_SIDE, SYNTHETIC_SOURCES, type SyntheticSourceInfo, type SyntheticSourceName } from './data-sources';

/** TensorFlow Playground XOR: label from the clean point, jitter added afterwards. */
export function makeXor(samples: number, noise: number, rng: Rng): LabelledPoints {
  const x = new Float32Array(samples * 2);
  const labels = new Uint32Array(samples);
  for (let i = 0; i < samples; i++) {
    const a = rng.range(-1, 1);
    const b = rng.range(-1, 1);
    labels[i] = a * b > 0 ? 1 : 0;
    x[2 * i] = a + noise * rng.normal();
    x[2 * i + 1] = b + noise * rng.normal();
  }
  return { x, samples, features: 2, labels, classes: 2 };
}

/** sklearn make_circles: n//2 evenly spaced points on the unit circle (class 0), the rest on radius `factor` (1). */
export function makeCircles(samples: number, noise: number, rng: Rng, factor = 0.5): LabelledPoints {
  const outer = Math.floor(samples / 2);
  const x = new Float32Array(samples * 2);
  const labels = new Uint32Array(samples);
  for (let i = 0; i < samples; i++) {
    const isInner = i >= outer;
    const count = isInner ? samples - outer : outer;
    const angle = (2 * Math.PI * (isInner ? i - outer : i)) / count; // linspace(0, 2π, count, endpoint=False)
    const radius = isInner ? factor : 1;
    x[2 * i] = radius * Math.cos(angle) + noise * rng.normal();
    x[2 * i + 1] = radius * Math.sin(angle) + noise * rng.normal();
    labels[i] = isInner ? 1 : 0;
  }
  const points = { x, samples, features: 2, labels, classes: 2 };
  shuffleRows(points, rng);
  return points;
}

/** sklearn make_moons: upper half circle (class 0) and a lower one shifted by (1, -0.5) (class 1). */
export function makeMoons(samples: number, noise: number, rng: Rng): LabelledPoints {
  const outer = Math.floor(samples / 2);
  const x = new Float32Array(samples * 2);
  const labels = new Uint32Array(samples);
  for (let i = 0; i < samples; i++) {
    const isInner = i >= outer;
    const count = isInner ? samples - outer : outer;
    const k = isInner ? i - outer : i;
    const t = count > 1 ? (Math.PI * k) / (count - 1) : 0; // linspace(0, π, count)
    x[2 * i] = (isInner ? 1 - Math.cos(t) : Math.cos(t)) + noise * rng.normal();
    x[2 * i + 1] = (isInner ? 0.5 - Math.sin(t) : Math.sin(t)) + noise * rng.normal();
    labels[i] = isInner ? 1 : 0;
  }
  const points = { x, samples, features: 2, labels, classes: 2 };
  shuffleRows(points, rng);
  return points;
}

/**
 * CS231n spiral (cs231n.github.io/neural-networks-case-study): class j has radius r = linspace(0, 1) and angle
 * t = 4j + 2π·turns·r + N(0, noise²); point (r sin t, r cos t). The default turns (4 rad) is CS231n's exactly.
 */
export function makeSpiral(
  samples: number,
  classes: number,
  noise: number,
  rng: Rng,
  turns = CS231N_TURNS,
): LabelledPoints {
  const x = new Float32Array(samples * 2);
  const labels = new Uint32Array(samples);
  let row = 0;
  for (let cls = 0; cls < classes; cls++) {
    const count = shareOf(samples, classes, cls);
    for (let k = 0; k < count; k++, row++) {
      const fraction = count > 1 ? k / (count - 1) : 0;
      const t = 4 * cls + 2 * Math.PI * turns * fraction + noise * rng.normal();
      x[2 * row] = fraction * Math.sin(t);
      x[2 * row + 1] = fraction * Math.cos(t);
      labels[row] = cls;
    }
  }
  const points = { x, samples, features: 2, labels, classes };
  shuffleRows(points, rng);
  return points;
}

/** Gaussian blobs in `features` dimensions; classes get equal shares (the first ones take the remainder). */
export function makeBlobs(
  samples: number,
  features: number,
  classes: number,
  noise: number,
  rng: Rng,
  clusterStd = 0.5,
  centerBox = 2,
): LabelledPoints {
  const centers = new Float64Array(classes * features);
  for (let i = 0; i < centers.length; i++) centers[i] = rng.range(-centerBox, centerBox);
  const spread = Math.sqrt(clusterStd * clusterStd + noise * noise); // cluster spread and jitter add in variance
  const x = new Float32Array(samples * features);
  const labels = new Uint32Array(samples);
  let row = 0;
  for (let cls = 0; cls < classes; cls++) {
    const count = shareOf(samples, classes, cls);
    for (let k = 0; k < count; k++, row++) {
      for (let f = 0; f < features; f++) {
        x[row * features + f] = centers[cls * features + f]! + spread * rng.normal();
      }
      labels[row] = cls;
    }
  }
  const points = { x, samples, features, labels, classes };
  shuffleRows(points, rng);
  return points;
}

/**
 * y = sin(frequency·(x₁+…+x_d)/√d) + N(0, noise²), x uniform in [-π, π]^d; with d = 1 simply sin(frequency·x).
 * Dividing the sum by √d keeps its spread (hence the wiggles per unit of input) the same for every d.
 */
export function makeSine(samples: number, features: number, noise: number, rng: Rng, frequency = 1): RegressionPoints {
  const x = new Float32Array(samples * features);
  const targets = new Float32Array(samples);
  const scale = frequency / Math.sqrt(features);
  for (let i = 0; i < samples; i++) {
    let sum = 0;
    for (let f = 0; f < features; f++) {
      const value = rng.range(-Math.PI, Math.PI);
      x[i * features + f] = value;
      sum += value;
    }
    targets[i] = Math.sin(sum * scale) + noise * rng.normal();
  }
  return { x, samples, features, targets, targetWidth: 1 };
}

/**
 * Teacher regression: x ~ N(0, I); t = W₂ tanh(W₁x + b₁) with every output column then standardised over the
 * sample (so targets have unit scale whatever the sizes), plus N(0, noise²).
 */
export function makeTeacherRegression(
  samples: number,
  features: number,
  outputs: number,
  noise: number,
  rng: Rng,
  hidden = 16,
): RegressionPoints {
  const { x, out } = runRandomTeacher(samples, features, outputs, hidden, rng);
  const targets = new Float32Array(samples * outputs);
  for (let i = 0; i < targets.length; i++) targets[i] = out[i]! + noise * rng.normal();
  return { x, samples, features, targets, targetWidth: outputs };
}

/**
 * Teacher classification: the label is the sign of one standardised teacher output (2 classes) or the argmax of
 * `classes` of them; noise is added to the outputs first, so it flips labels near the teacher's boundaries.
 */
export function makeTeacherClasses(
  samples: number,
  features: number,
  classes: number,
  noise: number,
  rng: Rng,
  hidden = 16,
): LabelledPoints {
  const width = classes === 2 ? 1 : classes;
  const { x, out } = runRandomTeacher(samples, features, width, hidden, rng);
  const labels = new Uint32Array(samples);
  for (let i = 0; i < samples; i++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let k = 0; k < width; k++) {
      const value = out[i * width + k]! + noise * rng.normal();
      if (value > bestValue) {
        bestValue = value;
        best = k;
      }
    }
    labels[i] = width === 1 ? (bestValue > 0 ? 1 : 0) : best;
  }
  return { x, samples, features, labels, classes };
}

/** Inputs N(0, I) through a random tanh MLP; W₁ has std 1.5/√features so the tanh layer is visibly non-linear. */
function runRandomTeacher(
  samples: number,
  features: number,
  outputs: number,
  hidden: number,
  rng: Rng,
): { x: Float32Array; out: Float64Array } {
  const w1 = normalArray(hidden * features, 1.5 / Math.sqrt(features), rng);
  const b1 = normalArray(hidden, 0.5, rng);
  const w2 = normalArray(outputs * hidden, 1 / Math.sqrt(hidden), rng);
  const x = new Float32Array(samples * features);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const h = new Float64Array(hidden);
  const out = new Float64Array(samples * outputs);
  for (let i = 0; i < samples; i++) {
    for (let j = 0; j < hidden; j++) {
      let z = b1[j]!;
      for (let f = 0; f < features; f++) z += w1[j * features + f]! * x[i * features + f]!;
      h[j] = Math.tanh(z);
    }
    for (let k = 0; k < outputs; k++) {
      let s = 0;
      for (let j = 0; j < hidden; j++) s += w2[k * hidden + j]! * h[j]!;
      out[i * outputs + k] = s;
    }
  }
  standardizeColumns(out, samples, outputs);
  return { x, out };
}

/**
 * The Dataset for labelled points under a loss (see Dataset in config.ts): crossentropy and bce keep the class
 * index; mse gets the 0/1 label when outputs = 1, else a one-hot row over `outputs`. Throws on a mismatch the
 * caller should have reported (src/spec/data.ts checks first).
 */
export function classificationDataset(points: LabelledPoints, loss: LossName, outputs: number): Dataset {
  const { samples, classes } = points;
  if (loss === 'bce' && classes !== 2) throw new Error(`bce needs 2 classes, got ${classes}`);
  const oneHot = loss === 'mse' && outputs >= 2;
  if (oneHot && classes > outputs) throw new Error(`${classes} classes do not fit ${outputs} one-hot outputs`);
  if (loss === 'mse' && outputs === 1 && classes !== 2) throw new Error(`1 mse output needs 2 classes, got ${classes}`);
  const targetWidth = oneHot ? outputs : 1;
  const y = new Float32Array(samples * targetWidth);
  for (let i = 0; i < samples; i++) {
    const label = points.labels[i]!;
    if (oneHot) y[i * targetWidth + label] = 1;
    else y[i] = label;
  }
  return { x: points.x, y, samples, features: points.features, targetWidth, classes };
}

/** The Dataset for real-valued targets (mse); `classes` is 0. */
export function regressionDataset(points: RegressionPoints): Dataset {
  return {
    x: points.x,
    y: points.targets,
    samples: points.samples,
    features: points.features,
    targetWidth: points.targetWidth,
    classes: 0,
  };
}

/**
 * z-score every column in place: (v − mean) / std with the population std (ddof 0, as sklearn's StandardScaler).
 * A constant column (std ≈ 0) is only centred. Returns the statistics used.
 */
export function standardizeColumns(
  values: Float32Array | Float64Array,
  rows: number,
  columns: number,
): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(columns);
  const std = new Float64Array(columns);
  for (let c = 0; c < columns; c++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += values[r * columns + c]!;
    const m = rows > 0 ? sum / rows : 0;
    let squares = 0;
    for (let r = 0; r < rows; r++) squares += (values[r * columns + c]! - m) ** 2;
    const s = rows > 0 ? Math.sqrt(squares / rows) : 0;
    const divisor = s > 1e-12 * Math.max(1, Math.abs(m)) ? s : 1;
    for (let r = 0; r < rows; r++) values[r * columns + c] = (values[r * columns + c]! - m) / divisor;
    mean[c] = m;
    std[c] = s;
  }
  return { mean, std };
}

/** Permute samples (rows of x with their labels) so classes are not stored in blocks. */
function shuffleRows(points: LabelledPoints, rng: Rng): void {
  const order = new Uint32Array(points.samples);
  for (let i = 0; i < order.length; i++) order[i] = i;
  rng.shuffle(order);
  const { x, labels, features } = points;
  const oldX = x.slice();
  const oldLabels = labels.slice();
  for (let i = 0; i < order.length; i++) {
    const from = order[i]!;
    labels[i] = oldLabels[from]!;
    x.set(oldX.subarray(from * features, (from + 1) * features), i * features);
  }
}

/** Class i mod K for sample i, shuffled: every class ⌊samples/K⌋ or ⌈samples/K⌉ times, in random order. */
export function balancedLabels(samples: number, classes: number, rng: Rng): Uint32Array {
  const labels = new Uint32Array(samples);
  for (let i = 0; i < samples; i++) labels[i] = i % classes;
  rng.shuffle(labels);
  return labels;
}

/** Samples of class `index` when `total` are split over `parts` classes as evenly as possible. */
function shareOf(total: number, parts: number, index: number): number {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}

function normalArray(length: number, std: number, rng: Rng): Float64Array {
  const values = new Float64Array(length);
  for (let i = 0; i < length; i++) values[i] = std * rng.normal();
  return values;
}
