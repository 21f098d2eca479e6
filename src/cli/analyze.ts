/** `vgnet analyze` for one spec file: prepare, train, summarise, format. Returns text; never prints itself. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { prepare } from '../analysis/prepare';
import { summarize } from '../analysis/summary';
import { createTrainer } from '../engine/train';
import { formatDiagnostic } from '../spec';
import type { AnalyzeArgs } from './args';
import { folderFileAccess } from './files';
import { describeModel, formatLayerTable, formatRunLine } from './format';
import { buildInitDump } from './init-dump';
import { buildRecord } from './record';

export interface AnalyzeOutcome {
  exitCode: number;
  text: string;
  errors: string[];
  record?: unknown;
}

export function runAnalyze(file: string, args: AnalyzeArgs, source: { text: string } | { error: string }): AnalyzeOutcome {
  if ('error' in source) return { exitCode: 2, text: '', errors: [`vgnet: ${source.error}`] };
  const prepared = prepare(source.text, { files: folderFileAccess(path.dirname(file)), steps: args.steps, seed: args.seed });
  const warnings = prepared.parsed.diagnostics
    .filter((d) => d.severity !== 'error')
    .map((d) => formatDiagnostic(file, source.text, d));
  if (!prepared.ok) {
    const errors = prepared.diagnostics.map((d) => formatDiagnostic(file, source.text, d));
    return { exitCode: 2, text: '', errors: [...warnings, ...errors] };
  }
  const { config, dataset, parsed } = prepared;
  const trainer = createTrainer(config, dataset);
  const errors = [...warnings];
  if (args.saveInit !== null) {
    const written = writeAtomically(args.saveInit, JSON.stringify(buildInitDump(file, config, trainer)));
    if (written !== null) return { exitCode: 2, text: '', errors: [...errors, `vgnet: ${written}`] };
  }
  while (trainer.step()) {
    // every step's statistics are gathered by the trainer
  }
  const result = trainer.result();
  const summary = summarize(result);
  const parameterCount = result.layers.reduce((sum, l) => sum + l.parameterCount, 0);
  const text = [
    `${file} — ${parsed.name}`,
    describeModel(config, parameterCount, prepared.parsed.data?.source ?? '?', dataset.samples),
    '',
    formatLayerTable(summary),
    '',
    formatRunLine(config, summary, result),
  ].join('\n');
  return { exitCode: 0, text, errors, record: buildRecord(file, parsed.name, config, result) };
}

/** Writes a file through a temporary sibling and a rename, so it is never left half-written. Returns an error or null. */
export function writeAtomically(target: string, content: string): string | null {
  const temp = `${target}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temp, content);
    fs.renameSync(temp, target);
    return null;
  } catch (err) {
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // nothing left to clean
    }
    return `cannot write '${target}': ${(err as Error).message}`;
  }
}
