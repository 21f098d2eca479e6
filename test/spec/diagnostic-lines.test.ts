/** Many diagnostics: one line index per text, positions as before, warnings capped per file. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, formatDiagnostics, lineCol, lineColIn, parseSpec } from '../../src/spec';
import { LineIndex } from '../../src/spec/line-index';
import type { SpecDiagnostic } from '../../src/spec';

function diag(offset: number, severity: SpecDiagnostic['severity'], message = 'm'): SpecDiagnostic {
  return { offset, length: 1, severity, message, code: 'unknown-key', path: '' } as SpecDiagnostic;
}

/** The definition: count line breaks before the offset ("\r\n" is one, a lone "\r" is one). */
function naive(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const breaks = before.match(/\r\n|\r|\n/g) ?? [];
  const last = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r'));
  return { line: breaks.length + 1, col: before.length - last };
}

describe('positions from one line index', () => {
  it('lineColIn agrees with counting line breaks, for LF, CRLF and lone CR texts', () => {
    const text = fc.string({ unit: fc.constantFrom('a', '\n', '\r', '\r\n', 'é', '😀'), maxLength: 60 });
    fc.assert(
      fc.property(text, fc.nat(80), (t, offset) => {
        if (t[offset - 1] === '\r' && t[offset] === '\n') return; // inside "\r\n": the line end, as in VS Code
        expect(lineColIn(new LineIndex(t), offset)).toEqual(naive(t, offset));
        expect(lineCol(t, offset)).toEqual(naive(t, offset));
      }),
      { numRuns: 300 },
    );
  });

  it('formatDiagnostic takes the text or a prebuilt index and prints the same line', () => {
    const text = 'a\r\nbc\rdef\nghij';
    const d = diag(8, 'warning');
    expect(formatDiagnostic('f', text, d)).toBe('f:3:3: warning: m');
    expect(formatDiagnostic('f', new LineIndex(text), d)).toBe('f:3:3: warning: m');
  });
});

describe('formatDiagnostics', () => {
  const text = 'x\n'.repeat(200);

  it('prints every error, the first warnings, then how many warnings were left out', () => {
    const diagnostics = [
      ...Array.from({ length: 1230 }, (_, i) => diag(2 * (i % 200), 'warning', `w${i}`)),
      diag(4, 'error', 'bad'),
    ];
    const lines = formatDiagnostics('s.json', text, diagnostics, 3);
    expect(lines).toEqual([
      's.json:1:1: warning: w0',
      's.json:2:1: warning: w1',
      's.json:3:1: warning: w2',
      's.json:3:1: error: bad',
      's.json: … and 1,227 more warnings',
    ]);
  });

  it('no summary line when nothing is left out; "1 more warning" in the singular', () => {
    expect(formatDiagnostics('f', text, [diag(0, 'warning'), diag(2, 'info')], 2)).toHaveLength(2);
    expect(formatDiagnostics('f', text, [diag(0, 'warning'), diag(2, 'warning')], 1).at(-1)).toBe(
      'f: … and 1 more warning',
    );
  });

  it('caps at 50 warnings by default', () => {
    const lines = formatDiagnostics(
      'f',
      text,
      Array.from({ length: 20_000 }, () => diag(0, 'warning')),
    );
    expect(lines).toHaveLength(51);
    expect(lines[50]).toBe('f: … and 19,950 more warnings');
  });
});

describe('an empty document', () => {
  it.each(['', '   \n', '// only a comment\n', '/* block */ \r\n'])('%j says the document is empty', (text) => {
    const { diagnostics } = parseSpec(text);
    expect(diagnostics.map((d) => d.message)).toEqual(['the document is empty: expected a JSON object']);
  });
});
