/** Command-line parsing for `vgnet`: small, strict, with messages a user can act on. */
import type { Severity } from '../analysis/findings';
import { DEFAULT_MEMORY_BUDGET_MB } from '../analysis/memory';

export interface CommonArgs {
  specs: string[];
  steps: number | null;
  seed: number | null;
  json: boolean;
  /** Whole-analysis wall-clock budget, ms. */
  budgetMs: number;
  /**
   * When the budget of the spec being analysed began (Date.now() ms): the process's start for the first spec, so
   * `--budget` bounds the wall time a user sees, start-up included. Absent: the analysis's own start.
   */
  startedAt?: number;
  /** Threads a training run that runs alone may use (null: 2 when the machine has 2 cores or more). */
  threads: 1 | 2 | null;
  /** Memory a spec may need to train, MB (larger specs are refused before anything is allocated). */
  memoryBudgetMB: number;
}

export interface AnalyzeArgs extends CommonArgs {
  command: 'analyze';
  saveInit: string | null;
  fixes: boolean;
  failOn: Severity | 'never';
}

export interface FixArgs extends CommonArgs {
  command: 'fix';
  apply: boolean;
  backup: boolean;
  /** Replace a read-only spec (and .bak). */
  force: boolean;
}

export type CliArgs = AnalyzeArgs | FixArgs | { command: 'help' } | { command: 'version' };

export class UsageError extends Error {}

export const USAGE = `Usage:
  vgnet analyze <spec.vgnet.json...> [--steps N] [--seed S] [--json] [--save-init FILE]
                [--no-fixes] [--fail-on error|warning|never] [--budget SECONDS] [--threads 1|2]
                [--memory-budget MB]
  vgnet fix <spec.vgnet.json> [--apply] [--backup] [--force] [--steps N] [--seed S] [--json] [--threads 1|2]
                [--memory-budget MB]
  vgnet --help | --version

Commands:
  analyze    Train each spec briefly with VGNet's engine, print per-layer gradient health, the problems
             found and the fixes tried (with their measured effect).
  fix        Show the best verified fix for each problem; --apply writes it into the spec
             (atomically; --backup keeps the original as <spec>.bak; --force replaces a read-only spec).

Options:
  --steps N         override training.steps (1..100000)
  --seed S          override training.seed (integer)
  --json            print the whole record as JSON (format: docs/cli.md)
  --save-init FILE  write the initial parameters and the first mini-batch as JSON (one spec only)
  --no-fixes        do not try fixes (faster)
  --fail-on LEVEL   exit 1 when a finding of this severity or worse is found (default: error)
  --budget SECONDS  wall-clock budget for the whole analysis (default 60)
  --threads 1|2     threads for a training run that runs alone (default 2 on 2+ cores; the fixes
                    always train one per core); the numbers are the same either way
  --memory-budget MB  refuse specs that need more memory than this to train (default 2048)

Exit codes: 0 ok, 1 problems found (see --fail-on), 2 invalid spec or usage, 3 internal error.`;

export function parseArgs(argv: string[]): CliArgs {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') return { command: 'help' };
  if (argv[0] === '--version' || argv[0] === '-v') return { command: 'version' };
  const [command, ...rest] = argv;
  if (command === 'analyze') return parseAnalyze(rest);
  if (command === 'fix') return parseFix(rest);
  throw new UsageError(`unknown command '${command}' (try 'vgnet analyze <spec>')`);
}

function parseAnalyze(rest: string[]): AnalyzeArgs {
  const args: AnalyzeArgs = { command: 'analyze', ...commonDefaults(), saveInit: null, fixes: true, failOn: 'error' };
  forEachOption(rest, args, (flag, value) => {
    if (flag === '--save-init') args.saveInit = value();
    else if (flag === '--no-fixes') args.fixes = false;
    else if (flag === '--fail-on')
      args.failOn = parseChoice(flag, value(), ['error', 'warning', 'info', 'never'] as const);
    else return false;
    return true;
  });
  if (args.saveInit !== null && args.specs.length !== 1)
    throw new UsageError('--save-init works with exactly one spec');
  return args;
}

function parseFix(rest: string[]): FixArgs {
  const args: FixArgs = { command: 'fix', ...commonDefaults(), apply: false, backup: false, force: false };
  forEachOption(rest, args, (flag) => {
    if (flag === '--apply') args.apply = true;
    else if (flag === '--backup') args.backup = true;
    else if (flag === '--force') args.force = true;
    else return false;
    return true;
  });
  if (args.specs.length !== 1) throw new UsageError('fix works on exactly one spec');
  if (args.backup && !args.apply) throw new UsageError('--backup only makes sense with --apply');
  if (args.force && !args.apply) throw new UsageError('--force only makes sense with --apply');
  return args;
}

function commonDefaults(): CommonArgs {
  return {
    specs: [],
    steps: null,
    seed: null,
    json: false,
    budgetMs: 60_000,
    threads: null,
    memoryBudgetMB: DEFAULT_MEMORY_BUDGET_MB,
  };
}

/** Walks the arguments: shared options here, command-specific ones through `own` (returns false if unknown). */
function forEachOption(rest: string[], args: CommonArgs, own: (flag: string, value: () => string) => boolean): void {
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const value = (): string => {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--json') args.json = true;
    else if (arg === '--steps') args.steps = parseInteger(arg, value(), 1, 100_000);
    else if (arg === '--seed') args.seed = parseInteger(arg, value(), 0, 2 ** 32 - 1);
    else if (arg === '--budget') args.budgetMs = parseInteger(arg, value(), 1, 3600) * 1000;
    else if (arg === '--memory-budget') args.memoryBudgetMB = parseInteger(arg, value(), 128, 1_048_576);
    else if (arg === '--threads') args.threads = parseInteger(arg, value(), 1, 2) as 1 | 2;
    else if (own(arg, value)) continue;
    else if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'`);
    else args.specs.push(arg);
  }
  if (args.specs.length === 0) throw new UsageError('needs at least one spec file');
}

function parseInteger(flag: string, text: string, min: number, max: number): number {
  // Decimal digits only: Number() would also take '0x10', '1e3', ' 16' and '' (as 0).
  const n = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be an integer from ${min} to ${max} in decimal digits, got '${text}'`);
  }
  return n;
}

function parseChoice<T extends string>(flag: string, text: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new UsageError(`${flag} must be one of ${choices.join(', ')}, got '${text}'`);
}
