/** Positions and words: offsets to line:col, diagnostics to "file:line:col: error: message", parser codes to English. */
import { printParseErrorCode, type ParseError } from 'jsonc-parser';
import { LineIndex } from './line-index';
import type { SpecDiagnostic } from './types';

/**
 * 1-based line and column of a UTF-16 offset (the unit editors use). "\n", "\r\n" and a lone "\r" each end a
 * line, as in jsonc-parser and VS Code. Offsets outside the text are clamped to it. Scans the whole text: for one
 * position only; a caller with many builds one LineIndex and uses `lineColIn`.
 */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  return lineColIn(new LineIndex(text), offset);
}

/** `lineCol` from a prebuilt index: a binary search, so printing n positions is O(n log lines), not O(n · text). */
export function lineColIn(index: LineIndex, offset: number): { line: number; col: number } {
  const { line, character } = index.positionAt(offset);
  return { line: line + 1, col: character + 1 };
}

/** "file:line:col: severity: message", the shape compilers use (clickable in terminals and VS Code). */
export function formatDiagnostic(file: string, text: string | LineIndex, d: SpecDiagnostic): string {
  const { line, col } = lineColIn(typeof text === 'string' ? new LineIndex(text) : text, d.offset);
  return `${file}:${line}:${col}: ${d.severity}: ${d.message}`;
}

/** Warnings printed per file; past this a count stands in, so 20,000 unknown keys do not bury the errors. */
export const MAX_PRINTED_WARNINGS = 50;

/** Every error and the first `maxWarnings` other diagnostics as lines, then "file: … and N more warnings". */
export function formatDiagnostics(
  file: string,
  text: string,
  diagnostics: readonly SpecDiagnostic[],
  maxWarnings = MAX_PRINTED_WARNINGS,
): string[] {
  const index = new LineIndex(text);
  const lines: string[] = [];
  let warnings = 0;
  let skipped = 0;
  for (const d of diagnostics) {
    if (d.severity !== 'error' && warnings++ >= maxWarnings) skipped++;
    else lines.push(formatDiagnostic(file, index, d));
  }
  if (skipped > 0) lines.push(`${file}: … and ${grouped(skipped)} more warning${skipped === 1 ? '' : 's'}`);
  return lines;
}

const SYNTAX_MESSAGES: Readonly<Record<string, string>> = {
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: "expected ':' after the property name",
  CommaExpected: "expected ',' between entries",
  CloseBraceExpected: "expected '}' to close the object",
  CloseBracketExpected: "expected ']' to close the array",
  EndOfFileExpected: 'unexpected text after the end of the document',
  InvalidCommentToken: 'invalid comment',
  UnexpectedEndOfComment: "unterminated block comment: expected '*/'",
  UnexpectedEndOfString: 'unterminated string: expected a closing double quote',
  UnexpectedEndOfNumber: 'unexpected end of number',
  InvalidUnicode: 'invalid unicode escape: expected \\u followed by 4 hex digits',
  InvalidEscapeCharacter: 'invalid escape sequence in string',
  InvalidCharacter: 'invalid character in string: control characters such as tabs and line breaks must be escaped',
};

/** jsonc-parser's error code in words ("expected ',' between entries"); `text` supplies the offending token. */
export function syntaxMessage(error: ParseError, text: string): string {
  const name = printParseErrorCode(error.error);
  if (name === 'InvalidSymbol') {
    const token = text.slice(error.offset, error.offset + Math.max(1, error.length));
    return `unexpected ${shown(token)}: strings need double quotes, numbers digits (not '.5' or 'NaN')`;
  }
  return SYNTAX_MESSAGES[name] ?? `syntax error (${name})`;
}

/** Thousands separators for the numbers in limit messages: 50,000,000. */
export function grouped(n: number): string {
  return Number.isFinite(n)
    ? Math.round(n)
        .toString()
        .replace(/\B(?=(\d{3})+(?!\d))/g, ',')
    : String(n);
}

/** A JSON value quoted for a message: "sigmoid", 3.5, true. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

/** "1 unit", "32 units". */
export function unitCount(n: number): string {
  return `${n} unit${n === 1 ? '' : 's'}`;
}
