/**
 * Property: `vgnet fix --apply` (the built CLI) on generated specs — the examples with LF or CRLF line endings,
 * comments sprinkled between lines and at line ends, and various file modes — leaves a file that parses, keeps every
 * comment and the line endings, and keeps the mode. Few runs with few steps: each one trains.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/spec';

const ROOT = path.join(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const EXAMPLES = fs
  .readdirSync(path.join(ROOT, 'examples'))
  .filter((n) => n.endsWith('.vgnet.json'))
  .sort();
let tmp = '';

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js missing: run `npm run build` (npm test does)');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-fix-property-'));
  fs.cpSync(path.join(ROOT, 'examples/data'), path.join(tmp, 'data'), { recursive: true });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The example's lines with a comment above, after or before some of them; returns the text and the comments. */
function sprinkle(text: string, picks: number[], crlf: boolean): { text: string; comments: string[] } {
  const comments: string[] = [];
  const lines = text
    .replace(/\r\n/g, '\n')
    .replace(/\n$/, '')
    .split('\n')
    .map((line, i) => {
      const pick = picks[i % picks.length]!;
      const indent = /^\s*/.exec(line)![0];
      const comment = ['', `// above-${i}`, `// after-${i}`, `/* block-${i} */`][pick]!;
      if (comment !== '') comments.push(comment);
      return [line, `${indent}${comment}\n${line}`, `${line} ${comment}`, `${indent}${comment} ${line.trimStart()}`][
        pick
      ]!;
    });
  const joined = `${lines.join('\n')}\n`;
  return { text: crlf ? joined.replace(/\n/g, '\r\n') : joined, comments };
}

const caseArb = fc.record({
  example: fc.constantFrom(...EXAMPLES),
  crlf: fc.boolean(),
  picks: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 12 }),
  mode: fc.constantFrom(0o644, 0o640, 0o600, 0o664),
});

describe('property: fix --apply keeps the file as written', () => {
  it('result parses, comments, line endings and mode kept', () => {
    let n = 0;
    let changed = 0;
    fc.assert(
      fc.property(caseArb, ({ example, crlf, picks, mode }) => {
        const source = sprinkle(fs.readFileSync(path.join(ROOT, 'examples', example), 'utf8'), picks, crlf);
        const file = path.join(tmp, `case-${n++}-${example}`);
        fs.writeFileSync(file, source.text);
        fs.chmodSync(file, mode);
        const r = spawnSync(process.execPath, [CLI, 'fix', file, '--apply', '--steps', '20', '--seeds', '1'], {
          encoding: 'utf8',
          timeout: 60_000,
        });
        expect(r.status, r.stderr).toBe(0);
        const after = fs.readFileSync(file, 'utf8');
        if (after !== source.text) changed++;
        expect(parseSpec(after).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        for (const comment of source.comments) expect(after).toContain(comment);
        if (crlf) expect(after.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
        else expect(after).not.toContain('\r');
        expect(fs.statSync(file).mode & 0o777).toBe(mode);
        expect(fs.readdirSync(tmp).filter((name) => name.endsWith('.tmp'))).toEqual([]);
      }),
      { numRuns: 8, seed: 12 },
    );
    expect(changed, 'some generated specs must get a fix written').toBeGreaterThan(2);
    // Eight CLI runs, some on the conv examples: seconds each on a busy 2-core machine.
  }, 180_000);
});
