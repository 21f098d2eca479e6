/**
 * The spec's `data` object → the engine's Dataset: one of the synthetic generators (src/engine/data.ts) or a CSV
 * file read through the injected FileAccess. Every way the data and the model can disagree comes back as a
 * sentence plus the `data` key it belongs to, so the editor can underline that key.
 */
import type { Dataset } from '../engine/config';
import { classificationDataset, standardizeColumns, SYNTHETIC_SOURCES, type SyntheticSourceName } from '../engine/data';
import {
  columnLabel,
  findColumn,
  isNumericColumn,
  listColumns,
  parseCsv,
  parseNumber,
  readNumbers,
  type CsvTable,
  type HeaderMode,
} from './csv';
import {
  checkInputShape,
  checkSampleCount,
  classesForLoss,
  fail,
  formatShape,
  type DataError,
  type ModelShape,
} from './data-common';
import { loadSynthetic } from './data-synthetic';
import { grouped } from './diagnostic-text';
import { LIMITS } from './names';
import type { DataSpec, FileAccess } from './types';

export {
  checkInputShape,
  checkSampleCount,
  classesForLoss,
  fail,
  MAX_DATA_VALUES,
  type ClassNeed,
  type DataError,
  type DataErrorField,
  type ModelShape,
} from './data-common';

/** What `loadDataset` returns instead of data when `shouldStop` says the analysis's deadline has passed. */
export interface DataStopped {
  stopped: string;
}
export const DATA_STOPPED: DataStopped = { stopped: 'stopped: the time budget ran out while loading data' };
export type DataResult = { dataset: Dataset } | DataError | DataStopped;
/** Asked between rows and columns while CSV data loads; true = give up (the deadline passed). */
export type ShouldStop = () => boolean;

/** Cells scanned between two `shouldStop` calls when columns are classified. */
const ROWS_PER_STOP_CHECK = 65_536;

/** Mixed into the data seed, so data drawn with seed s is not the same stream as training's Rng(s). */
const DATA_SEED_SALT = 0x5eedda7a;

/** Without `shouldStop` loading always finishes, so callers that pass none never see DataStopped. */
export function loadDataset(
  data: DataSpec,
  model: ModelShape,
  files: FileAccess,
  fallbackSeed: number,
): { dataset: Dataset } | DataError;
export function loadDataset(
  data: DataSpec,
  model: ModelShape,
  files: FileAccess,
  fallbackSeed: number,
  shouldStop: ShouldStop,
): DataResult;
export function loadDataset(
  data: DataSpec,
  model: ModelShape,
  files: FileAccess,
  fallbackSeed: number,
  shouldStop: ShouldStop = () => false,
): DataResult {
  if (data.source === 'csv') return loadCsvDataset(data, model, files, shouldStop);
  if (!Object.hasOwn(SYNTHETIC_SOURCES, data.source)) {
    const known = [...Object.keys(SYNTHETIC_SOURCES), 'csv'].join(', ');
    return fail('source', `unknown data source '${data.source}'; use one of ${known}`);
  }
  const seed = ((data.seed ?? fallbackSeed) ^ DATA_SEED_SALT) >>> 0;
  return loadSynthetic(data.source as SyntheticSourceName, data, model, files, seed);
}

// ---------------------------------------------------------------------------------------------- CSV files

type CsvTargets = Pick<Dataset, 'y' | 'targetWidth' | 'classes'>;

/** `path` relative to the spec file; target defaults to the last column, features to every other numeric one. */
function loadCsvDataset(data: DataSpec, model: ModelShape, files: FileAccess, shouldStop: ShouldStop): DataResult {
  const opened = openCsv(data, files);
  if ('error' in opened) return opened;
  if (shouldStop()) return DATA_STOPPED;
  const { table, name } = opened;
  const rows = csvRowCount(data.samples, table.rows.length, name);
  if (typeof rows !== 'number') return rows;
  const columns = chooseCsvColumns(table, data, model, rows, name, shouldStop);
  if (!('target' in columns)) return columns;
  const shapeError = checkCsvShape(data, columns.features.length, model);
  if (shapeError) return shapeError;
  const inputs = readNumbers(table, columns.features, rows, shouldStop);
  if ('stopped' in inputs) return DATA_STOPPED;
  if ('error' in inputs) return fail(data.features === null ? 'path' : 'features', `${name} ${inputs.error}`);
  if (shouldStop()) return DATA_STOPPED;
  const targets = readCsvTargets(table, columns.target, rows, data, model, name, shouldStop);
  if (!('y' in targets)) return targets;
  const features = columns.features.length;
  if (data.standardize) standardizeColumns(inputs.values, rows, features);
  const dataset: Dataset = { x: inputs.values, samples: rows, features, ...targets };
  if (data.shape !== undefined) dataset.shape = data.shape;
  return { dataset };
}

