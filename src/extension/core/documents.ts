/** Which documents VGNet analyses, how big they may be, and the report shown for one that is too big. */
import * as path from 'node:path';
import { emptyReport, type Report } from '../../analysis/analyze';
import type { ParsedSpec, SpecDiagnostic } from '../../spec';

export const SPEC_SUFFIX = '.vgnet.json';

/**
 * Specs are a few kilobytes; past this size a file is not a hand-written spec and analysing it on every keystroke
 * would cost more than it tells. 512 K UTF-16 units.
 */
export const MAX_SPEC_CHARS = 512 * 1024;

export function isSpecFileName(fileName: string): boolean {
  return fileName.toLowerCase().endsWith(SPEC_SUFFIX);
}

/** Run records (vgnet-record/1) of an exported PyTorch program or the recorder: `<name>.vgnet-record.json`. */
export const RECORD_SUFFIX = '.vgnet-record.json';

export function isRecordUri(uri: { path: string }): boolean {
  return uri.path.toLowerCase().endsWith(RECORD_SUFFIX);
}

/**
 * Whether a spec named in saved state (a restored panel's) may be followed: an untitled spec, or a spec file inside
 * one of the workspace folders. `fsPath` is the URI's file-system path (its path for untitled).
 */
export function isRestorableSpec(scheme: string, fsPath: string, workspaceFolders: readonly string[]): boolean {
  if (!isSpecFileName(fsPath)) return false;
  if (scheme === 'untitled') return true;
  if (scheme !== 'file') return false;
  const normalized = path.resolve(fsPath);
  return workspaceFolders.some((folder) => {
    const relative = path.relative(path.resolve(folder), normalized);
    return relative !== '' && !relative.split(path.sep).includes('..') && !path.isAbsolute(relative);
  });
}

/** The spec reads a data file (csv): measured analysis must then know a folder it may read from. */
export function readsDataFiles(parsed: Pick<ParsedSpec, 'data'>): boolean {
  return parsed.data !== null && parsed.data.path !== null;
}

/** A report carrying one diagnostic at the top of the file instead of an analysis. */
export function noticeReport(diagnostic: Omit<SpecDiagnostic, 'offset' | 'length' | 'path'>, name = ''): Report {
  const diagnostics = [{ ...diagnostic, offset: 0, length: 0, path: '' }];
  return { ...emptyReport(), status: 'invalid', name, diagnostics, message: diagnostic.message };
}

export function tooLargeReport(length: number): Report {
  const kb = (n: number): string => `${Math.round(n / 1024)} KB`;
  return noticeReport({
    severity: 'warning',
    code: 'limit',
    message: `VGNet skips this file: it is ${kb(length)}, more than the ${kb(MAX_SPEC_CHARS)} a model spec can sensibly be`,
  });
}
