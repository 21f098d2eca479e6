/**
 * One test per kind of bad input. Each checks the code, the exact line:col (found by searching the text for the
 * token the diagnostic must point at), the covered text, and that no config is produced on an error.
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, parseSpec } from '../../src/spec';
import { at, covered, only, positionOf, spec } from './helpers';

const dense = (units: string, activation = 'relu'): string =>
  `{ "type": "dense", "units": ${units}, "activation": "${activation}" }`;

describe('syntax errors', () => {
  it('reports a missing comma where the next entry starts, in words', () => {
    const text = '{\n  "input": 2\n  "loss": "mse"\n}';
    const parsed = parseSpec(text);
    const d = only(parsed, 'syntax');
    expect(at(text, d)).toBe(positionOf(text, '"loss"'));
    expect(d.message).toMatch(/expected ','/);
    expect(parsed.config).toBeNull();
  });

  it('reports an unterminated string and an unclosed object', () => {
    const text = '{\n  "input": 2,\n  "loss": "mse\n';
    const messages = parseSpec(text).diagnostics.filter((d) => d.code === 'syntax');
    expect(messages.map((d) => [at(text, d), d.message.split(':')[0]])).toEqual([
      [positionOf(text, '"mse'), 'unterminated string'],
      ['4:1', "expected '}' to close the object"],
    ]);
  });

  it('accepts comments and trailing commas (JSONC) but rejects text after the document', () => {
    expect(parseSpec(spec({ loss: '"bce" /* ok */', input: '2, // features' })).diagnostics).toEqual([]);
    const text = `${spec()}{`;
    const d = only(parseSpec(text), 'syntax');
    expect(d.offset).toBe(text.length - 1); // the stray brace after the document's closing one
    expect(d.message).toBe('unexpected text after the end of the document');
    const bare = spec({ loss: 'bce' });
    const symbol = only(parseSpec(bare), 'syntax');
    expect(at(bare, symbol)).toBe(positionOf(bare, 'bce'));
    expect(symbol.message).toMatch(/^unexpected "bce": strings need double quotes/);
  });

  it('reports an empty document and a non-object document', () => {
    expect(only(parseSpec(''), 'syntax')).toMatchObject({ offset: 0, length: 0 });
    const d = only(parseSpec('[1, 2]'), 'type');
    expect(d.message).toMatch(/a spec is a JSON object/);
  });

  it('rejects absurd nesting before parsing (the parser would overflow the stack)', () => {
    const text = `{"input": ${'['.repeat(5000)}`;
    const d = only(parseSpec(text), 'limit');
    expect(d.offset).toBe(text.indexOf('[') + 99); // the bracket opening level 101 (the object is level 1)
  });
});

describe('wrong types', () => {
  it('points at the value and names the expected type', () => {
    const text = spec({ layers: `[\n    { "type": "dense", "units": "32" }\n  ]` });
    const d = only(parseSpec(text), 'type');
    expect(at(text, d)).toBe(positionOf(text, '"32"'));
    expect(covered(text, d)).toBe('"32"');
    expect(d.path).toBe('/layers/0/units');
    expect(d.message).toBe('"units" must be a positive integer, not the string "32"');
  });

  it('reports sections and layers of the wrong JSON type', () => {
    const text = spec({ training: '5', layers: '[\n    "dense"\n  ]', optimizer: '[]' });
    const parsed = parseSpec(text);
    const paths = parsed.diagnostics.filter((d) => d.code === 'type').map((d) => [d.path, at(text, d)]);
    expect(paths).toEqual([
      ['/layers/0', positionOf(text, '"dense"')],
      ['/optimizer', positionOf(text, '[]')],
      ['/training', positionOf(text, '5')],
    ]);
  });

  it('checks booleans and nullable numbers', () => {
    const text = spec({ training: '{ "clipNorm": "off" }', optimizer: '{ "momentum": 0.9, "nesterov": 1 }' });
    const parsed = parseSpec(text);
    expect(parsed.diagnostics.map((d) => [d.path, at(text, d)])).toEqual([
      ['/optimizer/nesterov', positionOf(text, '1 }')],
      ['/training/clipNorm', positionOf(text, '"off"')],
    ]);
  });
});

