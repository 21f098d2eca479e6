/** PlotModel → uPlot columns: shapes, log-scale safety, live data taking over, and the compare overlays. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PlotModel, PlotProgress } from '../../src/protocol/plots';
import {
  chooseModel,
  compareDepthColumns,
  compareLossColumns,
  comparableFindings,
  depthColumns,
  fractionColumns,
  hasFractions,
  joinCurves,
  layerAtPosition,
  logRange,
  lossColumns,
  lossNeedsLog,
  positive,
  ratio,
  shortTitle,
  stepsView,
} from '../../webview/transforms';
import { sampleModel } from '../protocol/sample-model';

const live: PlotProgress = {
  uri: 'file:///a.vgnet.json',
  stepsRun: 11,
  totalSteps: 20,
  layers: ['/layers/0', '/layers/9'],
  recordedSteps: [0, 5, 10],
  gradNorm: [
    [1e-3, 0, 2e-3],
    [0.5, 0.4, -1],
  ],
  loss: { steps: [0, 5, 10], values: [0.9, 0.8, 0.7] },
};

describe('log-scale safety', () => {
  it('keeps positive finite numbers and turns everything else into a gap', () => {
    expect([3, 1e-300, 0, -2, null, undefined, NaN, Infinity].map(positive)).toEqual([
      3,
      1e-300,
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(ratio(2, 4)).toBe(0.5);
    expect([ratio(0, 4), ratio(2, 0), ratio(null, 1), ratio(1e-200, 1e200)]).toEqual([null, null, null, null]);
  });

  it('never puts a non-positive number into a log column, whatever the model holds', () => {
    const num = fc.oneof(fc.constant(null), fc.double({ noNaN: true, min: -10, max: 10 }), fc.constant(0));
    fc.assert(
      fc.property(fc.array(fc.tuple(num, num, num), { minLength: 1, maxLength: 8 }), (rows) => {
        const model = sampleModel();
        model.recordedSteps = [0, 1];
        model.layers = rows.map(([a, b, p], i) => ({
          ...model.layers[0]!,
          path: `/layers/${i}`,
          gradNorm: [a, b],
          predictedRatio: p,
        }));
        model.outputPath = `/layers/${rows.length - 1}`;
        const [xs, ...ys] = depthColumns(model);
        expect(xs).toHaveLength(rows.length);
        for (const column of ys) {
          expect(column).toHaveLength(rows.length);
          for (const v of column) expect(v === null || (Number.isFinite(v) && v > 0)).toBe(true);
        }
      }),
    );
  });
});

describe('chooseModel', () => {
  const measured = sampleModel();
  const staticOfSameText: PlotModel = { ...sampleModel(), measured: false, layers: [] };

  it('keeps a measured model when only the static analysis of the same text arrives (after a window reload)', () => {
    expect(chooseModel(measured, staticOfSameText)).toBe(measured);
  });

  it('replaces it in every other case', () => {
    const cases: PlotModel[] = [
      { ...staticOfSameText, textHash: 'other' },
      { ...staticOfSameText, textHash: null },
      { ...staticOfSameText, uri: 'file:///b.vgnet.json' },
      { ...sampleModel(), stepsRun: 99 },
    ];
    for (const incoming of cases) expect(chooseModel(measured, incoming)).toBe(incoming);
    expect(chooseModel({ ...measured, textHash: null }, { ...staticOfSameText, textHash: null })).not.toBe(measured);
    expect(chooseModel(null, staticOfSameText)).toBe(staticOfSameText);
  });
});

describe('depthColumns', () => {
  it('divides each layer by the output layer at the same step; the prediction is drawn as given', () => {
    const [xs, start, end, predicted] = depthColumns(sampleModel());
    expect(xs).toEqual([1, 2]);
    expect(start![0]).toBeCloseTo(1e-5, 15);
    expect(start![1]).toBe(1);
    expect(end).toEqual([null, null]); // the output layer's final norm is missing: no ratio at all
    expect(predicted).toEqual([1e-4, 1]);
  });

  it('maps x positions back to layers', () => {
    const model = sampleModel();
    expect([1, 2, 3, 0, 1.5, null].map((x) => layerAtPosition(model, x))).toEqual([
      '/layers/0',
      '/layers/1',
      null,
      null,
      null,
      null,
    ]);
  });
});

describe('stepsView', () => {
  it('draws every layer with gradient norms from the model', () => {
    const view = stepsView(sampleModel(), null);
    expect(view.live).toBe(false);
    expect(view.layers.map((l) => [l.path, l.flags])).toEqual([
      ['/layers/0', ['vanishing']],
      ['/layers/1', []],
    ]);
    expect(view.columns).toEqual([
      [0, 2],
      [1e-6, 2e-6],
      [0.1, null],
    ]);
  });

  it('switches to the live run of the same spec, keeping what the model knows about each layer', () => {
    const view = stepsView(sampleModel(), live);
    expect(view.live).toBe(true);
    expect(view.layers).toEqual([
      { path: '/layers/0', description: 'dense 2→4 sigmoid', flags: ['vanishing'] },
      { path: '/layers/9', description: '', flags: [] },
    ]);
    expect(view.columns).toEqual([
      [0, 5, 10],
      [1e-3, null, 2e-3],
      [0.5, 0.4, null],
    ]);
    expect(stepsView(null, live).live).toBe(true);
  });

  it('ignores a live run of another spec', () => {
    expect(stepsView(sampleModel(), { ...live, uri: 'file:///other.vgnet.json' }).live).toBe(false);
  });
});

describe('lossColumns', () => {
  it('aligns accuracy on the loss steps', () => {
    const model: PlotModel = { ...sampleModel(), accuracy: { steps: [0, 2], values: [0.5, 0.75] } };
    expect(lossColumns(model, null)).toEqual([
      [0, 1, 2],
      [0.7, 0.69, null],
      [0.5, null, 0.75],
    ]);
  });

  it('shows the live loss (no accuracy yet) while a run streams', () => {
    expect(lossColumns(sampleModel(), live)).toEqual([
      [0, 5, 10],
      [0.9, 0.8, 0.7],
      [null, null, null],
    ]);
  });

  it('asks for a log axis only for a positive loss spanning more than three decades', () => {
    expect(lossNeedsLog([0.7, 0.69, null])).toBe(false);
    expect(lossNeedsLog([0.7, 2e3])).toBe(true);
    expect(lossNeedsLog([0, 2e3])).toBe(false);
    expect(lossNeedsLog([-1, 2e3])).toBe(false);
    expect(lossNeedsLog([])).toBe(false);
  });
});

describe('fractionColumns', () => {
  it('takes step 0 and the last recorded step of each layer, null where not applicable', () => {
    const model = sampleModel();
    expect(fractionColumns(model)).toEqual([
      [1, 2],
      [0, null],
      [0.1, null],
      [null, null],
      [null, null],
    ]);
    expect(hasFractions(model)).toEqual({ saturated: true, dead: false });
  });
});

describe('compare', () => {
  /** The current spec has 2 weight layers; the fix inserted one (3 layers with weights). */
  function withFixes(): PlotModel {
    const model = sampleModel();
    model.findings.push({ ...model.findings[0]!, kind: 'poor-init' });
    model.fixes = [
      {
        ...model.fixes[0]!,
        after: {
          layers: ['/a', '/b', '/c'],
          gradNormStart: [0.2, 0.4, 0.8],
          gradNormEnd: [0.1, 0, 0.5],
          loss: { steps: [0, 3], values: [0.6, 0.2] },
        },
      },
      { ...model.fixes[0]!, title: 'Unverifiable', after: null },
      { ...model.fixes[0]!, finding: 1, title: 'Other finding' },
    ];
    return model;
  }

  it('offers the findings that have a fix with a run', () => {
    const model = withFixes();
    expect(comparableFindings(model)).toEqual([0, 1]);
    model.fixes = model.fixes.filter((f) => f.after === null);
    expect(comparableFindings(model)).toEqual([]);
  });

  it('overlays depth ratios by position among weight layers, each run relative to its own output layer', () => {
    const [xs, current, fix] = compareDepthColumns(withFixes(), 0, 'start');
    expect(xs).toEqual([1, 2, 3]);
    expect(current![0]).toBeCloseTo(1e-5, 15);
    expect(current!.slice(1)).toEqual([1, null]);
    expect(fix).toEqual([0.25, 0.5, 1]);
    const [, , fixEnd] = compareDepthColumns(withFixes(), 0, 'end');
    expect(fixEnd).toEqual([0.2, null, 1]);
  });

  it('overlays the loss curves on the union of their steps', () => {
    expect(compareLossColumns(withFixes(), 0)).toEqual([
      [0, 1, 2, 3],
      [0.7, 0.69, null, null],
      [0.6, null, null, 0.2],
    ]);
  });

  it('joins curves so that every point lands at its step', () => {
    const curve = fc
      .uniqueArray(fc.integer({ min: 0, max: 50 }), { maxLength: 12 })
      .map((steps) => ({ steps, values: steps.map((s) => s * 2 + 1) }));
    fc.assert(
      fc.property(fc.array(curve, { maxLength: 4 }), (curves) => {
        const [xs, ...ys] = joinCurves(curves);
        for (let i = 1; i < xs.length; i++) expect(xs[i]!).toBeGreaterThan(xs[i - 1]!);
        curves.forEach((c, k) => {
          c.steps.forEach((s, i) => expect(ys[k]![xs.indexOf(s)]).toBe(c.values[i]));
          expect(ys[k]!.filter((v) => v !== null)).toHaveLength(c.steps.length);
        });
      }),
    );
  });

  it('shortens fix titles for legends', () => {
    expect(shortTitle('Switch /layers/0–/layers/14 (15 layers) to ReLU with He init')).toBe(
      'Switch to ReLU with He init',
    );
    expect(shortTitle('Add BatchNorm before the activation of /layers/0–/layers/14 (15 layers)')).toBe(
      'Add BatchNorm before the activation',
    );
    expect(shortTitle('Use He init for /layers/3')).toBe('Use He init');
    expect(shortTitle('Switch the optimizer to Adam (lr 0.001)')).toBe('Switch the optimizer to Adam (lr 0.001)');
    expect(shortTitle('x'.repeat(80), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});

describe('logRange', () => {
  it('covers the data and the included values in whole decades', () => {
    expect(logRange(3e-10, 0.5)).toEqual([1e-10, 1]);
    expect(logRange(0.2, 0.5, [1e-3, 70])).toEqual([1e-3, 100]);
    expect(logRange(null, null, [])).toEqual([1e-3, 1]);
    expect(logRange(-1, 0, [])).toEqual([1e-3, 1]);
    expect(logRange(10, 10)).toEqual([1, 100]);
  });
});
