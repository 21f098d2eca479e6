/** The CLI's spec reader: BOM dropped (line-1 columns right), strict UTF-8, size cap before reading. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSpec, readSpecFile } from '../../src/node/files';
import { formatDiagnostic, parseSpec } from '../../src/spec';

let tmp = '';
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-read-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const VALID = fs.readFileSync(path.join(__dirname, '../../examples/deep-sigmoid.vgnet.json'), 'utf8');

describe('readSpecFile', () => {
  it("drops a UTF-8 byte-order mark, so a BOM spec parses and line-1 columns are the editor's", () => {
    const file = path.join(tmp, 'bom.vgnet.json');
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"input": 2, "bogus": 1}')]));
    const read = readSpecFile(file);
    if (!('text' in read)) throw new Error(read.error);
    expect(read.text.startsWith('{')).toBe(true);
    const parsed = parseSpec(read.text);
    const unknown = parsed.diagnostics.find((d) => d.message.includes('bogus'));
    expect(unknown).toBeDefined();
    expect(formatDiagnostic('f', read.text, unknown!)).toMatch(/^f:1:14: /);
    expect(parsed.diagnostics.some((d) => d.message.includes('\uFEFF'))).toBe(false);
  });

  it('a valid spec with a BOM has no syntax error', () => {
    const file = path.join(tmp, 'ok.vgnet.json');
    fs.writeFileSync(file, `\uFEFF${VALID}`);
    const read = readSpecFile(file);
    if (!('text' in read)) throw new Error(read.error);
    expect(parseSpec(read.text).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('refuses a file that is not valid UTF-8 with a clear message, instead of U+FFFD text', () => {
    const file = path.join(tmp, 'latin1.vgnet.json');
    fs.writeFileSync(file, Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]));
    expect(readSpecFile(file)).toEqual({
      error: `${file}: not valid UTF-8 (first bad byte at offset 2); save it as UTF-8`,
    });
  });

  it('names the first bad byte after valid multi-byte text', () => {
    expect(decodeSpec('f', Buffer.from([0xc3, 0xa9, 0x41, 0xe2, 0x82]))).toEqual({
      error: 'f: not valid UTF-8 (first bad byte at offset 3); save it as UTF-8',
    });
  });

  it('a missing file and a folder', () => {
    expect(readSpecFile(path.join(tmp, 'nope.json'))).toEqual({
      error: `${path.join(tmp, 'nope.json')}: no such file`,
    });
    expect(readSpecFile(tmp)).toEqual({ error: `${tmp}: not a file` });
  });
});
