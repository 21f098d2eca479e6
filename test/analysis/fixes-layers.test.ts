/**
 * The recurrent, conv and LayerNorm fixes on hand-written specs: each applied as the minimal edit it reports, the
 * result a valid spec with its comments, and no candidate where the fix does not apply.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/analysis/findings';
import { candidatesFor, type FixContext } from '../../src/analysis/fixes/catalog';
import { applyTextEdits, diffEdit } from '../../src/analysis/fixes/edit';
import { prepare } from '../../src/analysis/prepare';
import type { LayerConfig, RecurrentConfig } from '../../src/engine/config';
import { train } from '../../src/engine/train';
import { parseSpec } from '../../src/spec';

const noFiles = { readText: () => ({ error: 'no files' }) };

function context(text: string, steps = 2): FixContext {
  const prepared = prepare(text, { files: noFiles });
  if (!prepared.ok) throw new Error(prepared.diagnostics[0]?.message);
  const config = { ...prepared.config, training: { ...prepared.config.training, steps } };
  const result = train(config, prepared.dataset);
  return { text, config: prepared.config, layers: result.layers };
}

function finding(kind: Finding['kind'], layers: string[]): Finding {
  return {
    kind,
    severity: 'warning',
    source: 'measured',
    layers,
    reference: null,
    message: '',
    values: {},
    metric: '',
    threshold: 0,
    steps: [],
  };
}

const ids = (text: string, kind: Finding['kind'], layers: string[]) =>
  candidatesFor(finding(kind, layers), context(text)).map((c) => c.id);

/** Applies candidate `id` as its minimal edit and parses the result: no errors allowed. */
function applied(text: string, kind: Finding['kind'], layers: string[], id: string) {
  const candidate = candidatesFor(finding(kind, layers), context(text)).find((c) => c.id === id);
  if (!candidate) throw new Error(`no candidate ${id} for ${kind}`);
  const edit = diffEdit(text, candidate.apply(text));
  expect(edit).not.toBeNull();
  const out = applyTextEdits(text, [edit!]);
  const parsed = parseSpec(out);
  expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return { text: out, config: parsed.config!, title: candidate.title };
}

const RNN = `// the adding problem with a vanilla RNN
{
  "version": 1,
  "name": "rnn",
  "input": [12, 2],
  "layers": [
    { "type": "simple_rnn", "units": 8, "activation": "tanh", "recurrentInit": "glorot_uniform" }, // the recurrent layer
    { "type": "dense", "units": 1 }
  ],
  "loss": "mse",
  "optimizer": { "type": "adam", "lr": 0.001 },
  "training": { "steps": 4, "batchSize": 8, "seed": 1 },
  "data": { "source": "adding", "length": 12, "samples": 64 }
}
`;

describe('recurrent fixes', () => {
  it('SimpleRNN → LSTM: the type changes, "activation" goes, every other key and the comment stay', () => {
    const { text, config } = applied(RNN, 'vanishing-through-time', ['/layers/0'], 'lstm');
    expect(config.layers[0]!.kind).toBe('lstm');
    expect(text).toContain('"type": "lstm", "units": 8, "recurrentInit": "glorot_uniform" }, // the recurrent layer');
    expect(text).not.toContain('"activation": "tanh"');
    expect(text).toContain('// the adding problem with a vanilla RNN');
  });

  it('SimpleRNN → GRU likewise', () => {
    const { config } = applied(RNN, 'vanishing-through-time', ['/layers/0'], 'gru');
    expect(config.layers[0]!.kind).toBe('gru');
  });

  it('orthogonal or identity recurrent kernel', () => {
    const orthogonal = applied(RNN, 'vanishing-through-time', ['/layers/0'], 'orthogonal-recurrent').config;
    expect((orthogonal.layers[0] as RecurrentConfig).recurrentInit.name).toBe('orthogonal');
    const identity = applied(RNN, 'vanishing-through-time', ['/layers/0'], 'identity-recurrent').config;
    expect((identity.layers[0] as RecurrentConfig).recurrentInit.name).toBe('identity');
  });

  it('saturated gates: both kernels back to the defaults, and not offered when they already are', () => {
    const wild = RNN.replace(
      '"type": "simple_rnn", "units": 8, "activation": "tanh", "recurrentInit": "glorot_uniform"',
      '"type": "lstm", "units": 8, "init": { "name": "normal", "scale": 20 }',
    );
    const { config } = applied(wild, 'gate-saturation', ['/layers/0'], 'recurrent-defaults');
    const lstm = config.layers[0] as RecurrentConfig;
    expect([lstm.init.name, lstm.recurrentInit.name, lstm.recurrentInit.scale]).toEqual([
      'glorot_uniform',
      'orthogonal',
      1,
    ]);
    const tame = wild.replace('{ "name": "normal", "scale": 20 }', '"glorot_uniform"');
    expect(ids(tame, 'gate-saturation', ['/layers/0'])).not.toContain('recurrent-defaults');
  });

  it('a saturated simple_rnn (a path-wide finding) still gets its recurrent fix', () => {
    const wild = RNN.replace('"recurrentInit": "glorot_uniform"', '"init": { "name": "normal", "scale": 20 }');
    expect(ids(wild, 'saturation', ['/layers/0'])).toContain('recurrent-defaults');
  });

  it('shorter sequences: the data length and the input steps halve together', () => {
    const { text, config } = applied(RNN, 'vanishing-through-time', ['/layers/0'], 'shorter-sequences');
    expect(text).toContain('"length": 6');
    expect(config.inputShape).toEqual([6, 2]);
  });

  it('gradient clipping for exploding through time (Pascanu et al.)', () => {
    const { config } = applied(RNN, 'exploding-through-time', ['/layers/0'], 'clip-norm');
    expect(config.training.clipNorm).toBe(1);
  });

  it('only where they apply: no LSTM/GRU/identity for an LSTM, no orthogonal where it already is', () => {
    const lstm = RNN.replace(
      '"type": "simple_rnn", "units": 8, "activation": "tanh", "recurrentInit": "glorot_uniform"',
      '"type": "lstm", "units": 8',
    );
    const offered = ids(lstm, 'vanishing-through-time', ['/layers/0']);
    expect(offered).not.toContain('lstm');
    expect(offered).not.toContain('gru');
    expect(offered).not.toContain('identity-recurrent');
    expect(offered).not.toContain('orthogonal-recurrent'); // the default recurrent init is orthogonal
    expect(offered).toContain('shorter-sequences');
    const noLength = RNN.replace('"length": 12, ', '').replace('"input": [12, 2]', '"input": [50, 2]');
    expect(ids(noLength, 'vanishing-through-time', ['/layers/0'])).not.toContain('shorter-sequences');
  });
});

