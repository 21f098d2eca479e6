import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dataset, LossName } from '../../src/engine/config';
import { SYNTHETIC_SOURCES } from '../../src/engine/data';
import { labelClasses, loadDataset, type DataResult } from '../../src/spec/data';
import { DATA_EXTRA_KEYS, DATA_SOURCES } from '../../src/spec/names';
import type { DataSpec, FileAccess } from '../../src/spec/types';

function spec(overrides: Partial<DataSpec>): DataSpec {
  return {
    source: 'xor',
    samples: 200,
    noise: 0.1,
    classes: null,
    seed: null,
    path: null,
    target: null,
    features: null,
    standardize: false,
    extra: {},
    ...overrides,
  };
}

function model(input: number, outputs: number, loss: LossName): { input: number; outputs: number; loss: LossName } {
  return { input, outputs, loss };
}

/** FileAccess over an in-memory folder. */
function filesOf(contents: Record<string, string>): FileAccess {
  return {
    readText: (path) => (path in contents ? { text: contents[path]! } : { error: `file not found: ${path}` }),
  };
}
const noFiles = filesOf({});

function ok(result: DataResult): Dataset {
  if ('error' in result) throw new Error(`unexpected error (${result.field}): ${result.error}`);
  if ('stopped' in result) throw new Error(result.stopped);
  return result.dataset;
}

function columnStats(data: Dataset, column: number): { mean: number; std: number } {
  let sum = 0;
  for (let r = 0; r < data.samples; r++) sum += data.x[r * data.features + column]!;
  const mean = sum / data.samples;
  let squares = 0;
  for (let r = 0; r < data.samples; r++) squares += (data.x[r * data.features + column]! - mean) ** 2;
  return { mean, std: Math.sqrt(squares / data.samples) };
}

