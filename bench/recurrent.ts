/**
 * `npm run bench:recurrent [-- --steps 10 --rounds 3]`: workload W6, one LSTM training step (forward over the
 * sequence, MSE on a dense head over the last h, full BPTT, plain SGD, every gradient's norm read back) in this
 * engine (wasm SIMD kernels and the pure-TypeScript fallback), PyTorch (nn.LSTM, one thread) and TF.js (wasm
 * backend), from one shared start. Each contender first reports its step-0 loss and ‖∂L/∂W_hh‖ (the check: they
 * must agree), then runs warm-up steps and `rounds` timed rounds of `steps` steps; the table shows the median
 * ms/step. Progress goes to stderr, the table to stdout.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset, ModelConfig, RecurrentConfig } from '../src/engine/config';
import { Rng } from '../src/engine/rng';
import { createTrainer } from '../src/engine/train';
import { initTfjsWasm } from './tfjs';
import { openblasCoreType } from './torch';
import { BENCH_SGD, LEARNING_RATE } from './workloads';

/** W6: LSTM hidden 128 over 50 steps of 8 features, batch 32, one regression output. */
export const W6 = { name: 'W6', input: 8, steps: 50, hidden: 128, batch: 32, outputs: 1 } as const;

/** Multiply-adds ×2 of a step: forward x·W_ihᵀ and h·W_hhᵀ per time step, twice that backward (dW and dx/dh). */
export function recurrentFlopsPerStep(w: typeof W6): number {
  return 6 * w.batch * w.steps * (w.input + w.hidden) * 4 * w.hidden + 6 * w.batch * w.hidden * w.outputs;
}

/** The shared start in PyTorch's layout (gate order i, f, g, o): x [B][T][F], y [B][1], every parameter. */
interface Start {
  x: number[];
  y: number[];
  wIh: number[];
  wHh: number[];
  bIh: number[];
  bHh: number[];
  wOut: number[];
  bOut: number[];
}

function makeStart(seed: number): Start {
  const rng = new Rng(seed);
  const H = W6.hidden;
  // PyTorch's own LSTM init, U(−1/√H, 1/√H), for every recurrent tensor.
  const k = 1 / Math.sqrt(H);
  const uniform = (n: number, a: number): number[] => Array.from({ length: n }, () => rng.range(-a, a));
  return {
    x: Array.from({ length: W6.batch * W6.steps * W6.input }, () => rng.normal()),
    y: Array.from({ length: W6.batch * W6.outputs }, () => rng.normal()),
    wIh: uniform(4 * H * W6.input, k),
    wHh: uniform(4 * H * H, k),
    bIh: uniform(4 * H, k),
    bHh: uniform(4 * H, k),
    wOut: uniform(W6.outputs * H, k),
    bOut: uniform(W6.outputs, k),
  };
}

interface Timing {
  name: string;
  loss: number;
  recurrentGradNorm: number;
  msPerStep: number;
}

interface Plan {
  warmup: number;
  steps: number;
  rounds: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timeRounds(step: () => void, plan: Plan): number {
  for (let i = 0; i < plan.warmup; i++) step();
  const rounds: number[] = [];
  for (let r = 0; r < plan.rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < plan.steps; i++) step();
    rounds.push((performance.now() - start) / plan.steps);
  }
  return median(rounds);
}

function engineConfig(steps: number, start: Start): ModelConfig {
  const lstm: RecurrentConfig = {
    kind: 'lstm',
    path: '/layers/0',
    units: W6.hidden,
    activation: { name: 'tanh', alpha: 1 },
    init: { name: 'glorot_uniform', scale: 1 },
    recurrentInit: { name: 'orthogonal', scale: 1 },
    biasInit: 0,
    forgetBias: 1,
    returnSequences: false,
  };
  const f32 = (a: number[]): Float32Array => Float32Array.from(a);
  return {
    input: W6.steps * W6.input,
    inputShape: [W6.steps, W6.input],
    layers: [
      lstm,
      {
        kind: 'dense',
        path: '/layers/1',
        units: W6.outputs,
        activation: { name: 'linear', alpha: 0 },
        init: { name: 'glorot_uniform', scale: 1 },
        biasInit: 0,
      },
    ],
    loss: 'mse',
    optimizer: BENCH_SGD,
    training: {
      steps,
      batchSize: W6.batch,
      seed: 1,
      weightDecay: 0,
      clipNorm: null,
      clipValue: null,
      recordEvery: 1e9,
    },
    initialValues: new Map([
      ['/layers/0#weight', f32(start.wIh)],
      ['/layers/0#recurrentWeight', f32(start.wHh)],
      ['/layers/0#bias', f32(start.bIh)],
      ['/layers/0#recurrentBias', f32(start.bHh)],
      ['/layers/1#weight', f32(start.wOut)],
      ['/layers/1#bias', f32(start.bOut)],
    ]),
  };
}