const CNN = `{
  "version": 1,
  "name": "cnn",
  "input": [1, 8, 8],
  "layers": [
    { "type": "conv2d", "filters": 4, "kernel": 3, "padding": "same", "activation": "relu" }, // widens 1 → 4 channels
    { "type": "conv2d", "filters": 4, "kernel": 3, "padding": "same", "activation": "relu" },
    { "type": "conv2d", "filters": 4, "kernel": 3, "padding": "same", "activation": "relu" },
    { "type": "global_avgpool" },
    { "type": "dense", "units": 3, "activation": "linear" }
  ],
  "loss": "crossentropy",
  "optimizer": { "type": "sgd", "lr": 0.05 },
  "training": { "steps": 4, "batchSize": 8, "seed": 1 },
  "data": { "source": "shapes", "size": 8, "samples": 48 }
}
`;

describe('conv fixes', () => {
  const convs = ['/layers/0', '/layers/1', '/layers/2'];

  it('BatchNorm after each conv: conv(relu) → conv(linear), batchnorm, activation(relu)', () => {
    const { config, text } = applied(CNN, 'vanishing', convs, 'batchnorm');
    expect(config.layers.map((l) => l.kind)).toEqual([
      'conv2d',
      'batchnorm',
      'activation',
      'conv2d',
      'batchnorm',
      'activation',
      'conv2d',
      'batchnorm',
      'activation',
      'global_avgpool',
      'dense',
    ]);
    expect(text).toContain('// widens 1 → 4 channels');
  });

  it('residual blocks only around the convs whose output has their input shape', () => {
    const { config, title } = applied(CNN, 'vanishing', convs, 'residual');
    expect(config.layers.map((l) => l.kind)).toEqual(['conv2d', 'residual', 'residual', 'global_avgpool', 'dense']);
    expect(title).toContain('/layers/1–/layers/2');
  });

  it('ReLU-family and init fixes reach conv layers; widening sets filters', () => {
    const { config } = applied(CNN, 'dead-relu', convs, 'widen');
    expect(config.layers.slice(0, 3).map((l) => (l as { filters: number }).filters)).toEqual([32, 32, 32]);
    expect(applied(CNN, 'dead-relu', convs, 'leaky-relu').text.match(/leaky_relu/g)).toHaveLength(3);
  });
});

const POST_LN = `{
  "version": 1,
  "name": "post-ln",
  "input": 2,
  "layers": [
    { "type": "dense", "units": 8 },
    { "type": "residual", "layers": [
      { "type": "dense", "units": 8, "activation": "relu" } // the branch
    ] },
    { "type": "layernorm", "eps": 0.001 },
    { "type": "residual", "layers": [{ "type": "dense", "units": 8, "activation": "relu" }] },
    { "type": "layernorm" },
    { "type": "dense", "units": 1, "activation": "sigmoid" }
  ],
  "loss": "bce",
  "optimizer": { "type": "adam", "lr": 0.001 },
  "training": { "steps": 4, "batchSize": 8, "seed": 1 },
  "data": { "source": "moons", "samples": 32 }
}
`;

describe('post-LN → pre-LN', () => {
  it('each LayerNorm after a residual block moves to the front of its branch, eps and comments kept', () => {
    const { config, text } = applied(POST_LN, 'vanishing', ['/layers/0'], 'pre-ln');
    expect(config.layers.map((l) => l.kind)).toEqual(['dense', 'residual', 'residual', 'dense']);
    const branches = config.layers.filter((l) => l.kind === 'residual').map((l) => l.layers.map((b) => b.kind));
    expect(branches).toEqual([
      ['layernorm', 'dense'],
      ['layernorm', 'dense'],
    ]);
    const first = config.layers[1] as Extract<LayerConfig, { kind: 'residual' }>;
    expect((first.layers[0] as Extract<LayerConfig, { kind: 'layernorm' }>).eps).toBe(0.001);
    expect(text).toContain('// the branch');
    // The rest stays as written: the inline block keeps its line, the removed LayerNorms leave no blank lines.
    expect(text).toContain(
      '{ "type": "residual", "layers": [{ "type": "layernorm" }, { "type": "dense", "units": 8, "activation": "relu" }] },',
    );
    expect(text).not.toMatch(/\n\s*\n/);
  });

  it('not offered without a LayerNorm after a residual block', () => {
    const pre = POST_LN.replace(/,\n {4}\{ "type": "layernorm"[^}]*\}/g, '');
    expect(parseSpec(pre).config!.layers.some((l) => l.kind === 'layernorm')).toBe(false);
    expect(ids(pre, 'vanishing', ['/layers/0'])).not.toContain('pre-ln');
  });
});