describe('synthetic sources through loadDataset', () => {
  it('agrees with the format names in src/spec/names.ts (sources and extra keys)', () => {
    expect([...Object.keys(SYNTHETIC_SOURCES), 'csv']).toEqual([...DATA_SOURCES]);
    const extras = Object.values(SYNTHETIC_SOURCES).flatMap((info) => Object.keys(info.extras));
    for (const key of extras) expect(DATA_EXTRA_KEYS).toContain(key);
  });
  it('every source yields the shapes the model asks for', () => {
    const cases: [string, number, number, LossName, number, number][] = [
      // source, input, outputs, loss → targetWidth, classes
      ['xor', 2, 1, 'bce', 1, 2],
      ['circles', 2, 2, 'crossentropy', 1, 2],
      ['moons', 2, 1, 'mse', 1, 2],
      ['spiral', 2, 4, 'crossentropy', 1, 4],
      ['blobs', 7, 3, 'mse', 3, 3],
      ['sine', 3, 1, 'mse', 1, 0],
      ['teacher', 5, 3, 'mse', 3, 0],
      ['teacher', 5, 1, 'bce', 1, 2],
      ['teacher', 5, 4, 'crossentropy', 1, 4],
    ];
    for (const [source, input, outputs, loss, targetWidth, classes] of cases) {
      const data = ok(loadDataset(spec({ source }), model(input, outputs, loss), noFiles, 1));
      expect({ source, features: data.features, targetWidth: data.targetWidth, classes: data.classes }).toEqual({
        source,
        features: input,
        targetWidth,
        classes,
      });
      expect(data.samples).toBe(200);
      expect(data.x.length).toBe(200 * input);
      expect(data.y.length).toBe(200 * targetWidth);
    }
  });
  it('crossentropy labels are class indices covering every class', () => {
    const data = ok(loadDataset(spec({ source: 'spiral' }), model(2, 4, 'crossentropy'), noFiles, 1));
    expect(new Set(data.y)).toEqual(new Set([0, 1, 2, 3]));
  });
  it('mse on a classification source with several outputs gives one-hot rows', () => {
    const data = ok(loadDataset(spec({ source: 'blobs' }), model(3, 3, 'mse'), noFiles, 1));
    for (let i = 0; i < data.samples; i++) {
      const row = Array.from(data.y.subarray(3 * i, 3 * i + 3));
      expect(row.reduce((a, b) => a + b, 0)).toBe(1);
      expect(row.every((v) => v === 0 || v === 1)).toBe(true);
    }
  });
  it('the data seed defaults to the training seed; other seeds give other data', () => {
    const fromFallback = ok(loadDataset(spec({ source: 'moons' }), model(2, 1, 'bce'), noFiles, 42));
    const explicit = ok(loadDataset(spec({ source: 'moons', seed: 42 }), model(2, 1, 'bce'), noFiles, 5));
    const other = ok(loadDataset(spec({ source: 'moons', seed: 43 }), model(2, 1, 'bce'), noFiles, 5));
    expect(Array.from(fromFallback.x)).toEqual(Array.from(explicit.x));
    expect(Array.from(fromFallback.y)).toEqual(Array.from(explicit.y));
    expect(Array.from(fromFallback.x)).not.toEqual(Array.from(other.x));
  });
  it('standardize z-scores every feature; without it the raw geometry stays (circles radius 1)', () => {
    const scaled = ok(loadDataset(spec({ source: 'circles', standardize: true }), model(2, 1, 'bce'), noFiles, 1));
    for (let f = 0; f < 2; f++) {
      expect(Math.abs(columnStats(scaled, f).mean)).toBeLessThan(1e-5);
      expect(columnStats(scaled, f).std).toBeCloseTo(1, 4);
    }
    const raw = ok(loadDataset(spec({ source: 'circles', noise: 0 }), model(2, 1, 'bce'), noFiles, 1));
    for (let i = 0; i < raw.samples; i++) {
      const radius = Math.hypot(raw.x[2 * i]!, raw.x[2 * i + 1]!);
      expect(radius).toBeCloseTo(raw.y[i] === 1 ? 0.5 : 1, 5);
    }
  });
  it('reads generator knobs from extra (circles factor, sine frequency)', () => {
    const circlesSpec = spec({ source: 'circles', noise: 0, extra: { factor: 0.3 } });
    const circles = ok(loadDataset(circlesSpec, model(2, 1, 'bce'), noFiles, 1));
    for (let i = 0; i < circles.samples; i++) {
      if (circles.y[i] === 1) expect(Math.hypot(circles.x[2 * i]!, circles.x[2 * i + 1]!)).toBeCloseTo(0.3, 5);
    }
    const sineSpec = spec({ source: 'sine', noise: 0, extra: { frequency: 2 } });
    const sine = ok(loadDataset(sineSpec, model(1, 1, 'mse'), noFiles, 1));
    for (let i = 0; i < 20; i++) expect(sine.y[i]).toBeCloseTo(Math.sin(2 * sine.x[i]!), 5);
  });
});

