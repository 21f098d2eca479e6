/**
 * Per-sample shapes through the model: LeNet, a stacked LSTM and pre-LN residual blocks traced by hand (shapes and
 * PyTorch's parameter counts), and every shape a layer cannot take reported at the key where the fix goes.
 */
import { readFileSync } from 'node:fs';
import { parseTree } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/spec';
import { resolveLayerList } from '../../src/spec/layers';
import { parameterShapes } from '../../src/spec/parameters';
import { modelShapes } from '../../src/spec/shape-rules';
import { traceShapes } from '../../src/spec/shapes';
import { DiagnosticSink } from '../../src/spec/sink';
import { at, covered, only, positionOf, spec } from './helpers';

/** The shapes summary of a layers array (raw JSON) on `input`, and the diagnostics on the way. */
function trace(layers: string, input: number[]) {
  const sink = new DiagnosticSink(layers.length);
  const resolved = resolveLayerList(parseTree(layers)!, '/layers', false, sink);
  return { summary: traceShapes(resolved, input, sink), diagnostics: sink.diagnostics };
}

/** "path: input -> output" for every layer of a valid spec. */
function shapeLines(input: string, layers: string, loss = '"crossentropy"'): string[] {
  const parsed = parseSpec(spec({ input, layers, loss }));
  expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return [...modelShapes(parsed.config!)].map(([path, s]) => `${path}: [${s.input}] -> [${s.output}]`);
}

const LENET = `[
  { "type": "conv2d", "filters": 6, "kernel": 5, "padding": "same", "activation": "relu" },
  { "type": "maxpool" },
  { "type": "conv2d", "filters": 16, "kernel": [5, 5], "activation": "relu" },
  { "type": "avgpool", "pool": [2, 2] },
  { "type": "flatten" },
  { "type": "dense", "units": 120, "activation": "relu" },
  { "type": "dense", "units": 84, "activation": "relu" },
  { "type": "dense", "units": 10 }
]`;