/**
 * The optional "shape" of a csv row ([C, H, W] images, [T, F] sequences): its values must be the feature columns,
 * and it must fit the model's input (checkInputShape).
 */
function checkCsvShape(data: DataSpec, features: number, model: ModelShape): DataError | null {
  if (data.shape === undefined) return null;
  const values = data.shape.reduce((a, b) => a * b, 1);
  if (values !== features) {
    const count = features === 1 ? '1 feature column' : `${grouped(features)} feature columns`;
    return fail('shape', `"shape" ${formatShape(data.shape)} holds ${grouped(values)} values but there are ${count}`);
  }
  return checkInputShape(data.shape, model.inputShape ?? [model.input], 'shape');
}

function openCsv(data: DataSpec, files: FileAccess): { table: CsvTable; name: string } | DataError {
  if (data.path === null || data.path.trim() === '') {
    return fail('path', "data source 'csv' needs a 'path' to the CSV file, relative to the spec file");
  }
  const name = `CSV '${data.path}'`;
  const file = files.readText(data.path);
  if ('error' in file) return fail('path', `cannot read ${name}: ${file.error}`);
  const parsed = parseCsv(file.text, headerMode(data));
  if ('error' in parsed) return fail('path', `${name} ${parsed.error}`);
  if (parsed.table.rows.length === 0) return fail('path', `${name} has no data rows`);
  return { table: parsed.table, name };
}

/** `extra.header`: 1 = the first row is a header, 0 = it is data; absent = detect it. */
function headerMode(data: DataSpec): HeaderMode {
  const flag = data.extra?.['header'];
  return flag === 1 ? true : flag === 0 ? false : 'auto';
}

/** The first `samples` rows when that is fewer than the file has; absent (non-finite) means all, within the limit. */
function csvRowCount(samples: number, available: number, name: string): number | DataError {
  if (!Number.isFinite(samples) && samples > 0) {
    if (available <= LIMITS.samples) return available;
    const most = `the most is ${grouped(LIMITS.samples)} (set 'samples' to use the first rows)`;
    return fail('path', `${name} has ${grouped(available)} data rows; ${most}`);
  }
  const error = checkSampleCount(samples, 1);
  return error ?? Math.min(samples, available);
}

function chooseCsvColumns(
  table: CsvTable,
  data: DataSpec,
  model: ModelShape,
  rows: number,
  name: string,
  shouldStop: ShouldStop,
): { target: number; features: number[] } | DataError | DataStopped {
  const target = data.target === null ? table.columns - 1 : findColumn(table, data.target);
  if (typeof target !== 'number') return fail('target', `${name} ${target.error}`);
  if (data.features !== null) {
    const listed = listedFeatures(table, data.features, target, name);
    if ('error' in listed) return listed;
    if (listed.length !== model.input) {
      const count = listed.length === 1 ? '1 column' : `${listed.length} columns`;
      return fail('features', `'features' lists ${count} but the model's input is ${model.input}`);
    }
    return { target, features: listed };
  }
  const others = Array.from({ length: table.columns }, (_, column) => column).filter((column) => column !== target);
  const features = numericColumns(table, others, rows, shouldStop);
  if (features === null) return DATA_STOPPED;
  if (features.length === 0) {
    return fail('features', `${name} has no numeric column besides the target ${columnLabel(table, target)}`);
  }
  if (features.length !== model.input) {
    const numeric = new Set(features); // a Set: with 100,000s of columns an array lookup here is quadratic
    const skipped = others.filter((column) => !numeric.has(column));
    const note = skipped.length > 0 ? `; text columns skipped: ${listColumns(table, skipped)}` : '';
    const count = `${grouped(features.length)} numeric feature columns`;
    return fail(
      'input',
      `${name} has ${count} (${listColumns(table, features)})` +
        ` but the model's input is ${model.input}${note}; choose columns with 'features'`,
    );
  }
  return { target, features };
}

