/**
 * Answers before the end of the work (issue 14's speed): a candidate fix for vanishing gradients stops once the
 * gradient is sure to vanish over the run; the first seed's report is shown while the others train, and the
 * candidate fixes of its findings start then, each run once however many callers ask for it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze, type Report } from '../../src/analysis/analyze';
import { RunCache } from '../../src/analysis/cache';
import { detectMeasured, settled, Settlement, type SettledKind } from '../../src/analysis/detect';
import { inProcessExecutor, type MeasureJob, type MeasureOutcome } from '../../src/analysis/measure';
import { prepare } from '../../src/analysis/prepare';
import { DEFAULT_THRESHOLDS as T } from '../../src/analysis/thresholds';
import type { TrainResult } from '../../src/engine/stats';
import { train } from '../../src/engine/train';
import { fakeRecord } from './fake-record';

/** The record as it stood after its first `n` recordings. */
function prefix(r: TrainResult, n: number): TrainResult {
  return {
    ...r,
    recordedSteps: r.recordedSteps.slice(0, n),
    series: r.series.map((s) => ({ ...s, gradNorm: s.gradNorm.slice(0, n) })),
  };
}

// fakeRecord records steps 0, 10, …, 90: a run of 91 steps recorded every 10th.
const STEPS = 91;
const EVERY = 10;

describe('settled', () => {
  it('answers once more than half of the recordings the rule will judge vanish, not before', () => {
    // Window: steps 10…90 (9 recordings); 5 of them decide the medians.
    const r = fakeRecord([{ gradNorm: [1, 1e-9, 1e-9, 1e-9, 1e-9, 1e-9, 0.5, 0.5, 0.5, 0.5] }, { gradNorm: 1 }], {
      steps: 10,
    });
    expect(settled('vanishing', prefix(r, 5), STEPS, EVERY, T)).toBeNull();
    expect(settled('vanishing', prefix(r, 6), STEPS, EVERY, T)).toMatch(/5 of the 9 recordings/);
  });

  it('needs the absolute floor too: a small ratio with a large norm never settles', () => {
    const r = fakeRecord([{ gradNorm: 0.01 }, { gradNorm: 100 }], { steps: 10 });
    expect(settled('vanishing', r, STEPS, EVERY, T)).toBeNull();
  });

  it('exploding: the largest hidden layer past both thresholds on a majority of the recordings', () => {
    const r = fakeRecord([{ gradNorm: [1, 500, 500, 500, 500, 500, 0.1, 0.1, 0.1, 0.1] }, { gradNorm: 1 }], {
      steps: 10,
    });
    expect(settled('exploding', prefix(r, 5), STEPS, EVERY, T)).toBeNull();
    expect(settled('exploding', prefix(r, 6), STEPS, EVERY, T)).toMatch(/exploded on 5 of the 9/);
    expect(detectMeasured(r, T).map((f) => f.kind)).toContain('exploding');
  });

  it('never settles a run that does not end exploding (random runs, every prefix)', () => {
    const norm = fc.oneof(fc.constant(200), fc.constant(0.5), fc.double({ min: 0.01, max: 1000 }));
    fc.assert(
      fc.property(
        fc.array(norm, { minLength: 10, maxLength: 10 }),
        fc.array(norm, { minLength: 10, maxLength: 10 }),
        fc.double({ min: 0.05, max: 5 }),
        (a, b, out) => {
          const full = fakeRecord([{ gradNorm: a }, { gradNorm: b }, { gradNorm: out }], { steps: 10 });
          const explodes = detectMeasured(full, T).some((f) => f.kind === 'exploding');
          for (let n = 1; n <= 10; n++)
            if (settled('exploding', prefix(full, n), STEPS, EVERY, T) !== null) expect(explodes).toBe(true);
          expect(settled('exploding', full, STEPS, EVERY, T) !== null).toBe(explodes);
        },
      ),
      { seed: 16, numRuns: 300 },
    );
  });

  it('never settles a run that does not end vanishing (random runs, every prefix)', () => {
    const norm = fc.oneof(fc.constant(1e-9), fc.constant(5e-4), fc.constant(0.3), fc.double({ min: 1e-8, max: 1 }));
    fc.assert(
      fc.property(fc.array(norm, { minLength: 10, maxLength: 10 }), fc.double({ min: 0.05, max: 5 }), (g, out) => {
        const full = fakeRecord([{ gradNorm: g }, { gradNorm: out }], { steps: 10 });
        const vanishes = detectMeasured(full, T).some((f) => f.kind === 'vanishing');
        for (let n = 1; n <= 10; n++) {
          if (settled('vanishing', prefix(full, n), STEPS, EVERY, T) !== null) expect(vanishes).toBe(true);
        }
        // With every recording in, it says exactly what the rule says.
        expect(settled('vanishing', full, STEPS, EVERY, T) !== null).toBe(vanishes);
      }),
      { seed: 14, numRuns: 300 },
    );
  });

  it('a Settlement asked after every recording answers as settled() does on each prefix', () => {
    const norm = fc.oneof(fc.constant(1e-9), fc.constant(200), fc.constant(0.3), fc.double({ min: 1e-8, max: 1000 }));
    fc.assert(
      fc.property(
        fc.constantFrom<SettledKind>('vanishing', 'exploding'),
        fc.array(norm, { minLength: 10, maxLength: 10 }),
        fc.double({ min: 0.05, max: 5 }),
        (kind, g, out) => {
          const full = fakeRecord([{ gradNorm: g }, { gradNorm: out }], { steps: 10 });
          const settlement = new Settlement(kind, STEPS, EVERY, T);
          for (let n = 1; n <= 10; n++)
            expect(settlement.update(prefix(full, n))).toBe(settled(kind, prefix(full, n), STEPS, EVERY, T));
        },
      ),
      { seed: 25, numRuns: 300 },
    );
  });

  it("counts the window's recordings as the run records them: every recordEvery-th step and the last", () => {
    const count = (steps: number, every: number): number => {
      let n = 0;
      for (let s = 1; s < steps; s++) if (s % every === 0 || s === steps - 1) n++;
      return n;
    };
    // An answer names the window: "… on N of the W recordings …"; a run that always vanishes settles at N.
    for (const [steps, every] of [
      [91, 10],
      [100, 10],
      [100, 1],
      [2, 5],
      [7, 3],
      [1000, 7],
    ] as const) {
      const window = count(steps, every);
      const r = fakeRecord([{ gradNorm: 1e-9 }, { gradNorm: 1 }], { steps: window + 1 });
      const recorded = { ...r, recordedSteps: r.recordedSteps.map((_, k) => k) };
      expect(settled('vanishing', recorded, steps, every, T)).toMatch(new RegExp(` of the ${window} recordings`));
    }
  });
});

