/**
 * The `data` section: its shape only (types, known keys, known source, ranges). Generating or loading the data,
 * and checking it against the model, is src/spec/data.ts's job (loadDataset).
 */
import type { Node } from 'jsonc-parser';
import { SYNTHETIC_SOURCES } from '../engine/data';
import { shown } from './diagnostic-text';
import {
  CSV_ONLY_KEYS,
  DATA_DEFAULTS,
  DATA_EXTRA_KEYS,
  DATA_SHAPE_LIMITS,
  DATA_KEYS,
  DATA_SOURCE_EXTRAS,
  DATA_SOURCES,
  LIMITS,
  type DataSource,
} from './names';
import { childPointer } from './pointer';
import { describeValue, expectObject, ObjectReader, readName, readNumber, type NumberRule } from './reader';
import type { DiagnosticSink } from './sink';
import type { DataSpec } from './types';

/** Ranges of the source-specific numbers (see DATA_SOURCE_EXTRAS). */
const EXTRA_RULES: Readonly<Record<string, NumberRule>> = {
  factor: { min: 0, max: 1, minExclusive: true, maxExclusive: true },
  turns: { min: 0, minExclusive: true },
  frequency: { min: 0, minExclusive: true },
  hidden: { integer: true, min: 1, limit: 4096 }, // the data loader uses at most 4096
  length: { integer: true, min: DATA_SHAPE_LIMITS.length.min, limit: DATA_SHAPE_LIMITS.length.max },
  size: { integer: true, min: DATA_SHAPE_LIMITS.size.min, limit: DATA_SHAPE_LIMITS.size.max },
};

/** Axes of a csv "shape": [C, H, W], [C, L] or [T, F], or one axis; each size at most the input limit. */
const SHAPE_RANK = { min: 1, max: 3 } as const;

/** Null when the section is not an object or has an error (all reported). */
export function resolveData(node: Node, path: string, sink: DiagnosticSink): DataSpec | null {
  if (!expectObject(node, path, '"data"', sink)) return null;
  const errorsBefore = sink.errorCount;
  const object = new ObjectReader(node, path, 'data section', sink);
  object.checkKeys([...DATA_KEYS, ...DATA_EXTRA_KEYS]);
  const sourceNode = object.value('source');
  const known = `(one of ${DATA_SOURCES.join(', ')})`;
  const source =
    object.require('source', known) && sourceNode !== undefined
      ? readName(sourceNode, object.pointerOf('source'), 'data source', DATA_SOURCES, sink)
      : undefined;
  if (source !== undefined) warnOffSourceKeys(object, source, sink);
  if (source === 'csv') object.require('path', "(the CSV file, relative to the spec's folder)");
  const data: DataSpec = {
    source: source ?? '',
    samples: object.number(
      'samples',
      { integer: true, min: 1, limit: LIMITS.samples },
      source === 'csv' ? Infinity : DATA_DEFAULTS.samples,
    ),
    noise: object.number('noise', { min: 0 }, DATA_DEFAULTS.noise),
    classes: object.nullableNumber('classes', { integer: true, min: 2, limit: LIMITS.classes }, null),
    seed: object.nullableNumber('seed', { integer: true, min: 0, max: LIMITS.seed }, null),
    path: readPath(object, sink),
    target: readColumn(object, 'target', sink),
    features: readFeatures(object, sink),
    ...readShape(object, sink),
    // CSV columns come in arbitrary units, so they are standardised unless the spec says otherwise;
    // synthetic sources are generated at unit scale already.
    standardize: object.boolean('standardize', source === 'csv'),
    extra: readExtra(object, sink),
  };
  return source === undefined || sink.errorCount > errorsBefore ? null : data;
}

/**
 * csv keys on a generator, one generator's parameter on another, or noise on a source without any: known, but
 * without effect.
 */
function warnOffSourceKeys(object: ObjectReader, source: DataSource, sink: DiagnosticSink): void {
  if (source !== 'csv' && !SYNTHETIC_SOURCES[source].noise && object.keyNode('noise')) {
    sink.warning(
      object.keyNode('noise')!,
      object.pointerOf('noise'),
      'unused-key',
      `"noise" has no effect with source ${shown(source)}: its samples are ${NOISELESS_WHY[source] ?? 'exact'}`,
    );
  }
  for (const key of object.keys) {
    const csvOnly = (CSV_ONLY_KEYS as readonly string[]).includes(key);
    const owners = DATA_SOURCES.filter((s) => DATA_SOURCE_EXTRAS[s].includes(key));
    const offSource = csvOnly ? source !== 'csv' : owners.length > 0 && !owners.includes(source);
    if (!offSource) continue;
    const reader = csvOnly ? 'csv' : owners.join(' and ');
    sink.warning(
      object.keyNode(key)!,
      object.pointerOf(key),
      'unused-key',
      `${shown(key)} has no effect with source ${shown(source)}: only the ${reader} source reads it`,
    );
  }
}

