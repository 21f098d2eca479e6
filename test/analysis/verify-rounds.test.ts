/**
 * verifyFixes' orchestration (issue 14): a candidate that removed its problem but made the training diverge is tried
 * again with a lower learning rate; every distinct fixed text runs once per seed, however many findings offer it.
 * The runs are hand-built records chosen by the fixed text, so the test pins the rounds, not the engine.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/analysis/findings';
import { candidatesFor, type Candidate, type FixContext } from '../../src/analysis/fixes/catalog';
import type { MeasureJob, MeasureOutcome } from '../../src/analysis/measure';
import { prepare } from '../../src/analysis/prepare';
import { DEFAULT_THRESHOLDS } from '../../src/analysis/thresholds';
import { appliedFix, verifyFixes, type VerifyProgress } from '../../src/analysis/verify';
import { train } from '../../src/engine/train';
import { fakeRecord } from './fake-record';

const SPEC = `{
  "version": 1,
  "input": 2,
  "layers": [
    { "type": "dense", "units": 8, "activation": "relu", "init": "he_normal" },
    { "type": "dense", "units": 8, "activation": "relu", "init": "he_normal" },
    { "type": "dense", "units": 1, "activation": "sigmoid", "init": "glorot_uniform" }
  ],
  "loss": "bce",
  "optimizer": { "type": "sgd", "lr": 0.1 },
  "training": { "steps": 5, "batchSize": 8, "seed": 1 },
  "data": { "source": "moons", "samples": 64 }
}
`;

const noFiles = { readText: () => ({ error: 'no files' }) };
const prepared = prepare(SPEC, { files: noFiles });
if (!prepared.ok) throw new Error(prepared.diagnostics[0]?.message);
const config = prepared.config;
const context: FixContext = { text: SPEC, config, layers: train(config, prepared.dataset).layers };

const falling = Array.from({ length: 41 }, (_, i) => 0.7 - 0.015 * i);
const flat = Array.from({ length: 41 }, () => 0.69);
const exploding = Array.from({ length: 41 }, (_, i) => 0.7 * 10 ** (i / 5));
const dead = fakeRecord([{ gradNorm: 0.1, dead: 0.9 }, { gradNorm: 0.2, dead: 0.8 }, { gradNorm: 1 }], { loss: flat });
/** The unit no longer dies, but the rate of 0.1 now blows the loss up. */
const diverged = fakeRecord([{ gradNorm: 0.5 }, { gradNorm: 0.7 }, { gradNorm: 1 }], { loss: exploding });
const healthy = fakeRecord([{ gradNorm: 0.5 }, { gradNorm: 0.7 }, { gradNorm: 1 }], { loss: falling });

const deadRelu: Finding = {
  kind: 'dead-relu',
  severity: 'warning',
  source: 'measured',
  layers: ['/layers/0', '/layers/1'],
  reference: null,
  message: '',
  values: {},
  metric: '',
  threshold: 0.7,
  steps: [40],
};

async function verify(
  findings: Finding[],
  onProgress?: (progress: VerifyProgress) => void,
): Promise<{ fixes: Awaited<ReturnType<typeof verifyFixes>>; runs: string[] }> {
  const runs: string[] = [];
  const run = async (job: MeasureJob): Promise<MeasureOutcome> => {
    runs.push(`${job.seed}\n${job.text}`);
    const leaks = /"(leaky_relu|elu|selu)"/.test(job.text);
    const lowered = /"lr": 0\.01\b/.test(job.text);
    return { ok: true, config, result: leaks ? (lowered ? healthy : diverged) : dead };
  };
  const fixes = await verifyFixes({
    text: SPEC,
    before: dead,
    findings,
    context,
    job: { steps: null, seed: 1, deadline: Date.now() + 60_000 },
    others: [
      { seed: 2, before: dead },
      { seed: 3, before: dead },
    ],
    thresholds: DEFAULT_THRESHOLDS,
    run,
    ...(onProgress ? { onProgress } : {}),
  });
  return { fixes, runs };
}

