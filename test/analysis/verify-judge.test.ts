/** judge(): a fix is "fixed" only when its run trained — finite, and ending below the loss it started from. */
import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../src/engine/config';
import type { Finding } from '../../src/analysis/findings';
import type { MeasureOutcome } from '../../src/analysis/measure';
import { DEFAULT_THRESHOLDS } from '../../src/analysis/thresholds';
import { judge } from '../../src/analysis/verify';
import { fakeRecord } from './fake-record';

const vanishing: Finding = {
  kind: 'vanishing',
  severity: 'warning',
  source: 'measured',
  layers: ['/layers/0'],
  reference: '/layers/2',
  message: '',
  values: {},
  metric: '',
  threshold: 1e-3,
  steps: [0],
};
const config = { loss: 'mse' } as ModelConfig;
const before = fakeRecord([{ gradNorm: 1e-9 }, { gradNorm: 1e-6 }, { gradNorm: 1 }]);
/** A healthy-gradient run with the given loss curve. */
const after = (loss: number[]): MeasureOutcome => ({
  ok: true,
  config,
  result: fakeRecord([{ gradNorm: 0.5 }, { gradNorm: 0.7 }, { gradNorm: 1 }], { loss }),
});
const curve = (from: number, to: number): number[] =>
  Array.from({ length: 41 }, (_, i) => from + ((to - from) * i) / 40);

describe('judge', () => {
  it('calls a fix that removed the problem and lowered the loss fixed', () => {
    expect(judge(vanishing, before, after(curve(0.7, 0.1)), DEFAULT_THRESHOLDS).status).toBe('fixed');
  });

  it('never calls a run that ends above its starting loss fixed', () => {
    const verdict = judge(vanishing, before, after(curve(0.7, 7.3e36)), DEFAULT_THRESHOLDS);
    expect(verdict.status).not.toBe('fixed');
    expect(judge(vanishing, before, after(curve(0.7, 0.9)), DEFAULT_THRESHOLDS).status).not.toBe('fixed');
  });

  it('calls a run that ends non-finite worse', () => {
    expect(
      judge(vanishing, before, after([...curve(0.7, 0.5), NaN, NaN, NaN, NaN, NaN]), DEFAULT_THRESHOLDS).status,
    ).toBe('worse');
  });

  it('says why a shortened run is unverified once, with a correct plural', () => {
    const cut: MeasureOutcome = {
      ok: true,
      config,
      result: { ...fakeRecord([{ gradNorm: 1 }], { loss: [0.7] }), stopped: { reason: 'budget', step: 1, detail: '' } },
    };
    const verdict = judge(vanishing, before, cut, DEFAULT_THRESHOLDS);
    expect(verdict.status).toBe('unverified');
    expect(verdict.effect).toBe('the time budget ran out after 1 step of the run');
  });
});
