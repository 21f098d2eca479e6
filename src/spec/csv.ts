/**
 * CSV text → table of string cells, RFC 4180 with the usual leniencies: quoted fields ("" escapes a quote, commas
 * and line breaks allowed inside), CRLF / LF / CR line ends, optional trailing newline, blank lines skipped,
 * a leading byte-order mark dropped, spaces before an opening quote ignored. Pure text: no file access here.
 */

export interface CsvTable {
  /** Column names (trimmed), or null when the file has no header row. */
  header: string[] | null;
  /** Data records, header excluded; every record has `columns` cells (untrimmed, as written). */
  rows: string[][];
  /** 1-based line of the file on which each data record starts (quoted line breaks counted). */
  lines: number[];
  columns: number;
}

/** A parse failure; `error` reads as a continuation of "CSV 'file' …", e.g. "line 7 has 3 fields but …". */
export interface CsvError {
  error: string;
  line: number;
}

/** `'auto'` treats the first record as a header when `looksLikeHeader` says so. */
export type HeaderMode = boolean | 'auto';

export function parseCsv(text: string, header: HeaderMode = 'auto'): { table: CsvTable } | CsvError {
  const split = splitRecords(text);
  if ('error' in split) return split;
  const { records, lines } = split;
  const hasHeader = records.length > 0 && (header === 'auto' ? looksLikeHeader(records) : header);
  const columns = records.length > 0 ? records[0]!.length : 0;
  for (let r = 1; r < records.length; r++) {
    const width = records[r]!.length;
    if (width !== columns) {
      const reference = hasHeader ? 'the header has' : `line ${lines[0]} has`;
      const error = `line ${lines[r]} has ${width} ${plural(width, 'field')} but ${reference} ${columns}`;
      return { error, line: lines[r]! };
    }
  }
  const table: CsvTable = {
    header: hasHeader ? records[0]!.map((name) => name.trim()) : null,
    rows: hasHeader ? records.slice(1) : records,
    lines: hasHeader ? lines.slice(1) : lines,
    columns,
  };
  return { table };
}

/** Splits text into records of raw cells, remembering each record's first line. */
export function splitRecords(text: string): { records: string[][]; lines: number[] } | CsvError {
  const records: string[][] = [];
  const lines: number[] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false; // the current field was a quoted one
  let line = 1;
  let recordLine = 1;
  const endRecord = (): void => {
    if (record.length > 0 || field.trim() !== '' || quoted) {
      // else a blank line: skipped
      records.push([...record, field]);
      lines.push(recordLine);
    }
    record = [];
    field = '';
    quoted = false;
  };
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"' && !quoted && field.trim() === '') {
      const read = readQuoted(text, i);
      if (!read) return { error: `line ${line}: a quoted field is never closed`, line };
      field = read.value;
      quoted = true;
      line += read.lineBreaks;
      i = read.end - 1;
    } else if (ch === ',') {
      record.push(field);
      field = '';
      quoted = false;
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      recordLine = ++line;
    } else {
      field += ch; // text after a closing quote is kept too (lenient)
    }
  }
  endRecord();
  return { records, lines };
}

/**
 * The quoted field opening at `open`: its value ("" unescaped), the index after the closing quote and the line
 * breaks inside it; null when the quote is never closed.
 */
function readQuoted(text: string, open: number): { value: string; end: number; lineBreaks: number } | null {
  let value = '';
  let lineBreaks = 0;
  for (let i = open + 1; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      if (text[i + 1] !== '"') return { value, end: i + 1, lineBreaks };
      value += '"';
      i++;
    } else {
      if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) lineBreaks++;
      value += ch;
    }
  }
  return null;
}

