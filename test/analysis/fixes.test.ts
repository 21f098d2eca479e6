import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/analysis/findings';
import { candidatesFor, hiddenDenseLayers, withLowerLr, type FixContext } from '../../src/analysis/fixes/catalog';
import { applyTextEdits, diffEdit } from '../../src/analysis/fixes/edit';
import { prepare } from '../../src/analysis/prepare';
import { train } from '../../src/engine/train';
import { parseSpec } from '../../src/spec';

const SPEC = `// a hand-written spec: comments and layout must survive every fix
{
  "version": 1,
  "name": "fix-target",
  "input": 2,
  "layers": [
    { "type": "dense", "units": 8, "activation": "sigmoid", "init": "glorot_uniform" }, // first
    { "type": "dense", "units": 8, "activation": "relu", "init": { "name": "normal", "scale": 1 }, "biasInit": -1 },
    /* the middle */
    { "type": "dense", "units": 8, "activation": "tanh" },
    { "type": "dense", "units": 1, "activation": "sigmoid" }
  ],
  "loss": "bce",
  "optimizer": { "type": "sgd", "lr": 0.1 },
  "training": { "steps": 20, "batchSize": 16, "seed": 3 },
  "data": { "source": "moons", "samples": 64 }
}
`;

const noFiles = { readText: () => ({ error: 'no files' }) };