describe('unknown names', () => {
  it('suggests the nearest activation at the value', () => {
    const text = spec({ layers: `[\n    ${dense('8', 'sigmod')},\n    ${dense('1', 'sigmoid')}\n  ]` });
    const d = only(parseSpec(text), 'unknown-name');
    expect(at(text, d)).toBe(positionOf(text, '"sigmod"'));
    expect(d.message).toBe('unknown activation "sigmod"; did you mean "sigmoid"?');
    expect(d.suggestion).toBe('sigmoid');
  });

  it('suggests the nearest key at the key, and says where a misplaced key belongs', () => {
    const text = spec({
      layers: '[\n    { "type": "dense", "unit": 1 },\n    { "type": "batchnorm", "rate": 0.1 }\n  ]',
    });
    const parsed = parseSpec(text);
    const unknown = only(parsed, 'unknown-key');
    expect(at(text, unknown)).toBe(positionOf(text, '"unit"'));
    expect(covered(text, unknown)).toBe('"unit"');
    expect(unknown).toMatchObject({ severity: 'warning', suggestion: 'units', path: '/layers/0/unit' });
    expect(unknown.message).toMatch(/did you mean "units"\?/);
    const misplaced = only(parsed, 'unused-key');
    expect(at(text, misplaced)).toBe(positionOf(text, '"rate"'));
    expect(misplaced.message).toMatch(/dropout/);
    // "unit" is not "units": the dense layer is missing its width, reported on its opening brace.
    expect(at(text, only(parsed, 'missing-key'))).toBe(positionOf(text, '{ "type": "dense"'));
  });

  it('suggests names used by other libraries and fixes case', () => {
    const text = spec({
      layers: '[\n    { "type": "Dense", "units": 1, "init": "kaiming_normal" }\n  ]',
      loss: '"binary_crossentropy"',
      data: '{ "source": "spirals" }',
    });
    const suggestions = parseSpec(text)
      .diagnostics.filter((d) => d.code === 'unknown-name')
      .map((d) => [covered(text, d), d.suggestion]);
    expect(suggestions).toEqual([
      ['"Dense"', 'dense'],
      ['"binary_crossentropy"', 'bce'],
      ['"spirals"', 'spiral'],
    ]);
  });

  it('reports an unknown top-level key with a suggestion and an unsupported version', () => {
    const text = `{\n  "version": 2,\n  "optimiser": "adam",${spec().slice(1)}`;
    const parsed = parseSpec(text);
    expect(only(parsed, 'unknown-key')).toMatchObject({ suggestion: 'optimizer' });
    const version = only(parsed, 'version');
    expect(at(text, version)).toBe(positionOf(text, '2,'));
    expect(version.message).toBe('unsupported format version 2: this VGNet reads version 1');
    expect(parsed.config).toBeNull();
  });
});

describe('widths', () => {
  it.each([
    ['0', 'got 0'],
    ['-3', 'got -3'],
    ['2.5', 'got 2.5'],
  ])('rejects units %s at the value', (units, got) => {
    const text = spec({ layers: `[\n    ${dense(units)},\n    ${dense('1', 'sigmoid')}\n  ]` });
    const parsed = parseSpec(text);
    const d = only(parsed, 'range');
    expect(at(text, d)).toBe(positionOf(text, units));
    expect(d.message).toBe(`"units" must be a positive integer, ${got}`);
    expect(parsed.config).toBeNull();
  });

  it('rejects a fractional input width', () => {
    const text = spec({ input: '1.5' });
    expect(at(text, only(parseSpec(text), 'range'))).toBe(positionOf(text, '1.5'));
  });

  it('reports a residual width mismatch at the block, naming both widths', () => {
    const residual = '{ "type": "residual", "layers": [ { "type": "dense", "units": 16 } ] }';
    const text = spec({ layers: `[\n    ${dense('8')},\n    ${residual},\n    ${dense('1', 'sigmoid')}\n  ]` });
    const parsed = parseSpec(text);
    const d = only(parsed, 'width-mismatch');
    expect(at(text, d)).toBe(positionOf(text, '{ "type": "residual"'));
    expect(covered(text, d)).toBe(residual);
    expect(d.path).toBe('/layers/1');
    expect(d.message).toContain('8 units');
    expect(d.message).toContain('16 units');
    expect(parsed.config).toBeNull();
    // With a projection the same block is fine.
    const projected = text.replace('"type": "residual",', '"type": "residual", "projection": true,');
    expect(parseSpec(projected).config).not.toBeNull();
  });
});