function timeEngine(backend: 'wasm' | 'js', start: Start, plan: Plan): Timing {
  const total = 1 + plan.warmup + plan.steps * plan.rounds;
  const data: Dataset = {
    x: Float32Array.from(start.x),
    y: Float32Array.from(start.y),
    samples: W6.batch,
    features: W6.steps * W6.input,
    targetWidth: W6.outputs,
    classes: 0,
    shape: [W6.steps, W6.input],
  };
  const trainer = createTrainer(engineConfig(total + 1, start), data, { backend });
  trainer.step();
  const first = trainer.result();
  const msPerStep = timeRounds(() => trainer.step(), plan);
  return {
    name: `VGNet (${trainer.backend})`,
    loss: first.loss[0]!,
    recurrentGradNorm: first.series[0]!.gradNorm[0]!,
    msPerStep,
  };
}

const TORCH_DRIVER = String.raw`
import json, statistics, sys, time, torch
torch.set_num_threads(1)
torch.set_num_interop_threads(1)
job = json.load(open(sys.argv[1]))
w, s, plan = job["workload"], job["start"], job["plan"]
B, T, F, H = w["batch"], w["steps"], w["input"], w["hidden"]
lstm = torch.nn.LSTM(F, H, batch_first=True)
head = torch.nn.Linear(H, w["outputs"])
with torch.no_grad():
    for p, key in ((lstm.weight_ih_l0, "wIh"), (lstm.weight_hh_l0, "wHh"), (lstm.bias_ih_l0, "bIh"),
                   (lstm.bias_hh_l0, "bHh"), (head.weight, "wOut"), (head.bias, "bOut")):
        p.copy_(torch.tensor(s[key]).reshape(p.shape))
x = torch.tensor(s["x"]).reshape(B, T, F)
y = torch.tensor(s["y"]).reshape(B, w["outputs"])
params = list(lstm.parameters()) + list(head.parameters())
opt = torch.optim.SGD(params, lr=job["lr"])
def step():
    opt.zero_grad(set_to_none=True)
    loss = torch.nn.functional.mse_loss(head(lstm(x)[0][:, -1]), y)
    loss.backward()
    norms = torch.stack([torch.linalg.vector_norm(p.grad) for p in params]).tolist()
    opt.step()
    return loss.item(), norms[1]
loss, norm = step()
for _ in range(plan["warmup"]):
    step()
rounds = []
for _ in range(plan["rounds"]):
    start = time.perf_counter()
    for _ in range(plan["steps"]):
        step()
    rounds.append((time.perf_counter() - start) * 1000 / plan["steps"])
print(json.dumps({"loss": loss, "norm": norm, "ms": statistics.median(rounds), "torch": torch.__version__}))
`;