describe('synthetic source errors', () => {
  const cases: [string, Partial<DataSpec>, ReturnType<typeof model>, string, string][] = [
    [
      '2-D source, wider input',
      { source: 'spiral' },
      model(3, 2, 'crossentropy'),
      'input',
      "data source 'spiral' has 2 features but the model's input is 3",
    ],
    [
      '2-class source, 3 outputs',
      { source: 'xor' },
      model(2, 3, 'crossentropy'),
      'source',
      "data source 'xor' has 2 classes but loss 'crossentropy' with 3 outputs needs 3",
    ],
    [
      'regression source, classification loss',
      { source: 'sine' },
      model(1, 2, 'crossentropy'),
      'source',
      "data source 'sine' is regression data, so it needs loss 'mse', not 'crossentropy'",
    ],
    [
      'sine with 2 outputs',
      { source: 'sine' },
      model(1, 2, 'mse'),
      'source',
      "data source 'sine' has 1 target but the model has 2 outputs",
    ],
    [
      'bce with 2 outputs',
      { source: 'moons' },
      model(2, 2, 'bce'),
      'source',
      "loss 'bce' needs 1 output (the probability of class 1), but the model has 2",
    ],
    [
      'classes disagree with outputs',
      { source: 'blobs', classes: 4 },
      model(2, 3, 'crossentropy'),
      'classes',
      "'classes' is 4 but loss 'crossentropy' with 3 outputs needs 3 classes",
    ],
    [
      'classes on a fixed 2-class source',
      { source: 'moons', classes: 3 },
      model(2, 1, 'bce'),
      'classes',
      "data source 'moons' always has 2 classes, not 3",
    ],
    [
      'classes on regression',
      { source: 'teacher', classes: 3 },
      model(4, 3, 'mse'),
      'classes',
      "'classes' does not apply to data source 'teacher': with loss 'mse' it gives real-valued targets",
    ],
    [
      'unknown source',
      { source: 'mnist' },
      model(2, 1, 'bce'),
      'source',
      "unknown data source 'mnist'; use one of xor, circles, moons, spiral, blobs, sine, teacher, adding, copy, " +
        'sine_sequence, digit_rows, digits, bars, shapes, csv',
    ],
    ['zero samples', { samples: 0 }, model(2, 1, 'bce'), 'samples', "'samples' must be a whole number ≥ 1, not 0"],
    [
      'fractional samples',
      { samples: 2.5 },
      model(2, 1, 'bce'),
      'samples',
      "'samples' must be a whole number ≥ 1, not 2.5",
    ],
  ];
  for (const [title, overrides, shape, field, error] of cases) {
    it(title, () => {
      expect(loadDataset(spec(overrides), shape, noFiles, 1)).toEqual({ error, field });
    });
  }
  it('an inherited object key is not a source', () => {
    expect(loadDataset(spec({ source: 'toString' }), model(2, 1, 'bce'), noFiles, 1)).toHaveProperty('field', 'source');
  });
});

// ------------------------------------------------------------------------------------------------ CSV

const IRIS_LIKE = [
  'sepal_length,sepal_width,name,species',
  '5.1,3.5,a,setosa',
  '7.0,3.2,b,versicolor',
  '6.3,3.3,c,virginica',
  '4.9,3.0,d,setosa',
  '6.4,3.2,e,versicolor',
  '5.8,2.7,f,virginica',
].join('\r\n');

function csv(overrides: Partial<DataSpec>): DataSpec {
  return spec({ source: 'csv', path: 'data/iris.csv', samples: 512, ...overrides });
}
const irisFiles = filesOf({ 'data/iris.csv': IRIS_LIKE });