describe('loss and output layer', () => {
  it('rejects bce with 2 output units, at the loss value, naming the output layer', () => {
    const text = spec({ layers: `[\n    ${dense('8')},\n    ${dense('2', 'sigmoid')}\n  ]` });
    const d = only(parseSpec(text), 'loss-output');
    expect(at(text, d)).toBe(positionOf(text, '"bce"'));
    expect(d.path).toBe('/loss');
    expect(d.message).toContain('/layers/1');
    expect(d.message).toContain('2 units');
  });

  it('rejects crossentropy with 1 output unit', () => {
    const text = spec({ loss: '"crossentropy"', layers: `[\n    ${dense('8')},\n    ${dense('1', 'linear')}\n  ]` });
    const d = only(parseSpec(text), 'loss-output');
    expect(at(text, d)).toBe(positionOf(text, '"crossentropy"'));
    expect(d.message).toMatch(/at least 2 output units.*\/layers\/1 has 1 unit;/);
  });

  it('rejects crossentropy on a sigmoid output and warns on bce without sigmoid', () => {
    const ce = spec({ loss: '"crossentropy"', layers: `[\n    ${dense('3', 'sigmoid')}\n  ]` });
    expect(only(parseSpec(ce), 'loss-output').message).toMatch(/"linear"\) or "softmax".*"sigmoid"/);
    const bce = spec({ layers: `[\n    ${dense('1', 'linear')}\n  ]` });
    const warning = only(parseSpec(bce), 'loss-output');
    expect(warning.severity).toBe('warning');
    expect(parseSpec(bce).config).not.toBeNull();
  });

  it('rejects softmax on a hidden layer, at its activation', () => {
    const text = spec({
      loss: '"crossentropy"',
      layers: `[\n    ${dense('8', 'softmax')},\n    { "type": "residual", "layers": [ { "type": "activation", "activation": "softmax" } ] },\n    ${dense('3', 'softmax')}\n  ]`,
    });
    const found = parseSpec(text).diagnostics.filter((d) => d.code === 'softmax-position');
    expect(found.map((d) => [d.path, at(text, d)])).toEqual([
      ['/layers/0/activation', positionOf(text, '"softmax"', 1)],
      ['/layers/1/layers/0/activation', positionOf(text, '"softmax"', 2)],
    ]);
  });
});

describe('absurd sizes', () => {
  it('caps units, steps, batchSize and samples with the limit in the message', () => {
    const text = spec({
      layers: `[\n    ${dense('100000')},\n    ${dense('1', 'sigmoid')}\n  ]`,
      training: '{ "steps": 200000, "batchSize": 70000 }',
      data: '{ "source": "moons", "samples": 2000000 }',
    });
    const limits = parseSpec(text).diagnostics.filter((d) => d.code === 'limit');
    expect(limits.map((d) => [covered(text, d), d.message])).toEqual([
      ['100000', '"units" is 100,000; the limit is 65,536'],
      ['200000', '"steps" is 200,000; the limit is 100,000'],
      ['70000', '"batchSize" is 70,000; the limit is 65,536'],
      ['2000000', '"samples" is 2,000,000; the limit is 1,000,000'],
    ]);
  });

  it('caps the total parameter count at the layer that passes it', () => {
    // 5000·5000 + 5000 = 25,005,000 per layer: the second brings the total to 50,010,000 + 5,001 > 50,000,000.
    const text = spec({
      input: '5000',
      layers: `[\n    ${dense('5000')},\n    ${dense('5000')},\n    ${dense('1', 'sigmoid')}\n  ]`,
    });
    const d = only(parseSpec(text), 'limit');
    expect(at(text, d)).toBe(positionOf(text, '5000', 3));
    expect(d.path).toBe('/layers/1');
    expect(d.message).toBe(
      'the model has 50,015,001 parameters; the limit is 50,000,000 (the count passes it at this layer)',
    );
  });

  it('caps batchSize × widest layer at batchSize', () => {
    const text = spec({
      layers: `[\n    ${dense('1000')},\n    ${dense('1', 'sigmoid')}\n  ]`,
      training: '{ "batchSize": 65536 }',
    });
    const d = only(parseSpec(text), 'limit');
    expect(at(text, d)).toBe(positionOf(text, '65536'));
    expect(d.message).toContain('65,536,000 activations');
    expect(d.message).toContain('/layers/0');
  });

  it('caps the number of layers, residual branches included', () => {
    const relu = '{ "type": "activation", "activation": "relu" }';
    const inner = `{ "type": "residual", "layers": [${Array(499).fill(relu).join(', ')}] }`;
    const text = spec({ layers: `[${inner}, ${Array(500).fill(relu).join(', ')}, ${dense('1', 'sigmoid')}]` });
    const d = only(parseSpec(text), 'limit');
    // /layers/0 and its 499 branch layers are 500, /layers/1…/layers/500 make 1,000: the dense /layers/501 is one too many.
    expect(d.path).toBe('/layers/501');
    expect(d.message).toMatch(/^the model has 1,001 layers/);
  });
});

