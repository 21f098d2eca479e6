/** prepare(): generated data sets are reused between runs of one thread (same data section, shape and seed). */
import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/analysis/prepare';

const spec = (seed: number, units = 8, source = '"source": "moons", "samples": 200'): string => `{
  "input": 2,
  "layers": [{ "type": "dense", "units": ${units}, "activation": "relu" }, { "type": "dense", "units": 1 }],
  "loss": "mse",
  "training": { "steps": 5, "batchSize": 8, "seed": ${seed} },
  "data": { ${source} }
}`;

const csv = 'x1,x2,y\n0,1,1\n1,0,0\n0.5,0.5,1\n0.2,0.1,0\n';
const files = { readText: (p: string) => (p === 'd.csv' ? { text: csv } : { error: `no file ${p}` }) };

function datasetOf(text: string) {
  const prepared = prepare(text, { files });
  if (!prepared.ok) throw new Error(prepared.diagnostics[0]?.message);
  return prepared.dataset;
}

describe('the data set cache', () => {
  it('gives a variant of the same spec (other layers, same data and seed) the same data set', () => {
    const first = datasetOf(spec(3));
    expect(datasetOf(spec(3, 16))).toBe(first);
  });

  it('draws anew for another seed, and equals a fresh draw bit for bit', () => {
    const a = datasetOf(spec(4));
    const b = datasetOf(spec(5));
    expect(b).not.toBe(a);
    expect(Array.from(b.x)).not.toEqual(Array.from(a.x));
    // A sixth seed fills the cache past its size: seed 4 is drawn again, with the same values.
    for (const s of [6, 7, 8, 9]) datasetOf(spec(s));
    const again = datasetOf(spec(4));
    expect(again).not.toBe(a);
    expect(Array.from(again.x)).toEqual(Array.from(a.x));
  });

  it('reads a csv file every time (the file may have changed)', () => {
    const source = '"source": "csv", "path": "d.csv", "target": "y"';
    expect(datasetOf(spec(1, 8, source))).not.toBe(datasetOf(spec(1, 8, source)));
  });
});
