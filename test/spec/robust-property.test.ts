/** Generated hostile inputs: BOM, CRLF, invalid UTF-8, large and deep texts, CSV files. Never a throw; positions right. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSpec } from '../../src/node/files';
import { lineCol, parseSpec } from '../../src/spec';
import { loadDataset } from '../../src/spec/data';
import type { DataSpec } from '../../src/spec/types';

const RUNS = { numRuns: 60 };
const jsonish = fc.string({
  unit: fc.constantFrom('{', '}', '[', ']', '"a"', ':', ',', '1', ' ', '\n', '\r\n', '//x\n', 'é'),
  maxLength: 80,
});

describe('spec text from bytes', () => {
  it('a BOM changes nothing: same diagnostics at the same offsets as without it', () => {
    fc.assert(
      fc.property(jsonish, (text) => {
        const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
        const decoded = decodeSpec('f', bytes);
        expect(decoded).toEqual({ text });
      }),
      RUNS,
    );
  });

  it('CRLF and LF texts give diagnostics on the same lines and columns', () => {
    fc.assert(
      fc.property(jsonish, (text) => {
        const lf = text.replace(/\r\n/g, '\n');
        const crlf = lf.replace(/\n/g, '\r\n');
        const at = (t: string) => parseSpec(t).diagnostics.map((d) => [d.message, lineCol(t, d.offset)]);
        expect(at(crlf)).toEqual(at(lf));
      }),
      RUNS,
    );
  });

  it('bytes that are not UTF-8 are refused with an offset inside the file, never decoded to U+FFFD', () => {
    const bad = fc.constantFrom([0x80], [0xc3], [0xe2, 0x82], [0xff], [0xed, 0xa0, 0x80], [0xc0, 0xaf]);
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), bad, fc.string({ maxLength: 30 }), (before, junk, after) => {
        const head = Buffer.from(before, 'utf8');
        const result = decodeSpec('f', Buffer.concat([head, Buffer.from(junk), Buffer.from(after, 'utf8')]));
        expect(result).toEqual({
          error: `f: not valid UTF-8 (first bad byte at offset ${head.length}); save it as UTF-8`,
        });
      }),
      RUNS,
    );
  });
});

describe('large and deep inputs', () => {
  it('deep nesting and long arrays give diagnostics, never a throw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.constantFrom('[', '{"a":'), (depth, open) => {
        const text = `{"layers": ${open.repeat(depth)}`;
        expect(parseSpec(text).diagnostics.length).toBeGreaterThan(0);
      }),
      { numRuns: 20 },
    );
  });

  it('many unknown keys: one warning each, each at its own key', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), (n) => {
        const keys = Array.from({ length: n }, (_, i) => `"zz${i}": 0`).join(',\r\n');
        const text = `{${keys}}`;
        const unknown = parseSpec(text).diagnostics.filter((d) => /zz\d+/.test(d.message));
        expect(unknown).toHaveLength(n);
        const last = unknown.at(-1)!;
        expect(lineCol(text, last.offset).line).toBe(n);
      }),
      { numRuns: 5 },
    );
  });
});

describe('CSV files', () => {
  const spec = (): DataSpec => ({
    source: 'csv',
    samples: Number.POSITIVE_INFINITY,
    noise: 0,
    classes: null,
    seed: null,
    path: 'd.csv',
    target: null,
    features: null,
    standardize: false,
    extra: { header: 1 },
  });
  const cell = fc.oneof(fc.double({ noNaN: true, min: -1e6, max: 1e6 }).map(String), fc.constantFrom('1e39', 'x', ''));

  it('the first bad cell is reported at its line and column; good files load; never a throw', () => {
    const table = fc.array(fc.tuple(cell, cell), { minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(table, fc.boolean(), (rows, crlf) => {
        const eol = crlf ? '\r\n' : '\n';
        const text = `a,y${eol}${rows.map((r) => r.join(',')).join(eol)}${eol}`;
        const result = loadDataset(spec(), { input: 1, outputs: 1, loss: 'mse' }, { readText: () => ({ text }) }, 1);
        const bad = (c: string) => c === '' || c === 'x' || c === '1e39';
        const badA = rows.findIndex((r) => bad(r[0]));
        const badY = rows.findIndex((r) => bad(r[1]));
        if (badA < 0 && badY < 0) {
          expect('dataset' in result).toBe(true);
          return;
        }
        if (!('error' in result)) throw new Error('expected a data error');
        // Features are read before the target, so a bad feature cell is reported first, wherever the target's is.
        if (!result.error.includes(' line ')) return; // 'a' all text: not a feature at all (a column-count error)
        const expected = badA >= 0 ? `line ${badA + 2}, column 'a'` : `line ${badY + 2}, column 'y'`;
        expect(result.error).toContain(expected);
      }),
      { numRuns: 100 },
    );
  });
});
