/**
 * Property tests: `analyze` never throws (it resolves, always), stays within its budget, and every position it
 * reports lies inside the text — on random valid specs and on random corruptions of them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze, analyzeStatic, type Report } from '../../src/analysis/analyze';
import { inProcessExecutor } from '../../src/analysis/measure';
import { ACTIVATION_NAMES, INIT_NAMES } from '../../src/spec/names';
import { parseSpec } from '../../src/spec';

const noFiles = { readText: () => ({ error: 'no data files in this test' }) };
const BUDGET_MS = 2_000;

const hidden = ACTIVATION_NAMES.filter((a) => a !== 'softmax');
const layerArb = fc.oneof(
  fc.record({
    type: fc.constant('dense'),
    units: fc.integer({ min: 1, max: 12 }),
    activation: fc.constantFrom(...hidden),
    init: fc.constantFrom(...INIT_NAMES),
  }),
  fc.record({ type: fc.constant('batchnorm') }),
  fc.record({ type: fc.constant('dropout'), rate: fc.double({ min: 0, max: 0.9, noNaN: true }) }),
  fc.record({ type: fc.constant('activation'), activation: fc.constantFrom(...hidden) }),
);

const specArb = fc
  .record({
    layers: fc.array(layerArb, { minLength: 0, maxLength: 6 }),
    loss: fc.constantFrom('mse', 'bce', 'crossentropy'),
    lr: fc.oneof(fc.double({ min: 1e-4, max: 10, noNaN: true }), fc.constant(1e6)),
    source: fc.constantFrom('xor', 'moons', 'teacher', 'blobs', 'sine', 'csv'),
    outputs: fc.integer({ min: 1, max: 3 }),
    optimizer: fc.constantFrom('sgd', 'adam', 'rmsprop'),
  })
  .map((s) =>
    JSON.stringify(
      {
        name: 'random',
        input: 2,
        layers: [...s.layers, { type: 'dense', units: s.outputs, activation: s.loss === 'bce' ? 'sigmoid' : 'linear' }],
        loss: s.loss,
        optimizer: { type: s.optimizer, lr: s.lr },
        training: { steps: 15, batchSize: 16, seed: 1 },
        data: { source: s.source, samples: 64, ...(s.source === 'csv' ? { path: 'missing.csv' } : {}) },
      },
      null,
      2,
    ),
  );

/** Random edits: delete, duplicate or insert junk at random places. */
const corruptedArb = fc
  .tuple(
    specArb,
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 20 }), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 4 }),
  )
  .map(([text, edits]) =>
    edits.reduce((t, [at, cut, junk]) => {
      const i = at % (t.length + 1);
      return t.slice(0, i) + junk + t.slice(i + cut);
    }, text),
  );

function checkPositions(text: string, report: Report): void {
  for (const d of report.diagnostics) {
    expect(d.offset).toBeGreaterThanOrEqual(0);
    expect(d.offset + d.length).toBeLessThanOrEqual(text.length);
  }
  const parsed = parseSpec(text);
  for (const f of report.findings) {
    for (const layer of f.layers) {
      const at = parsed.locate(layer);
      expect(at).not.toBeNull();
      expect(at!.offset + at!.length).toBeLessThanOrEqual(text.length);
    }
  }
  for (const fix of report.fixes) {
    expect(fix.edit.offset).toBeGreaterThanOrEqual(0);
    expect(fix.edit.offset + fix.edit.length).toBeLessThanOrEqual(text.length);
  }
}

const statuses: Record<string, number> = {};

async function analyzeChecked(text: string): Promise<void> {
  const start = performance.now();
  const report = await analyze(text, {
    executor: inProcessExecutor(noFiles),
    timeBudgetMs: BUDGET_MS,
    verifyFixes: true,
  });
  const elapsed = performance.now() - start;
  expect(['ok', 'invalid']).toContain(report.status);
  const trained = report.result !== null ? 'trained' : report.status;
  statuses[trained] = (statuses[trained] ?? 0) + 1;
  // The budget bounds training and verification; allow slack for parsing and one step past the check.
  expect(elapsed).toBeLessThan(BUDGET_MS + 1_000);
  checkPositions(text, report);
}

describe('analyze on random input', () => {
  it('random valid-shaped specs: resolves, within budget, positions inside the text', async () => {
    await fc.assert(fc.asyncProperty(specArb, analyzeChecked), { numRuns: 40, seed: 7 });
    // The generator must mostly produce specs that train, or this property says little.
    console.log('random specs:', statuses);
    expect(statuses.trained ?? 0).toBeGreaterThanOrEqual(20);
  }, 120_000);

  it('random corruptions: resolves, within budget, positions inside the text', async () => {
    await fc.assert(fc.asyncProperty(corruptedArb, analyzeChecked), { numRuns: 60, seed: 11 });
  }, 120_000);

  it('analyzeStatic never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const report = analyzeStatic(text);
        expect(report.status).not.toBe('internal-error');
        checkPositions(text, report);
      }),
      { numRuns: 300, seed: 3 },
    );
  });
});

describe('analyze budget and cancellation', () => {
  const big = JSON.stringify({
    input: 2,
    layers: [
      { type: 'dense', units: 256, activation: 'sigmoid' },
      { type: 'dense', units: 256, activation: 'sigmoid' },
      { type: 'dense', units: 1, activation: 'sigmoid' },
    ],
    loss: 'bce',
    training: { steps: 100000, batchSize: 256 },
    data: { source: 'moons', samples: 1024 },
  });

  it('a long run stops at the wall-clock budget and says so', async () => {
    const start = performance.now();
    const report = await analyze(big, { executor: inProcessExecutor(noFiles), timeBudgetMs: 300, verifyFixes: true });
    expect(performance.now() - start).toBeLessThan(1_500);
    expect(report.result?.stopped?.reason).toBe('budget');
    expect(report.message).toMatch(/budget/);
  });

  it('a cancelled run resolves promptly with status cancelled', async () => {
    const start = performance.now();
    // Cancelled 100 ms in: the training loop polls the signal every step.
    const signal = {
      get cancelled() {
        return performance.now() - start > 100;
      },
    };
    const report = await analyze(big, { executor: inProcessExecutor(noFiles), signal, timeBudgetMs: 60_000 });
    expect(performance.now() - start).toBeLessThan(1_500);
    expect(report.status).toBe('cancelled');
    expect(report.fixes).toEqual([]);
  });
});

describe('fixes verified on a shortened run', () => {
  it('are reported as unverified, never as fixed or not fixed', async () => {
    const text = JSON.stringify({
      input: 2,
      layers: [
        ...Array.from({ length: 12 }, () => ({ type: 'dense', units: 64, activation: 'sigmoid' })),
        { type: 'dense', units: 1, activation: 'sigmoid' },
      ],
      loss: 'bce',
      training: { steps: 100000, batchSize: 128 },
      data: { source: 'moons', samples: 512 },
    });
    const report = await analyze(text, { executor: inProcessExecutor(noFiles), timeBudgetMs: 400 });
    expect(report.findings.map((f) => f.kind)).toContain('vanishing');
    expect(report.fixes.length).toBeGreaterThan(0);
    for (const fix of report.fixes) {
      expect(fix.verification.status).toBe('unverified');
      expect(fix.preferred).toBe(false);
      expect(fix.verification.effect).toMatch(/time budget/);
    }
  });
});