function context(text: string): FixContext {
  const prepared = prepare(text, { files: noFiles });
  if (!prepared.ok) throw new Error(prepared.diagnostics[0]?.message);
  const result = train(prepared.config, prepared.dataset);
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

function applied(
  kind: Finding['kind'],
  id: string,
  layers = ['/layers/0', '/layers/1', '/layers/2'],
): { text: string; config: NonNullable<ReturnType<typeof parseSpec>['config']> } {
  const ctx = context(SPEC);
  const candidate = candidatesFor(finding(kind, layers), ctx).find((c) => c.id === id);
  if (!candidate) throw new Error(`no candidate ${id} for ${kind}`);
  const edit = diffEdit(SPEC, candidate.apply(SPEC));
  expect(edit).not.toBeNull();
  const text = applyTextEdits(SPEC, [edit!]);
  const parsed = parseSpec(text);
  expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  for (const comment of ['// a hand-written spec', '// first', '/* the middle */']) expect(text).toContain(comment);
  return { text, config: parsed.config! };
}

describe('fix catalogue: every fix yields a valid spec and keeps comments', () => {
  it('relu-he switches every hidden non-ReLU dense layer and sets He init; the output layer is untouched', () => {
    const { config } = applied('vanishing', 'relu-he');
    const dense = config.layers.filter((l) => l.kind === 'dense');
    expect(dense.slice(0, 3).map((l) => l.kind === 'dense' && l.activation.name)).toEqual(['relu', 'relu', 'relu']);
    expect(dense.slice(0, 3).map((l) => l.kind === 'dense' && l.init.name)).toEqual([
      'he_normal',
      'he_normal',
      'he_normal',
    ]);
    expect(dense[3]!.kind === 'dense' && dense[3]!.activation.name).toBe('sigmoid');
  });

  it('batchnorm turns dense(act) into dense(linear) → batchnorm → activation(act) for each hidden layer', () => {
    const { config } = applied('vanishing', 'batchnorm');
    expect(config.layers.map((l) => (l.kind === 'activation' ? `act:${l.activation.name}` : l.kind))).toEqual([
      'dense',
      'batchnorm',
      'act:sigmoid',
      'dense',
      'batchnorm',
      'act:relu',
      'dense',
      'batchnorm',
      'act:tanh',
      'dense',
    ]);
    expect(config.layers[0]!.kind === 'dense' && config.layers[0]!.activation.name).toBe('linear');
  });

  it('residual wraps only layers whose input and output widths match', () => {
    const { config } = applied('vanishing', 'residual');
    expect(config.layers.map((l) => l.kind)).toEqual(['dense', 'residual', 'residual', 'dense']);
  });

  it('match-init gives ReLU layers He and the others Glorot', () => {
    const { config } = applied('exploding', 'match-init');
    expect(config.layers.map((l) => l.kind === 'dense' && l.init.name)).toEqual([
      'glorot_uniform',
      'he_normal',
      'glorot_uniform',
      'glorot_uniform',
    ]);
  });

  it('leaky-relu and zero-bias target the dead layers named by the finding', () => {
    expect(applied('dead-relu', 'leaky-relu', ['/layers/1']).config.layers[1]!).toMatchObject({
      activation: { name: 'leaky_relu' },
    });
    expect(applied('dead-relu', 'zero-bias', ['/layers/1']).config.layers[1]!).toMatchObject({ biasInit: 0 });
  });

  it('learning-rate, clipping and optimizer fixes edit only their keys', () => {
    expect(applied('divergence', 'lower-lr', []).config.optimizer.lr).toBeCloseTo(0.01, 10);
    expect(applied('learning-rate-low', 'raise-lr', []).config.optimizer.lr).toBeCloseTo(1, 10);
    expect(applied('divergence', 'clip-norm', []).config.training.clipNorm).toBe(1);
    expect(applied('divergence', 'adam', []).config.optimizer).toMatchObject({ type: 'adam', lr: 0.001 });
  });

  it('a fix is one minimal edit: text before and after the changed region is byte-identical', () => {
    const ctx = context(SPEC);
    const candidate = candidatesFor(finding('divergence', []), ctx).find((c) => c.id === 'lower-lr')!;
    const edit = diffEdit(SPEC, candidate.apply(SPEC))!;
    const lrAt = SPEC.indexOf('"lr": 0.1') + '"lr": '.length;
    expect(edit.offset).toBeGreaterThanOrEqual(lrAt);
    expect(edit.offset + edit.length).toBeLessThanOrEqual(lrAt + 3);
    expect(applyTextEdits(SPEC, [edit])).toBe(SPEC.replace('"lr": 0.1', '"lr": 0.01'));
  });

  it('hiddenDenseLayers excludes the output layer', () => {
    expect(hiddenDenseLayers(context(SPEC).layers)).toEqual(['/layers/0', '/layers/1', '/layers/2']);
  });
});

describe('insertions keep the layout of hand-written specs', () => {
  it('BatchNorm on one-line layers adds one-line layers at the same indentation, comments staying with their layer', () => {
    const { text } = applied('vanishing', 'batchnorm');
    expect(text).toContain(
      '    { "type": "dense", "units": 8, "activation": "linear", "init": "glorot_uniform" }, // first\n' +
        '    { "type": "batchnorm" },\n' +
        '    { "type": "activation", "activation": "sigmoid" },\n',
    );
    // Lines that were not touched are byte-identical.
    for (const line of SPEC.split('\n').filter((l) => !l.includes('"type": "dense"'))) expect(text).toContain(line);
  });

  it('inline arrays stay inline', () => {
    const inline = SPEC.replace(
      /"layers": \[[\s\S]*?\n  \],/,
      '"layers": [ { "type": "dense", "units": 8, "activation": "tanh" }, { "type": "dense", "units": 1, "activation": "sigmoid" } ],',
    );
    const ctx = context(inline);
    const candidate = candidatesFor(finding('vanishing', ['/layers/0']), ctx).find((c) => c.id === 'batchnorm')!;
    const after = candidate.apply(inline);
    expect(after).toContain(
      '"layers": [ { "type": "dense", "units": 8, "activation": "linear" }, { "type": "batchnorm" }, { "type": "activation", "activation": "tanh" }, { "type": "dense"',
    );
    expect(parseSpec(after).config?.layers.map((l) => l.kind)).toEqual(['dense', 'batchnorm', 'activation', 'dense']);
  });
});

describe('fixes for too-deep narrow stacks and far too high learning rates (issue 14)', () => {
  const layer = (units: number, activation: string): string =>
    `    { "type": "dense", "units": ${units}, "activation": "${activation}", "init": "glorot_uniform" }`;
  const DEEP = `{
  "version": 1,
  "input": 2,
  "layers": [
${[...Array.from({ length: 7 }, (_, i) => layer(4, i % 2 ? 'leaky_relu' : 'relu')), layer(3, 'softmax')].join(',\n')}
  ],
  "loss": "crossentropy",
  "optimizer": { "type": "adam", "lr": 5 },
  "training": { "steps": 5, "batchSize": 8, "seed": 1 },
  "data": { "source": "blobs", "samples": 60, "classes": 3 }
}
`;
  const candidate = (kind: Finding['kind'], id: string): ReturnType<typeof candidatesFor>[number] | undefined =>
    candidatesFor(finding(kind, ['/layers/0']), context(DEEP)).find((c) => c.id === id);
  const parsed = (text: string): NonNullable<ReturnType<typeof parseSpec>['config']> => {
    const p = parseSpec(text);
    expect(p.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    return p.config!;
  };

  it('fewer-wider keeps 3 hidden layers, widens them to 32 with He init, lets the ReLUs leak, keeps the output', () => {
    for (const kind of ['vanishing', 'dead-relu'] as const) {
      const c = candidate(kind, 'fewer-wider')!;
      expect(c.title).toMatch(/^Keep 3 hidden layers of 7 \(remove \/layers\/3–\/layers\/6 \(4 layers\)\)/);
      const config = parsed(c.apply(DEEP));
      expect(
        config.layers.map((l) => (l.kind === 'dense' ? [l.units, l.activation.name, l.init.name] : l.kind)),
      ).toEqual([
        [32, 'leaky_relu', 'he_normal'],
        [32, 'leaky_relu', 'he_normal'],
        [32, 'leaky_relu', 'he_normal'],
        [3, 'softmax', 'glorot_uniform'],
      ]);
    }
  });

  it('fewer-wider is not offered for wide or shallow stacks', () => {
    const wide = DEEP.replace(/"units": 4/g, '"units": 64');
    expect(candidatesFor(finding('dead-relu', []), context(wide)).map((c) => c.id)).not.toContain('fewer-wider');
    expect(candidatesFor(finding('dead-relu', []), context(SPEC)).map((c) => c.id)).not.toContain('fewer-wider');
  });

  it('at a batch below 8, larger-batch trains on 32 and fewer-wider+larger-batch does both; not from 8 on', () => {
    const single = DEEP.replace('"batchSize": 8', '"batchSize": 1');
    const of = (text: string, id: string): ReturnType<typeof candidatesFor>[number] | undefined =>
      candidatesFor(finding('dead-relu', ['/layers/0']), context(text)).find((c) => c.id === id);
    const batch = of(single, 'larger-batch')!;
    expect(batch.title).toMatch(/^Train on batches of 32 \(was 1\)/);
    expect(parsed(batch.apply(single)).training.batchSize).toBe(32);
    const both = of(single, 'fewer-wider+larger-batch')!;
    const config = parsed(both.apply(single));
    expect(config.training.batchSize).toBe(32);
    expect(config.layers.map((l) => (l.kind === 'dense' ? l.units : 0))).toEqual([32, 32, 32, 3]);
    expect(both.title).toBe(`${of(single, 'fewer-wider')!.title}, and train on batches of 32 (was 1)`);
    expect(of(DEEP, 'larger-batch')).toBeUndefined();
    expect(of(DEEP, 'fewer-wider+larger-batch')).toBeUndefined();
  });

  it("default-lr sets a rate 10× or more above the optimizer's usual one back to it, and only then", () => {
    const c = candidate('dead-relu', 'default-lr')!;
    expect(c.title).toBe("Set the learning rate to adam's usual 0.001 (was 5)");
    expect(parsed(c.apply(DEEP)).optimizer.lr).toBe(0.001);
    const modest = DEEP.replace('"lr": 5', '"lr": 0.005');
    expect(candidatesFor(finding('divergence', []), context(modest)).map((c2) => c2.id)).not.toContain('default-lr');
  });

  it('withLowerLr combines a candidate with the learning rate ×0.1, and does not stack on a lowered rate', () => {
    const ctx = context(DEEP);
    const base = candidate('dead-relu', 'leaky-relu')!;
    const combined = withLowerLr(base, ctx)!;
    expect(combined.id).toBe('leaky-relu+lower-lr');
    expect(combined.title).toBe(`${base.title}, and lower the learning rate ×0.1 (5 → 0.5)`);
    const config = parsed(combined.apply(DEEP));
    expect(config.optimizer.lr).toBe(0.5);
    expect(config.layers[0]).toMatchObject({ activation: { name: 'leaky_relu' } });
    expect(withLowerLr(candidate('dead-relu', 'lower-lr')!, ctx)).toBeNull();
    expect(withLowerLr(candidate('dead-relu', 'default-lr')!, ctx)).toBeNull();
  });
});

describe('output fixes for a saturated output under mse (issue 14)', () => {
  const OUT = `{
  "version": 1,
  "input": 2,
  "layers": [
    { "type": "dense", "units": 8, "activation": "relu", "init": "he_normal" },
    { "type": "dense", "units": 1, "activation": "sigmoid", "init": { "name": "normal", "scale": 4 } }
  ],
  "loss": "mse",
  "optimizer": { "type": "adam", "lr": 0.003 },
  "training": { "steps": 5, "batchSize": 16, "seed": 1 },
  "data": { "source": "moons", "samples": 64 }
}
`;
  const outputLayer = (text: string, id: string): { loss: string; activation: string; init: string } => {
    const c = candidatesFor(finding('output-saturation', ['/layers/1']), context(text)).find((x) => x.id === id)!;
    const config = parseSpec(c.apply(text)).config!;
    const out = config.layers[1]!;
    if (out.kind !== 'dense') throw new Error('the output is not dense');
    return { loss: config.loss, activation: out.activation.name, init: out.init.name };
  };

  it('linear-output re-initialises an output whose fixed-scale init saturated it; bce-output keeps the logits', () => {
    expect(outputLayer(OUT, 'linear-output')).toEqual({ loss: 'mse', activation: 'linear', init: 'glorot_uniform' });
    expect(outputLayer(OUT, 'bce-output')).toEqual({ loss: 'bce', activation: 'sigmoid', init: 'normal' });
    const c = candidatesFor(finding('output-saturation', ['/layers/1']), context(OUT)).find(
      (x) => x.id === 'linear-output',
    )!;
    expect(c.title).toBe(
      'Make the output /layers/1 linear (mse needs no squashing), and re-initialise it with Glorot init',
    );
  });

  it('an output whose init fits its fans keeps it', () => {
    const fitted = OUT.replace('{ "name": "normal", "scale": 4 }', '"lecun_normal"');
    expect(outputLayer(fitted, 'linear-output')).toEqual({ loss: 'mse', activation: 'linear', init: 'lecun_normal' });
  });
});
