/**
 * parseSpec never throws, on any string or on random edits of a valid spec, and every diagnostic it returns lies
 * inside the text. Also: the config exists exactly when no error was reported.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/spec';

const VALID = `{
  "version": 1, "name": "p", "input": 2, // features
  "layers": [
    { "type": "dense", "units": 16, "activation": { "name": "leaky_relu", "alpha": 0.1 }, "init": "he_normal" },
    { "type": "batchnorm", "eps": 1e-5 },
    { "type": "dropout", "rate": 0.1 },
    { "type": "residual", "projection": true, "layers": [ { "type": "dense", "units": 8, "activation": "tanh" } ] },
    { "type": "dense", "units": 3, "activation": "softmax" },
  ],
  "loss": "crossentropy",
  "optimizer": { "type": "adam", "lr": 0.001 },
  "training": { "steps": 50, "batchSize": 32, "clipNorm": null },
  "data": { "source": "spiral", "classes": 3, "turns": 1.5 }
}`;

/** Fragments that make interesting edits: JSON punctuation, keywords, numbers and names the spec uses. */
const FRAGMENTS = [
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"',
  '\\',
  '//',
  '/*',
  '*/',
  '\n',
  '\r',
  'null',
  'true',
  '-',
  '0',
  '1e999',
  '-1',
  '2.5',
  '"dense"',
  '"residual"',
  '"layers"',
  '"units"',
  '"softmax"',
  '"type"',
  '[]',
  '{}',
  '"~1/"',
  '\u2028',
  '😀',
];

const edit = fc.record({
  start: fc.nat(),
  remove: fc.nat({ max: 12 }),
  insert: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 })),
});

function applyEdits(text: string, edits: { start: number; remove: number; insert: string }[]): string {
  let result = text;
  for (const e of edits) {
    const start = e.start % (result.length + 1);
    result = result.slice(0, start) + e.insert + result.slice(start + e.remove);
  }
  return result;
}

/** Problems with a parse result: ranges outside the text, bad pointers, a config despite errors, caught bugs. */
function problems(text: string): string[] {
  const parsed = parseSpec(text);
  const found: string[] = [];
  for (const d of parsed.diagnostics) {
    const inside =
      Number.isInteger(d.offset) &&
      Number.isInteger(d.length) &&
      d.offset >= 0 &&
      d.length >= 0 &&
      d.offset + d.length <= text.length;
    if (!inside) found.push(`range outside the text: ${JSON.stringify(d)}`);
    if (d.path !== '' && !d.path.startsWith('/')) found.push(`bad pointer: ${JSON.stringify(d)}`);
    if (d.code === 'internal' || d.message === '') found.push(`internal: ${JSON.stringify(d)}`);
  }
  const hasError = parsed.diagnostics.some((d) => d.severity === 'error');
  if ((parsed.config === null) !== hasError)
    found.push(`config ${parsed.config === null ? 'missing' : 'present'} with hasError=${hasError}`);
  return found;
}

function expectWellFormed(text: string): void {
  expect(problems(text), JSON.stringify(text)).toEqual([]);
}

describe('parseSpec robustness', () => {
  it('the base spec is valid (so mutations start from a real spec)', () => {
    const parsed = parseSpec(VALID);
    expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(parsed.config).not.toBeNull();
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => expectWellFormed(text)),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (text) => expectWellFormed(text)),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => expectWellFormed(JSON.stringify(value) ?? '')),
      { numRuns: 200 },
    );
  });

  it('never throws on random edits of a valid spec', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        expectWellFormed(applyEdits(VALID, edits));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws when keys of a valid spec get values of any JSON type', () => {
    const slots = ['16', '"leaky_relu"', '0.1', 'true', '"crossentropy"', '"adam"', 'null', '"spiral"', '3', '50'];
    fc.assert(
      fc.property(fc.constantFrom(...slots), fc.jsonValue({ maxDepth: 2 }), (slot, value) => {
        expectWellFormed(VALID.replace(slot, JSON.stringify(value) ?? 'null'));
      }),
      { numRuns: 300 },
    );
  });
});