describe('shape inference', () => {
  it('LeNet-5 on [1, 28, 28]: the classic shapes and 61,706 parameters', () => {
    expect(shapeLines('[1, 28, 28]', LENET)).toEqual([
      '/layers/0: [1,28,28] -> [6,28,28]',
      '/layers/1: [6,28,28] -> [6,14,14]',
      '/layers/2: [6,14,14] -> [16,10,10]',
      '/layers/3: [16,10,10] -> [16,5,5]',
      '/layers/4: [16,5,5] -> [400]',
      '/layers/5: [400] -> [120]',
      '/layers/6: [120] -> [84]',
      '/layers/7: [84] -> [10]',
    ]);
    // 6·1·25 + 6, 16·6·25 + 16, 400·120 + 120, 120·84 + 84, 84·10 + 10 (LeCun et al. 1998, with 'same' first conv)
    const { summary, diagnostics } = trace(LENET, [1, 28, 28]);
    expect(diagnostics).toEqual([]);
    expect(summary.parameterCount).toBe(156 + 2416 + 48_120 + 10_164 + 850);
    expect(summary.outputShape).toEqual([10]);
    expect(summary.widestWidth).toBe(6 * 28 * 28);
  });

  it('strides, dilation, same padding with stride and 1-d pooling follow the formulas', () => {
    expect(
      shapeLines(
        '[2, 31]',
        `[{ "type": "conv1d", "filters": 4, "kernel": 3, "stride": 2, "dilation": 2 },
          { "type": "conv1d", "filters": 4, "kernel": 4, "stride": 3, "padding": "same" },
          { "type": "maxpool", "pool": 2, "stride": 1 },
          { "type": "global_avgpool" }, { "type": "dense", "units": 2 }]`,
      ),
    ).toEqual([
      '/layers/0: [2,31] -> [4,14]', // ⌊(31 − 2·2 − 1)/2⌋ + 1
      '/layers/1: [4,14] -> [4,5]', // ⌈14/3⌉
      '/layers/2: [4,5] -> [4,4]',
      '/layers/3: [4,4] -> [4]',
      '/layers/4: [4] -> [2]',
    ]);
  });

  it('a stacked LSTM on [50, 2]: PyTorch parameter counts and every step held for backpropagation', () => {
    const layers = `[
      { "type": "lstm", "units": 32, "returnSequences": true },
      { "type": "lstm", "units": 16 },
      { "type": "dense", "units": 1 }
    ]`;
    expect(shapeLines('[50, 2]', layers, '"mse"')).toEqual([
      '/layers/0: [50,2] -> [50,32]',
      '/layers/1: [50,32] -> [16]',
      '/layers/2: [16] -> [1]',
    ]);
    const { summary } = trace(layers, [50, 2]);
    // nn.LSTM(2, 32): 4·32·2 + 4·32·32 + 2·4·32 = 4,608; nn.LSTM(32, 16): 4·16·32 + 4·16·16 + 2·4·16 = 3,200.
    expect(summary.parameterCount).toBe(4608 + 3200 + 17);
    // output 50·32, plus per step h, c and the four gates: 50·32·6
    expect(summary.sampleFloats[0]).toBe(50 * 32 + 50 * 32 * 6);
    const parsed = parseSpec(spec({ input: '[50, 2]', layers, loss: '"mse"' }));
    expect(Object.fromEntries(parameterShapes(parsed.config!))).toMatchObject({
      '/layers/0#weight': [128, 2],
      '/layers/0#recurrentWeight': [128, 32],
      '/layers/0#bias': [128],
      '/layers/0#recurrentBias': [128],
      '/layers/1#weight': [64, 32],
    });
  });

  it('pre-LN residual blocks (layernorm first in the branch) and a post-LN block (layernorm after the add)', () => {
    const block = `{ "type": "residual", "layers": [
        { "type": "layernorm" }, { "type": "dense", "units": 64, "activation": "relu" }, { "type": "dense", "units": 32 } ] }`;
    const layers = `[{ "type": "dense", "units": 32 }, ${block}, ${block}, { "type": "layernorm" }, { "type": "dense", "units": 1 }]`;
    const lines = shapeLines('4', layers, '"mse"');
    expect(lines.filter((l) => l.startsWith('/layers/1'))).toEqual([
      '/layers/1: [32] -> [32]',
      '/layers/1/layers/0: [32] -> [32]',
      '/layers/1/layers/1: [32] -> [64]',
      '/layers/1/layers/2: [64] -> [32]',
    ]);
    const { summary } = trace(layers, [4]);
    // 4·32 + 32; per block LayerNorm γ, β (64) + 32·64 + 64 + 64·32 + 32; final LayerNorm 64; 32 + 1
    expect(summary.parameterCount).toBe(160 + 2 * (64 + 2112 + 2080) + 64 + 33);
  });

  it('conv residual blocks keep [C, H, W] with same padding; batchnorm counts γ, β per channel', () => {
    const layers = `[{ "type": "conv2d", "filters": 8, "kernel": 3, "padding": "same" },
      { "type": "residual", "layers": [
        { "type": "conv2d", "filters": 8, "kernel": 3, "padding": "same" }, { "type": "batchnorm" } ] },
      { "type": "global_avgpool" }, { "type": "dense", "units": 2 }]`;
    expect(shapeLines('[1, 6, 6]', layers)).toContain('/layers/1: [8,6,6] -> [8,6,6]');
    const { summary } = trace(layers, [1, 6, 6]);
    expect(summary.parameterCount).toBe(8 * 9 + 8 + (8 * 8 * 9 + 8) + 2 * 8 + (8 * 2 + 2));
  });
});

/** The single `shape` error of a spec with these layers (raw JSON, one per line). */
function shapeError(input: string, layers: string[], loss = '"mse"') {
  const text = spec({ input, layers: `[\n    ${layers.join(',\n    ')}\n  ]`, loss });
  const parsed = parseSpec(text);
  expect(parsed.config).toBeNull();
  return { text, d: only(parsed, 'shape') };
}

