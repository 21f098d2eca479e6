import { describe, expect, it } from 'vitest';
import type { TrainResult } from '../../../src/engine/stats';
import { summarize } from '../../../src/analysis/summary';
import { hoverMarkdown, measuredGain } from '../../../src/extension/core/hover';
import { inlineHints, layerHint } from '../../../src/extension/core/inline';
import { LineIndex } from '../../../src/spec/line-index';
import { layerAtOffset } from '../../../src/analysis/locate';
import { DocumentResults } from '../../../src/extension/core/results';
import { fakeRecord } from '../../analysis/fake-record';
import { analysed, finding, fix, report, snapshot, SPEC } from './fixtures';

const prediction = {
  outputPath: '/layers/2',
  layers: [
    {
      path: '/layers/0',
      kind: 'dense' as const,
      relativeGradNorm: 1e-6,
      gain: 0.0625,
      saturatedFraction: 0.1,
      preActivationVariance: 1,
      weightVariance: 1,
    },
    {
      path: '/layers/1',
      kind: 'dense' as const,
      relativeGradNorm: 0.01,
      gain: 0.25,
      saturatedFraction: 0,
      preActivationVariance: 1,
      weightVariance: 1,
    },
    {
      path: '/layers/2',
      kind: 'dense' as const,
      relativeGradNorm: 1,
      gain: 1,
      saturatedFraction: 0,
      preActivationVariance: 1,
      weightVariance: 1,
    },
  ],
};

/** Three dense layers; output-gradient norms 0.5, 2, 4 at step 0, so layer 1's gain is 0.5/2 and layer 2's 2/4. */
function record(): TrainResult {
  const result = fakeRecord([{ gradNorm: 3e-9 }, { gradNorm: 1e-4 }, { gradNorm: 0.2 }]);
  result.series.forEach((s, i) => {
    s.outputGradNorm = s.outputGradNorm.map(() => [0.5, 2, 4][i]!);
  });
  return result;
}

function measuredView() {
  const result = record();
  const vanishing = finding({ kind: 'vanishing', layers: ['/layers/0'], values: { '/layers/0': 1.5e-8 } });
  const results = new DocumentResults();
  results.setMeasured(
    analysed(
      report({
        prediction,
        findings: [vanishing],
        fixes: [fix(0, { preferred: true })],
        result,
        summary: summarize(result),
      }),
    ),
  );
  return results.view(snapshot())!;
}

describe('hover', () => {
  it('shows predicted next to measured gain, gradient norm and ratio, with the findings and fixes', () => {
    const text = hoverMarkdown(measuredView(), '/layers/0')!;
    expect(text).toContain('`/layers/0`');
    expect(text).toMatch(/gradient gain .*\| 0\.25 \| — \|/); // √0.0625 predicted; first layer has no measured gain
    expect(text).toMatch(/‖∂L\/∂W‖.*\| — \| 3\.0e-9 → 3\.0e-9 \|/);
    expect(text).toMatch(/ratio to the output layer \| 1\.0e-6 \| 1\.5e-8 → 1\.5e-8 \|/);
    expect(text).toContain('**vanishing gradient (measured)**');
    expect(text).toContain('★ Switch /layers/0 to ReLU with He init — fixed');
  });

  it("measures a layer's gain as the gradient norm entering it over the one leaving it", () => {
    const result = record();
    expect(measuredGain(result, 1)).toBeCloseTo(0.25);
    expect(measuredGain(result, 2)).toBeCloseTo(0.5);
    expect(measuredGain(result, 0)).toBeNaN();
  });

  it('says how to get measured values when there are none', () => {
    const results = new DocumentResults();
    results.setStatic(analysed(report({ prediction })));
    expect(hoverMarkdown(results.view(snapshot())!, '/layers/1')).toContain(
      'Measured values appear after an analysis run',
    );
  });

  it('finds the innermost layer under the cursor', () => {
    const view = measuredView();
    expect(layerAtOffset(view.locator, SPEC.indexOf('"tanh"'))).toBe('/layers/1');
    expect(layerAtOffset(view.locator, SPEC.indexOf('"loss"'))).toBeNull();
  });
});

describe('inline hints', () => {
  it("give each layer its measured gradient norm, ratio and verdict on the layer's first line", () => {
    const view = measuredView();
    const hints = inlineHints(view, new LineIndex(SPEC));
    expect(hints.map((h) => h.line)).toEqual([6, 7, 11]);
    expect(hints[0]).toEqual({ line: 6, text: '‖∂L/∂W‖ 3.0e-9 (1.5e-8× output) · vanishing', severity: 'warning' });
    expect(hints[2]!.text).toBe('‖∂L/∂W‖ 0.2 (output layer)');
    expect(hints[2]!.severity).toBeNull();
  });

  it('show the predicted ratio before any run, and say it is predicted', () => {
    const results = new DocumentResults();
    results.setStatic(
      analysed(
        report({
          prediction,
          findings: [finding({ kind: 'vanishing', source: 'predicted', severity: 'info', layers: ['/layers/0'] })],
        }),
      ),
    );
    expect(layerHint(results.view(snapshot())!, '/layers/0')).toBe('predicted 1.0e-6× output · vanishing (predicted)');
  });
});
