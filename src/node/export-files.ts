/**
 * Writing a PyTorch export (src/bridge/export-pytorch.ts) to disk, for the CLI (`vgnet export`) and the editor
 * (its bridge worker): the program and its samples beside it, through the safe writer. A file VGNet did not write
 * is kept unless forced; the samples go first, so a program never sits beside samples of another export.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { prepare } from '../analysis/prepare';
import { exportPytorch, ExportError } from '../bridge/export-pytorch';
import { PYTHON_RUNTIME } from '../bridge/python-runtime';
import type { SpecDiagnostic } from '../spec';
import { writeAtomically } from './atomic';
import { folderFileAccess } from './files';

export interface ExportRequest {
  /** The spec's file (its name goes into the program; data paths resolve against its folder). */
  specFile: string;
  text: string;
  /** The program to write; its samples go beside it as <stem>.data.bin. */
  target: string;
  force: boolean;
  steps: number | null;
  seed: number | null;
  memoryBudgetBytes: number;
}

export type ExportResult =
  | { ok: true; program: string; dataFile: string; samples: number; bytes: number }
  | { ok: false; message: string; diagnostics: SpecDiagnostic[] };

/** What VGNet writes at the top of the files it generates: such a file may be replaced without --force. */
const GENERATED_MARK = 'VGNet';

export function writePytorchExport(request: ExportRequest): ExportResult {
  const { specFile, text, target, force } = request;
  const prepared = prepare(text, {
    files: folderFileAccess(path.dirname(specFile)),
    steps: request.steps,
    seed: request.seed,
    memoryBudgetBytes: request.memoryBudgetBytes,
  });
  if (!prepared.ok)
    return {
      ok: false,
      message: prepared.diagnostics[0]?.message ?? 'invalid spec',
      diagnostics: prepared.diagnostics,
    };
  const dataFile = path.join(path.dirname(target), `${path.basename(target).replace(/\.py$/, '')}.data.bin`);
  let exported;
  try {
    exported = exportPytorch(prepared.config, prepared.dataset, {
      spec: path.basename(specFile),
      dataFile: path.basename(dataFile),
      program: path.basename(target),
    });
  } catch (err) {
    if (err instanceof ExportError) return { ok: false, message: err.message, diagnostics: [] };
    throw err;
  }
  // The samples file is binary: it may be replaced when the program beside it is VGNet's (or forced).
  const refused =
    refuseForeign(target, force) ??
    (fs.existsSync(dataFile) && !fs.existsSync(target) && !force
      ? `'${dataFile}' exists and no program VGNet wrote is beside it (use --force to replace it, or -o another file)`
      : null);
  if (refused) return { ok: false, message: refused, diagnostics: [] };
  const error = writeAtomically(dataFile, exported.data) ?? writeAtomically(target, exported.python);
  if (error) return { ok: false, message: error, diagnostics: [] };
  return { ok: true, program: target, dataFile, samples: prepared.dataset.samples, bytes: exported.data.length };
}

/** The recorder alone (`vgnet export --recorder`), for models that have no spec. */
export function writeRecorder(target: string, force: boolean): string | null {
  const refused = refuseForeign(target, force);
  if (refused) return refused;
  const head = `#!/usr/bin/env python3\n"""The VGNet recorder: \`from vgnet_recorder import Recorder\` (docs/bridge.md)."""\n`;
  return writeAtomically(target, head + PYTHON_RUNTIME);
}

/** spec.vgnet.json → spec.py beside it (a name Python can also import: - and . become _). */
export function defaultExportTarget(specFile: string): string {
  const stem = path.basename(specFile).replace(/\.vgnet\.json$|\.json$/, '');
  return path.join(path.dirname(specFile), `${stem.replace(/[^A-Za-z0-9_]/g, '_')}.py`);
}

/** An existing file VGNet did not write (no mark in its first bytes) is kept unless forced. */
function refuseForeign(target: string, force: boolean): string | null {
  if (force || !fs.existsSync(target)) return null;
  try {
    const fd = fs.openSync(target, 'r');
    const head = Buffer.alloc(512);
    const n = fs.readSync(fd, head, 0, 512, 0);
    fs.closeSync(fd);
    if (head.subarray(0, n).toString('utf8').includes(GENERATED_MARK)) return null;
  } catch (err) {
    return `cannot read '${target}': ${(err as Error).message}`;
  }
  return `'${target}' exists and was not written by VGNet (use --force to replace it, or -o another file)`;
}
