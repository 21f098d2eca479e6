/**
 * `vgnet export <spec> --to pytorch [-o model.py]` and `vgnet export --recorder [-o vgnet_recorder.py]`: the spec
 * as a PyTorch program with its samples beside it, or the recorder alone (src/bridge, written by src/node).
 */
import { MB } from '../analysis/memory';
import { defaultExportTarget, writePytorchExport, writeRecorder } from '../node/export-files';
import { readSpecFile } from '../node/files';
import { formatDiagnostics } from '../spec';
import type { ExportArgs } from './args';

export interface ExportOutcome {
  exitCode: number;
  lines: string[];
  errors: string[];
}

export function runExport(args: ExportArgs): ExportOutcome {
  if (args.recorder) {
    const target = args.out ?? 'vgnet_recorder.py';
    const error = writeRecorder(target, args.force);
    return error
      ? { exitCode: 2, lines: [], errors: [`vgnet: ${error}`] }
      : { exitCode: 0, lines: [`wrote ${target}`], errors: [] };
  }
  const file = args.specs[0]!;
  const source = readSpecFile(file);
  if ('error' in source) return { exitCode: 2, lines: [], errors: [`vgnet: ${source.error}`] };
  const target = args.out ?? defaultExportTarget(file);
  const result = writePytorchExport({
    specFile: file,
    text: source.text,
    target,
    force: args.force,
    steps: args.steps,
    seed: args.seed,
    memoryBudgetBytes: args.memoryBudgetMB * MB,
  });
  if (!result.ok) {
    const lines = formatDiagnostics(file, source.text, result.diagnostics);
    return { exitCode: 2, lines: [], errors: lines.length > 0 ? lines : [`${file}: error: ${result.message}`] };
  }
  return {
    exitCode: 0,
    lines: [
      `wrote ${result.program} and ${result.dataFile} (${result.samples} samples, ${Math.ceil(result.bytes / 1024)} KB)`,
      `run: /usr/bin/python3 ${result.program} --record ${result.program.replace(/\.py$/, '')}.vgnet-record.json`,
    ],
    errors: [],
  };
}
