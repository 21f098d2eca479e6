/**
 * Sequence tasks for recurrent models, x laid out [steps, features] per sample (batch first, row-major): the adding
 * problem, a one-answer memory task, and next-value prediction on sines. Deterministic given the Rng.
 */
import { balancedLabels, type LabelledPoints, type RegressionPoints } from './data';
import type { Rng } from './rng';

/**
 * The adding problem (Hochreiter & Schmidhuber 1997, §5.4; the form of Le et al. 2015): step t holds
 * [value_t ~ U(0, 1), marker_t]; exactly two markers are 1, one at a uniform step of the first half
 * [0, ⌊length/2⌋) and one in the second half; the target is the sum of the two marked values. Predicting the
 * constant 1 scores mse 1/6, the bar a model must beat. No noise: the answer stays exactly computable from x.
 */
export function makeAdding(samples: number, length: number, rng: Rng): RegressionPoints {
  const features = 2 * length;
  const x = new Float32Array(samples * features);
  const targets = new Float32Array(samples);
  const half = Math.floor(length / 2);
  for (let i = 0; i < samples; i++) {
    const row = i * features;
    for (let t = 0; t < length; t++) x[row + 2 * t] = rng.uniform();
    const first = rng.int(half);
    const second = half + rng.int(length - half);
    x[row + 2 * first + 1] = 1;
    x[row + 2 * second + 1] = 1;
    // The sum of the stored float32 values, so the target is exactly what x shows.
    targets[i] = x[row + 2 * first]! + x[row + 2 * second]!;
  }
  return { x, samples, features, targets, targetWidth: 1 };
}

/**
 * A memory task with one answer (Hochreiter & Schmidhuber 1997, §5.2, Experiment 2: the class is the first symbol
 * and must be carried across the whole sequence). One-hot steps over K symbols plus a marker channel (index K):
 * step 0 shows the answer, steps 1 … length−2 random distractor symbols, the last step the marker asking for the
 * answer. Distractors rather than blanks, so that neither the last symbol seen nor a count of symbols gives the
 * answer away: only memory of step 0 does. Labels are balanced (each class ⌊samples/K⌋ or one more), in random order.
 */
export function makeCopy(samples: number, length: number, classes: number, rng: Rng): LabelledPoints {
  const width = classes + 1;
  const features = length * width;
  const x = new Float32Array(samples * features);
  const labels = balancedLabels(samples, classes, rng);
  for (let i = 0; i < samples; i++) {
    const row = i * features;
    x[row + labels[i]!] = 1;
    for (let t = 1; t < length - 1; t++) x[row + t * width + rng.int(classes)] = 1;
    x[row + (length - 1) * width + classes] = 1;
  }
  return { x, samples, features, labels, classes };
}

/** Angular frequency (radians per step) of sine_sequence: periods of 12 to 63 steps. */
export const SINE_SEQUENCE_OMEGA = { min: 0.1, max: 0.5 } as const;

/**
 * Next-value prediction: x_t = sin(ω t + φ) + N(0, noise²) for t = 0 … length−1, ω uniform in
 * [0.1, 0.5) rad per step and φ uniform in [0, 2π) per sample; the target is the clean next value sin(ω·length + φ)
 * (the signal, not its noise, so the best possible mse is 0 whatever the noise).
 */
export function makeSineSequence(samples: number, length: number, noise: number, rng: Rng): RegressionPoints {
  const x = new Float32Array(samples * length);
  const targets = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    const omega = rng.range(SINE_SEQUENCE_OMEGA.min, SINE_SEQUENCE_OMEGA.max);
    const phase = rng.range(0, 2 * Math.PI);
    for (let t = 0; t < length; t++) x[i * length + t] = Math.sin(omega * t + phase) + noise * rng.normal();
    targets[i] = Math.sin(omega * length + phase);
  }
  return { x, samples, features: length, targets, targetWidth: 1 };
}