const DEEP_SIGMOID = `{
  "version": 1,
  "input": 2,
  "layers": [
${'    { "type": "dense", "units": 16, "activation": "sigmoid", "init": "glorot_uniform" },\n'.repeat(10)}    { "type": "dense", "units": 1, "activation": "sigmoid" }
  ],
  "loss": "bce",
  "optimizer": { "type": "sgd", "lr": 0.1 },
  "training": { "steps": 60, "batchSize": 32, "seed": 1 },
  "data": { "source": "moons", "samples": 256 }
}
`;
const noFiles = { readText: () => ({ error: 'no files' }) };

describe('TrainOptions.stopWhen', () => {
  it("ends training at the recording that answers, with stopped.reason 'decided'", () => {
    const prepared = prepare(DEEP_SIGMOID, { files: noFiles });
    if (!prepared.ok) throw new Error(prepared.diagnostics[0]?.message);
    const result = train(prepared.config, prepared.dataset, {
      stopWhen: (r) => (r.recordedSteps.length === 12 ? 'enough' : null),
    });
    expect(result.stopped).toEqual({ step: 11, reason: 'decided', detail: 'enough' });
    expect(result.stepsRun).toBe(12);
    expect(result.loss).toHaveLength(12);
  });
});

describe('RunCache', () => {
  const job: MeasureJob = { text: '{}', steps: null, seed: 1, deadline: 0 };
  const outcome = (stopped: TrainResult['stopped']): MeasureOutcome => ({
    ok: true,
    config: null as never,
    result: { ...fakeRecord([{ gradNorm: 1 }]), stopped },
  });

  it('knows a run while it trains and keeps it once done; a run cut short is not kept', async () => {
    const cache = new RunCache();
    let finish: (o: MeasureOutcome) => void = () => undefined;
    const run = cache.track(job, new Promise((resolve) => (finish = resolve)));
    expect(cache.pending(job)).toBe(run);
    expect(cache.get(job)).toBeUndefined();
    finish(outcome(null));
    await run;
    expect(cache.pending(job)).toBeUndefined();
    expect(cache.get(job)).toBeDefined();

    const other = { ...job, seed: 2 };
    await cache.track(other, Promise.resolve(outcome({ step: 3, reason: 'cancelled', detail: '' })));
    expect(cache.get(other)).toBeUndefined();
    await cache.track(other, Promise.resolve({ ok: false, diagnostics: [], message: 'x', cancelled: true }));
    expect(cache.get(other)).toBeUndefined();
  });

  it('keys a run that may stop once decided apart from the full run', () => {
    const cache = new RunCache();
    cache.set(job, outcome(null));
    expect(cache.get({ ...job, stopOnceSettled: { kind: 'vanishing', thresholds: T } })).toBeUndefined();
  });
});

