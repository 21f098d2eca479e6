/** Command-line parsing for `vgnet`: small, strict, with messages a user can act on. */
import type { Severity } from '../analysis/findings';
import { DEFAULT_MEMORY_BUDGET_MB } from '../analysis/memory';
import { DEFAULT_SEEDS, MAX_SEEDS } from '../analysis/seeds';

export interface CommonArgs {
  specs: string[];
  steps: number | null;
  seed: number | null;
  /** Seeds measured (default 3): a verdict is what a majority of them show. */
  seeds: number;
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
  /** `--record FILE`: diagnose a run another engine recorded (no training of the spec itself). */
  record: string | null;
}

export interface FixArgs extends CommonArgs {
  command: 'fix';
  apply: boolean;
  backup: boolean;
  /** Replace a read-only spec (and .bak). */
  force: boolean;
}

export interface ExportArgs {
  command: 'export';
  /** The spec (one), or none with --recorder. */
  specs: string[];
  to: 'pytorch';
  out: string | null;
  /** Write the recorder alone (vgnet_recorder.py), for models that have no spec. */
  recorder: boolean;
  force: boolean;
  steps: number | null;
  seed: number | null;
  memoryBudgetMB: number;
}

export interface ImportArgs {
  command: 'import';
  file: string;
  out: string | null;
  force: boolean;
}

export type CliArgs = AnalyzeArgs | FixArgs | ExportArgs | ImportArgs | { command: 'help' } | { command: 'version' };

export class UsageError extends Error {}

export const USAGE = `Usage:
  vgnet analyze <spec.vgnet.json...> [--steps N] [--seed S] [--seeds K] [--json] [--save-init FILE]
                [--no-fixes] [--fail-on error|warning|never] [--budget SECONDS] [--threads 1|2]
                [--memory-budget MB]
  vgnet fix <spec.vgnet.json> [--apply] [--backup] [--force] [--steps N] [--seed S] [--seeds K] [--json] [--threads 1|2]
                [--memory-budget MB]
  vgnet analyze --record RUN.vgnet-record.json [--spec spec.vgnet.json] [--json] [--fail-on LEVEL] [--no-fixes]
  vgnet export <spec.vgnet.json> --to pytorch [-o model.py] [--force] [--steps N] [--seed S]
  vgnet export --recorder [-o vgnet_recorder.py] [--force]
  vgnet import <model.json|model.keras|model.onnx> [-o out.vgnet.json] [--force]
  vgnet --help | --version

Commands:
  analyze    Train each spec briefly with VGNet's engine, print per-layer gradient health, the problems
             found and the fixes tried (with their measured effect).
  fix        Show the best verified fix for each problem; --apply writes it into the spec
             (atomically; --backup keeps the original as <spec>.bak; --force replaces a read-only spec).
  import     Write a spec from a Keras model (to_json() JSON, a .keras file) or an ONNX file (its weights as
             the spec's parameters file), a comment on each layer naming its source.
  export     Write the spec as a standalone PyTorch program (explicit initialisation, optimizer, loss, the
             same samples beside it, a harness that records VGNet's statistics); or the recorder alone.

Options:
  --steps N         override training.steps (1..100000)
  --seed S          override training.seed (integer)
  --seeds K         seeds to measure on, S, S+1 … (default 3; 1 to 10): a verdict is what most of them show
  --json            print the whole record as JSON (format: docs/cli.md)
  --save-init FILE  write the initial parameters and the first mini-batch as JSON (one spec only)
  --record FILE     diagnose a recorded run (vgnet-record/1, e.g. from an exported program or the
                    recorder); --spec puts its findings on the spec's layers and verifies the fixes
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
  if (command === 'export') return parseExport(rest);
  if (command === 'import') return parseImport(rest);
  throw new UsageError(`unknown command '${command}' (try 'vgnet analyze <spec>')`);
}

function parseAnalyze(rest: string[]): AnalyzeArgs {
  const args: AnalyzeArgs = {
    command: 'analyze',
    ...commonDefaults(),
    saveInit: null,
    fixes: true,
    failOn: 'error',
    record: null,
  };
  let spec: string | null = null;
  const withRecord = rest.includes('--record');
  forEachOption(
    rest,
    args,
    (flag, value) => {
      if (flag === '--save-init') args.saveInit = value();
      else if (flag === '--record') args.record = value();
      else if (flag === '--spec') spec = value();
      else if (flag === '--no-fixes') args.fixes = false;
      else if (flag === '--fail-on')
        args.failOn = parseChoice(flag, value(), ['error', 'warning', 'info', 'never'] as const);
      else return false;
      return true;
    },
    withRecord ? 0 : 1,
  );
  if (withRecord) {
    if (args.specs.length > 0) throw new UsageError(`with --record, give the spec as --spec ${args.specs[0]}`);
    if (args.saveInit !== null) throw new UsageError('--save-init needs a spec to train, not a record');
    if (spec !== null) args.specs = [spec];
  } else if (spec !== null) throw new UsageError('--spec goes with --record');
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

function parseImport(rest: string[]): ImportArgs {
  const args: ImportArgs = { command: 'import', file: '', out: null, force: false };
  const files: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '-o' || arg === '--out') {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      args.out = v;
    } else if (arg === '--force') args.force = true;
    else if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'`);
    else files.push(arg);
  }
  if (files.length !== 1) throw new UsageError('import takes exactly one model file (Keras .json or .keras, or .onnx)');
  args.file = files[0]!;
  return args;
}