/** Why a source reads no noise, for the warning. */
const NOISELESS_WHY: Partial<Record<DataSource, string>> = {
  adding: 'exact (the target is computed from x)',
  copy: 'exact one-hot symbols',
  digit_rows: 'real handwriting',
  digits: 'real handwriting',
};

/** csv's "shape": whole numbers ≥ 1, one to three of them; absent or null means flat rows. */
function readShape(object: ObjectReader, sink: DiagnosticSink): { shape?: number[] } {
  const node = object.value('shape');
  if (node === undefined || node.type === 'null') return {};
  const path = object.pointerOf('shape');
  const elements = node.children ?? [];
  if (node.type !== 'array' || elements.length < SHAPE_RANK.min || elements.length > SHAPE_RANK.max) {
    const what = node.type === 'array' ? `${elements.length} entries` : describeValue(node);
    const expected =
      'an array of 1 to 3 sizes, e.g. [1, 28, 28] (channels, height, width) or [50, 2] (steps, features)';
    sink.error(node, path, node.type === 'array' ? 'range' : 'type', `"shape" must be ${expected}, not ${what}`);
    return {};
  }
  const rule = { integer: true, min: 1, limit: LIMITS.input };
  const sizes = elements.map((element, i) => readNumber(element, childPointer(path, i), `"shape"[${i}]`, rule, sink));
  return sizes.every((n) => n !== undefined) ? { shape: sizes as number[] } : {};
}

function readPath(object: ObjectReader, sink: DiagnosticSink): string | null {
  const path = object.string('path');
  if (path !== null && path.trim() === '') {
    sink.error(
      object.value('path')!,
      object.pointerOf('path'),
      'range',
      '"path" is empty: name a CSV file next to the spec',
    );
    return null;
  }
  return path;
}

/** A column: a header name, or a 0-based index. */
function readColumnNode(node: Node, path: string, what: string, sink: DiagnosticSink): string | number | null {
  if (node.type === 'string') {
    if ((node.value as string).trim() !== '') return node.value as string;
    sink.error(node, path, 'range', `${what} is an empty column name`);
    return null;
  }
  if (node.type === 'number') return readNumber(node, path, what, { integer: true, min: 0 }, sink) ?? null;
  sink.error(
    node,
    path,
    'type',
    `${what} must be a column name (string) or a 0-based column index, not ${describeValue(node)}`,
  );
  return null;
}

function readColumn(object: ObjectReader, key: string, sink: DiagnosticSink): string | number | null {
  const node = object.value(key);
  if (node === undefined || node.type === 'null') return null;
  return readColumnNode(node, object.pointerOf(key), shown(key), sink);
}

function readFeatures(object: ObjectReader, sink: DiagnosticSink): (string | number)[] | null {
  const node = object.value('features');
  if (node === undefined || node.type === 'null') return null;
  const path = object.pointerOf('features');
  if (node.type !== 'array') {
    sink.error(
      node,
      path,
      'type',
      `"features" must be an array of column names or indices, not ${describeValue(node)}`,
    );
    return null;
  }
  const elements = node.children ?? [];
  if (elements.length === 0) {
    sink.error(
      node,
      path,
      'empty',
      '"features" is empty: list the input columns, or remove it to use every other column',
    );
    return null;
  }
  const columns = elements.map((element, i) => readColumnNode(element, childPointer(path, i), `feature ${i}`, sink));
  return columns.every((c) => c !== null) ? (columns as (string | number)[]) : null;
}

/** Every number outside the core keys: known source parameters and (already warned about) unknown ones. */
function readExtra(object: ObjectReader, sink: DiagnosticSink): Record<string, number> {
  const extra: Record<string, number> = {};
  for (const key of object.keys) {
    if ((DATA_KEYS as readonly string[]).includes(key)) continue;
    const node = object.value(key);
    if (node === undefined) continue;
    if (key === 'header') {
      const header = object.boolean('header', true);
      if (node.type === 'boolean') extra[key] = header ? 1 : 0;
    } else if (DATA_EXTRA_KEYS.includes(key)) {
      const value = readNumber(node, object.pointerOf(key), shown(key), EXTRA_RULES[key] ?? {}, sink);
      if (value !== undefined) extra[key] = value;
    } else if (node.type === 'number' && Number.isFinite(node.value)) {
      extra[key] = node.value as number;
    }
  }
  return extra;
}