describe('csv source', () => {
  it('defaults: last column is the target, the other numeric columns are features, text columns skipped', () => {
    const data = ok(loadDataset(csv({}), model(2, 3, 'crossentropy'), irisFiles, 1));
    expect(data.samples).toBe(6);
    expect(data.features).toBe(2);
    expect(Array.from(data.x)).toEqual([5.1, 3.5, 7.0, 3.2, 6.3, 3.3, 4.9, 3.0, 6.4, 3.2, 5.8, 2.7].map(Math.fround));
    // sorted class names: setosa 0, versicolor 1, virginica 2
    expect(Array.from(data.y)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(data.classes).toBe(3);
  });
  it('target by name or index and features by name or index pick the same columns', () => {
    const nameSpec = csv({ target: 'sepal_width', features: ['sepal_length'] });
    const byName = ok(loadDataset(nameSpec, model(1, 1, 'mse'), irisFiles, 1));
    const byIndex = ok(loadDataset(csv({ target: 1, features: [0] }), model(1, 1, 'mse'), irisFiles, 1));
    expect(Array.from(byName.y)).toEqual([3.5, 3.2, 3.3, 3.0, 3.2, 2.7].map(Math.fround));
    expect(Array.from(byIndex.y)).toEqual(Array.from(byName.y));
    expect(Array.from(byIndex.x)).toEqual(Array.from(byName.x));
    expect(byName.classes).toBe(0);
  });
  it('standardize gives every feature mean 0 and std 1', () => {
    const data = ok(loadDataset(csv({ standardize: true }), model(2, 3, 'crossentropy'), irisFiles, 1));
    for (let f = 0; f < 2; f++) {
      expect(Math.abs(columnStats(data, f).mean)).toBeLessThan(1e-6);
      expect(columnStats(data, f).std).toBeCloseTo(1, 5);
    }
  });
  it('samples takes the first rows', () => {
    const data = ok(loadDataset(csv({ samples: 4 }), model(2, 3, 'crossentropy'), irisFiles, 1));
    expect(data.samples).toBe(4);
    expect(Array.from(data.y)).toEqual([0, 1, 2, 0]);
  });
  it('bce maps two text values in sorted order; mse with several outputs one-hot encodes', () => {
    const files = filesOf({ 'yn.csv': 'x,answer\n1,yes\n2,no\n3,yes\n' });
    const binary = ok(loadDataset(csv({ path: 'yn.csv' }), model(1, 1, 'bce'), files, 1));
    expect(Array.from(binary.y)).toEqual([1, 0, 1]);
    const oneHot = ok(loadDataset(csv({}), model(2, 3, 'mse'), irisFiles, 1));
    expect(oneHot.targetWidth).toBe(3);
    expect(Array.from(oneHot.y.subarray(0, 6))).toEqual([1, 0, 0, 0, 1, 0]);
  });
  it('headerless files work with index references and report columns by index', () => {
    const files = filesOf({ 'raw.csv': '1,2,0\n3,oops,1\n' });
    expect(loadDataset(csv({ path: 'raw.csv', features: [0, 1] }), model(2, 2, 'crossentropy'), files, 1)).toEqual({
      field: 'features',
      error: "CSV 'raw.csv' line 2, column index 1: 'oops' is not a number",
    });
    expect(loadDataset(csv({ path: 'raw.csv', target: 'label' }), model(2, 2, 'crossentropy'), files, 1)).toEqual({
      field: 'target',
      error:
        "CSV 'raw.csv' has no header row, so column 'label' cannot be found by name;" +
        ' give its 0-based index instead',
    });
  });
});

describe('csv class mapping', () => {
  it('numbers that are not 0..K-1 map in numeric order (2 < 10, not text order)', () => {
    expect(labelClasses(['10', '2', '5', '2'], 3)).toEqual({
      labels: new Uint32Array([2, 0, 1, 0]),
      values: ['2', '5', '10'],
    });
  });
  it('labels already in 0..K-1 stay as they are even when one class is absent', () => {
    expect(Array.from(labelClasses(['0', '2', '2.0'], 3).labels)).toEqual([0, 2, 2]);
  });
  it('text labels map by code point order', () => {
    expect(labelClasses(['b', 'a', 'B'], 3)).toEqual({ labels: new Uint32Array([2, 1, 0]), values: ['B', 'a', 'b'] });
  });
});

describe('csv errors', () => {
  const shape = model(2, 3, 'crossentropy');
  it('a missing file', () => {
    expect(loadDataset(csv({ path: 'data/none.csv' }), shape, irisFiles, 1)).toEqual({
      field: 'path',
      error: "cannot read CSV 'data/none.csv': file not found: data/none.csv",
    });
  });
  it('no path', () => {
    expect(loadDataset(csv({ path: null }), shape, irisFiles, 1)).toHaveProperty('field', 'path');
  });
  it('a non-numeric feature cell names its line and column', () => {
    const files = filesOf({ 'data/x.csv': 'alcohol,ash,class\n13.2,2.1,1\n12.9,2.4,2\nabc,2.2,3\n' });
    expect(loadDataset(csv({ path: 'data/x.csv' }), shape, files, 1)).toEqual({
      field: 'path',
      error: "CSV 'data/x.csv' line 4, column 'alcohol': 'abc' is not a number",
    });
  });
  it('a ragged row and an unclosed quote', () => {
    const ragged = filesOf({ 'r.csv': 'a,b\n1,2\n3\n' });
    expect(loadDataset(csv({ path: 'r.csv' }), shape, ragged, 1)).toEqual({
      field: 'path',
      error: "CSV 'r.csv' line 3 has 1 field but the header has 2",
    });
    const quote = filesOf({ 'q.csv': 'a,b\n1,"2\n' });
    expect(loadDataset(csv({ path: 'q.csv' }), shape, quote, 1)).toEqual({
      field: 'path',
      error: "CSV 'q.csv' line 2: a quoted field is never closed",
    });
  });
  it('a header but no rows', () => {
    const files = filesOf({ 'h.csv': 'a,b,c\n' });
    expect(loadDataset(csv({ path: 'h.csv' }), shape, files, 1)).toEqual({
      field: 'path',
      error: "CSV 'h.csv' has no data rows",
    });
  });
  it('an unknown target name lists the columns', () => {
    expect(loadDataset(csv({ target: 'kind' }), shape, irisFiles, 1)).toEqual({
      field: 'target',
      error:
        "CSV 'data/iris.csv' has no column 'kind';" +
        " its columns are 'sepal_length', 'sepal_width', 'name', 'species'",
    });
  });
  it('feature count against the model input: field input by default, features when listed', () => {
    expect(loadDataset(csv({}), model(3, 3, 'crossentropy'), irisFiles, 1)).toEqual({
      field: 'input',
      error:
        "CSV 'data/iris.csv' has 2 numeric feature columns ('sepal_length', 'sepal_width') but the model's input" +
        " is 3; text columns skipped: 'name'; choose columns with 'features'",
    });
    expect(loadDataset(csv({ features: ['sepal_length'] }), shape, irisFiles, 1)).toEqual({
      field: 'features',
      error: "'features' lists 1 column but the model's input is 2",
    });
  });
  it('features that repeat a column or include the target', () => {
    expect(loadDataset(csv({ features: [0, 'species'] }), shape, irisFiles, 1)).toEqual({
      field: 'features',
      error: "'features' includes the target column 'species'",
    });
    expect(loadDataset(csv({ features: [0, 'SEPAL_LENGTH'] }), shape, irisFiles, 1)).toEqual({
      field: 'features',
      error: "'features' lists column 'sepal_length' twice",
    });
  });
  it('more distinct target values than the loss allows, and a single class', () => {
    expect(loadDataset(csv({}), model(2, 2, 'crossentropy'), irisFiles, 1)).toEqual({
      field: 'target',
      error:
        "CSV 'data/iris.csv' target column 'species' has 3 distinct values (setosa, versicolor, virginica)" +
        " but loss 'crossentropy' with 2 outputs allows 2",
    });
    expect(loadDataset(csv({ samples: 1 }), shape, irisFiles, 1)).toEqual({
      field: 'target',
      error:
        "CSV 'data/iris.csv' target column 'species' has only the value 'setosa';" +
        ' a classifier needs 2 classes or more',
    });
  });
  it('a text target with mse and 1 output is not a number', () => {
    expect(loadDataset(csv({}), model(2, 1, 'mse'), irisFiles, 1)).toEqual({
      field: 'target',
      error: "CSV 'data/iris.csv' line 2, column 'species': 'setosa' is not a number",
    });
  });
});

describe('the example file examples/data/wine-small.csv', () => {
  it('loads as 3 balanced-ish classes of 6 standardised features (as examples/csv-wine.vgnet.json uses it)', () => {
    const text = readFileSync(join(__dirname, '../../examples/data/wine-small.csv'), 'utf8');
    const files = filesOf({ 'data/wine-small.csv': text });
    const data = ok(
      loadDataset(
        csv({ path: 'data/wine-small.csv', target: 'class', standardize: true }),
        model(6, 3, 'crossentropy'),
        files,
        1,
      ),
    );
    expect(data.samples).toBeGreaterThanOrEqual(150);
    expect(data.samples).toBeLessThanOrEqual(300);
    const counts = [0, 0, 0];
    for (const label of data.y) counts[label]!++;
    expect(Math.min(...counts)).toBeGreaterThan(data.samples / 5);
    for (let f = 0; f < 6; f++) expect(columnStats(data, f).std).toBeCloseTo(1, 4);
  });
});
