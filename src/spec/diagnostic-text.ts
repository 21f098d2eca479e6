/** Positions and words: offsets to line:col, diagnostics to "file:line:col: error: message", parser codes to English. */
import { printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { SpecDiagnostic } from './types';

/**
 * 1-based line and column of a UTF-16 offset (the unit editors use). "\n", "\r\n" and a lone "\r" each end a
 * line, as in jsonc-parser and VS Code. Offsets outside the text are clamped to it.
 */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  const end = Math.max(0, Math.min(Number.isFinite(offset) ? Math.floor(offset) : 0, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x0a || (ch === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: end - lineStart + 1 };
}

/** "file:line:col: severity: message", the shape compilers use (clickable in terminals and VS Code). */
export function formatDiagnostic(file: string, text: string, d: SpecDiagnostic): string {
  const { line, col } = lineCol(text, d.offset);
  return `${file}:${line}:${col}: ${d.severity}: ${d.message}`;
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
  return Number.isFinite(n) ? Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',') : String(n);
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
