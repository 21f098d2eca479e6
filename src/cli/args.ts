/** Command-line parsing for `vgnet`: small, strict, with messages a user can act on. */

export interface AnalyzeArgs {
  command: 'analyze';
  specs: string[];
  steps: number | null;
  seed: number | null;
  json: boolean;
  saveInit: string | null;
}

export type CliArgs = AnalyzeArgs | { command: 'help' } | { command: 'version' };

export class UsageError extends Error {}

export const USAGE = `Usage:
  vgnet analyze <spec.vgnet.json...> [--steps N] [--seed S] [--json] [--save-init FILE]
  vgnet --help | --version

Commands:
  analyze    Train each spec briefly with VGNet's engine and print per-layer gradient health.

Options:
  --steps N         override training.steps (1..100000)
  --seed S          override training.seed (integer)
  --json            print the whole record as JSON (format: docs/cli.md)
  --save-init FILE  write the initial parameters and the first mini-batch as JSON (one spec only)

Exit codes: 0 ok, 1 problems found, 2 invalid spec or usage.`;

export function parseArgs(argv: string[]): CliArgs {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') return { command: 'help' };
  if (argv[0] === '--version' || argv[0] === '-v') return { command: 'version' };
  const [command, ...rest] = argv;
  if (command !== 'analyze') throw new UsageError(`unknown command '${command}' (try 'vgnet analyze <spec>')`);
  const args: AnalyzeArgs = { command, specs: [], steps: null, seed: null, json: false, saveInit: null };
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
    else if (arg === '--save-init') args.saveInit = value();
    else if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'`);
    else args.specs.push(arg);
  }
  if (args.specs.length === 0) throw new UsageError('analyze needs at least one spec file');
  if (args.saveInit !== null && args.specs.length !== 1) throw new UsageError('--save-init works with exactly one spec');
  return args;
}

function parseInteger(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got '${text}'`);
  }
  return n;
}
