/** `vgnet fix --apply` on the built CLI: what it refuses to write, and what it keeps of the file it writes. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const SPEC = fs.readFileSync(path.join(ROOT, 'examples/deep-sigmoid.vgnet.json'), 'utf8');
let tmp = '';

function fix(spec: string, ...flags: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, 'fix', spec, '--apply', '--steps', '20', ...flags], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function write(name: string, content: string | Buffer, mode = 0o644): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  fs.chmodSync(file, mode);
  return file;
}

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js missing: run `npm run build` (npm test does)');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-fix-apply-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('vgnet fix --apply', () => {
  it('refuses a file that is not valid UTF-8 and leaves its bytes (and no .bak) alone', () => {
    const bytes = Buffer.concat([Buffer.from('// caf\xe9 in Latin-1: \n', 'latin1'), Buffer.from(SPEC)]);
    const spec = write('latin1.vgnet.json', bytes);
    const r = fix(spec, '--backup');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not valid UTF-8/);
    expect(fs.readFileSync(spec).equals(bytes)).toBe(true);
    expect(fs.existsSync(`${spec}.bak`)).toBe(false);
  });

  it('keeps the mode of the spec and of its backup', () => {
    const spec = write('mode.vgnet.json', SPEC, 0o640);
    expect(fix(spec, '--backup').code).toBe(0);
    expect(fs.readFileSync(spec, 'utf8')).not.toBe(SPEC);
    expect(fs.statSync(spec).mode & 0o777).toBe(0o640);
    expect(fs.readFileSync(`${spec}.bak`, 'utf8')).toBe(SPEC);
  });

  it('refuses a read-only spec unless --force', () => {
    const spec = write('ro.vgnet.json', SPEC, 0o444);
    const r = fix(spec);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/read-only \(mode 0444\); use --force/);
    expect(fs.readFileSync(spec, 'utf8')).toBe(SPEC);
    expect(fix(spec, '--force').code).toBe(0);
    expect(fs.readFileSync(spec, 'utf8')).not.toBe(SPEC);
    expect(fs.statSync(spec).mode & 0o777).toBe(0o444);
  });

  it('writes through a symlinked spec and keeps the link', () => {
    const target = write('target.vgnet.json', SPEC);
    const link = path.join(tmp, 'link.vgnet.json');
    fs.symlinkSync(target, link);
    expect(fix(link).code).toBe(0);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(target, 'utf8')).toMatch(/"relu"/);
  });
});
