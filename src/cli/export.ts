/**
 * `vgnet export <spec> --to pytorch [-o model.py]` and `vgnet export --recorder [-o vgnet_recorder.py]`: the spec
 * as a PyTorch program with its samples beside it, or the recorder alone (src/bridge). Files go through the safe
 * writer; a file VGNet did not write is replaced only with --force.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MB } from '../analysis/memory';
import { prepare } from '../analysis/prepare';
import { exportPytorch, ExportError } from '../bridge/export-pytorch';
import { PYTHON_RUNTIME } from '../bridge/python-runtime';
import { folderFileAccess, readSpecFile } from '../node/files';
import { formatDiagnostics } from '../spec';
import type { ExportArgs } from './args';
import { writeAtomically } from './atomic';

export interface ExportOutcome {
  exitCode: number;
  lines: string[];
  errors: string[];
}

/** What VGNet writes at the top of the files it generates: such a file may be replaced without --force. */
const GENERATED_MARK = 'VGNet';

export function runExport(args: ExportArgs): ExportOutcome {
  if (args.recorder) {
    const target = args.out ?? 'vgnet_recorder.py';
    const refused = refuseForeign(target, args.force);
    if (refused) return { exitCode: 2, lines: [], errors: [`vgnet: ${refused}`] };
    const text = `#!/usr/bin/env python3\n"""The VGNet recorder: \`from vgnet_recorder import Recorder\` (docs/bridge.md)."""\n${PYTHON_RUNTIME}`;
    const error = writeAtomically(target, text);
    return error
      ? { exitCode: 2, lines: [], errors: [`vgnet: ${error}`] }
      : { exitCode: 0, lines: [`wrote ${target}`], errors: [] };
  }
  const file = args.specs[0]!;
  const source = readSpecFile(file);
  if ('error' in source) return { exitCode: 2, lines: [], errors: [`vgnet: ${source.error}`] };
  const prepared = prepare(source.text, {
    files: folderFileAccess(path.dirname(file)),
    steps: args.steps,
    seed: args.seed,
    memoryBudgetBytes: args.memoryBudgetMB * MB,
  });
  if (!prepared.ok) {
    const lines = formatDiagnostics(file, source.text, prepared.diagnostics);
    return { exitCode: 2, lines: [], errors: lines.length > 0 ? lines : [`${file}: error: invalid spec`] };
  }
  const target = args.out ?? defaultTarget(file);
  const dataFile = `${path.basename(target).replace(/\.py$/, '')}.data.bin`;
  const dataTarget = path.join(path.dirname(target), dataFile);
  let exported;
  try {
    exported = exportPytorch(prepared.config, prepared.dataset, {
      spec: path.basename(file),
      dataFile,
      program: path.basename(target),
    });
  } catch (err) {
    if (err instanceof ExportError) return { exitCode: 2, lines: [], errors: [`${file}: error: ${err.message}`] };
    throw err;
  }
  // The samples file is binary: it may be replaced when the program beside it is VGNet's (or forced).
  const refused =
    refuseForeign(target, args.force) ??
    (fs.existsSync(dataTarget) && !fs.existsSync(target) && !args.force
      ? `'${dataTarget}' exists and no program VGNet wrote is beside it (use --force to replace it, or -o another file)`
      : null);
  if (refused) return { exitCode: 2, lines: [], errors: [`vgnet: ${refused}`] };
  // The data first: a program is never left beside samples of another export.
  const error = writeAtomically(dataTarget, exported.data) ?? writeAtomically(target, exported.python);
  if (error) return { exitCode: 2, lines: [], errors: [`vgnet: ${error}`] };
  const kb = Math.ceil(exported.data.length / 1024);
  return {
    exitCode: 0,
    lines: [
      `wrote ${target} and ${dataTarget} (${prepared.dataset.samples} samples, ${kb} KB)`,
      `run: /usr/bin/python3 ${target} --record ${target.replace(/\.py$/, '')}.vgnet-record.json`,
    ],
    errors: [],
  };
}

/** spec.vgnet.json → spec.py beside it (a name Python can also import: - and . become _). */
function defaultTarget(file: string): string {
  const stem = path.basename(file).replace(/\.vgnet\.json$|\.json$/, '');
  return path.join(path.dirname(file), `${stem.replace(/[^A-Za-z0-9_]/g, '_')}.py`);
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
