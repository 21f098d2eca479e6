#!/usr/bin/env node
/** `vgnet` — the command line: the same analysis as the extension, for terminals and CI. */
import * as fs from 'node:fs';
import { parseArgs, USAGE, UsageError, type AnalyzeArgs } from './args';
import { runAnalyze } from './analyze';

const VERSION = '0.1.0';

export function main(argv: string[]): number {
  let args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`vgnet: ${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (args.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.command === 'version') {
    process.stdout.write(`vgnet ${VERSION}\n`);
    return 0;
  }
  return analyzeAll(args);
}

function analyzeAll(args: AnalyzeArgs): number {
  let exitCode = 0;
  const records: unknown[] = [];
  for (const file of args.specs) {
    const outcome = runAnalyze(file, args, readSpec(file));
    exitCode = Math.max(exitCode, outcome.exitCode);
    if (outcome.record !== undefined) records.push(outcome.record);
    if (!args.json && outcome.text) process.stdout.write(`${outcome.text}\n\n`);
    for (const line of outcome.errors) process.stderr.write(`${line}\n`);
  }
  if (args.json) process.stdout.write(`${JSON.stringify(args.specs.length === 1 ? records[0] ?? null : records, null, 1)}\n`);
  return exitCode;
}

function readSpec(file: string): { text: string } | { error: string } {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return { error: `${file}: not a file` };
    if (stat.size > 4 * 1024 * 1024) return { error: `${file}: spec is ${(stat.size / 1e6).toFixed(1)} MB; specs are limited to 4 MB` };
    return { text: fs.readFileSync(file, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? `${file}: no such file` : `${file}: ${(err as Error).message}` };
  }
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    // Last resort: an internal bug, reported as one line rather than a stack trace.
    process.stderr.write(`vgnet: internal error: ${(err as Error).message}\n(please report with the spec that caused it; set VGNET_DEBUG=1 for details)\n`);
    if (process.env.VGNET_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    process.exitCode = 3;
  }
}

