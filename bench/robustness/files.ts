/** The case folder: written fresh for each case, snapshotted before and after to find files that changed. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type Snapshot = Map<string, Buffer>;

export function writeFolder(folder: string, files: Record<string, string | Buffer>, outside: string): void {
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(path.join(folder, 'data'), { recursive: true });
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(folder, name), content);
  // A hostile path may name this link: reading through it would leave the folder.
  fs.symlinkSync(outside, path.join(folder, 'link-out.csv'));
}

/** Every file under `folder` (symlinks as their link text), plus the file outside it. */
export function snapshot(folder: string, outside: string): Snapshot {
  const out: Snapshot = new Map([[outside, fs.readFileSync(outside)]]);
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) out.set(p, Buffer.from(`-> ${fs.readlinkSync(p)}`));
      else if (entry.isDirectory()) walk(p);
      else out.set(p, fs.readFileSync(p));
    }
  };
  walk(folder);
  return out;
}

/** Paths added, removed or changed between two snapshots, except `allowed`. */
export function changedFiles(before: Snapshot, after: Snapshot, allowed: string | null): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter(
    (n) => n !== allowed && !(before.get(n)?.equals(after.get(n) ?? Buffer.alloc(0)) && after.has(n)),
  );
}
