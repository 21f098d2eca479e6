import { describe, expect, it } from 'vitest';
import { applyTextEdits } from '../../../src/analysis/fixes/edit';
import {
  fixAllEdits,
  overlaps,
  suggestionAction,
  unverifiedActions,
  verifiedActions,
} from '../../../src/extension/core/fixes';
import { LineIndex } from '../../../src/spec/line-index';
import { DocumentResults } from '../../../src/extension/core/results';
import { parseSpec } from '../../../src/spec';
import { analysed, finding, fix, report, snapshot, SPEC } from './fixtures';

const vanishing = finding({ kind: 'vanishing', layers: ['/layers/0', '/layers/1'] });

function measuredView(overrides: Parameters<typeof report>[0]) {
  const results = new DocumentResults();
  results.setMeasured(analysed(report({ result: null, ...overrides })));
  return results.view(snapshot())!;
}

/** What VS Code does with a WorkspaceEdit built by the glue: replace the range (from offsets via LineIndex). */
function applyAsEditor(text: string, edit: { offset: number; length: number; content: string }): string {
  const lines = new LineIndex(text);
  const range = lines.rangeOf(edit.offset, edit.length);
  const start = lines.offsetAt(range.start);
  const end = lines.offsetAt(range.end);
  return text.slice(0, start) + edit.content + text.slice(end);
}

describe('verified quick fixes', () => {
  it("carry the measured effect in the title and keep the analysis's preference", () => {
    const view = measuredView({ findings: [vanishing], fixes: [fix(0, { preferred: true })] });
    const [action] = verifiedActions(view, 0);
    expect(action!.title).toBe(
      'Switch /layers/0 to ReLU with He init — fixed: first-layer gradient ratio 3e-9 → 0.4; loss 0.69 → 0.08',
    );
    expect(action!.preferred).toBe(true);
    expect(action!.verified).toBe(true);
  });

  it('leave out fixes that did not help', () => {
    const notFixed = fix(0, { title: 'no', verification: { ...fix(0).verification, status: 'not-fixed' } });
    const worse = fix(0, { title: 'worse', verification: { ...fix(0).verification, status: 'worse' } });
    const improved = fix(0, { title: 'better', verification: { ...fix(0).verification, status: 'improved' } });
    const titles = verifiedActions(measuredView({ findings: [vanishing], fixes: [notFixed, worse, improved] }), 0).map(
      (a) => a.title,
    );
    expect(titles).toEqual([expect.stringMatching(/^better — improved, not fixed: /)]);
  });
});

describe('unverified per-layer variants', () => {
  it('say "(unverified)" and change only the layer they name, keeping comments', () => {
    expect(parseSpec(SPEC).config).not.toBeNull();
    const view = measuredView({ findings: [vanishing] });
    const actions = unverifiedActions(view, 0, '/layers/1', []);
    const relu = actions.find((a) => a.title === 'Switch /layers/1 to ReLU with He init (unverified)');
    expect(relu).toBeDefined();
    expect(actions.every((a) => a.title.endsWith('(unverified)') && !a.verified && !a.preferred)).toBe(true);
    const after = applyAsEditor(SPEC, relu!.edit);
    const layers = parseSpec(after).config!.layers;
    expect(layers.map((l) => (l.kind === 'dense' ? l.activation.name : l.kind))).toEqual([
      'sigmoid',
      'relu',
      'sigmoid',
    ]);
    expect(after).toContain('// keep');
    expect(after).toContain('// test spec');
  });

  it("turn into the same text whether applied by offsets or by the editor's line/character range", () => {
    const view = measuredView({ findings: [vanishing] });
    for (const action of unverifiedActions(view, 0, '/layers/1', [])) {
      expect(applyAsEditor(SPEC, action.edit)).toBe(applyTextEdits(SPEC, [action.edit]));
    }
  });

  it('never repeat an edit a verified fix already offers', () => {
    const view = measuredView({ findings: [vanishing] });
    const candidate = unverifiedActions(view, 0, '/layers/1', [])[0]!;
    const offered = [{ ...candidate, verified: true }];
    expect(
      unverifiedActions(view, 0, '/layers/1', offered).some(
        (a) => a.edit.offset === candidate.edit.offset && a.edit.content === candidate.edit.content,
      ),
    ).toBe(false);
  });

  it('offer whole-finding variants only when no verified fix is offered', () => {
    const view = measuredView({ findings: [vanishing] });
    const withoutVerified = unverifiedActions(view, 0, '/layers/1', []).map((a) => a.title);
    expect(withoutVerified.some((t) => t.includes('/layers/0–/layers/1'))).toBe(true);
    const withVerified = unverifiedActions(
      view,
      0,
      '/layers/1',
      verifiedActions(measuredView({ findings: [vanishing], fixes: [fix(0)] }), 0),
    );
    expect(withVerified.some((a) => a.title.includes('/layers/0–/layers/1'))).toBe(false);
  });

  it('are not offered for a spec that does not resolve', () => {
    const results = new DocumentResults();
    const broken = snapshot('{"layers": [}');
    results.setStatic(analysed(report({ findings: [vanishing] }), broken));
    expect(unverifiedActions(results.view(broken)!, 0, '/layers/0', [])).toEqual([]);
  });
});

describe('fix all', () => {
  it('takes the preferred fix of each finding, most severe first, and skips overlapping edits', () => {
    const a = finding({ kind: 'vanishing', layers: ['/layers/0'], severity: 'warning' });
    const b = finding({ kind: 'divergence', layers: [], severity: 'error' });
    const c = finding({ kind: 'saturation', layers: ['/layers/1'] });
    const fixes = [
      fix(0, { title: 'A', preferred: true, edit: { offset: 10, length: 5, content: 'x' } }),
      fix(1, { title: 'B', preferred: true, edit: { offset: 100, length: 3, content: 'y' } }),
      fix(2, { title: 'C', preferred: true, edit: { offset: 12, length: 1, content: 'z' } }),
      fix(2, { title: 'C2', preferred: false, edit: { offset: 200, length: 1, content: 'w' } }),
    ];
    expect(fixAllEdits(measuredView({ findings: [a, b, c], fixes })).titles).toEqual(['B', 'A']);
  });

  it('detects overlaps, including two insertions at one offset', () => {
    expect(overlaps({ offset: 0, length: 5, content: '' }, { offset: 4, length: 1, content: '' })).toBe(true);
    expect(overlaps({ offset: 0, length: 5, content: '' }, { offset: 5, length: 1, content: '' })).toBe(false);
    expect(overlaps({ offset: 7, length: 0, content: 'a' }, { offset: 7, length: 0, content: 'b' })).toBe(true);
  });
});

describe('spec suggestions', () => {
  it('replace the diagnosed token with the quoted suggestion', () => {
    const text = '{"activation": "sigmiod"}';
    const offset = text.indexOf('"sigmiod"');
    const action = suggestionAction({
      severity: 'error',
      message: 'unknown',
      offset,
      length: 9,
      path: '/activation',
      code: 'unknown-name',
      suggestion: 'sigmoid',
    });
    expect(action!.title).toBe('Change to "sigmoid"');
    expect(applyTextEdits(text, [action!.edit])).toBe('{"activation": "sigmoid"}');
    expect(
      suggestionAction({ severity: 'error', message: 'x', offset: 0, length: 1, path: '', code: 'syntax' }),
    ).toBeNull();
  });
});
