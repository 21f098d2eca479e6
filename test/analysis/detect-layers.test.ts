/**
 * The measured rules of recurrent and conv layers on hand-built records: vanishing and exploding through time,
 * saturated gates, dead filters, and the layer rules across conv depth. Each case has its healthy twin.
 */
import { describe, expect, it } from 'vitest';
import { detectMeasured } from '../../src/analysis/detect';
import { findingMetric } from '../../src/analysis/verify';
import { DEFAULT_THRESHOLDS as T } from '../../src/analysis/thresholds';
import { fakeRecord, type FakeLayer } from './fake-record';

/** ‖∂L/∂h_t‖ over `steps` time steps, geometric from `first` to 1 at the last step. */
function geometric(first: number, steps = 50): number[] {
  return Array.from({ length: steps }, (_, t) => Math.pow(first, 1 - t / (steps - 1)));
}

const rnn = (timeGradNorm: number[][] | number[], extra: Partial<FakeLayer> = {}): FakeLayer => ({
  kind: 'simple_rnn',
  activation: 'tanh',
  gradNorm: 0.1,
  timeGradNorm,
  ...extra,
});
const output: FakeLayer = { gradNorm: 1, activation: 'linear' };
const find = (layers: FakeLayer[], kind: string) => detectMeasured(fakeRecord(layers), T).find((f) => f.kind === kind);

describe('through time', () => {
  it('vanishing: ‖∂L/∂h_0‖/‖∂L/∂h_T‖ below 1e-2 on the recurrent layer, with its number', () => {
    const f = find([rnn(geometric(1e-6)), output], 'vanishing-through-time');
    expect(f?.layers).toEqual(['/layers/0']);
    expect(f?.values['/layers/0']).toBeCloseTo(1e-6, 12);
    expect(f?.message).toContain('/layers/0 (simple_rnn, 50 steps)');
    expect(f?.message).toContain('‖∂L/∂h_49‖');
    expect(find([rnn(geometric(5e-3)), output], 'vanishing-through-time')).toBeDefined();
    expect(find([rnn(geometric(2e-2)), output], 'vanishing-through-time')).toBeUndefined();
  });

  it('judges the median after step 0: a vanishing step 0 or one bad recording is no finding, most of them are', () => {
    const healthy = geometric(0.5);
    const bad = geometric(1e-6);
    expect(find([rnn([bad, healthy, healthy, healthy, healthy]), output], 'vanishing-through-time')).toBeUndefined();
    expect(find([rnn([healthy, healthy, bad, healthy, healthy]), output], 'vanishing-through-time')).toBeUndefined();
    const f = find([rnn([healthy, bad, bad, bad, healthy]), output], 'vanishing-through-time');
    expect(f?.onset).toBe(10);
  });

  it('exploding: the ratio above 70, and not at 50', () => {
    const f = find([rnn(geometric(500)), output], 'exploding-through-time');
    expect(f?.layers).toEqual(['/layers/0']);
    expect(f?.values['/layers/0']).toBeCloseTo(500, 8);
    expect(find([rnn(geometric(50)), output], 'exploding-through-time')).toBeUndefined();
  });

  it('no gradient at the last step is not a ratio (0/0): no verdict through time', () => {
    const silent = Array.from({ length: 20 }, () => 0);
    const findings = detectMeasured(fakeRecord([rnn(silent), output]), T).map((f) => f.kind);
    expect(findings).not.toContain('vanishing-through-time');
    expect(findings).not.toContain('exploding-through-time');
  });

  it('layers without time series (dense, conv) never get a through-time verdict', () => {
    const findings = detectMeasured(fakeRecord([{ gradNorm: 1 }, output]), T).map((f) => f.kind);
    expect(findings.filter((k) => k.endsWith('through-time'))).toEqual([]);
  });

  it("a fix is judged on the worst recurrent layer's ratio", () => {
    const r = fakeRecord([rnn(geometric(1e-5)), { ...rnn(geometric(1e-2)), kind: 'lstm' }, output]);
    expect(findingMetric('vanishing-through-time', r)).toBeCloseTo(1e-5, 10);
    expect(findingMetric('exploding-through-time', r)).toBeCloseTo(1e-2, 8);
  });
});

