/**
 * Conv, pooling, flatten, global average pooling, LayerNorm and recurrent layers: each resolves with the defaults
 * docs/spec.md gives (written out here by hand), and each bad value is reported at the value, with its line:col.
 */
import { describe, expect, it } from 'vitest';
import type { LayerConfig } from '../../src/engine/config';
import { parseSpec } from '../../src/spec';
import { at, covered, only, positionOf, spec } from './helpers';

const glorot = { name: 'glorot_uniform', scale: 1 } as const;
const linear = { name: 'linear', alpha: 0 } as const;
const tanh = { name: 'tanh', alpha: 0 } as const;

/** The resolved layers of a spec whose layers are `layers` (raw JSON), failing the test on any error. */
function resolved(input: string, layers: string, loss = '"mse"'): LayerConfig[] {
  const parsed = parseSpec(spec({ input, layers, loss }));
  expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return parsed.config!.layers;
}

const head = '{ "type": "flatten" }, { "type": "dense", "units": 1 }';

describe('every new layer type resolves with its defaults', () => {
  it('conv2d and conv1d: stride 1, dilation 1, valid, linear, glorot_uniform, bias 0; a number kernel on every axis', () => {
    const [conv2d] = resolved('[1, 8, 8]', `[{ "type": "conv2d", "filters": 4, "kernel": 3 }, ${head}]`);
    expect(conv2d).toEqual({
      kind: 'conv2d',
      path: '/layers/0',
      filters: 4,
      kernel: [3, 3],
      stride: [1, 1],
      dilation: [1, 1],
      padding: 'valid',
      activation: linear,
      init: glorot,
      biasInit: 0,
    });
    const [conv1d] = resolved('[2, 20]', `[{ "type": "conv1d", "filters": 3, "kernel": [5], "stride": 2 }, ${head}]`);
    expect(conv1d).toMatchObject({ kind: 'conv1d', kernel: [5], stride: [2], dilation: [1], padding: 'valid' });
  });

  it('maxpool and avgpool: window 2 on every axis of the input, stride = the window, valid', () => {
    const layers = resolved(
      '[2, 8, 8]',
      `[{ "type": "maxpool" }, { "type": "avgpool", "pool": 2, "stride": 1, "padding": "same" }, ${head}]`,
    );
    expect(layers[0]).toEqual({ kind: 'maxpool', path: '/layers/0', pool: [2, 2], stride: [2, 2], padding: 'valid' });
    expect(layers[1]).toEqual({ kind: 'avgpool', path: '/layers/1', pool: [2, 2], stride: [1, 1], padding: 'same' });
    const [oneD] = resolved('[2, 9]', `[{ "type": "maxpool", "pool": 3 }, ${head}]`);
    expect(oneD).toMatchObject({ pool: [3], stride: [3] });
  });

  it('flatten, global_avgpool and layernorm (eps 1e-5)', () => {
    const layers = resolved(
      '[3, 4, 4]',
      '[{ "type": "global_avgpool" }, { "type": "layernorm" }, { "type": "flatten" }, { "type": "dense", "units": 1 }]',
    );
    expect(layers.slice(0, 3)).toEqual([
      { kind: 'global_avgpool', path: '/layers/0' },
      { kind: 'layernorm', path: '/layers/1', eps: 1e-5 },
      { kind: 'flatten', path: '/layers/2' },
    ]);
  });

  it('simple_rnn, lstm, gru: tanh, glorot_uniform / orthogonal, bias 0, forget bias 1 (lstm), last step only', () => {
    const common = {
      init: glorot,
      recurrentInit: { name: 'orthogonal', scale: 1 },
      biasInit: 0,
      returnSequences: false,
    };
    const rnn = (type: string): LayerConfig =>
      resolved('[10, 2]', `[{ "type": "${type}", "units": 4 }, { "type": "dense", "units": 1 }]`)[0]!;
    expect(rnn('simple_rnn')).toEqual({
      kind: 'simple_rnn',
      path: '/layers/0',
      units: 4,
      activation: tanh,
      forgetBias: 0,
      ...common,
    });
    expect(rnn('lstm')).toEqual({
      kind: 'lstm',
      path: '/layers/0',
      units: 4,
      activation: tanh,
      forgetBias: 1,
      ...common,
    });
    expect(rnn('gru')).toEqual({
      kind: 'gru',
      path: '/layers/0',
      units: 4,
      activation: tanh,
      forgetBias: 0,
      ...common,
    });
  });

  it('reads every key when given, identity as recurrentInit included', () => {
    const [layer] = resolved(
      '[10, 2]',
      '[{ "type": "simple_rnn", "units": 8, "activation": "relu", "recurrentInit": {"name": "identity", "scale": 0.5}, "biasInit": 0.1, "returnSequences": true }, { "type": "flatten" }, { "type": "dense", "units": 1 }]',
    );
    expect(layer).toMatchObject({
      activation: { name: 'relu' },
      recurrentInit: { name: 'identity', scale: 0.5 },
      biasInit: 0.1,
      returnSequences: true,
    });
    const [lstm] = resolved(
      '[10, 2]',
      '[{ "type": "lstm", "units": 3, "forgetBias": 0 }, { "type": "dense", "units": 1 }]',
    );
    expect(lstm).toMatchObject({ forgetBias: 0 });
  });

  it('a number "input" keeps no shape; an array sets input to the product and inputShape to the array', () => {
    expect(parseSpec(spec({ input: '2' })).config).not.toHaveProperty('inputShape');
    const config = parseSpec(spec({ input: '[1, 4, 4]', layers: `[${head}]`, loss: '"mse"' })).config!;
    expect(config.input).toBe(16);
    expect(config.inputShape).toEqual([1, 4, 4]);
  });
});

