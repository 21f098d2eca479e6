/**
 * A spec's `"parameters"` file (vgnet-init/1): its tensors replace what the initialisers draw, and a file that does
 * not fit the model — missing, not JSON, another format, an unknown layer or name, a wrong shape, a non-finite
 * value — is an error at the key, before anything trains.
 */
import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/analysis/prepare';
import { createTrainer } from '../../src/engine/train';
import type { FileAccess } from '../../src/spec/types';

const SPEC = JSON.stringify({
  input: 2,
  layers: [
    { type: 'dense', units: 3, activation: 'relu' },
    { type: 'batchnorm' },
    { type: 'dense', units: 1, activation: 'sigmoid' },
  ],
  loss: 'bce',
  data: { source: 'xor', samples: 64 },
  parameters: 'p.vgnet-init.json',
});

function files(text: string | null): FileAccess {
  return { readText: (p) => (text === null ? { error: `data file '${p}' does not exist` } : { text }) };
}

const W0 = [
  [1, 2],
  [3, 4],
  [5, 6],
];

describe('"parameters": initial values from a file', () => {
  it('replaces the initialisers of the layers it names; the others keep theirs', () => {
    const file = JSON.stringify({
      format: 'vgnet-init/1',
      parameters: { '/layers/0': { weight: W0, bias: [0.1, 0.2, 0.3] }, '/layers/1': { gamma: [2, 2, 2] } },
    });
    const prepared = prepare(SPEC, { files: files(file) });
    if (!prepared.ok) throw new Error(prepared.diagnostics[0]?.message);
    const params = createTrainer(prepared.config, prepared.dataset).parameters();
    const get = (path: string, name: string) =>
      Array.from(params.find((p) => p.path === path && p.name === name)!.data);
    expect(get('/layers/0', 'weight')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(get('/layers/0', 'bias').map((v) => Number(v.toFixed(6)))).toEqual([0.1, 0.2, 0.3]);
    expect(get('/layers/1', 'gamma')).toEqual([2, 2, 2]);
    expect(get('/layers/2', 'weight').every((v) => v !== 0)).toBe(true); // its initialiser's draw
  });

  it("a conv layer's PReLU slopes are one per output value, as the engine keeps them; one per filter is an error", () => {
    // conv2d 2 filters 3×3 'valid' on [1, 8, 8] → [2, 6, 6]: 72 slopes.
    const conv = JSON.stringify({
      input: [1, 8, 8],
      layers: [
        { type: 'conv2d', filters: 2, kernel: 3, activation: 'prelu' },
        { type: 'flatten' },
        { type: 'dense', units: 1, activation: 'sigmoid' },
      ],
      loss: 'bce',
      data: { source: 'bars', size: 8, samples: 64 },
      parameters: 'p.vgnet-init.json',
    });
    const slopes = Array.from({ length: 72 }, (_, i) => (i + 1) / 100);
    const file = (slope: number[]) =>
      JSON.stringify({ format: 'vgnet-init/1', parameters: { '/layers/0': { slope } } });
    const prepared = prepare(conv, { files: files(file(slopes)) });
    if (!prepared.ok) throw new Error(prepared.diagnostics[0]?.message);
    const trained = createTrainer(prepared.config, prepared.dataset).parameters();
    const slope = trained.find((p) => p.path === '/layers/0' && p.name === 'slope')!;
    expect(Array.from(slope.data).map((v) => Number(v.toFixed(6)))).toEqual(slopes);
    const perFilter = prepare(conv, { files: files(file([0.1, 0.2])) });
    expect(perFilter.ok).toBe(false);
    if (!perFilter.ok) expect(perFilter.diagnostics[0]!.message).toMatch(/expected shape \[72\]/);
  });

  it.each([
    ['a missing file', null, /parameters file 'p\.vgnet-init\.json' does not exist/],
    ['not JSON', '{', /is not JSON/],
    ['another format', '{"format": "x"}', /not a vgnet-init\/1 file/],
    [
      'an unknown layer',
      JSON.stringify({ format: 'vgnet-init/1', parameters: { '/layers/9': { weight: [] } } }),
      /no layer with parameters at \/layers\/9/,
    ],
    [
      'an unknown name',
      JSON.stringify({ format: 'vgnet-init/1', parameters: { '/layers/0': { gamma: [1] } } }),
      /has no parameter "gamma"/,
    ],
    [
      'a wrong shape',
      JSON.stringify({ format: 'vgnet-init/1', parameters: { '/layers/0': { weight: [[1, 2]] } } }),
      /expected shape \[3, 2\]/,
    ],
    [
      'a non-finite value',
      JSON.stringify({ format: 'vgnet-init/1', parameters: { '/layers/0': { bias: [1, null, 2] } } }),
      /null is not a finite float32/,
    ],
  ])('%s is an error at "parameters"', (_what, file, message) => {
    const prepared = prepare(SPEC, { files: files(file) });
    expect(prepared.ok).toBe(false);
    if (prepared.ok) return;
    const d = prepared.diagnostics[0]!;
    expect(d.message).toMatch(message);
    expect(d.path).toBe('/parameters');
    expect(SPEC.slice(d.offset, d.offset + d.length)).toBe('"p.vgnet-init.json"');
  });

  it('must be a string', () => {
    const prepared = prepare(SPEC.replace('"p.vgnet-init.json"', '42'), { files: files(null) });
    expect(prepared.ok).toBe(false);
  });
});

describe('random bias initialisers', () => {
  const spec = (biasInit: unknown) =>
    JSON.stringify({
      input: 2,
      layers: [
        { type: 'dense', units: 400, activation: 'tanh', biasInit },
        { type: 'dense', units: 1 },
      ],
      loss: 'mse',
      data: { source: 'sine', samples: 16 },
    });
  const noFiles: FileAccess = { readText: () => ({ error: 'no files' }) };
  it.each([
    [{ name: 'uniform', scale: 0.3 }, 0.3 / Math.sqrt(3)],
    [{ name: 'normal', scale: 0.2 }, 0.2],
  ])('%j draws biases of that spread', (init, std) => {
    const prepared = prepare(spec(init), { files: noFiles });
    if (!prepared.ok) throw new Error(prepared.diagnostics[0]?.message);
    const bias = createTrainer(prepared.config, prepared.dataset)
      .parameters()
      .find((p) => p.path === '/layers/0' && p.name === 'bias')!.data;
    const mean = bias.reduce((a, b) => a + b, 0) / bias.length;
    const measured = Math.sqrt(bias.reduce((a, b) => a + (b - mean) ** 2, 0) / bias.length);
    expect(measured / std).toBeGreaterThan(0.85);
    expect(measured / std).toBeLessThan(1.15);
  });
  it('constant and zeros objects are constants; a fan-based one is an error at the key', () => {
    const constant = prepare(spec({ name: 'constant', scale: 0.5 }), { files: noFiles });
    expect(constant.ok && constant.config.layers[0]).toMatchObject({ biasInit: 0.5 });
    const fan = prepare(spec('he_normal'), { files: noFiles });
    expect(fan.ok).toBe(false);
    if (!fan.ok) expect(fan.diagnostics[0]!.message).toMatch(/needs a weight matrix's fans/);
  });
});
