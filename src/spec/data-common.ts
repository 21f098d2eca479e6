/**
 * What the data loaders share: the error they return (a sentence plus the `data` key it belongs to), the model's
 * side of the contract (input shape, outputs, loss), and the checks of sizes, classes and shapes against it.
 */
import type { LossName, Shape } from '../engine/config';
import { grouped } from './diagnostic-text';
import { LIMITS } from './names';

export type DataErrorField =
  'source' | 'path' | 'target' | 'features' | 'samples' | 'classes' | 'input' | 'shape' | 'length' | 'size';
export interface DataError {
  error: string;
  field: DataErrorField;
}

/** What the data must fit: the model's input width (and shape), output width and loss. */
export interface ModelShape {
  input: number;
  /** Per-sample shape of the model's input; absent means [input]. */
  inputShape?: Shape;
  outputs: number;
  loss: LossName;
}

/** Most floats a data set's inputs may hold (200 MB): beyond it the spec is a typo, not a gradient check. */
export const MAX_DATA_VALUES = 50_000_000;

export function fail(field: DataErrorField, error: string): DataError {
  return { error, field };
}

/** Number of classes a loss and output width call for, and how to say so in an error. */
export interface ClassNeed {
  classes: number;
  reason: string;
}

/** crossentropy: one class per output; bce: 2 classes on 1 output; mse: a 0/1 label (1 output) or one-hot. */
export function classesForLoss(model: ModelShape, field: DataErrorField): ClassNeed | DataError {
  const { loss, outputs } = model;
  if (loss === 'crossentropy') {
    if (outputs < 2) {
      return fail(field, `loss 'crossentropy' needs one output per class (at least 2), but the model has ${outputs}`);
    }
    return { classes: outputs, reason: `loss 'crossentropy' with ${outputs} outputs` };
  }
  if (loss === 'bce') {
    if (outputs !== 1) {
      return fail(field, `loss 'bce' needs 1 output (the probability of class 1), but the model has ${outputs}`);
    }
    return { classes: 2, reason: "loss 'bce'" };
  }
  return outputs === 1
    ? { classes: 2, reason: "loss 'mse' with 1 output (a 0/1 label)" }
    : { classes: outputs, reason: `loss 'mse' with ${outputs} outputs (one-hot)` };
}

/** `samples` must be a whole number in range, and samples × width must fit in memory. */
export function checkSampleCount(samples: number, width: number): DataError | null {
  if (!Number.isInteger(samples) || samples < 1) {
    return fail('samples', `'samples' must be a whole number ≥ 1, not ${samples}`);
  }
  if (samples > LIMITS.samples) {
    return fail('samples', `'samples' is ${grouped(samples)}; the most is ${grouped(LIMITS.samples)}`);
  }
  if (samples * width > MAX_DATA_VALUES) {
    const size = `${grouped(samples)} samples × ${grouped(width)} features`;
    return fail('samples', `${size} is more than ${grouped(MAX_DATA_VALUES)} values; use fewer samples`);
  }
  return null;
}

/** [1, 28, 28] as written in a spec. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Whether samples of `sourceShape` fit a model whose input is `inputShape`: the same shape, or the same number of
 * values when either side is flat (a dense model reads an image row-major, as torch.flatten does; a flat csv row
 * fills an image the same way). Otherwise the sentence for the data section, at `field` (default its source).
 */
export function checkInputShape(
  sourceShape: Shape,
  inputShape: Shape,
  field: DataErrorField = 'source',
  what = 'the data',
): DataError | null {
  const same = sourceShape.length === inputShape.length && sourceShape.every((n, i) => n === inputShape[i]);
  if (same) return null;
  const size = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);
  const flat = sourceShape.length === 1 || inputShape.length === 1;
  if (flat && size(sourceShape) === size(inputShape)) return null;
  const has = `${what} gives samples of shape ${formatShape(sourceShape)}`;
  const hint = size(sourceShape) === size(inputShape) ? ' (the same number of values in another layout)' : '';
  return fail(field, `${has} but the model's input is ${formatShape(inputShape)}${hint}`);
}
