/**
 * `npm run bench [-- --quick] [--only W1,W3] [--json out.json] [--runtimes this|all]`
 * Times one SGD training step (forward, loss, backward, per-layer gradient norms, update) of four MLP workloads in
 * this engine (WebAssembly SIMD kernels, and its pure-TypeScript fallback), a naive triple-loop implementation,
 * TF.js (wasm backend) and PyTorch (when installed), all in one run, round-robin; then the matrix kernels alone at
 * 256³. Progress goes to stderr; the tables to stdout.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createParallelGemm, type HostParallelGemm } from '../src/node/gemm-helper';
import { PARALLEL_MIN_FLOPS } from '../src/engine/wasm/parallel-gemm';
import { relaxedSimdSupported } from '../src/engine/wasm/wasm-gemm';
import { engineContender, naiveContender, tfjsContender, torchContender } from './contenders';
import { FULL_PLAN, QUICK_PLAN, timeRoundRobin } from './measure';
import type { Contender, ContenderId, TimingPlan } from './measure';
import { gemmSummaryLine } from './gemm-timing';
import { extensionHostRuntime } from './runtimes';
import { simdPeakLine } from './simd-peak';
import { CHECK_TOLERANCE, checkLine, describeWorkload, gflopsTable, goalsLine, mainTable, toJson } from './report';
import type { WorkloadResult } from './report';
import { initTfjsWasm } from './tfjs';
import type { TfjsInfo } from './tfjs';
import { TorchProcess } from './torch';
import { WORKLOADS, flopsPerStep, makeSharedStart } from './workloads';
import type { StepCheck, Workload } from './workloads';

const BASE_SEED = 20_240_601;

interface BenchArgs {
  help: boolean;
  quick: boolean;
  /** 'all' (default): after this runtime's table, the same run under the extension host's runtime (runtimes.ts). */
  runtimes: 'this' | 'all';
  only: string[] | null;
  jsonPath: string | null;
}

/** A bad command line: printed without a stack trace. */
class UsageError extends Error {}

const USAGE = 'usage: node --expose-gc dist/bench.js [--quick] [--only W1,W3] [--json out.json] [--runtimes this|all]';

function parseArgs(argv: string[]): BenchArgs {
  const args: BenchArgs = { help: false, quick: false, only: null, jsonPath: null, runtimes: 'all' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--quick') args.quick = true;
    else if (arg === '--only' && argv[i + 1]) args.only = argv[++i]!.split(',').map((s) => s.trim().toUpperCase());
    else if (arg === '--json' && argv[i + 1]) args.jsonPath = argv[++i]!;
    else if (arg === '--runtimes' && (argv[i + 1] === 'this' || argv[i + 1] === 'all'))
      args.runtimes = argv[++i] as 'this' | 'all';
    else throw new UsageError(`unknown or incomplete argument "${arg}"\n${USAGE}`);
  }
  return args;
}

