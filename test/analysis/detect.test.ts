import { describe, expect, it } from 'vitest';
import { detectMeasured } from '../../src/analysis/detect';
import { describeSteps } from '../../src/analysis/findings';
import { DEFAULT_THRESHOLDS as T } from '../../src/analysis/thresholds';
import { fakeRecord } from './fake-record';

const kinds = (r: ReturnType<typeof fakeRecord>) => detectMeasured(r, T).map((f) => f.kind);

describe('detectMeasured', () => {
  it('reports nothing for a healthy record', () => {
    const r = fakeRecord([{ gradNorm: 0.5 }, { gradNorm: 0.8 }, { gradNorm: 1 }]);
    expect(detectMeasured(r, T)).toEqual([]);
  });

  it('reports every vanishing layer, not just the first, with its step-0 ratio', () => {
    const r = fakeRecord([{ gradNorm: 1e-9 }, { gradNorm: 1e-6 }, { gradNorm: 0.5 }, { gradNorm: 1 }]);
    const [finding] = detectMeasured(r, T);
    expect(finding?.kind).toBe('vanishing');
    expect(finding?.layers).toEqual(['/layers/0', '/layers/1']);
    expect(finding?.values['/layers/0']).toBeCloseTo(1e-9, 15);
    expect(finding?.reference).toBe('/layers/3');
    expect(finding?.message).toContain('/layers/0');
  });

  it("applies AutoTrainer's absolute floor: a small ratio with a large norm is not vanishing", () => {
    const r = fakeRecord([{ gradNorm: 0.01 }, { gradNorm: 100 }]);
    expect(kinds(r)).not.toContain('vanishing');
  });

  it('judges the median after step 0: one bad recorded step is not a finding, most of them are', () => {
    const r = fakeRecord([{ gradNorm: [0.5, 0.5, 1e-9, 0.5, 0.5] }, { gradNorm: 1 }]);
    expect(kinds(r)).not.toContain('vanishing');
    const persistent = fakeRecord([{ gradNorm: [0.5, 1e-9, 1e-9, 1e-9, 0.5] }, { gradNorm: 1 }]);
    expect(kinds(persistent)).toContain('vanishing');
  });

  it('reports exploding layers above 70× the output layer', () => {
    const r = fakeRecord([{ gradNorm: 500 }, { gradNorm: 20 }, { gradNorm: 1 }]);
    const f = detectMeasured(r, T).find((x) => x.kind === 'exploding');
    expect(f?.layers).toEqual(['/layers/0']);
    expect(f?.values['/layers/0']).toBe(500);
  });

  it('reports divergence as an error when training stopped on NaN', () => {
    const r = fakeRecord([{ gradNorm: 1, nonFinite: 3 }, { gradNorm: 1 }], {
      loss: [1, 2, NaN],
      stopped: { step: 2, reason: 'non-finite', detail: 'loss is NaN at step 2' },
    });
    const f = detectMeasured(r, T).find((x) => x.kind === 'divergence');
    expect(f?.severity).toBe('error');
    expect(f?.layers).toEqual(['/layers/0']);
    expect(f?.message).toContain('step 2');
  });

  it('reports a loss that blows up without NaN', () => {
    const loss = Array.from({ length: 41 }, (_, i) => Math.exp(i / 5));
    expect(kinds(fakeRecord([{ gradNorm: 1 }, { gradNorm: 1 }], { loss }))).toContain('divergence');
  });

  it('reports dying ReLU at ≥ 70% dead units and not below', () => {
    expect(kinds(fakeRecord([{ gradNorm: 1, dead: 0.8 }, { gradNorm: 1 }]))).toContain('dead-relu');
    expect(kinds(fakeRecord([{ gradNorm: 1, dead: 0.6 }, { gradNorm: 1 }]))).not.toContain('dead-relu');
  });

  it('reports saturation above 50% and not at 50%', () => {
    expect(kinds(fakeRecord([{ gradNorm: 1, saturated: 0.9 }, { gradNorm: 1 }]))).toContain('saturation');
    expect(kinds(fakeRecord([{ gradNorm: 1, saturated: 0.5 }, { gradNorm: 1 }]))).not.toContain('saturation');
  });

  it('flags the learning rate when most layers update too fast or too slowly', () => {
    expect(
      kinds(
        fakeRecord([
          { gradNorm: 1, updateRatio: 0.5 },
          { gradNorm: 1, updateRatio: 0.3 },
        ]),
      ),
    ).toContain('learning-rate-high');
    expect(
      kinds(
        fakeRecord([
          { gradNorm: 1, updateRatio: 1e-7 },
          { gradNorm: 1, updateRatio: 1e-7 },
        ]),
      ),
    ).toContain('learning-rate-low');
    expect(kinds(fakeRecord([{ gradNorm: 1, updateRatio: 0.5 }, { gradNorm: 1 }, { gradNorm: 1 }]))).not.toContain(
      'learning-rate-high',
    );
  });

  it('does not blame the learning rate for layers whose gradient vanished', () => {
    const r = fakeRecord([
      { gradNorm: 1e-9, updateRatio: 1e-9 },
      { gradNorm: 1e-9, updateRatio: 1e-9 },
      { gradNorm: 1, updateRatio: 1e-3 },
    ]);
    expect(kinds(r)).toContain('vanishing');
    expect(kinds(r)).not.toContain('learning-rate-low');
  });

  it('says when the loss does not decrease', () => {
    const flat = Array.from({ length: 41 }, () => 0.69);
    const f = detectMeasured(fakeRecord([{ gradNorm: 1 }, { gradNorm: 1 }], { loss: flat }), T).find(
      (x) => x.kind === 'not-learning',
    );
    expect(f?.severity).toBe('info');
  });

  it('honours configured thresholds', () => {
    const r = fakeRecord([{ gradNorm: 30 }, { gradNorm: 1 }]);
    expect(kinds(r)).not.toContain('exploding');
    expect(detectMeasured(r, { ...T, explodingRatio: 10 }).map((f) => f.kind)).toContain('exploding');
  });
});

