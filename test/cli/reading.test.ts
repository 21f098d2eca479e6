/** How the CLI reads a spec and prints its diagnostics: BOM, invalid UTF-8, many warnings (issue 12, items 1–2). */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSpec } from '../../src/cli/main';
import { formatDiagnostics, MAX_PRINTED_PER_SEVERITY } from '../../src/spec/diagnostic-text';
import type { SpecDiagnostic } from '../../src/spec';

const CLI = path.join(__dirname, '../../dist/cli.js');
let tmp = '';
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-read-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const SPEC = '{"input": 2, "nope": 1, "layers": [{"type": "dense", "units": 1, "activation": "sigmoid"}], ' +
  '"loss": "bce", "data": {"source": "moons", "samples": 64}, "training": {"steps": 5}}';

/** Runs the built CLI (npm test builds first); returns exit code and stderr. */
async function analyze(file: string): Promise<{ code: number; err: string }> {
  const r = spawnSync(process.execPath, [CLI, 'analyze', file, '--no-fixes'], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, err: r.stderr };
}

describe('reading a spec', () => {
  it('strips a UTF-8 byte-order mark, and columns on line 1 count from after it', async () => {
    const file = path.join(tmp, 'bom.vgnet.json');
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SPEC)]));
    const { code, err } = await analyze(file);
    expect(code).toBe(0);
    expect(err).toContain(`${file}:1:14: warning: unknown key "nope"`);
  }, 60_000);

  it('refuses bytes that are not UTF-8 with one clear line', () => {
    const bytes = Buffer.concat([Buffer.from(SPEC.slice(0, 20)), Buffer.from([0xff, 0xfe]), Buffer.from(SPEC.slice(20))]);
    expect(decodeSpec('x.vgnet.json', bytes)).toEqual({ error: 'x.vgnet.json: not valid UTF-8 text (save it as UTF-8)' });
    expect(decodeSpec('x.vgnet.json', Buffer.from(`\uFEFF${SPEC}`))).toEqual({ text: SPEC });
  });
});

describe('printing diagnostics', () => {
  const warning = (offset: number): SpecDiagnostic => ({
    severity: 'warning', message: `w${offset}`, offset, length: 1, path: '', code: 'unknown-key',
  });

  it('prints at most 50 of a severity and counts the rest', () => {
    const text = 'x\n'.repeat(20_000);
    const lines = formatDiagnostics('a.vgnet.json', text, Array.from({ length: 20_000 }, (_, i) => warning(2 * i)));
    expect(lines).toHaveLength(MAX_PRINTED_PER_SEVERITY + 1);
    expect(lines[1]).toBe('a.vgnet.json:2:1: warning: w2');
    expect(lines.at(-1)).toBe('a.vgnet.json: … and 19,950 more warnings');
  });

  it('places every diagnostic from one line index (CRLF and lone CR end lines)', () => {
    const text = 'ab\r\ncd\ref';
    expect(formatDiagnostics('f', text, [warning(5), warning(8)])).toEqual(['f:2:2: warning: w5', 'f:3:2: warning: w8']);
  });
});
