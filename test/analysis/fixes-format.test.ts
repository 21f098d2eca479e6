/** Every catalogue fix keeps the file's line endings and every comment, also inside objects it changes. */
import { describe, expect, it } from 'vitest';
import type { Finding, FindingKind } from '../../src/analysis/findings';
import { candidatesFor, FIXES_BY_FINDING, type Candidate, type FixContext } from '../../src/analysis/fixes/catalog';
import { applyTextEdits, diffEdit } from '../../src/analysis/fixes/edit';
import { prepare } from '../../src/analysis/prepare';
import { train } from '../../src/engine/train';
import { parseSpec } from '../../src/spec';

const COMMENTS = [
  '// top',
  '// first',
  '/* middle */',
  '// relu',
  '/* in optimizer */',
  '// heavy ball',
  '// lr note',
  '// in training',
  '// end',
];

const SPEC = `// top
{
  "version": 1,
  "input": 2,
  "layers": [
    { "type": "dense", "units": 8, "activation": "sigmoid", "init": "glorot_uniform" }, // first
    /* middle */
    { "type": "dense", "units": 8, "activation": "relu", "init": { "name": "normal", "scale": 1 }, "biasInit": -1 }, // relu
    { "type": "dense", "units": 8, "activation": "tanh" },
    { "type": "dense", "units": 1, "activation": "sigmoid" }
  ],
  "loss": "bce",
  "optimizer": {
    /* in optimizer */
    "type": "sgd",
    "momentum": 0.9, // heavy ball
    "lr": 0.1 // lr note
  },
  "training": {
    // in training
    "steps": 20,
    "batchSize": 16,
    "seed": 3
  },
  "data": { "source": "moons", "samples": 64 }
} // end
`;

const noFiles = { readText: () => ({ error: 'no files' }) };

function context(text: string): FixContext {
  const prepared = prepare(text, { files: noFiles });
  if (!prepared.ok) throw new Error(prepared.diagnostics[0]?.message);
  return { text, config: prepared.config, layers: train(prepared.config, prepared.dataset).layers };
}

/** One candidate per fix id, from every finding kind over every dense layer (and the same spec under mse). */
function everyCandidate(text: string): Candidate[] {
  const byId = new Map<string, Candidate>();
  for (const variant of [text, text.replace('"loss": "bce"', '"loss": "mse"'), batchOfOne(text)])
    candidatesOf(variant, byId);
  return [...byId.values()];
}

function candidatesOf(text: string, byId: Map<string, Candidate>): void {
  const ctx = context(text);
  for (const kind of Object.keys(FIXES_BY_FINDING) as FindingKind[]) {
    const finding: Finding = {
      kind,
      severity: 'warning',
      source: 'measured',
      layers: ['/layers/0', '/layers/1', '/layers/2'],
      reference: null,
      message: '',
      values: {},
      metric: '',
      threshold: 0,
      steps: [],
    };
    for (const c of candidatesFor(finding, ctx)) if (!byId.has(c.id)) byId.set(c.id, c);
  }
}

/** The candidates that exist only under mse (output fixes) are checked on the mse variant of the text. */
const MSE_ONLY = new Set(['bce-output', 'linear-output']);
/** …and those that exist only for batches of a few samples on the batch-1 variant. */
const SMALL_BATCH_ONLY = new Set(['larger-batch']);
function batchOfOne(text: string): string {
  return text.replace('"batchSize": 16', '"batchSize": 1');
}
const variantFor = (text: string, c: Candidate): string =>
  MSE_ONLY.has(c.id)
    ? text.replace('"loss": "bce"', '"loss": "mse"')
    : SMALL_BATCH_ONLY.has(c.id)
      ? batchOfOne(text)
      : text;

function check(original: string, candidate: Candidate): string {
  const text = applyTextEdits(original, [diffEdit(original, candidate.apply(original))!]);
  expect(text).not.toBe(original);
  expect(parseSpec(text).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  for (const comment of COMMENTS) expect(text, `${candidate.id} lost ${comment}`).toContain(comment);
  return text;
}

describe('fixes keep the file as written', () => {
  it('covers the whole catalogue', () => {
    expect(
      everyCandidate(SPEC)
        .map((c) => c.id)
        .sort(),
    ).toEqual([
      'adam',
      'batchnorm',
      'bce-output',
      'clip-norm',
      'clip-norm+lower-lr',
      'edge-of-chaos',
      'elu',
      'larger-batch',
      'leaky-relu',
      'linear-output',
      'lower-lr',
      'match-init',
      'raise-lr',
      'relu-he',
      'relu-he+lower-lr',
      'residual',
      'selu-lecun',
      'widen',
      'zero-bias',
    ]);
  });

  it.each(everyCandidate(SPEC).map((c) => [c.id, c] as const))(
    '%s keeps every comment (LF file, no CR added)',
    (_id, c) => {
      expect(check(variantFor(SPEC, c), c)).not.toContain('\r');
    },
  );

  const CRLF = SPEC.replace(/\n/g, '\r\n');
  it.each(everyCandidate(CRLF).map((c) => [c.id, c] as const))(
    '%s keeps CRLF line endings and every comment',
    (_id, c) => {
      const text = check(variantFor(CRLF, c), c);
      expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    },
  );

  it('adam drops only the options Adam does not read, and keeps the comments inside "optimizer"', () => {
    const adam = everyCandidate(SPEC).find((c) => c.id === 'adam')!;
    const config = parseSpec(check(SPEC, adam)).config!;
    expect(config.optimizer).toMatchObject({ type: 'adam', lr: 0.001 });
    expect(parseSpec(adam.apply(SPEC)).diagnostics.filter((d) => d.code === 'unused-key')).toEqual([]);
  });
});
