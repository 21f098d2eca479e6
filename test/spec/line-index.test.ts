import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineIndex } from '../../src/spec/line-index';
import { lineCol } from '../../src/spec';

// Text made of the pieces that matter: every kind of line break, a surrogate pair, plain characters.
const piece = fc.constantFrom('a', 'bc', '\n', '\r', '\r\n', '😀', ' ');
const text = fc.array(piece, { maxLength: 40 }).map((parts) => parts.join(''));

describe('LineIndex', () => {
  it("agrees with the spec module's independent lineCol (1-based) at every offset", () => {
    fc.assert(
      fc.property(text, (t) => {
        const index = new LineIndex(t);
        for (let offset = 0; offset <= t.length; offset++) {
          // lineCol counts a position inside "\r\n" on the next line only after the "\n": skip that one offset
          if (t[offset - 1] === '\r' && t[offset] === '\n') continue;
          const { line, col } = lineCol(t, offset);
          expect(index.positionAt(offset)).toEqual({ line: line - 1, character: col - 1 });
        }
      }),
    );
  });

  it('round-trips offsets through positions', () => {
    fc.assert(
      fc.property(text, (t) => {
        const index = new LineIndex(t);
        for (let offset = 0; offset <= t.length; offset++) {
          if (t[offset - 1] === '\r' && t[offset] === '\n') continue;
          expect(index.offsetAt(index.positionAt(offset))).toBe(offset);
        }
      }),
    );
  });

  it('counts lines like VS Code: \\n, \\r\\n and a lone \\r each end one', () => {
    const index = new LineIndex('a\nb\r\nc\rd');
    expect(index.lineCount).toBe(4);
    expect(index.positionAt(7)).toEqual({ line: 3, character: 0 });
    expect(index.lineEndOffset(1)).toBe(3);
  });

  it('clamps offsets outside the text', () => {
    const index = new LineIndex('ab\ncd');
    expect(index.positionAt(-5)).toEqual({ line: 0, character: 0 });
    expect(index.positionAt(99)).toEqual({ line: 1, character: 2 });
    expect(index.positionAt(Number.NaN)).toEqual({ line: 0, character: 0 });
  });

  it('cuts a multi-line range at the end of its first line', () => {
    const t = '  {\n    "a": 1\n  }\n';
    const index = new LineIndex(t);
    expect(index.firstLineRange(2, 15)).toEqual({ start: { line: 0, character: 2 }, end: { line: 0, character: 3 } });
    expect(index.firstLineRange(9, 1)).toEqual(index.rangeOf(9, 1));
  });
});
