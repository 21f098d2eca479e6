/** CSV data at the limits: float32 range, the row limit without `samples`, grouped numbers, many columns. */
import { describe, expect, it } from 'vitest';
import { DATA_STOPPED, loadDataset, type DataResult } from '../../src/spec/data';
import type { DataSpec, FileAccess } from '../../src/spec/types';

function csv(path: string, overrides: Partial<DataSpec> = {}): DataSpec {
  return {
    source: 'csv',
    samples: Number.POSITIVE_INFINITY,
    noise: 0,
    classes: null,
    seed: null,
    path,
    target: null,
    features: null,
    standardize: false,
    extra: {},
    ...overrides,
  };
}
function filesOf(contents: Record<string, string>): FileAccess {
  return { readText: (p) => (p in contents ? { text: contents[p]! } : { error: `file not found: ${p}` }) };
}
function errorOf(result: DataResult): { error: string; field: string } {
  if (!('error' in result)) throw new Error('expected an error');
  return result;
}
const MSE1 = { input: 1, outputs: 1, loss: 'mse' as const };

describe('CSV values beyond float32', () => {
  it('1e39 in a feature is a data error at its line and column, not a NaN loss later', () => {
    const files = filesOf({ 'd.csv': 'x,y\n1,2\n1e39,3\n' });
    expect(errorOf(loadDataset(csv('d.csv'), MSE1, files, 1)).error).toBe(
      "CSV 'd.csv' line 3, column 'x': '1e39' is beyond the float32 range (±3.4028235e38) the engine trains in",
    );
  });

  it('-1e39 in the target too; 3.4e38 is still fine', () => {
    const files = filesOf({ 'd.csv': 'x,y\n1,3.4e38\n2,-1e39\n' });
    expect(errorOf(loadDataset(csv('d.csv'), MSE1, files, 1)).error).toMatch(/line 3, column 'y': '-1e39' is beyond/);
    const fine = loadDataset(csv('d.csv', { samples: 1 }), MSE1, files, 1);
    expect('dataset' in fine).toBe(true);
  });
});

describe('the row limit', () => {
  it('applies when samples is absent: 1,000,010 rows are refused, not trained', () => {
    const text = `x,y\n${'1,2\n'.repeat(1_000_010)}`;
    const result = errorOf(loadDataset(csv('big.csv'), MSE1, filesOf({ 'big.csv': text }), 1));
    expect(result.field).toBe('path');
    expect(result.error).toBe(
      "CSV 'big.csv' has 1,000,010 data rows; the most is 1,000,000 (set 'samples' to use the first rows)",
    );
  });

  it('limit messages group their digits', () => {
    const files = filesOf({ 'd.csv': 'x,y\n1,2\n' });
    expect(errorOf(loadDataset(csv('d.csv', { samples: 2_000_000 }), MSE1, files, 1)).error).toBe(
      "'samples' is 2,000,000; the most is 1,000,000",
    );
    const wide = {
      source: 'xor',
      samples: 1_000_000,
      noise: 0,
      classes: null,
      seed: null,
      path: null,
      target: null,
      features: null,
      standardize: false,
      extra: {},
    } as DataSpec;
    expect(errorOf(loadDataset(wide, { input: 51, outputs: 1, loss: 'mse' }, files, 1)).error).toBe(
      '1,000,000 samples × 51 features is more than 50,000,000 values; use fewer samples',
    );
  });
});

describe('many columns', () => {
  it('a count mismatch over 20,000 numeric columns is reported with the columns listed briefly', () => {
    const header = Array.from({ length: 20_000 }, (_, i) => `c${i}`).join(',');
    const row = Array.from({ length: 20_000 }, (_, i) => (i % 2 === 0 ? '1' : 'a')).join(',');
    const error = errorOf(loadDataset(csv('w.csv'), MSE1, filesOf({ 'w.csv': `${header}\n${row}\n` }), 1)).error;
    expect(error).toMatch(/^CSV 'w.csv' has 10,000 numeric feature columns/);
    expect(error.length).toBeLessThan(1000);
  });
});

describe('shouldStop: the deadline while data loads', () => {
  const text = `a,b,y\n${'1,2,3\n'.repeat(5000)}`;
  const files = filesOf({ 'd.csv': text });
  const model = { input: 2, outputs: 1, loss: 'mse' as const };

  it('returns the stopped outcome, not an error or a throw, once shouldStop says so', () => {
    for (const after of [0, 1, 2, 3, 5]) {
      let calls = 0;
      const result = loadDataset(csv('d.csv'), model, files, 1, () => calls++ >= after);
      expect(result).toEqual(DATA_STOPPED);
    }
  });

  it('is asked every 1,024 rows while numbers are read, and loading finishes when it stays false', () => {
    let calls = 0;
    const result = loadDataset(csv('d.csv'), model, files, 1, () => {
      calls++;
      return false;
    });
    expect('dataset' in result).toBe(true);
    expect(calls).toBeGreaterThanOrEqual(5);
  });
});