describe('saturated gates', () => {
  const lstm = (gates: Record<string, number[] | number>): FakeLayer => ({
    kind: 'lstm',
    activation: null as unknown as string,
    gradNorm: 0.1,
    timeGradNorm: geometric(0.5),
    gates,
  });

  it('a gate beyond ±5 for more than half its pre-activations at the last recording, named in the message', () => {
    const f = find([lstm({ input: 0.1, forget: 0.9, cell: 0.2, output: 0.05 }), output], 'gate-saturation');
    expect(f?.layers).toEqual(['/layers/0']);
    expect(f?.values['/layers/0']).toBeCloseTo(0.9, 12);
    expect(f?.message).toContain('forget gate');
    expect(f?.message).not.toContain('input');
  });

  it('several saturated gates are listed in one finding, most saturated first', () => {
    const f = find([lstm({ input: 0.7, forget: 0.9, cell: 0.2, output: 0.05 }), output], 'gate-saturation');
    expect(f?.message).toMatch(/forget \(90%\), input \(70%\) gates/);
  });

  it('not at 50%, and not when only earlier recordings saturated', () => {
    expect(find([lstm({ forget: 0.5 }), output], 'gate-saturation')).toBeUndefined();
    expect(find([lstm({ update: [0.9, 0.9, 0.9, 0.9, 0.1] }), output], 'gate-saturation')).toBeUndefined();
  });

  it('a recording without a probe (NaN) is skipped, not read as saturated or healthy', () => {
    const f = find([lstm({ reset: [NaN, 0.2, 0.3, 0.6, 0.8] }), output], 'gate-saturation');
    expect(f?.onset).toBe(30);
  });
});

describe('conv layers', () => {
  const conv = (extra: Partial<FakeLayer>): FakeLayer => ({
    kind: 'conv2d',
    activation: 'relu',
    gradNorm: 1,
    ...extra,
  });

  it('dead filters: the dying-ReLU rule counts filters dead at every position, and lists them', () => {
    const f = find([conv({ channelDead: [1, 1, 0, 1] }), output], 'dead-relu');
    expect(f?.values['/layers/0']).toBe(0.75);
    expect(f?.message).toContain('filters 0, 1, 3');
    expect(f?.message).toContain("/layers/0's filters");
    expect(find([conv({ channelDead: [1, 0, 0, 1] }), output], 'dead-relu')).toBeUndefined();
  });

  it('channelDead decides over a deadFraction series that disagrees with it', () => {
    expect(find([conv({ channelDead: [0, 0, 0, 1], dead: 0.9 }), output], 'dead-relu')).toBeUndefined();
  });

  it('vanishing across conv depth: the layer rule reads conv gradient norms as dense ones', () => {
    const f = find([conv({ gradNorm: 1e-9 }), conv({ gradNorm: 1e-7 }), conv({ gradNorm: 0.3 }), output], 'vanishing');
    expect(f?.layers).toEqual(['/layers/0', '/layers/1']);
    expect(find([conv({ gradNorm: 0.01 }), conv({ gradNorm: 0.1 }), output], 'vanishing')).toBeUndefined();
  });
});

describe('root causes through time', () => {
  it('gates that saturate first are the root cause of the vanishing that follows', () => {
    const healthy = geometric(0.5);
    const bad = geometric(1e-6);
    const layer: FakeLayer = {
      kind: 'lstm',
      gradNorm: 0.1,
      timeGradNorm: [healthy, healthy, bad, bad, bad],
      gates: { forget: [0.1, 0.8, 0.9, 0.9, 0.9] },
    };
    const findings = detectMeasured(fakeRecord([layer, output]), T);
    const vanishing = findings.find((f) => f.kind === 'vanishing-through-time');
    expect(vanishing?.after).toBe('gate-saturation');
    expect(vanishing?.message).toContain('after saturated gates from step 10');
  });
});