/** The one diagnostic with `code`, in a spec with these layers; returns it with the text. */
function diagnose(layers: string, code: string, input = '[1, 8, 8]') {
  const text = spec({ input, layers: `[\n    ${layers},\n    ${head}\n  ]`, loss: '"mse"' });
  const parsed = parseSpec(text);
  expect(parsed.config).toBeNull();
  return { text, d: only(parsed, code) };
}

describe('bad values are reported at the value', () => {
  it('kernel 0, a negative stride and dilation 1.5: range errors at each value', () => {
    const text = spec({
      input: '[1, 8, 8]',
      layers: `[\n    { "type": "conv2d", "filters": 2, "kernel": 0, "stride": -1, "dilation": 1.5 },\n    ${head}\n  ]`,
      loss: '"mse"',
    });
    const found = parseSpec(text).diagnostics.filter((d) => d.code === 'range');
    expect(found.map((d) => [d.path, at(text, d), d.message])).toEqual([
      ['/layers/0/kernel', positionOf(text, '0,'), '"kernel" must be a positive integer, got 0'],
      ['/layers/0/stride', positionOf(text, '-1'), '"stride" must be a positive integer, got -1'],
      ['/layers/0/dilation', positionOf(text, '1.5'), '"dilation" must be a positive integer, got 1.5'],
    ]);
  });

  it('a kernel array of the wrong length, at the array; a bad entry, at the entry', () => {
    const { text, d } = diagnose('{ "type": "conv2d", "filters": 2, "kernel": [3, 3, 3] }', 'range');
    expect(covered(text, d)).toBe('[3, 3, 3]');
    expect(d.message).toBe(
      '"kernel" has 3 entries but it needs 2, one per spatial axis: [height, width] (of a conv2d layer)',
    );
    const entry = diagnose('{ "type": "conv1d", "filters": 2, "kernel": [0] }', 'range', '[1, 8]');
    expect(at(entry.text, entry.d)).toBe(positionOf(entry.text, '0]'));
    expect(entry.d.path).toBe('/layers/0/kernel/0');
    expect(entry.d.message).toBe('"kernel" entry 1 must be a positive integer, got 0');
  });

  it('a kernel of the wrong type, and a missing kernel or filters at the opening brace', () => {
    const typed = diagnose('{ "type": "conv2d", "filters": 2, "kernel": "3x3" }', 'type');
    expect(covered(typed.text, typed.d)).toBe('"3x3"');
    const missing = spec({
      input: '[1, 8, 8]',
      layers: `[\n    { "type": "conv2d" },\n    ${head}\n  ]`,
      loss: '"mse"',
    });
    const found = parseSpec(missing).diagnostics.filter((d) => d.code === 'missing-key');
    expect(found.map((d) => [at(missing, d), d.message])).toEqual([
      [positionOf(missing, '{ "type": "conv2d"'), 'this conv2d layer needs "filters"'],
      [positionOf(missing, '{ "type": "conv2d"'), 'this conv2d layer needs "kernel" (e.g. 3, or [3, 3])'],
    ]);
  });

  it('an unknown padding, with a suggestion', () => {
    const { text, d } = diagnose('{ "type": "maxpool", "padding": "sme" }', 'unknown-name');
    expect(covered(text, d)).toBe('"sme"');
    expect(d.suggestion).toBe('same');
  });

  it('units < 1 on a recurrent layer, and a zero LayerNorm eps', () => {
    const units = diagnose('{ "type": "lstm", "units": 0 }', 'range', '[5, 2]');
    expect(at(units.text, units.d)).toBe(positionOf(units.text, '0 }'));
    expect(units.d.message).toBe('"units" must be a positive integer, got 0');
    const eps = diagnose('{ "type": "layernorm", "eps": 0 }', 'range');
    expect(eps.d.path).toBe('/layers/0/eps');
  });

  it('simple_rnn takes tanh or relu only; "activation" on an lstm is not a key', () => {
    const sigmoid = diagnose('{ "type": "simple_rnn", "units": 4, "activation": "sigmoid" }', 'range', '[5, 2]');
    expect(covered(sigmoid.text, sigmoid.d)).toBe('"sigmoid"');
    expect(sigmoid.d.message).toMatch(/^a simple_rnn's "activation" is "tanh" or "relu"/);
    const text = spec({
      input: '[5, 2]',
      layers: '[{ "type": "lstm", "units": 4, "activation": "relu" }, { "type": "dense", "units": 1 }]',
      loss: '"mse"',
    });
    const parsed = parseSpec(text);
    const d = only(parsed, 'unused-key');
    expect(covered(text, d)).toBe('"activation"');
    expect(d.message).toMatch(/lstm layers use sigmoid gates and tanh/);
    expect(parsed.config).not.toBeNull(); // a warning only
  });

  it('identity needs a square matrix: an error as a dense or conv init, fine as recurrentInit', () => {
    const dense = diagnose('{ "type": "conv2d", "filters": 2, "kernel": 3, "init": "identity" }', 'range');
    expect(covered(dense.text, dense.d)).toBe('"identity"');
    expect(dense.d.message).toMatch(/needs a square matrix: it is for "recurrentInit"/);
    const gru = diagnose('{ "type": "gru", "units": 4, "init": "identity" }', 'range', '[5, 2]');
    expect(gru.d.path).toBe('/layers/0/init');
  });
});

describe('"input" as a shape', () => {
  const inputError = (input: string, code: string) => {
    const text = spec({ input, layers: `[${head}]`, loss: '"mse"' });
    const parsed = parseSpec(text);
    expect(parsed.config).toBeNull();
    return { text, d: only(parsed, code) };
  };

  it('rejects an empty shape and more than 3 dimensions at the array', () => {
    const empty = inputError('[]', 'range');
    expect(covered(empty.text, empty.d)).toBe('[]');
    expect(empty.d.message).toMatch(/this array is empty$/);
    const four = inputError('[1, 2, 3, 4]', 'range');
    expect(covered(four.text, four.d)).toBe('[1, 2, 3, 4]');
  });

  it('rejects a zero or fractional dimension at the dimension', () => {
    const zero = inputError('[1, 0, 28]', 'range');
    expect(zero.d.path).toBe('/input/1');
    expect(at(zero.text, zero.d)).toBe(positionOf(zero.text, '0, 28'));
    expect(zero.d.message).toBe('"input" dimension 2 must be a positive integer, got 0');
    const empty = inputError('[0, 2]', 'range'); // a sequence of no steps
    expect(empty.d.path).toBe('/input/0');
    expect(covered(empty.text, empty.d)).toBe('0');
    const half = inputError('[1, 2.5]', 'range');
    expect(covered(half.text, half.d)).toBe('2.5');
  });

  it('rejects an absurd size (the product past the input limit) and a string', () => {
    const big = inputError('[3, 256, 256]', 'limit');
    expect(covered(big.text, big.d)).toBe('[3, 256, 256]');
    expect(big.d.message).toBe('"input" [3, 256, 256] is 196,608 features per sample; the limit is 65,536');
    const string = inputError('"[1, 28, 28]"', 'type');
    expect(string.d.message).toMatch(/a positive integer \(features per sample\) or a shape such as \[1, 28, 28\]/);
  });
});
