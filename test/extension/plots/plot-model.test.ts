/**
 * toPlotModel / toPlotProgress: checked against hand-built records, and against the analysis's own summary on a
 * real (small) run — the plotted ratios must be the ratios the findings were computed from.
 */
import { describe, expect, it } from 'vitest';
import { analyze, analyzeStatic } from '../../../src/analysis/analyze';
import type { Finding } from '../../../src/analysis/findings';
import { inProcessExecutor, type RunProgress } from '../../../src/analysis/measure';
import { DEFAULT_THRESHOLDS } from '../../../src/analysis/thresholds';
import type { VerifiedFix } from '../../../src/analysis/verify';
import {
  MAX_POINTS,
  textHash,
  thinIndices,
  toPlotModel,
  toPlotProgress,
  type PlotSource,
} from '../../../src/extension/plots/plot-model';
import { isPlotModel, isPlotProgress } from '../../../src/protocol/plots';
import { depthColumns } from '../../../webview/transforms';
import { fakeRecord } from '../../analysis/fake-record';

const URI = 'file:///work/specs/deep-thing.vgnet.json';

function finding(kind: Finding['kind'], layers: string[], source: Finding['source'] = 'measured'): Finding {
  return {
    kind,
    severity: 'warning',
    source,
    layers,
    reference: null,
    message: `${kind}!`,
    values: {},
    metric: 'm',
    threshold: 1,
    steps: [],
  };
}

function source(partial: Partial<PlotSource>): PlotSource {
  return { prediction: null, findings: [], fixes: [], result: null, message: null, ...partial };
}

describe('toPlotModel', () => {
  it('turns NaN and infinities into null and keeps the numbers', () => {
    const result = fakeRecord([{ gradNorm: [1, NaN, 3] }, { gradNorm: [Infinity, 2, 4], dead: [0.1, 0.2, NaN] }], {
      steps: 3,
    });
    const model = toPlotModel(source({ result }), URI, 7, DEFAULT_THRESHOLDS);
    expect(model.layers[0]!.gradNorm).toEqual([1, null, 3]);
    expect(model.layers[1]!.gradNorm).toEqual([null, 2, 4]);
    expect(model.layers[1]!.deadFraction).toEqual([0.1, 0.2, null]);
    // All-NaN series mean "not applicable": left empty rather than a row of nulls.
    expect(model.layers[0]!.deadFraction).toEqual([]);
    expect(model.layers[0]!.saturatedFraction).toEqual([]);
    expect(model.version).toBe(7);
    expect(model.name).toBe('deep-thing');
    expect(isPlotModel(JSON.parse(JSON.stringify(model)))).toBe(true);
  });

  it('flags each layer with the kinds of the findings naming it, once each, in report order', () => {
    const result = fakeRecord([{ gradNorm: 1 }, { gradNorm: 1 }, { gradNorm: 1 }]);
    const findings = [
      finding('vanishing', ['/layers/0', '/layers/1']),
      finding('not-learning', []),
      finding('poor-init', ['/layers/1', '/layers/2'], 'predicted'),
      finding('vanishing', ['/layers/1']),
    ];
    const model = toPlotModel(source({ result, findings }), URI, null, DEFAULT_THRESHOLDS);
    expect(model.layers.map((l) => l.flags)).toEqual([['vanishing'], ['vanishing', 'poor-init'], ['poor-init']]);
    expect(model.findings.map((f) => f.title)).toEqual([
      'vanishing gradient',
      'loss not decreasing',
      'poor initialisation',
      'vanishing gradient',
    ]);
  });

  it('takes the output layer as the last top-level layer with weights', () => {
    const result = fakeRecord([{ gradNorm: 1 }, { gradNorm: 1 }, { gradNorm: 1 }]);
    result.layers[2] = { ...result.layers[2]!, hasWeights: false, kind: 'activation' };
    expect(toPlotModel(source({ result }), URI, null, DEFAULT_THRESHOLDS).outputPath).toBe('/layers/1');
  });

  it('thins long runs to at most MAX_POINTS + 1 points, keeping the first and the last step', () => {
    const steps = 5000;
    const result = fakeRecord([{ gradNorm: Array.from({ length: steps }, (_, i) => i + 1) }], { steps });
    const model = toPlotModel(source({ result }), URI, null, DEFAULT_THRESHOLDS);
    expect(model.recordedSteps.length).toBeLessThanOrEqual(MAX_POINTS + 1);
    expect(model.recordedSteps[0]).toBe(0);
    expect(model.recordedSteps.at(-1)).toBe(result.recordedSteps.at(-1));
    // The kept values are the values at the kept steps (recordedSteps[i] = 10·i, gradNorm[i] = i + 1).
    model.recordedSteps.forEach((s, k) => expect(model.layers[0]!.gradNorm[k]).toBe(s / 10 + 1));
    expect(model.loss.steps.length).toBeLessThanOrEqual(MAX_POINTS + 1);
    expect(model.loss.steps.at(-1)).toBe(result.loss.length - 1);
  });

  it('without a run, lists the predicted layers with their predicted ratios', () => {
    const prediction = {
      outputPath: '/layers/2',
      layers: [
        { path: '/layers/0', kind: 'dense', relativeGradNorm: 0.01 },
        { path: '/layers/1', kind: 'activation', relativeGradNorm: NaN },
        { path: '/layers/2', kind: 'dense', relativeGradNorm: 1 },
      ],
    };
    const model = toPlotModel(source({ prediction }), URI, 1, DEFAULT_THRESHOLDS);
    expect(model.measured).toBe(false);
    expect(model.status).toBe('ok');
    expect(model.outputPath).toBe('/layers/2');
    expect(model.layers.map((l) => [l.path, l.predictedRatio, l.hasWeights])).toEqual([
      ['/layers/0', 0.01, true],
      ['/layers/1', null, false],
      ['/layers/2', 1, true],
    ]);
    expect(toPlotModel(source({}), URI, 1, DEFAULT_THRESHOLDS).status).toBe('invalid');
  });

  it("projects verified fixes with their digest (the fixed spec's run)", () => {
    const result = fakeRecord([{ gradNorm: 1 }, { gradNorm: 1 }]);
    const fix: VerifiedFix = {
      finding: 0,
      id: 'relu-he',
      title: 'Switch to ReLU',
      layers: ['/layers/0'],
      edit: { offset: 0, length: 0, content: '' },
      preferred: true,
      verification: {
        status: 'fixed',
        effect: 'ratio 1e-9 → 0.3',
        seeds: { fixed: 1, of: 1 },
        clear: true,
        seedLosses: [0.08],
        metricBefore: 1e-9,
        metricAfter: 0.3,
        lossBefore: 0.7,
        lossAfter: 0.1,
        remaining: [],
        after: {
          layers: ['/layers/0', '/layers/1'],
          gradNormStart: [0.1, NaN],
          gradNormEnd: [0.2, 0.4],
          lossSteps: [0, 5, 9],
          loss: [0.7, 0.3, 0.1],
        },
      },
    };
    const model = toPlotModel(
      source({ result, findings: [finding('vanishing', ['/layers/0'])], fixes: [fix] }),
      URI,
      null,
      DEFAULT_THRESHOLDS,
    );
    expect(model.fixes).toEqual([
      {
        finding: 0,
        title: 'Switch to ReLU',
        status: 'fixed',
        effect: 'ratio 1e-9 → 0.3',
        preferred: true,
        after: {
          layers: ['/layers/0', '/layers/1'],
          gradNormStart: [0.1, null],
          gradNormEnd: [0.2, 0.4],
          loss: { steps: [0, 5, 9], values: [0.7, 0.3, 0.1] },
        },
      },
    ]);
    expect(isPlotModel(model)).toBe(true);
  });

  it('plots, on a real run, the same step-0 ratios the analysis summary reports', async () => {
    const text = JSON.stringify({
      version: 1,
      name: 'tiny',
      input: 2,
      layers: [
        { type: 'dense', units: 8, activation: 'sigmoid' },
        { type: 'dense', units: 8, activation: 'sigmoid' },
        { type: 'dense', units: 1, activation: 'sigmoid' },
      ],
      loss: 'bce',
      optimizer: { type: 'sgd', lr: 0.1 },
      training: { steps: 12, batchSize: 16, seed: 3 },
      data: { source: 'moons', samples: 64 },
    });
    const noFiles = { readText: () => ({ error: 'no data files in this test' }) };
    const report = await analyze(text, {
      executor: inProcessExecutor(noFiles),
      verifyFixes: false,
      timeBudgetMs: 5000,
    });
    expect(report.status).toBe('ok');
    const model = toPlotModel(report, URI, 1, DEFAULT_THRESHOLDS);
    expect(isPlotModel(JSON.parse(JSON.stringify(model)))).toBe(true);
    const [, start] = depthColumns(model);
    report.summary!.layers.forEach((row, i) => expect(start![i]).toBeCloseTo(row.ratioStart, 12));
    expect(model.accuracy.steps.length).toBe(12);
    // The static report of the same text has the prediction the measured one carries.
    const predicted = analyzeStatic(text).prediction!.layers.map((p) => p.relativeGradNorm);
    expect(model.layers.map((l) => l.predictedRatio)).toEqual(predicted);
  });
});

