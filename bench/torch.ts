/**
 * PyTorch as a persistent child process (bench/torch_bench.py in serve mode): one JSON request per line, one JSON
 * answer per line. While Python measures, Node only awaits, so the two never compete for a core, and PyTorch's
 * rounds take their turn in the same round-robin as the JavaScript contenders.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { SharedStart, StepCheck, Workload } from './workloads';

/** Debian's python3-torch lives in the system interpreter; the python3 on PATH may be another one. */
const PYTHON = process.env.VGNET_BENCH_PYTHON ?? '/usr/bin/python3';
/** dist/bench.js → bench/torch_bench.py */
const SCRIPT = path.join(__dirname, '..', 'bench', 'torch_bench.py');

type Reply = Record<string, unknown> & { error?: string };

/**
 * OpenBLAS picks its kernels by CPU model and falls back to generic SSE3 code ("Prescott") on models it does not
 * know — on this VM's Xeon that is ~32 GFLOP/s instead of ~150 (measured: torch matmul 512×1024×784, one thread).
 * Unless the caller set OPENBLAS_CORETYPE, name the kernel family from the CPU's instruction sets (Linux only).
 */
export function openblasCoreType(): string | null {
  if (process.env.OPENBLAS_CORETYPE !== undefined) return process.env.OPENBLAS_CORETYPE || null;
  let cpuinfo: string;
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return null;
  }
  const flags = new Set((/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1] ?? '').trim().split(/\s+/));
  if (['avx512f', 'avx512bw', 'avx512dq', 'avx512vl'].every((f) => flags.has(f))) return 'SkylakeX';
  if (flags.has('avx2') && flags.has('fma')) return 'Haswell';
  return null;
}

export class TorchProcess {
  version = '';
  /** OPENBLAS_CORETYPE given to the child, or null (OpenBLAS detects it). */
  coreType: string | null = null;
  /** Replies that arrived before anyone asked, and askers waiting for a reply: one of the two is always empty. */
  private readonly queued: Reply[] = [];
  private readonly waiting: Array<(reply: Reply) => void> = [];
  private stderr = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    createInterface({ input: child.stdout }).on('line', (line) => this.onLine(line));
    const fail = (why: string): void => {
      const error = `${why}: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}`;
      for (const resolve of this.waiting.splice(0)) resolve({ error });
      this.queued.push({ error });
    };
    child.on('error', (error) => fail(`cannot run ${PYTHON}: ${error.message}`));
    child.on('close', (code) => fail(`python exited with code ${code}`));
  }

  /** Starts the child, or returns the reason why PyTorch is skipped. */
  static async start(): Promise<TorchProcess | string> {
    const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      return (
        `PyTorch skipped: \`${PYTHON} -c "import torch, numpy"\` failed` +
        ' (install with: apt-get install -y python3-torch libopenblas0-openmp)'
      );
    }
    // One thread everywhere: torch.set_num_threads(1) in the script, and the BLAS's own pool here.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      OMP_NUM_THREADS: '1',
      OPENBLAS_NUM_THREADS: '1',
      MKL_NUM_THREADS: '1',
    };
    const coreType = openblasCoreType();
    if (coreType) env.OPENBLAS_CORETYPE = coreType;
    const torch = new TorchProcess(spawn(PYTHON, ['-u', SCRIPT], { env, stdio: ['pipe', 'pipe', 'pipe'] }));
    torch.coreType = coreType;
    const hello = await torch.nextReply();
    if (hello.error || hello.ready !== true) {
      torch.close();
      return `PyTorch skipped: ${hello.error ?? 'no ready line'}`;
    }
    torch.version = String(hello.torch);
    return torch;
  }

  /** Builds the workload's model on the shared start; returns its step-0 check and that step's time. */
  async setup(
    id: string,
    workload: Workload,
    start: SharedStart,
    lr: number,
  ): Promise<{ check: StepCheck; ms: number }> {
    const initPath = path.join(os.tmpdir(), `vgnet-bench-${process.pid}-${id}.bin`);
    writeFileSync(initPath, serializeStart(start));
    try {
      const reply = await this.request({ cmd: 'setup', id, spec: workload, init: initPath, lr });
      return { check: reply.check as StepCheck, ms: reply.ms as number };
    } finally {
      unlinkSync(initPath);
    }
  }

  /** Runs `steps` steps; the milliseconds are Python's own perf_counter time around them (no IPC inside). */
  async measure(id: string, steps: number): Promise<number> {
    const reply = await this.request({ cmd: 'measure', id, steps });
    return reply.ms as number;
  }

  async drop(id: string): Promise<void> {
    await this.request({ cmd: 'drop', id });
  }

  /** Closing stdin ends the serve loop; the child exits on its own. */
  close(): void {
    this.child.stdin.end();
  }

  private async request(message: object): Promise<Reply> {
    this.child.stdin.write(JSON.stringify(message) + '\n');
    const reply = await this.nextReply();
    if (reply.error) throw new Error(`PyTorch: ${reply.error}`);
    return reply;
  }

  private nextReply(): Promise<Reply> {
    const ready = this.queued.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Protocol lines are JSON objects; anything else a library prints to stdout is kept with stderr. */
  private onLine(line: string): void {
    let reply: Reply;
    try {
      reply = JSON.parse(line) as Reply;
    } catch {
      this.stderr += `${line}\n`;
      return;
    }
    this.deliver(reply);
  }

  private deliver(reply: Reply): void {
    const resolve = this.waiting.shift();
    if (resolve) resolve(reply);
    else this.queued.push(reply);
  }
}

/** Little-endian float32: x, y, then W (out×in) and b per dense layer — the layout torch_bench.py reads. */
function serializeStart(start: SharedStart): Buffer {
  const parts = [start.x, start.y];
  start.weights.forEach((weight, l) => parts.push(weight, start.biases[l]!));
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const flat = new Float32Array(total);
  let offset = 0;
  for (const part of parts) {
    flat.set(part, offset);
    offset += part.length;
  }
  return Buffer.from(flat.buffer);
}
