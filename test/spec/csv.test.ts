import { describe, expect, it } from 'vitest';
import {
  columnLabel,
  findColumn,
  isNumericColumn,
  looksLikeHeader,
  parseCsv,
  parseNumber,
  readNumbers,
  splitRecords,
  type CsvTable,
} from '../../src/spec/csv';

function table(text: string, header: boolean | 'auto' = 'auto'): CsvTable {
  const result = parseCsv(text, header);
  if ('error' in result) throw new Error(result.error);
  return result.table;
}

function records(text: string): string[][] {
  const result = splitRecords(text);
  if ('error' in result) throw new Error(result.error);
  return result.records;
}

describe('splitRecords', () => {
  it('splits plain fields and keeps empty ones', () => {
    expect(records('a,b,c\n1,,3')).toEqual([
      ['a', 'b', 'c'],
      ['1', '', '3'],
    ]);
  });
  it('reads quoted fields: commas, doubled quotes, line breaks inside', () => {
    expect(records('"x,y","say ""hi""","two\nlines"\n')).toEqual([['x,y', 'say "hi"', 'two\nlines']]);
    expect(records('"",a')).toEqual([['', 'a']]);
    expect(records('  "padded",b')).toEqual([['padded', 'b']]);
  });
  it('treats CRLF, LF and CR alike and ignores the trailing newline and blank lines', () => {
    const expected = [
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ];
    expect(records('a,b\r\n1,2\r\n3,4\r\n')).toEqual(expected);
    expect(records('a,b\n1,2\n\n3,4')).toEqual(expected);
    expect(records('a,b\r1,2\r3,4\r')).toEqual(expected);
    expect(records('a,b\n1,2\n   \n3,4\n\n')).toEqual(expected);
  });
  it('drops a byte-order mark', () => {
    expect(records('\uFEFFa,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });
  it('numbers records by the line they start on, counting line breaks inside quotes', () => {
    const result = splitRecords('h1,h2\r\n"multi\r\nline",1\r\n\r\nlast,2\n');
    if ('error' in result) throw new Error(result.error);
    expect(result.lines).toEqual([1, 2, 5]);
    const oldMac = splitRecords('h\r"a\rb"\rc\r'); // CR-only line ends, one inside quotes
    if ('error' in oldMac) throw new Error(oldMac.error);
    expect(oldMac.lines).toEqual([1, 2, 4]);
  });
  it('reports an unclosed quote with the line it opened on', () => {
    const result = splitRecords('a,b\n1,"oops\n2,3\n');
    expect(result).toEqual({ error: 'line 2: a quoted field is never closed', line: 2 });
  });
});

describe('parseNumber', () => {
  it('accepts decimal and exponent forms with spaces around', () => {
    expect(parseNumber('3')).toBe(3);
    expect(parseNumber(' -0.5 ')).toBe(-0.5);
    expect(parseNumber('+.25')).toBe(0.25);
    expect(parseNumber('1e-3')).toBe(0.001);
    expect(parseNumber('2.')).toBe(2);
  });
  it('rejects empty cells, text, NaN, Infinity and hex', () => {
    for (const cell of ['', '  ', 'abc', 'NaN', 'Infinity', '0x10', '1,5', '1e', '--1', '1e999']) {
      expect(parseNumber(cell), cell).toBeNull();
    }
  });
});

describe('header detection', () => {
  it('a row of names is a header; a row of numbers is data', () => {
    expect(
      looksLikeHeader([
        ['a', 'b'],
        ['1', '2'],
      ]),
    ).toBe(true);
    expect(
      looksLikeHeader([
        ['1', '2'],
        ['3', '4'],
      ]),
    ).toBe(false);
  });
  it('a text target column does not make the first data row a header', () => {
    expect(
      looksLikeHeader([
        ['5.1', '3.5', 'setosa'],
        ['4.9', '3.0', 'setosa'],
      ]),
    ).toBe(false);
  });
  it('a header with a numeric-looking name is still a header when its other columns are text over numbers', () => {
    expect(
      looksLikeHeader([
        ['x', '2020', 'y'],
        ['1', '2', '3'],
        ['4', '5', '6'],
      ]),
    ).toBe(true);
  });
  it('parseCsv fills header/rows accordingly and honours a forced mode', () => {
    const auto = table('name,value\nfoo,1\nbar,2\n');
    expect(auto.header).toEqual(['name', 'value']);
    expect(auto.rows).toEqual([
      ['foo', '1'],
      ['bar', '2'],
    ]);
    expect(auto.lines).toEqual([2, 3]);
    const none = table('1,2\n3,4\n');
    expect(none.header).toBeNull();
    expect(none.rows.length).toBe(2);
    expect(table('1,2\n3,4\n', true).header).toEqual(['1', '2']);
    expect(table('a,b\n3,4\n', false).rows).toEqual([
      ['a', 'b'],
      ['3', '4'],
    ]);
  });
  it('trims header names', () => {
    expect(table(' a , b \n1,2').header).toEqual(['a', 'b']);
  });
});

describe('parseCsv errors', () => {
  it('names the line of a record with the wrong number of fields', () => {
    expect(parseCsv('a,b,c\n1,2,3\n4,5\n')).toEqual({ error: 'line 3 has 2 fields but the header has 3', line: 3 });
    expect(parseCsv('1,2\n3\n')).toEqual({ error: 'line 2 has 1 field but line 1 has 2', line: 2 });
  });
  it('an empty text is an empty table, not an error', () => {
    expect(table('')).toEqual({ header: null, rows: [], lines: [], columns: 0 });
  });
});

describe('columns', () => {
  const withHeader = table('alcohol,Ash,class\n1,2,a\n3,x,b\n');
  const headerless = table('1,2\n3,4\n');
  it('finds a column by exact name, then ignoring case, or by index', () => {
    expect(findColumn(withHeader, 'class')).toBe(2);
    expect(findColumn(withHeader, 'ash')).toBe(1);
    expect(findColumn(withHeader, 0)).toBe(0);
  });
  it('explains a missing name, an index out of range and a name without a header', () => {
    expect(findColumn(withHeader, 'colour')).toEqual({
      error: "has no column 'colour'; its columns are 'alcohol', 'Ash', 'class'",
    });
    expect(findColumn(withHeader, 3)).toEqual({
      error: 'has 3 columns, so there is no column index 3 (indices start at 0)',
    });
    expect(findColumn(headerless, 'a')).toHaveProperty('error');
    expect(columnLabel(headerless, 1)).toBe('index 1');
  });
  it('reads numbers into a row-major matrix and reports the first bad cell with its line and column', () => {
    expect(readNumbers(headerless, [1, 0], 2)).toEqual({ values: new Float32Array([2, 1, 4, 3]) });
    expect(readNumbers(withHeader, [0, 1], 2)).toEqual({ error: "line 3, column 'Ash': 'x' is not a number", line: 3 });
    expect(readNumbers(withHeader, [0, 1], 1)).toHaveProperty('values'); // only the rows asked for are read
  });
  it('calls a column numeric when most of its cells are numbers', () => {
    expect(isNumericColumn(withHeader, 0, 2)).toBe(true);
    expect(isNumericColumn(withHeader, 2, 2)).toBe(false);
    expect(isNumericColumn(withHeader, 1, 2)).toBe(false); // one of two is not more than half
  });
});