describe('toPlotProgress', () => {
  it('keeps only layers with weights and converts NaN to null', () => {
    const progress: RunProgress = {
      stepsRun: 21,
      totalSteps: 100,
      layers: ['/layers/0', '/layers/1', '/layers/2'],
      recordedSteps: [0, 10, 20],
      gradNorm: [
        [1, 2, NaN],
        [NaN, NaN, NaN],
        [3, 4, 5],
      ],
      loss: [0.9, 0.8, NaN],
    };
    const plot = toPlotProgress(URI, progress);
    expect(plot.layers).toEqual(['/layers/0', '/layers/2']);
    expect(plot.gradNorm).toEqual([
      [1, 2, null],
      [3, 4, 5],
    ]);
    expect(plot.loss).toEqual({ steps: [0, 1, 2], values: [0.9, 0.8, null] });
    expect(isPlotProgress(plot)).toBe(true);
  });
});

describe('textHash', () => {
  it('tells texts apart and is stable', () => {
    const a = '{"layers": [1, 2]}';
    expect(textHash(a)).toBe(textHash(`${a}`));
    expect(textHash(a)).not.toBe(textHash('{"layers": [1, 3]}'));
    expect(textHash(a)).not.toBe(textHash(`${a} `));
    expect(toPlotModel(source({}), URI, 1, DEFAULT_THRESHOLDS, a).textHash).toBe(textHash(a));
    expect(toPlotModel(source({}), URI, 1, DEFAULT_THRESHOLDS).textHash).toBeNull();
  });
});

describe('thinIndices', () => {
  it('is every index when short, evenly strided with the last kept when long', () => {
    expect(thinIndices(0, 10)).toEqual([]);
    expect(thinIndices(4, 10)).toEqual([0, 1, 2, 3]);
    expect(thinIndices(10, 4)).toEqual([0, 3, 6, 9]);
    expect(thinIndices(11, 4)).toEqual([0, 3, 6, 9, 10]);
  });
});
