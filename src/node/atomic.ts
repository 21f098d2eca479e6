/**
 * The one writer for files the CLI changes (`fix --apply`, `--backup`, `--save-init`). A file is never left
 * half-written and a planted file cannot redirect the write: the text goes to a sibling temporary file created
 * exclusively (O_CREAT|O_EXCL, so an existing name or symlink fails instead of being followed) under an unpredictable
 * name, is fsynced, then renamed over the target. The target keeps its mode; a symlinked target is written through
 * (its link stays); a read-only target is refused unless forced.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface WriteOptions {
  /** Replace a read-only target (`--force`). */
  force?: boolean;
}

/** `.<name>.vgnet-<pid>-<random>.tmp`: the pid lets a later run tell its own stale temporaries from live ones. */
const TEMP_NAME = /^\.(.+)\.vgnet-(\d+)-[0-9a-f]{16}\.tmp$/;

/** Returns an error message, or null on success. */
export function writeAtomically(
  target: string,
  content: string | Uint8Array,
  options: WriteOptions = {},
): string | null {
  const resolved = resolveTarget(target, options);
  if ('error' in resolved) return `cannot write '${target}': ${resolved.error}`;
  const { file, mode } = resolved;
  removeStaleTemps(file);
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.vgnet-${process.pid}-${randomBytes(8).toString('hex')}.tmp`,
  );
  let fd: number | null = null;
  try {
    fd = fs.openSync(temp, 'wx', mode ?? 0o666);
    // open() applies the umask; the replaced file's own mode is restored exactly.
    if (mode !== null) fs.fchmodSync(fd, mode);
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(temp, file);
    syncFolder(path.dirname(file));
    return null;
  } catch (err) {
    if (fd !== null) closeQuietly(fd);
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // nothing left to clean
    }
    return `cannot write '${target}': ${(err as Error).message}`;
  }
}

/** The real file to replace (through symlinks) and the mode to give it (null: a new file, default mode). */
function resolveTarget(
  target: string,
  options: WriteOptions,
): { file: string; mode: number | null } | { error: string } {
  let file = target;
  try {
    if (fs.lstatSync(target).isSymbolicLink()) file = fs.realpathSync(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && fs.lstatSync(target, { throwIfNoEntry: false })?.isSymbolicLink()) {
      return { error: 'it is a symbolic link to a file that does not exist' };
    }
    if (code === 'ENOENT') return { file, mode: null };
    return { error: (err as Error).message };
  }
  const stat = fs.statSync(file);
  if (!stat.isFile()) return { error: 'not a regular file' };
  const mode = stat.mode & 0o7777;
  // Root may write anything, so access(W_OK) says nothing; the mode bits say what the owner intended.
  if ((mode & 0o222) === 0 && !options.force) {
    return { error: `the file is read-only (mode ${mode.toString(8).padStart(4, '0')}); use --force to replace it` };
  }
  return { file, mode };
}

/**
 * A kill between creating the temporary file and renaming it leaves the temporary behind (the target is untouched).
 * The next write to the same target removes those whose process is gone; live writers' files are left alone.
 */
function removeStaleTemps(file: string): void {
  const base = path.basename(file);
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(file));
  } catch {
    return;
  }
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (!match || match[1] !== base || isAlive(Number(match[2]))) continue;
    try {
      fs.unlinkSync(path.join(path.dirname(file), name));
    } catch {
      // already gone
    }
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Makes the rename itself durable; folders that cannot be opened or synced (some platforms) are skipped. */
function syncFolder(folder: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(folder, 'r');
    fs.fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== null) closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already closed
  }
}