describe('missing and empty', () => {
  it('reports a missing top-level key on the opening brace', () => {
    const text = spec().replace('  "loss": "bce",\n', '');
    const parsed = parseSpec(text);
    const d = only(parsed, 'missing-key');
    expect(at(text, d)).toBe('1:1');
    expect(d.length).toBe(1);
    expect(d.message).toBe('this spec needs "loss" (one of mse, bce, crossentropy)');
    expect(formatDiagnostic('m.vgnet.json', text, d)).toBe(`m.vgnet.json:1:1: error: ${d.message}`);
  });

  it('reports missing layer keys and a csv source without path', () => {
    const text = spec({
      layers: '[\n    { "units": 1 },\n    { "type": "activation" }\n  ]',
      data: '{ "source": "csv" }',
    });
    const missing = parseSpec(text).diagnostics.filter((d) => d.code === 'missing-key');
    expect(missing.map((d) => [d.path, at(text, d)])).toEqual([
      ['/layers/0', positionOf(text, '{ "units"')],
      ['/layers/1', positionOf(text, '{ "type": "activation"')],
      ['/data', positionOf(text, '{ "source": "csv"')],
    ]);
  });

  it('rejects empty layer lists at the array', () => {
    const text = spec({ layers: '[ ]' });
    const d = only(parseSpec(text), 'empty');
    expect(at(text, d)).toBe(positionOf(text, '[ ]'));
    const residual = spec({
      layers: `[\n    { "type": "residual", "layers": [] },\n    ${dense('1', 'sigmoid')}\n  ]`,
    });
    expect(at(residual, only(parseSpec(residual), 'empty'))).toBe(positionOf(residual, '[]'));
  });
});

describe('other rules', () => {
  it('rejects nesterov without momentum, at nesterov', () => {
    const text = spec({ optimizer: '{ "type": "sgd", "nesterov": true }' });
    expect(at(text, only(parseSpec(text), 'range'))).toBe(positionOf(text, 'true'));
  });

  it('warns on a duplicate key at the second one, and on parameters that have no effect', () => {
    const text = spec({
      loss: '"mse", "loss": "bce"',
      layers: `[\n    { "type": "dense", "units": 1, "activation": { "name": "relu", "alpha": 0.1 } }\n  ]`,
    });
    const parsed = parseSpec(text);
    expect(at(text, only(parsed, 'duplicate-key'))).toBe(positionOf(text, '"loss"', 2));
    expect(parsed.config?.loss).toBe('bce');
    expect(covered(text, only(parsed, 'unused-key'))).toBe('"alpha"');
  });

  it('rejects a model without any dense layer', () => {
    const text = spec({ layers: '[ { "type": "activation", "activation": "tanh" } ]', loss: '"mse"' });
    expect(only(parseSpec(text), 'no-weights').path).toBe('/layers');
  });
});