function timeTorch(start: Start, plan: Plan): Timing | string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vgnet-w6-'));
  try {
    const script = path.join(dir, 'w6.py');
    const job = path.join(dir, 'job.json');
    writeFileSync(script, TORCH_DRIVER);
    writeFileSync(job, JSON.stringify({ workload: W6, start, plan, lr: LEARNING_RATE }));
    const coreType = openblasCoreType();
    const run = spawnSync(process.env.VGNET_BENCH_PYTHON ?? '/usr/bin/python3', [script, job], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1', ...(coreType ? { OPENBLAS_CORETYPE: coreType } : {}) },
      timeout: 600_000,
    });
    if (run.status !== 0) return `PyTorch unavailable: ${run.stderr.trim().split('\n').slice(-1)[0] ?? run.status}`;
    const out = JSON.parse(run.stdout) as { loss: number; norm: number; ms: number; torch: string };
    return { name: `PyTorch ${out.torch} (1 thread)`, loss: out.loss, recurrentGradNorm: out.norm, msPerStep: out.ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same LSTM in TF.js ops: x·W_ih for every step at once, then per step h·W_hh, the gates, c and h. */
function timeTfjs(start: Start, plan: Plan): Timing {
  const { batch: B, steps: T, input: F, hidden: H } = W6;
  const wIh = tf.variable(tf.transpose(tf.tensor2d(start.wIh, [4 * H, F])));
  const wHh = tf.variable(tf.transpose(tf.tensor2d(start.wHh, [4 * H, H])));
  const bIh = tf.variable(tf.tensor1d(start.bIh));
  const bHh = tf.variable(tf.tensor1d(start.bHh));
  const wOut = tf.variable(tf.transpose(tf.tensor2d(start.wOut, [W6.outputs, H])));
  const bOut = tf.variable(tf.tensor1d(start.bOut));
  const variables = [wIh, wHh, bIh, bHh, wOut, bOut];
  const x = tf.tensor2d(start.x, [B * T, F]);
  const y = tf.tensor2d(start.y, [B, W6.outputs]);
  const lr = tf.scalar(LEARNING_RATE);
  const lossOf = (): tf.Scalar => {
    const projected = tf.reshape(tf.add(tf.matMul(x, wIh), tf.add(bIh, bHh)), [B, T, 4 * H]);
    const steps = tf.unstack(projected, 1) as tf.Tensor2D[];
    let h: tf.Tensor2D = tf.zeros([B, H]);
    let c: tf.Tensor2D = tf.zeros([B, H]);
    for (const zx of steps) {
      const [i, f, g, o] = tf.split(tf.add(zx, tf.matMul(h, wHh)), 4, 1) as tf.Tensor2D[];
      c = tf.add(tf.mul(tf.sigmoid(f!), c), tf.mul(tf.sigmoid(i!), tf.tanh(g!)));
      h = tf.mul(tf.sigmoid(o!), tf.tanh(c));
    }
    return tf.mean(tf.squaredDifference(tf.add(tf.matMul(h, wOut), bOut), y));
  };
  const step = (): [number, number] => {
    const [lossTensor, normsTensor] = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(lossOf, variables);
      const norms = variables.map((v) => tf.norm(grads[v.name]!));
      for (const v of variables) v.assign(tf.sub(v, tf.mul(grads[v.name]!, lr)));
      return [value, tf.stack(norms)];
    });
    const loss = lossTensor.dataSync()[0]!;
    const norms = normsTensor.dataSync();
    tf.dispose([lossTensor, normsTensor]);
    return [loss, norms[1]!];
  };
  const [loss, norm] = step();
  const msPerStep = timeRounds(step, plan);
  tf.dispose([...variables, x, y, lr]);
  return { name: `TF.js ${tf.version_core} (${tf.getBackend()})`, loss, recurrentGradNorm: norm, msPerStep };
}

function parsePlan(argv: string[]): Plan {
  const plan: Plan = { warmup: 2, steps: 5, rounds: 3 };
  for (let i = 0; i < argv.length; i += 2) {
    const value = Number(argv[i + 1]);
    if (argv[i] === '--steps' && value > 0) plan.steps = value;
    else if (argv[i] === '--rounds' && value > 0) plan.rounds = value;
    else throw new Error(`usage: node dist/recurrent-bench.js [--steps 5] [--rounds 3]`);
  }
  return plan;
}

async function main(): Promise<void> {
  const plan = parsePlan(process.argv.slice(2));
  const start = makeStart(20_261_207);
  const gflop = recurrentFlopsPerStep(W6) / 1e9;
  const results: Timing[] = [];
  for (const backend of ['wasm', 'js'] as const) {
    process.stderr.write(`VGNet ${backend}…\n`);
    results.push(timeEngine(backend, start, plan));
  }
  process.stderr.write('PyTorch…\n');
  const torch = timeTorch(start, plan);
  if (typeof torch === 'string') process.stderr.write(`${torch}\n`);
  else results.push(torch);
  process.stderr.write('TF.js…\n');
  await initTfjsWasm();
  results.push(timeTfjs(start, plan));
  const reference = results.find((r) => r.name.startsWith('PyTorch')) ?? results[0]!;
  console.log(`W6: LSTM ${W6.hidden} units × ${W6.steps} steps × ${W6.input} features, batch ${W6.batch}, SGD`);
  console.log(`${(gflop * 1e3).toFixed(0)} MFLOP per step; median of ${plan.rounds} rounds × ${plan.steps} steps\n`);
  console.log('| contender | ms/step | GFLOP/s | step-0 loss | ‖∂L/∂W_hh‖ | Δ vs ' + reference.name + ' |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const gap = Math.max(
      Math.abs(r.loss - reference.loss) / Math.abs(reference.loss),
      Math.abs(r.recurrentGradNorm - reference.recurrentGradNorm) / Math.abs(reference.recurrentGradNorm),
    );
    console.log(
      `| ${r.name} | ${r.msPerStep.toFixed(1)} | ${(gflop / (r.msPerStep / 1e3)).toFixed(2)} | ` +
        `${r.loss.toFixed(6)} | ${r.recurrentGradNorm.toFixed(6)} | ${gap.toExponential(1)} |`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:recurrent failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
