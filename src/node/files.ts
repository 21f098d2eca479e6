/**
 * File access for specs on disk: data files are read relative to the spec's folder and may not leave it
 * (no `..` escapes, no absolute paths, no symlinks pointing outside).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileAccess } from '../spec/types';

/** Largest data file we read (a CSV bigger than this is not a quick gradient check). */
const MAX_DATA_FILE_BYTES = 64 * 1024 * 1024;

export function folderFileAccess(folder: string): FileAccess {
  const root = safeRealpath(folder) ?? path.resolve(folder);
  return {
    readText(relativePath: string) {
      if (path.isAbsolute(relativePath)) {
        return { error: `data path '${relativePath}' must be relative to the spec's folder` };
      }
      const target = path.resolve(root, relativePath);
      if (!isInside(root, target)) {
        return { error: `data path '${relativePath}' leaves the spec's folder` };
      }
      const real = safeRealpath(target);
      if (real === null) return { error: `data file '${relativePath}' does not exist` };
      if (!isInside(root, real)) return { error: `data path '${relativePath}' links outside the spec's folder` };
      try {
        const stat = fs.statSync(real);
        if (!stat.isFile()) return { error: `data path '${relativePath}' is not a file` };
        if (stat.size > MAX_DATA_FILE_BYTES) {
          return { error: `data file '${relativePath}' is ${(stat.size / 1e6).toFixed(0)} MB; the limit is ${MAX_DATA_FILE_BYTES / 1e6} MB` };
        }
        return { text: fs.readFileSync(real, 'utf8') };
      } catch (err) {
        return { error: `cannot read data file '${relativePath}': ${(err as Error).message}` };
      }
    },
  };
}

export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function safeRealpath(p: string): string | null {
  try {
    return fs.realpathSync(p);
  } catch {
    return null;
  }
}