function parseExport(rest: string[]): ExportArgs {
  const common = commonDefaults();
  const args: ExportArgs = {
    command: 'export',
    specs: [],
    to: 'pytorch',
    out: null,
    recorder: false,
    force: false,
    steps: null,
    seed: null,
    memoryBudgetMB: common.memoryBudgetMB,
  };
  let to: string | null = null;
  const recorder = rest.includes('--recorder');
  const shared = { ...common, specs: args.specs };
  forEachOption(
    rest,
    shared,
    (flag, value) => {
      if (flag === '--to') to = parseChoice(flag, value(), ['pytorch'] as const);
      else if (flag === '-o' || flag === '--out') args.out = value();
      else if (flag === '--recorder') args.recorder = true;
      else if (flag === '--force') args.force = true;
      else return false;
      return true;
    },
    recorder ? 0 : 1,
  );
  // --steps, --seed and --memory-budget as for analyze (the shared walk parses them).
  args.steps = shared.steps;
  args.seed = shared.seed;
  args.memoryBudgetMB = shared.memoryBudgetMB;
  if (recorder && args.specs.length > 0) throw new UsageError('--recorder writes the recorder alone: no spec');
  if (!recorder && args.specs.length !== 1) throw new UsageError('export works on exactly one spec');
  if (!recorder && to === null) throw new UsageError('export needs --to pytorch');
  return args;
}

function commonDefaults(): CommonArgs {
  return {
    specs: [],
    steps: null,
    seed: null,
    seeds: DEFAULT_SEEDS,
    json: false,
    budgetMs: 60_000,
    threads: null,
    memoryBudgetMB: DEFAULT_MEMORY_BUDGET_MB,
  };
}

/** Walks the arguments: shared options here, command-specific ones through `own` (returns false if unknown). */
function forEachOption(
  rest: string[],
  args: CommonArgs,
  own: (flag: string, value: () => string) => boolean,
  minSpecs = 1,
): void {
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
    else if (arg === '--seeds') args.seeds = parseInteger(arg, value(), 1, MAX_SEEDS);
    else if (arg === '--budget') args.budgetMs = parseInteger(arg, value(), 1, 3600) * 1000;
    else if (arg === '--memory-budget') args.memoryBudgetMB = parseInteger(arg, value(), 128, 1_048_576);
    else if (arg === '--threads') args.threads = parseInteger(arg, value(), 1, 2) as 1 | 2;
    else if (own(arg, value)) continue;
    else if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'`);
    else args.specs.push(arg);
  }
  if (args.specs.length < minSpecs) throw new UsageError('needs at least one spec file');
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