/** The numeric ones among `columns`, or null when `shouldStop` said so (asked every few columns: each is a scan). */
function numericColumns(table: CsvTable, columns: number[], rows: number, shouldStop: ShouldStop): number[] | null {
  const numeric: number[] = [];
  const perCheck = Math.max(1, Math.floor(ROWS_PER_STOP_CHECK / Math.max(1, rows)));
  for (let i = 0; i < columns.length; i++) {
    if (i % perCheck === 0 && shouldStop()) return null;
    if (isNumericColumn(table, columns[i]!, rows)) numeric.push(columns[i]!);
  }
  return numeric;
}

function listedFeatures(
  table: CsvTable,
  refs: (string | number)[],
  target: number,
  name: string,
): number[] | DataError {
  if (refs.length === 0) return fail('features', "'features' is empty; list at least one column");
  const columns: number[] = [];
  const seen = new Set<number>();
  for (const ref of refs) {
    const column = findColumn(table, ref);
    if (typeof column !== 'number') return fail('features', `${name} ${column.error}`);
    const label = columnLabel(table, column);
    if (column === target) return fail('features', `'features' includes the target column ${label}`);
    if (seen.has(column)) return fail('features', `'features' lists column ${label} twice`);
    seen.add(column);
    columns.push(column);
  }
  return columns;
}

/** mse with 1 output: the numbers themselves. Otherwise class labels (see `labelClasses`), checked against the loss. */
function readCsvTargets(
  table: CsvTable,
  column: number,
  rows: number,
  data: DataSpec,
  model: ModelShape,
  name: string,
  shouldStop: ShouldStop,
): CsvTargets | DataError | DataStopped {
  const label = columnLabel(table, column);
  if (model.loss === 'mse' && model.outputs === 1) {
    if (data.classes !== null) {
      return fail('classes', "'classes' does not apply: loss 'mse' with 1 output reads the target as numbers");
    }
    const read = readNumbers(table, [column], rows, shouldStop);
    if ('stopped' in read) return DATA_STOPPED;
    if ('error' in read) return fail('target', `${name} ${read.error}`);
    return { y: read.values, targetWidth: 1, classes: 0 };
  }
  const need = classesForLoss(model, 'target');
  if ('error' in need) return need;
  const cells: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cell = table.rows[r]![column]!.trim();
    if (cell === '') return fail('target', `${name} line ${table.lines[r]}, column ${label}: the target is empty`);
    cells.push(cell);
  }
  const { labels, values } = labelClasses(cells, need.classes);
  if (values.length < 2) {
    const only = `${name} target column ${label} has only the value '${values[0]}'`;
    return fail('target', `${only}; a classifier needs 2 classes or more`);
  }
  if (values.length > need.classes) {
    const shown = values.length > 10 ? `${values.slice(0, 10).join(', ')}, …` : values.join(', ');
    return fail(
      'target',
      `${name} target column ${label} has ${values.length} distinct values (${shown})` +
        ` but ${need.reason} allows ${need.classes}`,
    );
  }
  if (data.classes !== null && data.classes !== need.classes) {
    return fail('classes', `'classes' is ${data.classes} but ${need.reason} needs ${need.classes} classes`);
  }
  const points = { x: new Float32Array(0), samples: rows, features: 0, labels, classes: need.classes };
  const { y, targetWidth, classes } = classificationDataset(points, model.loss, model.outputs);
  return { y, targetWidth, classes };
}

/**
 * Class index per cell. Whole numbers already in [0, bound) are used as they are (so a class absent from the rows
 * does not shift the others); any other values, numbers or text, get indices in sorted order (numbers by value,
 * text by code point). `values` lists the distinct values in index order.
 */
export function labelClasses(cells: string[], bound: number): { labels: Uint32Array; values: string[] } {
  const numbers = cells.map(parseNumber);
  const allNumbers = numbers.every((value) => value !== null);
  const keys = allNumbers ? numbers.map((value) => String(value)) : cells;
  const distinct = [...new Set(keys)];
  if (allNumbers) distinct.sort((a, b) => Number(a) - Number(b));
  else distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const identity = allNumbers && numbers.every((value) => Number.isInteger(value) && value! >= 0 && value! < bound);
  const index = new Map(distinct.map((key, i) => [key, identity ? Number(key) : i]));
  const labels = Uint32Array.from(keys, (key) => index.get(key)!);
  return { labels, values: distinct };
}