function selectWorkloads(only: string[] | null): Workload[] {
  if (!only) return WORKLOADS;
  const unknown = only.filter((name) => !WORKLOADS.some((w) => w.name === name));
  if (unknown.length > 0)
    throw new UsageError(
      `unknown workload(s) ${unknown.join(', ')}; known: ${WORKLOADS.map((w) => w.name).join(', ')}`,
    );
  return WORKLOADS.filter((w) => only.includes(w.name));
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

interface Available {
  tfjs: TfjsInfo | null;
  torch: TorchProcess | null;
  /** The engine's opt-in helper thread (dist/gemm-helper.js), for the 'engine2' contender. */
  parallel: HostParallelGemm | null;
}

function createContenders(w: Workload, index: number, available: Available): Contender[] {
  const start = makeSharedStart(w, BASE_SEED + index);
  const makers: Array<[ContenderId, () => Contender]> = [
    ['engine', () => engineContender(w, start, BASE_SEED + index, 'wasm')],
    ...(available.parallel
      ? [
          ['engine2', () => engineContender(w, start, BASE_SEED + index, 'wasm', available.parallel!)] as [
            ContenderId,
            () => Contender,
          ],
        ]
      : []),
    ['engineJs', () => engineContender(w, start, BASE_SEED + index, 'js')],
    ['naive', () => naiveContender(w, start)],
  ];
  if (available.tfjs) makers.push(['tfjs', () => tfjsContender(w, start)]);
  if (available.torch) makers.push(['torch', () => torchContender(w, start, available.torch!)]);
  const contenders: Contender[] = [];
  for (const [id, make] of makers) {
    try {
      contenders.push(make());
    } catch (error) {
      progress(`  ${id} skipped on ${w.name}: ${(error as Error).message}`);
    }
  }
  return contenders;
}

async function benchWorkload(
  w: Workload,
  index: number,
  available: Available,
  plan: TimingPlan,
): Promise<WorkloadResult> {
  progress(`${w.name}: ${describeWorkload(w)}`);
  const checks = new Map<ContenderId, StepCheck>();
  const entries: Array<{ contender: Contender; firstStepMs: number }> = [];
  for (const contender of createContenders(w, index, available)) {
    try {
      const { check, ms } = await contender.check();
      checks.set(contender.id, check);
      entries.push({ contender, firstStepMs: ms });
    } catch (error) {
      progress(`  ${contender.id} skipped on ${w.name}: step 0 failed: ${(error as Error).message}`);
      await contender.dispose();
    }
  }
  progress(`  ${checkLine(w.name, checks)}`);
  const timings = await timeRoundRobin(entries, plan, progress);
  for (const { contender } of entries) await contender.dispose();
  return { workload: w, flopsPerStep: flopsPerStep(w), timings, checks };
}

function commandLine(): string {
  const script = path.relative(process.cwd(), process.argv[1] ?? 'dist/bench.js');
  const direct = ['node', ...process.execArgv, script, ...process.argv.slice(2)].join(' ');
  return process.env.npm_lifecycle_event === 'bench'
    ? `npm run bench -- ${process.argv.slice(2).join(' ')} (${direct})`
    : direct;
}

/** The machine is shared: a load average above the core count means the absolute numbers are pessimistic. */
function loadLine(): string {
  const [one, five] = os.loadavg();
  const busy =
    one! > os.cpus().length ? ' — busy machine: absolute times are pessimistic, ratios (round-robin) still fair' : '';
  return `load average: ${one!.toFixed(2)} (1 min), ${five!.toFixed(2)} (5 min)${busy}`;
}

function header(args: BenchArgs, plan: TimingPlan, available: Available, skipped: string[]): string {
  const cpus = os.cpus();
  const tf = available.tfjs;
  return [
    `VGNet benchmark — one SGD step (forward, loss, backward, per-layer gradient norms, update; lr 0.01, no momentum)`,
    `machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} logical cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
      `${os.platform()} ${os.release()}; node ${process.version}`,
    `command: ${commandLine()}`,
    `contenders: engine (src/engine/train.ts createTrainer: WebAssembly SIMD kernels, matrix products on ` +
      (relaxedSimdSupported()
        ? `relaxed SIMD's multiply-add (FMA), V8 ${process.versions.v8}), `
        : `baseline SIMD: this runtime (V8 ${process.versions.v8}) has no relaxed SIMD), `) +
      (available.parallel
        ? `engine wasm, 2 threads (the same with TrainOptions.parallel: a worker thread computes half of the rows of ` +
          `every matrix product of ≥ ${(available.parallel.minFlops ?? PARALLEL_MIN_FLOPS) / 1e6} MFLOP and ≥ 16 columns; bit-identical), `
        : '') +
      `engine JS (the same, backend 'js': ` +
      `pure-TypeScript kernels), naive (bench/naive.ts, i-j-k loops)` +
      (tf
        ? `, TF.js ${tf.version} ${tf.backend} (SIMD ${tf.simd ? 'on' : 'off'}, threads ${tf.threads ? 'on' : 'off'})`
        : '') +
      (available.torch
        ? `, PyTorch ${available.torch.version} (1 thread, child process, same round-robin, ` +
          `OPENBLAS_CORETYPE ${available.torch.coreType ?? 'auto-detected'})`
        : ''),
    loadLine(),
    ...skipped.map((s) => `note: ${s}`),
    `timing: ${args.quick ? 'quick' : 'full'} — warm-up, then ${plan.rounds} round-robin rounds of ~${plan.targetMs} ms each ` +
      `(slow contenders: 1 step a round, fewer rounds within ${plan.budgetMs / 1000} s${plan.stepZeroFallback ? ' or step 0 alone' : ''}); ` +
      'median ms/step reported',
    `GFLOP/s counts 6·B·in·out per dense layer and step (2 forward, 4 backward); ratios are other ms / engine ms ` +
      `(>1: the engine is faster); step-0 check: loss and first/last ‖∂L/∂W‖ vs naive within ${CHECK_TOLERANCE} relative`,
  ].join('\n');
}

/** Tuning knobs of the 2-thread contender for experiments: VGNET_PARALLEL_MIN_FLOPS, VGNET_PARALLEL_SPIN. */
function parallelOptions(): { minFlops?: number | undefined; workerSpinPolls?: number | undefined } {
  const number = (name: string): number | undefined => {
    const value = process.env[name];
    return value === undefined || value === '' ? undefined : Number(value);
  };
  return { minFlops: number('VGNET_PARALLEL_MIN_FLOPS'), workerSpinPolls: number('VGNET_PARALLEL_SPIN') };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(
      `${USAGE}\n  --quick  2 short rounds (a smoke run; --quick --only W1,W4 takes seconds)\n` +
        '  --only   comma-separated workloads (W1..W4)\n  --json   also write the results as JSON\n' +
        "  --runtimes this: only this Node; all (default): then again under the extension host's runtime\n",
    );
    return;
  }
  const workloads = selectWorkloads(args.only);
  const plan = args.quick ? QUICK_PLAN : FULL_PLAN;
  const skipped: string[] = [];
  const available: Available = { tfjs: null, torch: null, parallel: null };
  const parallel = createParallelGemm(parallelOptions());
  if (parallel.available) available.parallel = parallel;
  else skipped.push('engine wasm, 2 threads skipped: the gemm helper worker (dist/gemm-helper.js) cannot start');
  try {
    available.tfjs = await initTfjsWasm();
  } catch (error) {
    skipped.push(`TF.js skipped: ${(error as Error).message}`);
  }
  const torch = await TorchProcess.start();
  if (typeof torch === 'string') skipped.push(torch);
  else available.torch = torch;
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function')
    skipped.push('run with node --expose-gc for a GC between measurements');
  const head = header(args, plan, available, skipped);
  process.stdout.write(`${head}\n`);

  const results: WorkloadResult[] = [];
  try {
    for (const w of workloads) {
      const [handoffs, backoffs] = [parallel.handoffs, parallel.backoffs];
      results.push(await benchWorkload(w, WORKLOADS.indexOf(w), available, plan));
      if (available.parallel) {
        progress(
          `  engine wasm, 2 threads: ${parallel.handoffs - handoffs} products shared with the helper, ` +
            `${parallel.backoffs - backoffs} back-offs (helper late: its core busy)`,
        );
      }
    }
  } finally {
    available.torch?.close();
    await parallel.close();
  }
  progress('gemm 256³ …');
  const gemmLine = `${gemmSummaryLine()}\n${simdPeakLine()}`;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const output = [
    mainTable(results),
    '',
    goalsLine(results),
    ...(available.parallel ? [goalsLine(results, 'engine2')] : []),
    gemmLine,
    '',
    gflopsTable(results),
    '',
    loadLine(),
    `memory: peak RSS ${peakRssMb.toFixed(0)} MB (process.resourceUsage().maxRSS of this Node process, ` +
      `all JS contenders and the TF.js wasm heap; the PyTorch child not included)`,
  ].join('\n');
  process.stdout.write(`\n${output}\n`);
  if (args.jsonPath) {
    const machine = {
      cpu: os.cpus()[0]?.model ?? null,
      logicalCores: os.cpus().length,
      platform: `${os.platform()} ${os.release()}`,
      node: process.version,
      tfjs: available.tfjs,
      torch: available.torch?.version ?? null,
      openblasCoreType: available.torch?.coreType ?? null,
      loadAverageAtEnd: os.loadavg(),
    };
    const record = {
      command: commandLine(),
      machine,
      notes: skipped,
      plan,
      quick: args.quick,
      peakRssMb,
      gemm: gemmLine,
      workloads: toJson(results),
    };
    writeFileSync(args.jsonPath, JSON.stringify(record, null, 2));
    progress(`wrote ${args.jsonPath}`);
  }
  if (args.runtimes === 'all') runUnderExtensionHost();
}

/** The same run, one more table: under the extension host's runtime (relaxed SIMD on), in a child process. */
function runUnderExtensionHost(): void {
  const runtime = extensionHostRuntime();
  if (typeof runtime === 'string') {
    process.stdout.write(`\nnote: ${runtime}\n`);
    return;
  }
  const script = process.argv[1] ?? 'dist/bench.js';
  const childArgs = [...process.argv.slice(2).filter((a, i, all) => a !== '--runtimes' && all[i - 1] !== '--runtimes')];
  const json = childArgs.indexOf('--json');
  if (json >= 0 && childArgs[json + 1])
    childArgs[json + 1] = childArgs[json + 1]!.replace(/(\.json)?$/, '.extension-host.json');
  process.stdout.write(`\n── ${runtime.label}: ${runtime.node} ──\n`);
  const child = spawnSync(runtime.node, ['--expose-gc', script, ...childArgs, '--runtimes', 'this'], {
    stdio: 'inherit',
  });
  if (child.status !== 0) progress(`bench under ${runtime.node} failed (exit ${child.status ?? child.signal})`);
}

main().catch((error: unknown) => {
  const text =
    error instanceof UsageError
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  process.stderr.write(`bench failed: ${text}\n`);
  process.exitCode = 1;
});