describe('verifyFixes in rounds', () => {
  it('retries a candidate that diverged with the learning rate ×0.1, verified on every seed', async () => {
    const { fixes } = await verify([deadRelu]);
    const preferred = fixes.find((f) => f.preferred)!;
    expect(preferred.id).toMatch(/^(leaky-relu|elu|selu-lecun)\+lower-lr$/);
    expect(preferred.title).toMatch(/, and lower the learning rate ×0\.1 \(0\.1 → 0\.01\)$/);
    expect(preferred.verification.seeds).toEqual({ fixed: 3, of: 3 });
    // The first round's candidate that diverged stays listed, marked as such.
    const alone = fixes.find((f) => f.id === preferred.id.replace('+lower-lr', ''))!;
    expect(alone.verification.status).toBe('worse');
    expect(alone.verification.lowerLrMayHelp).toBe(true);
    // At most two candidates get a second round.
    expect(fixes.filter((f) => f.id.endsWith('+lower-lr') && f.id !== 'relu-he+lower-lr').length).toBe(2);
  });

  it('tells its progress: every candidate tried, the fixes that held confirmed, the second round counted in', async () => {
    const told: VerifyProgress[] = [];
    const { fixes } = await verify([deadRelu], (p) => told.push(p));
    const last = told[told.length - 1]!;
    // Every candidate listed was tried, none is still confirming at the end.
    expect(last).toEqual({ tried: fixes.length, of: fixes.length, confirming: 0 });
    // The second round came after the first: the number of candidates grew.
    expect(told[0]!.of).toBeLessThan(last.of);
    for (let i = 1; i < told.length; i++) {
      expect(told[i]!.tried).toBeGreaterThanOrEqual(told[i - 1]!.tried);
      expect(told[i]!.tried).toBeLessThanOrEqual(told[i]!.of);
      expect(told[i]!.confirming).toBeGreaterThanOrEqual(0);
    }
    // The retried candidates held on the first seed, so they were confirmed on the others.
    expect(told.some((p) => p.confirming > 0)).toBe(true);
  });

  it('runs a fixed text once per seed, even when two findings offer the same candidate', async () => {
    const { runs, fixes } = await verify([deadRelu, { ...deadRelu, layers: ['/layers/0', '/layers/1'] }]);
    expect(new Set(runs).size).toBe(runs.length);
    expect(fixes.filter((f) => f.finding === 0).length).toBe(fixes.filter((f) => f.finding === 1).length);
  });

  it('a finding whose candidate another finding may stop early still gets its own full run', async () => {
    // Six narrow ReLU layers: fewer layers is a candidate for vanishing and for dying ReLU alike.
    const deep = SPEC.replace(/( *\{ "type": "dense", "units": 8, [^\n]*\n)\1/, '$1'.repeat(6));
    const deepPrepared = prepare(deep, { files: noFiles });
    if (!deepPrepared.ok) throw new Error(deepPrepared.diagnostics[0]?.message);
    const deepContext: FixContext = {
      text: deep,
      config: deepPrepared.config,
      layers: train(deepPrepared.config, deepPrepared.dataset).layers,
    };
    const hidden = deepContext.layers.slice(0, -1).map((l) => l.path);
    const vanishing: Finding = { ...deadRelu, kind: 'vanishing', layers: hidden };
    const dying: Finding = { ...deadRelu, layers: hidden };
    const ids = (f: Finding) => new Set(candidatesFor(f, deepContext).map((c) => c.id));
    const shared = [...ids(vanishing)].filter((id) => ids(dying).has(id));
    expect(shared).toContain('fewer-layers');
    const fixes = await verifyFixes({
      text: deep,
      before: dead,
      findings: [vanishing, dying],
      context: deepContext,
      job: { steps: null, seed: 1, deadline: Date.now() + 60_000 },
      thresholds: DEFAULT_THRESHOLDS,
      // A run allowed to stop once its problem is settled stops at once; a full run ends healthy.
      run: async (job) => ({
        ok: true,
        config: deepPrepared.config,
        result: job.stopOnceSettled ? { ...dead, stopped: { step: 0, reason: 'decided', detail: '' } } : healthy,
      }),
    });
    const dyingShared = fixes.filter((f) => f.finding === 1 && shared.includes(f.id));
    expect(dyingShared.length).toBe(shared.length);
    for (const fix of dyingShared) expect(fix.verification.effect).not.toMatch(/stopped after step/);
    expect(fixes.some((f) => f.finding === 0 && /stopped after step/.test(f.verification.effect))).toBe(true);
  });

  it('no second round when a first-round candidate fixed the problem', async () => {
    const withoutDivergence = async (findings: Finding[]) => {
      const fixes = await verifyFixes({
        text: SPEC,
        before: dead,
        findings,
        context,
        job: { steps: null, seed: 1, deadline: Date.now() + 60_000 },
        thresholds: DEFAULT_THRESHOLDS,
        run: async (job) => ({
          ok: true,
          config,
          result: /"(leaky_relu|elu|selu)"/.test(job.text) ? healthy : dead,
        }),
      });
      return fixes;
    };
    const fixes = await withoutDivergence([deadRelu]);
    expect(fixes.some((f) => f.verification.status === 'fixed')).toBe(true);
    expect(fixes.filter((f) => f.id.endsWith('+lower-lr'))).toEqual([]);
  });
});

describe('the loss against the unfixed runs is judged on the medians over the seeds', () => {
  /** Unfixed runs whose final losses are 0.6, 0.3 (a lucky seed) and 0.6; every fixed run removes the dead units. */
  const ending = (end: number): number[] => Array.from({ length: 41 }, (_, i) => 0.7 + ((end - 0.7) * i) / 40);
  const deadEnding = (end: number) =>
    fakeRecord([{ gradNorm: 0.1, dead: 0.9 }, { gradNorm: 0.2, dead: 0.8 }, { gradNorm: 1 }], { loss: ending(end) });
  const healthyEnding = (end: number) =>
    fakeRecord([{ gradNorm: 0.5 }, { gradNorm: 0.7 }, { gradNorm: 1 }], { loss: ending(end) });

  async function verifyWith(afterLoss: Record<number, number>) {
    return verifyFixes({
      text: SPEC,
      before: deadEnding(0.6),
      findings: [deadRelu],
      context,
      job: { steps: null, seed: 1, deadline: Date.now() + 60_000 },
      others: [
        { seed: 2, before: deadEnding(0.3) },
        { seed: 3, before: deadEnding(0.6) },
      ],
      thresholds: DEFAULT_THRESHOLDS,
      run: async (job) => ({
        ok: true,
        config,
        result: /"leaky_relu"/.test(job.text) ? healthyEnding(afterLoss[job.seed ?? 1]!) : deadEnding(0.6),
      }),
    });
  }

  it('a fix that ends above the unfixed run on one lucky seed, but below on the median, is fixed', async () => {
    const fixes = await verifyWith({ 1: 0.4, 2: 0.35, 3: 0.4 });
    const leaky = fixes.find((f) => f.id === 'leaky-relu')!;
    expect(leaky.verification.status).toBe('fixed');
    expect(leaky.verification.seeds).toEqual({ fixed: 3, of: 3 });
  });

  it('a fix whose median final loss is not below the unfixed median is not fixed, though the problem is gone', async () => {
    const fixes = await verifyWith({ 1: 0.65, 2: 0.35, 3: 0.62 });
    const leaky = fixes.find((f) => f.id === 'leaky-relu')!;
    expect(leaky.verification.status).toBe('improved');
    expect(leaky.verification.effect).toMatch(/median final loss 0\.62 is not below the unfixed 0\.6/);
  });
});

describe('appliedFix', () => {
  it('applies a candidate once per text and tells candidates and texts apart', () => {
    let calls = 0;
    const candidate = (title: string): Candidate => ({
      id: 'raise-lr',
      title,
      layers: [],
      apply: (t) => {
        calls++;
        return `${t}/${title}`;
      },
    });
    const a = candidate('Raise the learning rate ×10 (0.01 → 0.1)');
    expect(appliedFix(a, SPEC)).toBe(`${SPEC}/${a.title}`);
    // The candidate built again for the verification (a new object, the same fix) finds the edit made.
    expect(appliedFix(candidate(a.title), SPEC)).toBe(`${SPEC}/${a.title}`);
    expect(calls).toBe(1);
    const b = candidate('Raise the learning rate ×10 (0.02 → 0.2)');
    expect(appliedFix(b, SPEC)).toBe(`${SPEC}/${b.title}`);
    expect(appliedFix(a, `${SPEC} `)).toBe(`${SPEC} /${a.title}`);
    expect(calls).toBe(3);
  });
});
