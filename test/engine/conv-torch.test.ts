/**
 * Small CNNs against PyTorch (nn.Conv1d/Conv2d, MaxPool, AvgPool, BatchNorm1d/2d, Flatten, AdaptiveAvgPool) on the
 * engine's own initial parameters and batch: one training-mode step, loss and every parameter gradient from
 * /usr/bin/python3 in float64 (conv_oracle.py), on the JS and the wasm backend. Skips without torch unless
 * VGNET_REQUIRE_TORCH=1.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Arena, MeasuringArena } from '../../src/engine/arena';
import type { Backend } from '../../src/engine/backend';
import type { LayerConfig, LossName, ModelConfig, Shape } from '../../src/engine/config';
import { layerOutputShape } from '../../src/engine/layers/shapes';
import { Model } from '../../src/engine/model';
import { Rng } from '../../src/engine/rng';
import { WasmBackend } from '../../src/engine/wasm/wasm-backend';
import { python, SKIP_TORCH } from '../bridge/torch';
import { batchNorm, conv, flatten, globalAvgPool, pool } from './conv-helpers';
import { dense, fillBatch, modelConfig } from './helpers';

interface Net {
  label: string;
  inputShape: Shape;
  layers: LayerConfig[];
  loss: LossName;
  batch: number;
}

const NETS: Net[] = [
  {
    label: '2d: same conv + relu, BatchNorm2d, maxpool, dilated conv, same avgpool, strided conv, dense softmax',
    inputShape: [2, 9, 9],
    layers: [
      conv(4, [3, 3], { padding: 'same', activation: 'relu', init: { name: 'he_uniform', scale: 1 } }),
      batchNorm(),
      pool('maxpool', [2, 2]),
      conv(5, [3, 3], { padding: 'same', dilation: [2, 2], activation: 'tanh', biasInit: 0.1 }),
      pool('avgpool', [3, 3], { stride: [2, 2], padding: 'same' }),
      conv(3, [2, 3], { stride: [2, 1], padding: 'same', activation: 'sigmoid' }),
      flatten(),
      dense(3, 'softmax'),
    ],
    loss: 'crossentropy',
    batch: 5,
  },
  {
    label: '1d: strided same conv, BatchNorm1d, same avgpool, dilated conv, same maxpool, global pooling, dense',
    inputShape: [3, 10],
    layers: [
      conv(4, [3], { stride: [2], padding: 'same', activation: 'elu' }),
      batchNorm(),
      pool('avgpool', [3], { stride: [1], padding: 'same' }),
      conv(3, [2], { dilation: [2], activation: 'tanh' }),
      pool('maxpool', [2], { padding: 'same' }),
      globalAvgPool(),
      dense(2),
    ],
    loss: 'mse',
    batch: 4,
  },
];

function build(net: Net, backend?: 'wasm'): Model {
  const input = net.inputShape.reduce((a, b) => a * b, 1);
  const config: ModelConfig = modelConfig(input, net.layers, net.loss, { inputShape: net.inputShape });
  const measuring = new MeasuringArena();
  new Model(config, { batchSize: net.batch, arena: measuring, initRng: new Rng(3), dropoutRng: new Rng(4) });
  let wasm: Backend | undefined;
  let arena = new Arena(measuring.usedFloats);
  if (backend === 'wasm') {
    const created = WasmBackend.create(measuring.usedFloats);
    if (!created) throw new Error('no WebAssembly SIMD here');
    wasm = created;
    arena = new Arena(measuring.usedFloats, created.buffer);
  }
  const options = { batchSize: net.batch, arena, initRng: new Rng(3), dropoutRng: new Rng(4) };
  const model = new Model(config, wasm ? { ...options, backend: wasm } : options);
  fillBatch(model, 9);
  return model;
}

function shapesOf(net: Net): Shape[] {
  const shapes = [net.inputShape];
  for (const layer of net.layers) shapes.push(layerOutputShape(layer, shapes[shapes.length - 1]!));
  return shapes;
}

interface OracleResult {
  loss: number;
  grads: Record<string, number[]>;
  state: Record<string, number[]>;
}

/** One Python process for every net: torch is imported once. */
function runOracle(models: Model[]): OracleResult[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-conv-'));
  const jobs = NETS.map((net, i) => {
    const model = models[i]!;
    const params: Record<string, number[]> = {};
    for (const p of model.parameters()) params[`${p.path}#${p.name}`] = Array.from(p.data);
    return {
      ...net,
      shapes: shapesOf(net),
      params,
      x: Array.from(model.input),
      target: Array.from(model.target),
    };
  });
  const file = path.join(dir, 'nets.json');
  fs.writeFileSync(file, JSON.stringify(jobs));
  try {
    return JSON.parse(python([path.join(__dirname, 'conv_oracle.py'), file])) as OracleResult[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}

function expectMatchesOracle(model: Model, oracle: OracleResult): void {
  model.forward(true);
  const loss = model.computeLoss();
  model.backward();
  expect(Math.abs(loss - oracle.loss) / Math.abs(oracle.loss)).toBeLessThan(1e-5);
  const params = model.parameters();
  expect(params.length).toBe(Object.keys(oracle.grads).length);
  for (const p of params) {
    const key = `${p.path}#${p.name}`;
    const want = oracle.grads[key]!;
    expect(want, key).toBeDefined();
    expect(p.grad.length, key).toBe(want.length);
    // Per-tensor gradient norm within 1e-4 relative, and every element within 1e-3 of the norm.
    const wantNorm = norm(want);
    expect(Math.abs(norm(p.grad) - wantNorm) / wantNorm, key).toBeLessThan(1e-4);
    const diff = Array.from(p.grad, (g, i) => g - want[i]!);
    expect(norm(diff) / wantNorm, key).toBeLessThan(1e-3);
  }
  for (const node of model.nodes) {
    for (const [name, buffer] of Object.entries(node.state ?? {})) {
      const want = oracle.state[`${node.path}#${name}`]!;
      for (let i = 0; i < want.length; i++) expect(buffer[i], `${node.path}#${name}`).toBeCloseTo(want[i]!, 5);
    }
  }
}

describe.skipIf(SKIP_TORCH)('conv nets against PyTorch (float64)', () => {
  const jsModels = NETS.map((net) => build(net));
  let oracle: OracleResult[] | null = null;
  const results = (): OracleResult[] => (oracle ??= runOracle(jsModels));

  NETS.forEach((net, i) => {
    it(`JS backend, ${net.label}`, () => {
      expectMatchesOracle(jsModels[i]!, results()[i]!);
    });
    it(`wasm backend, ${net.label}`, () => {
      const model = build(net, 'wasm');
      // The same draws: the oracle's parameters and batch are this model's too.
      const js = jsModels[i]!;
      expect(Array.from(model.parameters()[0]!.data)).toEqual(Array.from(js.parameters()[0]!.data));
      expect(Array.from(model.input)).toEqual(Array.from(js.input));
      expectMatchesOracle(model, results()[i]!);
    });
  });
});
