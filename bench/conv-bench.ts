/**
 * `npm run bench:conv`: W5 (bench/conv-workload.ts, a LeNet-style CNN, batch 64) — ms per training step of the engine
 * on its wasm and pure-TypeScript backends, PyTorch on one thread (bench/conv_bench.py) and TF.js on its wasm
 * backend (where it can: 4.22's lacks the conv weight-gradient kernel), all from the engine's initial parameters and
 * one shared batch; the first step's loss must agree.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../src/engine/backend';
import { createTrainer } from '../src/engine/train';
import { W5, w5Config, w5Dataset, w5FlopsPerStep } from './conv-workload';
import { initTfjsWasm } from './tfjs';
import './tfjs-gradients';
import { LEARNING_RATE } from './workloads';

const SEED = 5;
const STEPS = 10;
const ROUNDS = 5;

interface Row {
  id: string;
  loss0: number;
  msPerStep: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Parameters of a fresh engine build, in model order (PyTorch layout). */
function initialParameters(): Float32Array[] {
  const trainer = createTrainer(w5Config(1, SEED), w5Dataset(SEED), { backend: 'js' });
  return trainer.model.parameters().map((p) => p.data.slice());
}

function engineRow(backend: BackendName): Row {
  const trainer = createTrainer(w5Config(1 + 3 + STEPS * ROUNDS + 1, SEED), w5Dataset(SEED), { backend });
  if (trainer.backend !== backend) throw new Error(`the ${backend} backend is not available`);
  trainer.step();
  const loss0 = trainer.result().loss[0]!;
  for (let i = 0; i < 3; i++) trainer.step();
  const ms: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let s = 0; s < STEPS; s++) trainer.step();
    ms.push((performance.now() - t0) / STEPS);
  }
  return { id: backend === 'wasm' ? 'engine (wasm)' : 'engine (js)', loss0, msPerStep: median(ms) };
}