describe('describeSteps', () => {
  it('compresses consecutive recorded steps into ranges', () => {
    expect(describeSteps([0, 10, 20, 40], [0, 10, 20, 30, 40])).toBe('0–20, 40');
    expect(describeSteps([30], [0, 10, 20, 30])).toBe('30');
    expect(describeSteps([], [0])).toBe('');
  });
});

describe('step 0 alone is not a verdict', () => {
  it('a zero gradient at step 0 that recovers (a zero-initialised output layer) is not vanishing', () => {
    const grad = [0, 0.3, 0.4, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
    const r = fakeRecord([{ gradNorm: grad }, { gradNorm: 1 }], { steps: 12 });
    expect(kinds(r)).not.toContain('vanishing');
  });

  it('an exploding ratio at step 0 only is not exploding; one that persists is', () => {
    const once = [5e4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    expect(kinds(fakeRecord([{ gradNorm: once }, { gradNorm: 1 }], { steps: 12 }))).not.toContain('exploding');
    const kept = [5e4, 500, 400, 300, 300, 300, 300, 1, 1, 1, 1, 1];
    expect(kinds(fakeRecord([{ gradNorm: kept }, { gradNorm: 1 }], { steps: 12 }))).toContain('exploding');
  });

  it('a huge ratio of tiny norms is not exploding (the size condition)', () => {
    const r = fakeRecord([{ gradNorm: 2e-7 }, { gradNorm: 2e-10 }]);
    expect(kinds(r)).not.toContain('exploding');
    expect(detectMeasured(r, { ...T, explodingAbsolute: 1e-8 }).map((f) => f.kind)).toContain('exploding');
  });
});

describe('output saturation and root causes', () => {
  it('a saturated sigmoid output under mse is a kind of its own; under bce the loss takes its logits', () => {
    const r = fakeRecord([{ gradNorm: 1 }, { gradNorm: 1, activation: 'sigmoid', saturated: 0.9 }]);
    expect(detectMeasured(r, T, 'mse').map((f) => f.kind)).toEqual(['output-saturation']);
    expect(detectMeasured(r, T, 'bce').map((f) => f.kind)).toEqual([]);
  });

  it('marks the problem that came first as the root cause of the one that followed', () => {
    const dead = [0.2, 0.9, 0.9, 0.9, 0.9];
    const r = fakeRecord([{ gradNorm: 1, dead }, { gradNorm: 1 }], {
      loss: [...Array.from({ length: 45 }, (_, i) => 1 + i / 10), NaN],
      stopped: { step: 45, reason: 'non-finite', detail: 'loss is NaN at step 45' },
    });
    const divergence = detectMeasured(r, T).find((f) => f.kind === 'divergence');
    expect(divergence?.after).toBe('dead-relu');
    expect(divergence?.message).toContain('after dying ReLU from step 10');
  });
});