describe('analyze: the first seed early', () => {
  /** An executor that answers on a later turn (as the worker pool does) and logs every run it makes. */
  function loggingExecutor(): { executor: Parameters<typeof analyze>[1]['executor']; runs: string[] } {
    const inner = inProcessExecutor(noFiles);
    const runs: string[] = [];
    return {
      runs,
      executor: {
        run: async (job, signal, onProgress) => {
          runs.push(RunCache.key(job));
          await new Promise((resolve) => setTimeout(resolve, 1));
          return inner.run(job, signal, onProgress);
        },
      },
    };
  }

  it('reports the first seed while the others train, starts its fixes then, and runs each job once', async () => {
    const { executor, runs } = loggingExecutor();
    const early: Report[] = [];
    const report = await analyze(DEEP_SIGMOID, { executor, seeds: 3, onFirstSeed: (r) => early.push(r) });
    expect(early).toHaveLength(1);
    expect(early[0]!.refining).toBe(2);
    expect(early[0]!.findings.map((f) => f.kind)).toContain('vanishing');
    expect(early[0]!.findings.every((f) => f.seeds?.of === 1)).toBe(true);
    expect(report.refining).toBe(0);
    expect(report.findings.find((f) => f.kind === 'vanishing')?.seeds?.of).toBe(3);
    expect(new Set(runs).size).toBe(runs.length);
    // Every candidate the verification judged on the first seed is among the runs; one started early was reused.
    expect(report.fixes.length).toBeGreaterThan(0);
    expect(report.fixes.some((f) => f.preferred && f.verification.seeds.fixed === 3)).toBe(true);

    // The same verdicts and fix statuses as an analysis that waits for every seed before it starts the fixes.
    const waiting = await analyze(DEEP_SIGMOID, {
      executor: inProcessExecutor(noFiles),
      seeds: 3,
      prefetchFixes: false,
    });
    const statuses = (r: Report) => r.fixes.map((f) => `${f.title}: ${f.verification.status}`);
    expect(statuses(report)).toEqual(statuses(waiting));
    expect(report.findings.map((f) => f.message)).toEqual(waiting.findings.map((f) => f.message));
  });

  it('a hopeless candidate for vanishing gradients stops at about half its steps and says so', async () => {
    const report = await analyze(DEEP_SIGMOID, { executor: inProcessExecutor(noFiles), seeds: 1 });
    const stopped = report.fixes.filter((f) => /stopped after step/.test(f.verification.effect));
    expect(stopped.length).toBeGreaterThan(0);
    for (const f of stopped) {
      expect(f.verification.status).not.toBe('fixed');
      expect(f.verification.remaining).toEqual(['vanishing']);
      const step = Number(f.verification.effect.match(/stopped after step (\d+) of 60/)![1]);
      expect(step).toBeGreaterThanOrEqual(30);
      expect(step).toBeLessThan(59);
    }
  });
});
