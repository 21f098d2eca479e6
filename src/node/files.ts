/**
 * File access for specs on disk: data files are read relative to the spec's folder and may not leave it
 * (no `..` escapes, no absolute paths, no symlinks pointing outside).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileAccess } from '../spec/types';
import { MAX_RECORD_BYTES } from '../analysis/record';
import { loadDigits, type DigitsResult } from './digits';

/** Largest data file we read (a CSV bigger than this is not a quick gradient check). */
const MAX_DATA_FILE_BYTES = 64 * 1024 * 1024;

/** `digits` reads the handwritten digits when a spec's data source asks for them (src/node/digits.ts). */
export function folderFileAccess(folder: string, digits: () => DigitsResult = loadDigits): FileAccess {
  const root = safeRealpath(folder) ?? path.resolve(folder);
  return {
    readDigits: digits,
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
          return {
            error: `data file '${relativePath}' is ${(stat.size / 1e6).toFixed(0)} MB; the limit is ${MAX_DATA_FILE_BYTES / 1e6} MB`,
          };
        }
        return { text: fs.readFileSync(real, 'utf8') };
      } catch (err) {
        return { error: `cannot read data file '${relativePath}': ${(err as Error).message}` };
      }
    },
  };
}

/** By the first path segment: `..ok.csv` is a file inside the folder, `..` and `../x` are not. */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  const first = rel.split(path.sep)[0];
  return rel === '' || (first !== '..' && !path.isAbsolute(rel));
}

function safeRealpath(p: string): string | null {
  try {
    return fs.realpathSync(p);
  } catch {
    return null;
  }
}

/** Specs are hand-written model descriptions; anything bigger is not one. */
const MAX_SPEC_BYTES = 4 * 1024 * 1024;
/** Fatal, so a file that is not UTF-8 is refused instead of being read as U+FFFD-mangled text. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * A spec file as text, for the CLI: size-capped before it is read, decoded as strict UTF-8 with a leading
 * byte-order mark dropped (editors on Windows save one), so offsets and line-1 columns match the editor's.
 */
export function readSpecFile(file: string): { text: string } | { error: string } {
  return readTextFile(file, MAX_SPEC_BYTES, 'spec is', 'specs are');
}

/** A run record (vgnet-record/1) as text: the same checks with the record's size cap. */
export function readRecordFile(file: string): { text: string } | { error: string } {
  return readTextFile(file, MAX_RECORD_BYTES, 'record is', 'records are');
}

function readTextFile(
  file: string,
  maxBytes: number,
  itIs: string,
  theyAre: string,
): { text: string } | { error: string } {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return { error: `${file}: not a file` };
    if (stat.size > maxBytes) {
      return {
        error: `${file}: ${itIs} ${(stat.size / 1e6).toFixed(1)} MB; ${theyAre} limited to ${maxBytes / 1024 / 1024} MB`,
      };
    }
    return decodeSpec(file, fs.readFileSync(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? `${file}: no such file` : `${file}: ${(e as Error).message}` };
  }
}

/** Strict UTF-8 (the BOM is dropped by the decoder); the first bad byte's offset is named so it can be found. */
export function decodeSpec(file: string, bytes: Uint8Array): { text: string } | { error: string } {
  try {
    return { text: UTF8.decode(bytes) };
  } catch {
    return { error: `${file}: not valid UTF-8 (first bad byte at offset ${firstBadByte(bytes)}); save it as UTF-8` };
  }
}

/** Offset of the first byte that starts an invalid UTF-8 sequence, found by decoding one sequence at a time. */
function firstBadByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const n = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (n === 0 || i + n > bytes.length) return i;
    try {
      UTF8.decode(bytes.subarray(i, i + n));
    } catch {
      return i;
    }
    i += n;
  }
  return i;
}
