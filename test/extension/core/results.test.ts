import { describe, expect, it } from 'vitest';
import { DocumentResults, replacePredicted } from '../../../src/extension/core/results';
import { analysed, finding, fix, report, snapshot, SPEC } from './fixtures';

const predicted = finding({
  kind: 'vanishing',
  source: 'predicted',
  severity: 'info',
  layers: ['/layers/0', '/layers/1'],
});
const measured = finding({ kind: 'vanishing', layers: ['/layers/0'] });

describe('DocumentResults.view', () => {
  it('shows the static predictions, and no verified fixes, before any run', () => {
    const results = new DocumentResults();
    results.setStatic(analysed(report({ findings: [predicted] })));
    const view = results.view(snapshot())!;
    expect(view.findings).toEqual([predicted]);
    expect(view.fixes).toEqual([]);
    expect(view.measured).toBe(false);
    expect(view.measuredStale).toBe(false);
  });

  it('shows measured findings and verified fixes while the text is the analysed one', () => {
    const results = new DocumentResults();
    results.setStatic(analysed(report({ findings: [predicted] })));
    results.setMeasured(analysed(report({ findings: [measured], fixes: [fix(0)], result: {} as never })));
    const view = results.view(snapshot())!;
    expect(view.findings).toEqual([measured]);
    expect(view.fixes).toHaveLength(1);
    expect(view.measured).toBe(true);
  });

  it('falls back to predictions, without fixes, once the document is edited', () => {
    const results = new DocumentResults();
    const edited = snapshot(`${SPEC} `, 2);
    results.setMeasured(analysed(report({ findings: [measured], fixes: [fix(0)], result: {} as never })));
    results.setStatic(analysed(report({ findings: [predicted] }), edited));
    const view = results.view(edited)!;
    expect(view.fixes).toEqual([]);
    expect(view.findings).toEqual([predicted]);
    expect(view.measuredStale).toBe(true);
    // …and undoing the edit brings the measured results back
    expect(results.view(snapshot(SPEC, 3))!.fixes).toHaveLength(1);
  });

  it('has nothing to show for a text nobody analysed', () => {
    const results = new DocumentResults();
    results.setStatic(analysed(report()));
    expect(results.view(snapshot('{}'))).toBeNull();
  });
});

describe('replacePredicted', () => {
  it('drops predicted layers a measured finding of the same kind covers, keeps the rest', () => {
    const { findings } = replacePredicted([measured, predicted], []);
    expect(findings).toHaveLength(2);
    expect(findings[1]!.layers).toEqual(['/layers/1']);
  });

  it('keeps a predicted finding of another kind on the same layer', () => {
    const poorInit = finding({ kind: 'poor-init', source: 'predicted', layers: ['/layers/0'] });
    expect(replacePredicted([measured, poorInit], []).findings).toEqual([measured, poorInit]);
  });

  it('remaps fix indices when a predicted finding disappears, and drops its fixes', () => {
    const covered = finding({ kind: 'vanishing', source: 'predicted', layers: ['/layers/0'] });
    const later = finding({ kind: 'saturation', layers: ['/layers/2'] });
    const { findings, fixes } = replacePredicted(
      [covered, measured, later],
      [fix(0), fix(1, { title: 'a' }), fix(2, { title: 'b' })],
    );
    expect(findings).toEqual([measured, later]);
    expect(fixes.map((f) => [f.finding, f.title])).toEqual([
      [0, 'a'],
      [1, 'b'],
    ]);
  });
});