describe('shapes a layer cannot take, at the key where the fix goes', () => {
  it('conv2d on flat features, at its type, with the input hint at the first layer', () => {
    const { text, d } = shapeError('64', [
      '{ "type": "dense", "units": 64 }',
      '{ "type": "conv2d", "filters": 4, "kernel": 3 }',
      '{ "type": "flatten" }',
      '{ "type": "dense", "units": 1 }',
    ]);
    expect(at(text, d)).toBe(positionOf(text, '"conv2d"'));
    expect(d.path).toBe('/layers/1/type');
    expect(d.message).toBe('conv2d at /layers/1 expects 3-D input [channels, height, width], gets 64 features');
    const first = shapeError('784', [
      '{ "type": "conv2d", "filters": 4, "kernel": 3 }',
      '{ "type": "flatten" }',
      '{ "type": "dense", "units": 1 }',
    ]);
    expect(first.d.message).toMatch(/gets 784 features: write "input" as a shape, e.g. \[1, 28, 28\]$/);
  });

  it('dense on an image says to flatten; dense on a sequence says returnSequences false', () => {
    const image = shapeError('[1, 8, 8]', [
      '{ "type": "conv2d", "filters": 4, "kernel": 3 }',
      '{ "type": "dense", "units": 1 }',
    ]);
    expect(at(image.text, image.d)).toBe(positionOf(image.text, '"dense"'));
    expect(image.d.message).toBe(
      'dense at /layers/1 expects 1-D input [features], gets [4, 6, 6]: add {"type": "flatten"} or {"type": "global_avgpool"} before it',
    );
    const sequence = shapeError('[20, 3]', [
      '{ "type": "gru", "units": 8, "returnSequences": true }',
      '{ "type": "dense", "units": 1 }',
    ]);
    expect(sequence.d.message).toMatch(
      /gets \[20, 8\]: add \{"type": "flatten"\} before it \(after a recurrent layer: "returnSequences": false\)$/,
    );
  });

  it('recurrent layers need [steps, features]; conv1d [C, L]; global_avgpool rank ≥ 2', () => {
    const lstm = shapeError('[1, 8, 8]', ['{ "type": "lstm", "units": 4 }', '{ "type": "dense", "units": 1 }']);
    expect(lstm.d.message).toBe('lstm at /layers/0 expects 2-D input [steps, features], gets [1, 8, 8]');
    const flat = shapeError('10', ['{ "type": "simple_rnn", "units": 4 }', '{ "type": "dense", "units": 1 }']);
    expect(flat.d.message).toMatch(/gets 10 features: write "input" as a shape, e.g. \[50, 2\] \(steps, features\)$/);
    const conv1d = shapeError('[1, 8, 8]', [
      '{ "type": "conv1d", "filters": 2, "kernel": 3 }',
      '{ "type": "flatten" }',
      '{ "type": "dense", "units": 1 }',
    ]);
    expect(conv1d.d.message).toMatch(/^conv1d at \/layers\/0 expects 2-D input \[channels, length\]/);
    const gap = shapeError('4', [
      '{ "type": "dense", "units": 4 }',
      '{ "type": "global_avgpool" }',
      '{ "type": "dense", "units": 1 }',
    ]);
    expect(at(gap.text, gap.d)).toBe(positionOf(gap.text, '"global_avgpool"'));
  });

  it('a kernel larger than the unpadded input, at the kernel; a dilated one, at the dilation', () => {
    const kernel = shapeError('[1, 4, 9]', [
      '{ "type": "conv2d", "filters": 2, "kernel": [5, 3] }',
      '{ "type": "flatten" }',
      '{ "type": "dense", "units": 1 }',
    ]);
    expect(covered(kernel.text, kernel.d)).toBe('[5, 3]');
    expect(kernel.d.path).toBe('/layers/0/kernel');
    expect(kernel.d.message).toBe(
      'conv2d at /layers/0: its kernel 5 spans 5, more than the input\'s height (4), so "padding": "valid" leaves no output; use a smaller "kernel" or "padding": "same"',
    );
    const dilated = shapeError('[1, 8]', [
      '{ "type": "conv1d", "filters": 2, "kernel": 3, "dilation": 4 }',
      '{ "type": "flatten" }',
      '{ "type": "dense", "units": 1 }',
    ]);
    expect(covered(dilated.text, dilated.d)).toBe('4');
    expect(dilated.d.message).toMatch(/kernel 3 with dilation 4 spans 9, more than the input's length \(8\)/);
    // The same kernel with "same" padding fits.
    const same = spec({
      input: '[1, 4, 9]',
      layers:
        '[{ "type": "conv2d", "filters": 2, "kernel": [5, 3], "padding": "same" }, { "type": "flatten" }, { "type": "dense", "units": 1 }]',
      loss: '"mse"',
    });
    expect(parseSpec(same).config).not.toBeNull();
  });

  it('a pooling window larger than its input: at "pool", or at the type when the default window does not fit', () => {
    const pool = shapeError('[2, 3, 3]', [
      '{ "type": "maxpool", "pool": 4 }',
      '{ "type": "flatten" }',
      '{ "type": "dense", "units": 1 }',
    ]);
    expect(covered(pool.text, pool.d)).toBe('4');
    expect(pool.d.message).toMatch(/^maxpool at \/layers\/0: its window 4 spans 4, more than the input's height \(3\)/);
    const fallback = shapeError('[2, 1]', [
      '{ "type": "avgpool" }',
      '{ "type": "flatten" }',
      '{ "type": "dense", "units": 1 }',
    ]);
    expect(covered(fallback.text, fallback.d)).toBe('"avgpool"');
  });

  it('a pooling array whose length does not match the input, at the array', () => {
    const { text, d } = shapeError('[2, 9]', [
      '{ "type": "maxpool", "pool": [2, 2] }',
      '{ "type": "flatten" }',
      '{ "type": "dense", "units": 1 }',
    ]);
    expect(covered(text, d)).toBe('[2, 2]');
    expect(d.message).toBe(
      'maxpool at /layers/0: "pool" has 2 entries but its input [2, 9] has 1 spatial axis; write one number, or one entry per axis',
    );
  });

  it('a residual branch that changes [C, H, W], at the block; a projection on shaped data, at "projection"', () => {
    const text = spec({
      input: '[2, 6, 6]',
      layers:
        '[\n    { "type": "residual", "layers": [ { "type": "conv2d", "filters": 2, "kernel": 3 } ] },\n    { "type": "flatten" },\n    { "type": "dense", "units": 1 }\n  ]',
      loss: '"mse"',
    });
    const d = only(parseSpec(text), 'width-mismatch');
    expect(at(text, d)).toBe(positionOf(text, '{ "type": "residual"'));
    expect(d.message).toMatch(
      /its input is \[2, 6, 6\] but its branch outputs \[2, 4, 4\]; x \+ f\(x\) needs equal shapes/,
    );
    const projected = shapeError('[2, 6, 6]', [
      '{ "type": "residual", "projection": true, "layers": [ { "type": "conv2d", "filters": 2, "kernel": 3 } ] }',
      '{ "type": "flatten" }',
      '{ "type": "dense", "units": 1 }',
    ]);
    expect(covered(projected.text, projected.d)).toBe('true');
  });

  it('the output layer named by loss messages is the last one that computes, even when it keeps the width', () => {
    const text = spec({
      layers: '[{ "type": "dense", "units": 2 }, { "type": "dense", "units": 2 }, { "type": "layernorm" }]',
    });
    expect(only(parseSpec(text), 'loss-output').message).toContain('the output layer /layers/1 has 2 units');
  });

  it('crossentropy on a sequence output, at the loss', () => {
    const text = spec({
      input: '[10, 2]',
      layers: '[{ "type": "lstm", "units": 3, "returnSequences": true }]',
      loss: '"crossentropy"',
    });
    const d = only(parseSpec(text), 'loss-output');
    expect(at(text, d)).toBe(positionOf(text, '"crossentropy"'));
    expect(d.message).toMatch(/outputs \[10, 3\]; end the model with \{"type": "flatten"\}/);
  });

  it('caps batchSize × the floats of all layers together, at batchSize, naming the layer that passes it', () => {
    // 25 × 64 × 64 = 102,400 floats per layer: × batch 400 each is 41 M (under the per-layer cap), but the input
    // (4,096) and 13 such layers are 1,335,296 floats per sample, 534 M for the batch: past 500 M at /layers/12.
    const conv = '{ "type": "conv2d", "filters": 25, "kernel": 3, "padding": "same" }';
    const text = spec({
      input: '[1, 64, 64]',
      layers: `[${Array(14).fill(conv).join(', ')}, { "type": "global_avgpool" }, { "type": "dense", "units": 1 }]`,
      loss: '"mse"',
      training: '{ "batchSize": 400 }',
    });
    const d = only(parseSpec(text), 'limit');
    expect(covered(text, d)).toBe('400');
    expect(d.message).toContain('at /layers/12');
    const smaller = text.replace('"batchSize": 400', '"batchSize": 300');
    expect(parseSpec(smaller).config).not.toBeNull();
  });
});

describe('the examples of the new layers', () => {
  // Their data sources belong to the data section's own checks; here, everything else must resolve.
  for (const name of [
    'rnn-adding-vanishing',
    'rnn-adding-lstm',
    'deep-plain-cnn',
    'deep-cnn-bn',
    'digit-cnn',
    'post-ln-blocks',
    'pre-ln-blocks',
  ]) {
    it(`${name} has no error outside "data"`, () => {
      const text = readFileSync(new URL(`../../examples/${name}.vgnet.json`, import.meta.url), 'utf8');
      const errors = parseSpec(text).diagnostics.filter((d) => d.severity === 'error' && !d.path.startsWith('/data'));
      expect(errors).toEqual([]);
    });
  }

  it('post-LN puts LayerNorm after each residual add, pre-LN first inside each branch', () => {
    /** The layers whose object is a layernorm, by pointer (from the text: the config waits for the data sources). */
    const norms = (name: string): string[] => {
      const text = readFileSync(new URL(`../../examples/${name}.vgnet.json`, import.meta.url), 'utf8');
      const parsed = parseSpec(text);
      return parsed.layerPaths.filter((path) => /^\{"type": "layernorm"/.test(text.slice(parsed.locate(path)!.offset)));
    };
    expect(norms('post-ln-blocks').slice(0, 2)).toEqual(['/layers/2', '/layers/4']);
    expect(norms('pre-ln-blocks').slice(0, 2)).toEqual(['/layers/1/layers/0', '/layers/2/layers/0']);
  });
});