const NUMBER_PATTERN = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A decimal number (surrounding spaces allowed), or null for anything else: empty, text, NaN, Infinity, hex. */
export function parseNumber(cell: string): number | null {
  const trimmed = cell.trim();
  if (!NUMBER_PATTERN.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

/**
 * Header heuristic (in the spirit of Python's csv.Sniffer): the first record is a header when every cell is
 * non-empty text, or when some column has text in its first record but mostly numbers below it.
 */
export function looksLikeHeader(records: string[][]): boolean {
  const first = records[0];
  if (!first) return false;
  if (first.every((cell) => cell.trim() !== '' && parseNumber(cell) === null)) return true;
  const sample = records.slice(1, 51);
  return first.some((cell, column) => {
    if (parseNumber(cell) !== null || sample.length === 0) return false;
    const numeric = sample.filter((row) => parseNumber(row[column] ?? '') !== null).length;
    return numeric * 2 > sample.length;
  });
}

function plural(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}

/** How messages name a column: its header name in quotes, or its 0-based index when there is no header. */
export function columnLabel(table: CsvTable, column: number): string {
  return table.header ? `'${table.header[column]}'` : `index ${column}`;
}

/**
 * A column by header name (exact match first, then ignoring case) or by 0-based index. The error reads as a
 * continuation of "CSV 'file' …".
 */
export function findColumn(table: CsvTable, ref: string | number): number | { error: string } {
  if (typeof ref === 'number') {
    if (Number.isInteger(ref) && ref >= 0 && ref < table.columns) return ref;
    const count = `${table.columns} ${plural(table.columns, 'column')}`;
    return { error: `has ${count}, so there is no column index ${ref} (indices start at 0)` };
  }
  if (!table.header) {
    return { error: `has no header row, so column '${ref}' cannot be found by name; give its 0-based index instead` };
  }
  const wanted = ref.trim();
  const exact = table.header.indexOf(wanted);
  if (exact >= 0) return exact;
  const folded = table.header.findIndex((name) => name.toLowerCase() === wanted.toLowerCase());
  if (folded >= 0) return folded;
  const all = Array.from({ length: table.columns }, (_, column) => column);
  return { error: `has no column '${ref}'; its columns are ${listColumns(table, all)}` };
}

/** Up to `max` column labels joined by commas, "…" when there are more. */
export function listColumns(table: CsvTable, columns: number[], max = 10): string {
  const shown = columns.slice(0, max).map((column) => columnLabel(table, column));
  return columns.length > max ? `${shown.join(', ')}, … (${columns.length} in all)` : shown.join(', ');
}

/** True when more than half of the column's cells in the first `rows` records are numbers. */
export function isNumericColumn(table: CsvTable, column: number, rows: number): boolean {
  let numeric = 0;
  for (let r = 0; r < rows; r++) if (parseNumber(table.rows[r]![column]!) !== null) numeric++;
  return numeric * 2 > rows;
}

/**
 * The first `rows` records of `columns` as a rows × columns.length row-major matrix. The first cell that is not
 * a number is reported as "line 14, column 'alcohol': 'abc' is not a number".
 */
/** Largest finite float32: a bigger cell would become Infinity in the Float32Array and train as NaN. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** Rows read between two `shouldStop` calls: often enough for a deadline, rare enough to cost nothing. */
const ROWS_PER_CHECK = 1024;

export function readNumbers(
  table: CsvTable,
  columns: number[],
  rows: number,
  shouldStop: () => boolean = () => false,
): { values: Float32Array } | CsvError | { stopped: true } {
  const width = columns.length;
  const values = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    if (r % ROWS_PER_CHECK === 0 && shouldStop()) return { stopped: true };
    const record = table.rows[r]!;
    for (let j = 0; j < width; j++) {
      const cell = record[columns[j]!]!;
      const value = parseNumber(cell);
      if (value === null || Math.abs(value) > FLOAT32_MAX) {
        const problem =
          cell.trim() === ''
            ? 'the cell is empty'
            : value === null
              ? `'${cell.trim()}' is not a number`
              : `'${cell.trim()}' is beyond the float32 range (±3.4028235e38) the engine trains in`;
        const line = table.lines[r]!;
        return { error: `line ${line}, column ${columnLabel(table, columns[j]!)}: ${problem}`, line };
      }
      values[r * width + j] = value;
    }
  }
  return { values };
}