function torchRow(params: Float32Array[]): Row | string {
  const data = w5Dataset(SEED);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-w5-'));
  const file = path.join(dir, 'start.json');
  const start = { x: Array.from(data.x), y: Array.from(data.y), params: params.map((p) => Array.from(p)) };
  fs.writeFileSync(file, JSON.stringify({ ...start, lr: LEARNING_RATE, steps: STEPS, rounds: ROUNDS }));
  const run = spawnSync('/usr/bin/python3', [path.join(__dirname, '..', 'bench', 'conv_bench.py'), file], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  fs.rmSync(dir, { recursive: true, force: true });
  if (run.status !== 0) return `PyTorch failed: ${run.stderr.trim().split('\n').pop()}`;
  const out = JSON.parse(run.stdout) as { loss0: number; msPerStep: number[]; torch: string };
  return { id: `PyTorch ${out.torch} (1 thread)`, loss0: out.loss0, msPerStep: median(out.msPerStep) };
}

/** TF.js in NHWC with the engine's parameters transposed; NCHW again before flatten so dense weights carry over. */
function tfjsRow(params: Float32Array[], backend: string): Row {
  const data = w5Dataset(SEED);
  const [c1w, c1b, c2w, c2b, d1w, d1b, d2w, d2b, d3w, d3b] = params as [Float32Array, ...Float32Array[]];
  const convKernel = (w: Float32Array, f: number, c: number): tf.Variable =>
    tf.variable(tf.transpose(tf.tensor4d(w, [f, c, 5, 5]), [2, 3, 1, 0]));
  const denseKernel = (w: Float32Array, out: number, inp: number): tf.Variable =>
    tf.variable(tf.transpose(tf.tensor2d(w, [out, inp])));
  const vars = [
    convKernel(c1w, 6, 1),
    tf.variable(tf.tensor1d(c1b!)),
    convKernel(c2w!, 16, 6),
    tf.variable(tf.tensor1d(c2b!)),
    denseKernel(d1w!, 120, 256),
    tf.variable(tf.tensor1d(d1b!)),
    denseKernel(d2w!, 84, 120),
    tf.variable(tf.tensor1d(d2b!)),
    denseKernel(d3w!, 10, 84),
    tf.variable(tf.tensor1d(d3b!)),
  ];
  const x = tf.tidy(() => tf.transpose(tf.tensor4d(data.x, [W5.batch, 1, 28, 28]), [0, 2, 3, 1])) as tf.Tensor4D;
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(data.y, 'int32'), 10), 'float32'));
  const lr = tf.scalar(LEARNING_RATE);
  const lossOf = (): tf.Scalar => {
    const conv = (h: tf.Tensor4D, w: tf.Variable, b: tf.Variable): tf.Tensor4D =>
      tf.relu(tf.add(tf.conv2d(h, w as tf.Tensor4D, 1, 'valid'), b)) as tf.Tensor4D;
    let h = tf.maxPool(conv(x, vars[0]!, vars[1]!), 2, 2, 'valid');
    h = tf.maxPool(conv(h, vars[2]!, vars[3]!), 2, 2, 'valid');
    let f = tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [W5.batch, 256]) as tf.Tensor2D;
    f = tf.relu(tf.add(tf.matMul(f, vars[4]! as tf.Tensor2D), vars[5]!)) as tf.Tensor2D;
    f = tf.relu(tf.add(tf.matMul(f, vars[6]! as tf.Tensor2D), vars[7]!)) as tf.Tensor2D;
    f = tf.add(tf.matMul(f, vars[8]! as tf.Tensor2D), vars[9]!) as tf.Tensor2D;
    return tf.losses.softmaxCrossEntropy(y, f) as tf.Scalar;
  };
  const step = (): number => {
    const [loss, norms] = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(lossOf, vars);
      const n = vars.map((v) => tf.norm(grads[v.name]!));
      for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name]!, lr)));
      return [value, tf.stack(n)];
    });
    const value = loss.dataSync()[0]!;
    norms.dataSync();
    loss.dispose();
    norms.dispose();
    return value;
  };
  const loss0 = step();
  for (let i = 0; i < 3; i++) step();
  const ms: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let s = 0; s < STEPS; s++) step();
    ms.push((performance.now() - t0) / STEPS);
  }
  for (const t of [...vars, x, y, lr]) t.dispose();
  return { id: `TF.js ${tf.version_core} (${backend})`, loss0, msPerStep: median(ms) };
}

/** TF.js on its wasm backend, or why it cannot train W5 (4.22's wasm backend has no Conv2DBackpropFilter kernel). */
async function tfjsRows(params: Float32Array[]): Promise<Row | string> {
  const info = await initTfjsWasm();
  try {
    return tfjsRow(params, `wasm${info.simd ? ' SIMD' : ''}`);
  } catch (error) {
    return `TF.js ${tf.version_core} (wasm) cannot train W5: ${(error as Error).message}`;
  }
}

function print(row: Row | string, gflop: number): void {
  if (typeof row === 'string') {
    console.log(row);
    return;
  }
  console.log(
    `${row.id.padEnd(28)} ${row.msPerStep.toFixed(2).padStart(8)} ms/step  ` +
      `${(gflop / (row.msPerStep / 1000)).toFixed(2).padStart(6)} GFLOP/s  loss₀ ${row.loss0.toFixed(6)}`,
  );
}

async function main(): Promise<void> {
  const params = initialParameters();
  const gflop = w5FlopsPerStep() / 1e9;
  console.log(`W5: LeNet-style CNN on 28×28×1, batch ${W5.batch}, ~${gflop.toFixed(3)} GFLOP a step`);
  console.log(`(median of ${ROUNDS} rounds of ${STEPS} steps)`);
  for (const row of [engineRow('wasm'), engineRow('js'), torchRow(params)]) print(row, gflop);
  print(await tfjsRows(params), gflop);
}

void main();
