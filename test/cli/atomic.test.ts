/** The CLI's one writer: exclusive unpredictable temporaries, modes kept, symlinks written through, read-only refused. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeAtomically } from '../../src/node/atomic';

let tmp = '';
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-atomic-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function file(name: string, text: string, mode = 0o644): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  fs.chmodSync(p, mode);
  return p;
}

const modeOf = (p: string): number => fs.statSync(p).mode & 0o7777;

describe('writeAtomically', () => {
  it('a symlink planted under the old predictable temporary name does not redirect the write', () => {
    const victim = file('victim.txt', 'precious');
    const spec = file('m.vgnet.json', 'old');
    fs.symlinkSync(victim, `${spec}.${process.pid}.tmp`);
    expect(writeAtomically(spec, 'new')).toBeNull();
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious');
    expect(fs.readFileSync(spec, 'utf8')).toBe('new');
  });

  it('leaves no temporary file behind, on success and on failure', () => {
    const spec = file('m.vgnet.json', 'old');
    expect(writeAtomically(spec, 'new')).toBeNull();
    expect(fs.readdirSync(tmp)).toEqual(['m.vgnet.json']);
    expect(writeAtomically(path.join(tmp, 'no-such-dir', 'x.json'), 'x')).toMatch(/cannot write/);
    expect(fs.readdirSync(tmp)).toEqual(['m.vgnet.json']);
  });

  it.each([0o640, 0o600, 0o664, 0o755])('keeps the file mode %o', (mode) => {
    const spec = file('m.vgnet.json', 'old', mode);
    expect(writeAtomically(spec, 'new')).toBeNull();
    expect(modeOf(spec)).toBe(mode);
  });

  it('refuses a read-only file (mode 0444) unless forced, and then keeps it read-only', () => {
    const spec = file('m.vgnet.json', 'old', 0o444);
    expect(writeAtomically(spec, 'new')).toMatch(/read-only \(mode 0444\); use --force/);
    expect(fs.readFileSync(spec, 'utf8')).toBe('old');
    expect(writeAtomically(spec, 'new', { force: true })).toBeNull();
    expect(fs.readFileSync(spec, 'utf8')).toBe('new');
    expect(modeOf(spec)).toBe(0o444);
  });

  it('writes through a symlinked spec to its target and keeps the link', () => {
    fs.mkdirSync(path.join(tmp, 'real'));
    const target = file('real/m.vgnet.json', 'old', 0o640);
    const link = path.join(tmp, 'link.vgnet.json');
    fs.symlinkSync(target, link);
    expect(writeAtomically(link, 'new')).toBeNull();
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(target, 'utf8')).toBe('new');
    expect(modeOf(target)).toBe(0o640);
    expect(fs.readdirSync(path.join(tmp, 'real'))).toEqual(['m.vgnet.json']);
  });

  it('refuses a dangling symlink and a folder', () => {
    fs.symlinkSync(path.join(tmp, 'gone'), path.join(tmp, 'dangling'));
    expect(writeAtomically(path.join(tmp, 'dangling'), 'x')).toMatch(/symbolic link to a file that does not exist/);
    expect(fs.existsSync(path.join(tmp, 'gone'))).toBe(false);
    fs.mkdirSync(path.join(tmp, 'dir'));
    expect(writeAtomically(path.join(tmp, 'dir'), 'x')).toMatch(/not a regular file/);
  });

  it('creates a new file (--save-init) with the default mode', () => {
    const out = path.join(tmp, 'init.json');
    expect(writeAtomically(out, '{}')).toBeNull();
    expect(fs.readFileSync(out, 'utf8')).toBe('{}');
  });

  it('removes temporaries a killed writer left for the same target, not live ones or other files', () => {
    const spec = file('m.vgnet.json', 'old');
    const dead = file('.m.vgnet.json.vgnet-999999999-0123456789abcdef.tmp', 'partial');
    const live = file(`.m.vgnet.json.vgnet-${process.ppid}-0123456789abcdef.tmp`, 'in progress');
    const other = file('.n.vgnet.json.vgnet-999999999-0123456789abcdef.tmp', 'someone else');
    expect(writeAtomically(spec, 'new')).toBeNull();
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    expect(fs.existsSync(other)).toBe(true);
  });
});
