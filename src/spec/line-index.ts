/**
 * Offsets ↔ zero-based line/character positions, with VS Code's rules: "\n", "\r\n" and a lone "\r" each end a
 * line, and characters are UTF-16 code units. Used for documents that are not open (workspace scan) and by tests;
 * the glue uses it for every range so open and closed files are treated alike.
 */

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export class LineIndex {
  /** Offset of the first character of every line; lineStarts[0] is 0. */
  private readonly lineStarts: number[];
  /** Offset just past each line's content (before its line break). */
  private readonly lineEnds: number[];

  constructor(readonly text: string) {
    this.lineStarts = [0];
    this.lineEnds = [];
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch !== 0x0a && ch !== 0x0d) continue;
      this.lineEnds.push(i);
      if (ch === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
      this.lineStarts.push(i + 1);
    }
    this.lineEnds.push(text.length);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** Position of an offset; offsets outside the text are clamped, an offset inside "\r\n" maps to the line end. */
  positionAt(offset: number): Position {
    const at = clamp(Number.isFinite(offset) ? Math.floor(offset) : 0, 0, this.text.length);
    const line = this.lineOf(at);
    return { line, character: Math.min(at, this.lineEnds[line]!) - this.lineStarts[line]! };
  }

  offsetAt(position: Position): number {
    const line = clamp(position.line, 0, this.lineCount - 1);
    return Math.min(this.lineStarts[line]! + Math.max(0, position.character), this.lineEnds[line]!);
  }

  rangeOf(offset: number, length: number): Range {
    return { start: this.positionAt(offset), end: this.positionAt(offset + Math.max(0, length)) };
  }

  /** Offset just past the content of a line (where an end-of-line decoration goes). */
  lineEndOffset(line: number): number {
    return this.lineEnds[clamp(line, 0, this.lineCount - 1)]!;
  }

  /**
   * The range cut at the end of its first line: a multi-line node (a layer object written over several lines)
   * is underlined on its first line only, not across half the document.
   */
  firstLineRange(offset: number, length: number): Range {
    const range = this.rangeOf(offset, length);
    if (range.end.line === range.start.line) return range;
    const line = range.start.line;
    return { start: range.start, end: { line, character: this.lineEnds[line]! - this.lineStarts[line]! } };
  }

  /** Binary search: the last line whose start is ≤ offset. */
  private lineOf(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, x));
}
