/** Data files the CLI and workers read: inside the spec's folder only, judged by path segments and real paths. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderFileAccess, isInside } from '../../src/node/files';

let tmp = '';
let folder = '';
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-files-'));
  folder = path.join(tmp, 'specs');
  fs.mkdirSync(path.join(folder, 'a'), { recursive: true });
  fs.writeFileSync(path.join(folder, '..ok.csv'), 'x,y\n1,2\n');
  fs.writeFileSync(path.join(folder, 'a', 'in.csv'), 'x,y\n1,2\n');
  fs.writeFileSync(path.join(tmp, 'outside.csv'), 'secret\n');
  fs.symlinkSync(path.join(tmp, 'outside.csv'), path.join(folder, 'link-out.csv'));
  fs.symlinkSync(path.join(folder, 'a', 'in.csv'), path.join(folder, 'link-in.csv'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('folderFileAccess', () => {
  it("reads '..ok.csv', a file inside the folder whose name starts with two dots", () => {
    expect(folderFileAccess(folder).readText('..ok.csv')).toEqual({ text: 'x,y\n1,2\n' });
  });

  it('refuses ../x, a/../../x and the folder itself by its first segment', () => {
    const files = folderFileAccess(folder);
    expect(files.readText('../outside.csv')).toEqual({ error: "data path '../outside.csv' leaves the spec's folder" });
    expect(files.readText('a/../../outside.csv')).toEqual({
      error: "data path 'a/../../outside.csv' leaves the spec's folder",
    });
    expect(files.readText('a/../a/in.csv')).toEqual({ text: 'x,y\n1,2\n' });
  });

  it('refuses absolute paths, even ones inside the folder', () => {
    const inside = path.join(folder, 'a', 'in.csv');
    expect(folderFileAccess(folder).readText(inside)).toEqual({
      error: `data path '${inside}' must be relative to the spec's folder`,
    });
  });

  it('refuses a symlink that points outside; follows one that stays inside', () => {
    const files = folderFileAccess(folder);
    expect(files.readText('link-out.csv')).toEqual({
      error: "data path 'link-out.csv' links outside the spec's folder",
    });
    expect(files.readText('link-in.csv')).toEqual({ text: 'x,y\n1,2\n' });
    expect(files.readText('missing.csv')).toEqual({ error: "data file 'missing.csv' does not exist" });
  });
});

describe('isInside', () => {
  it('judges by path segments', () => {
    expect(isInside('/r', '/r')).toBe(true);
    expect(isInside('/r', '/r/..ok.csv')).toBe(true);
    expect(isInside('/r', '/r/...')).toBe(true);
    expect(isInside('/r', '/')).toBe(false);
    expect(isInside('/r', '/r2/x')).toBe(false);
    expect(isInside('/r', '/x/..ok')).toBe(false);
  });
});
