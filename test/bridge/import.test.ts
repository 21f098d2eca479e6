/**
 * `vgnet import`: real TF.js model JSON (@tensorflow/tfjs-layers' toJSON), tf.keras 2.x and Keras 3 files written
 * from the format's documentation, a `.keras` archive, hand-encoded ONNX graphs; every unsupported feature is an
 * error naming the source layer and the feature, with no file written.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importKeras, ImportError, TRUNCATED_STD_FACTOR } from '../../src/bridge/import-keras';
import { writeSpec } from '../../src/bridge/spec-writer';
import { importModelFile } from '../../src/node/import-files';
import { parseSpec } from '../../src/spec';

const FIXTURES = path.join(__dirname, 'fixtures');
let tmp = '';
beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-import-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Imports, writes and parses: the spec must validate. */
function roundTrip(model: unknown, name = 'model.json') {
  const text = writeSpec(importKeras(model, name));
  const parsed = parseSpec(text);
  expect(
    parsed.diagnostics.filter((d) => d.severity !== 'info'),
    text,
  ).toEqual([]);
  return { text, config: parsed.config! };
}

function keras(model: tfl.LayersModel): unknown {
  return model.toJSON(null, false);
}

describe('Keras import: TF.js models (toJSON of @tensorflow/tfjs-layers)', () => {
  it('a deep sigmoid stack: every layer, Glorot uniform as named, the loss from the output', () => {
    const m = tfl.sequential();
    const init = 'glorotUniform';
    m.add(tfl.layers.dense({ units: 16, activation: 'sigmoid', inputShape: [2], kernelInitializer: init }));
    for (let i = 0; i < 8; i++) m.add(tfl.layers.dense({ units: 16, activation: 'sigmoid', kernelInitializer: init }));
    m.add(tfl.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init }));
    const { config, text } = roundTrip(keras(m));
    expect(config.input).toBe(2);
    expect(config.layers).toHaveLength(10);
    expect(config.layers.every((l) => l.kind === 'dense' && l.activation.name === 'sigmoid')).toBe(true);
    expect(config.layers.every((l) => l.kind === 'dense' && l.init.name === 'glorot_uniform')).toBe(true);
    expect(config.loss).toBe('bce');
    // A comment per layer naming its Keras layer.
    expect(text.match(/\/\/ dense_Dense\d+ \(Dense\)/g)).toHaveLength(10);
  });

  it('TF.js truncated normals (he_normal, glorot_normal: its Dense default) by their true variance, 0.774× the named', () => {
    const m = tfl.sequential();
    m.add(tfl.layers.dense({ units: 32, activation: 'relu', inputShape: [8], kernelInitializer: 'heNormal' }));
    m.add(tfl.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: 'glorotNormal' }));
    const { config } = roundTrip(keras(m));
    const [a, b] = config.layers as unknown as [
      { init: { name: string; scale: number } },
      { init: { name: string; scale: number } },
    ];
    expect(a.init.name).toBe('normal');
    expect(a.init.scale).toBeCloseTo(Math.sqrt(2 / 8) * TRUNCATED_STD_FACTOR, 9);
    expect(b.init.scale).toBeCloseTo(Math.sqrt(2 / (32 + 4)) * TRUNCATED_STD_FACTOR, 9);
    // Measured on the real initialiser: the std of 200×200 TF.js heNormal weights.
    const w = Array.from(tfl.initializers.heNormal({}).apply([200, 200]).dataSync() as Float32Array);
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std / Math.sqrt(2 / 200)).toBeCloseTo(TRUNCATED_STD_FACTOR, 1);
  });

  it("BatchNormalization (momentum in PyTorch's convention), Dropout, LeakyReLU, ELU, PReLU, random initialisers", () => {
    const m = tfl.sequential();
    m.add(
      tfl.layers.dense({
        units: 8,
        inputShape: [3],
        kernelInitializer: tfl.initializers.randomUniform({ minval: -0.1, maxval: 0.1 }),
      }),
    );
    m.add(tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-4 }));
    m.add(tfl.layers.leakyReLU({ alpha: 0.2 }));
    m.add(tfl.layers.dropout({ rate: 0.25 }));
    m.add(tfl.layers.dense({ units: 8, kernelInitializer: tfl.initializers.randomNormal({ stddev: 0.3 }) }));
    m.add(tfl.layers.elu({}));
    m.add(tfl.layers.dense({ units: 8, kernelInitializer: tfl.initializers.constant({ value: 0.5 }) }));
    m.add(tfl.layers.prelu({}));
    m.add(tfl.layers.dense({ units: 1 }));
    const { config } = roundTrip(keras(m));
    expect(config.layers.map((l) => l.kind)).toEqual([
      'dense',
      'batchnorm',
      'activation',
      'dropout',
      'dense',
      'activation',
      'dense',
      'activation',
      'dense',
    ]);
    const [d0, bn, leaky, drop, d1, elu, d2, prelu] = config.layers as never[] as Record<string, never>[];
    expect(d0!.init).toEqual({ name: 'uniform', scale: 0.1 });
    expect(bn).toMatchObject({ eps: 1e-4 });
    expect((bn as unknown as { momentum: number }).momentum).toBeCloseTo(0.1, 12);
    expect(leaky!.activation).toEqual({ name: 'leaky_relu', alpha: 0.2 });
    expect(drop).toMatchObject({ rate: 0.25 });
    expect(d1!.init).toEqual({ name: 'normal', scale: 0.3 });
    expect(elu!.activation).toEqual({ name: 'elu', alpha: 1 });
    expect(d2!.init).toEqual({ name: 'constant', scale: 0.5 });
    expect(prelu!.activation).toEqual({ name: 'prelu', alpha: 0 });
    expect(config.loss).toBe('mse');
  });

  it('a functional model with residual blocks: identity and projection skips', () => {
    const input = tfl.input({ shape: [6] });
    const a = tfl.layers.dense({ units: 6, activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
    const b = tfl.layers.dense({ units: 6 }).apply(a) as tfl.SymbolicTensor;
    const r1 = tfl.layers.add().apply([input, b]) as tfl.SymbolicTensor;
    const c = tfl.layers.dense({ units: 12, activation: 'tanh' }).apply(r1) as tfl.SymbolicTensor;
    const p = tfl.layers.dense({ units: 12, useBias: false }).apply(r1) as tfl.SymbolicTensor;
    const r2 = tfl.layers.add().apply([p, c]) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 3, activation: 'softmax' }).apply(r2) as tfl.SymbolicTensor;
    const { config } = roundTrip(keras(tfl.model({ inputs: input, outputs: out })));
    expect(config.layers.map((l) => l.kind)).toEqual(['residual', 'residual', 'dense']);
    const [first, second] = config.layers as unknown as [
      { projection: boolean; layers: unknown[] },
      { projection: boolean; layers: unknown[] },
    ];
    expect(first.projection).toBe(false);
    expect(first.layers).toHaveLength(2);
    expect(second.projection).toBe(true);
    expect(second.layers).toHaveLength(1);
  });
});

describe('Keras import: tf.keras 2.x and Keras 3 files', () => {
  it('tf.keras 2.x to_json(): InputLayer, HeNormal as he_normal (Keras corrects its truncation), L2 → weight decay', () => {
    const { config } = roundTrip(JSON.parse(fs.readFileSync(path.join(FIXTURES, 'tf-keras-2.json'), 'utf8')));
    expect(config.input).toBe(8);
    expect(config.layers.map((l) => l.kind)).toEqual(['dense', 'batchnorm', 'dropout', 'dense', 'activation', 'dense']);
    expect(config.layers[0]).toMatchObject({ units: 64, init: { name: 'he_normal' }, activation: { name: 'relu' } });
    expect(config.layers[3]).toMatchObject({ init: { name: 'glorot_uniform' }, biasInit: 0.1 });
    expect(config.layers[4]).toMatchObject({ activation: { name: 'leaky_relu', alpha: 0.3 } });
    expect(config.training.weightDecay).toBeCloseTo(0.001, 12);
    expect(config.loss).toBe('crossentropy');
  });

  it('Keras 3 config.json with compile_config: Adam, global_clipnorm, BCE from logits, a projection skip', () => {
    const { config } = roundTrip(JSON.parse(fs.readFileSync(path.join(FIXTURES, 'keras-3-config.json'), 'utf8')));
    expect(config.input).toBe(16);
    expect(config.optimizer).toMatchObject({ type: 'adam', lr: 0.0005, eps: 1e-7 });
    expect(config.training.clipNorm).toBe(1);
    expect(config.loss).toBe('bce');
    expect(config.layers[0]).toMatchObject({
      kind: 'residual',
      projection: true,
      projectionInit: { name: 'orthogonal' },
    });
    expect(config.layers[1]).toMatchObject({ kind: 'dense', units: 1, activation: { name: 'sigmoid' } });
  });

  it('a .keras archive (zip with config.json, deflated) imports as its config.json', () => {
    const config = fs.readFileSync(path.join(FIXTURES, 'keras-3-config.json'));
    const file = path.join(tmp, 'model.keras');
    fs.writeFileSync(
      file,
      zip([
        { name: 'metadata.json', data: Buffer.from('{"keras_version": "3.3.3"}') },
        { name: 'config.json', data: config },
      ]),
    );
    const result = importModelFile(file, path.join(tmp, 'from-zip.vgnet.json'), false);
    expect(result).toMatchObject({ ok: true });
    const direct = writeSpec(importKeras(JSON.parse(config.toString('utf8')), 'model.keras'));
    expect(fs.readFileSync(path.join(tmp, 'from-zip.vgnet.json'), 'utf8')).toBe(direct);
  });
});

describe('Keras import: random bias initialisers', () => {
  it('RandomNormal, TruncatedNormal (by its true std) and symmetric RandomUniform biases', () => {
    const model = (bias: unknown) => ({
      class_name: 'Sequential',
      config: {
        layers: [
          { class_name: 'InputLayer', config: { batch_input_shape: [null, 3] } },
          { class_name: 'Dense', config: { name: 'd', units: 2, bias_initializer: bias } },
        ],
      },
    });
    const biasOf = (bias: unknown) => (roundTrip(model(bias)).config.layers[0] as { biasRandom?: unknown }).biasRandom;
    expect(biasOf({ class_name: 'RandomNormal', config: { stddev: 0.2 } })).toEqual({ name: 'normal', scale: 0.2 });
    expect(biasOf({ class_name: 'RandomUniform', config: { minval: -0.1, maxval: 0.1 } })).toEqual({
      name: 'uniform',
      scale: 0.1,
    });
    const truncated = biasOf({ class_name: 'TruncatedNormal', config: { stddev: 1 } }) as { scale: number };
    expect(truncated.scale).toBeCloseTo(TRUNCATED_STD_FACTOR, 9);
  });
});

describe('Keras import: what VGNet cannot express is an error naming the layer', () => {
  const base = (layers: unknown[], extra: Record<string, unknown> = {}) => ({
    class_name: 'Sequential',
    config: {
      name: 's',
      layers: [{ class_name: 'InputLayer', config: { batch_input_shape: [null, 4], name: 'in' } }, ...layers],
    },
    keras_version: '2.13.1',
    ...extra,
  });
  const dense = (config: Record<string, unknown>) => ({
    class_name: 'Dense',
    config: { name: 'd', units: 4, activation: 'relu', ...config },
  });
  it.each([
    [
      'a Conv2D layer on flat features',
      base([{ class_name: 'Conv2D', config: { name: 'conv' } }]),
      /layer "conv" \(Conv2D\): a 2-d convolution of a \[4\] tensor/,
    ],
    [
      'a layer type VGNet lacks',
      base([{ class_name: 'Embedding', config: { name: 'emb' } }]),
      /layer "emb" \(Embedding\): the layer type Embedding/,
    ],
    ['use_bias false', base([dense({ use_bias: false })]), /layer "d" \(Dense\): use_bias: false/],
    [
      'an activity regularizer',
      base([dense({ activity_regularizer: { class_name: 'L1', config: { l1: 0.1 } } })]),
      /activity_regularizer/,
    ],
    [
      'an L1 kernel regularizer',
      base([dense({ kernel_regularizer: { class_name: 'L1L2', config: { l1: 0.1, l2: 0 } } })]),
      /kernel_regularizer L1L2 \(l1 0\.1\)/,
    ],
    [
      'an asymmetric uniform',
      base([dense({ kernel_initializer: { class_name: 'RandomUniform', config: { minval: 0, maxval: 1 } } })]),
      /RandomUniform\(0, 1\)/,
    ],
    [
      'a normal with a mean',
      base([dense({ kernel_initializer: { class_name: 'RandomNormal', config: { mean: 1, stddev: 1 } } })]),
      /mean 1/,
    ],
    [
      'a bias drawn around a mean',
      base([dense({ bias_initializer: { class_name: 'RandomNormal', config: { mean: 1, stddev: 0.1 } } })]),
      /bias_initializer RandomNormal/,
    ],
    [
      'tf.keras 2 hard_sigmoid',
      base([dense({ activation: 'hard_sigmoid' })]),
      /hard_sigmoid|not in this VGNet version/,
    ],
    ['an unknown activation', base([dense({ activation: 'crelu' })]), /the activation "crelu"/],
    [
      'Dense on a 2-D input (Keras applies it to the last axis)',
      {
        class_name: 'Sequential',
        config: { layers: [{ class_name: 'InputLayer', config: { batch_input_shape: [null, 28, 28] } }, dense({})] },
      },
      /Dense on a \[28, 28\] tensor/,
    ],
    [
      'a 4-D input',
      {
        class_name: 'Sequential',
        config: {
          layers: [{ class_name: 'InputLayer', config: { batch_input_shape: [null, 2, 3, 4, 5] } }, dense({})],
        },
      },
      /is 4-D/,
    ],
    [
      'per-variable clipnorm',
      base([dense({})], {
        compile_config: { optimizer: { class_name: 'SGD', config: { learning_rate: 0.1, clipnorm: 1 } }, loss: 'mse' },
      }),
      /clipnorm \(Keras clips each variable/,
    ],
    [
      'a loss VGNet lacks',
      base([dense({})], { compile_config: { optimizer: 'sgd', loss: 'huber' } }),
      /the loss "huber"/,
    ],
    [
      'AMSGrad',
      base([dense({})], {
        compile_config: { optimizer: { class_name: 'Adam', config: { amsgrad: true } }, loss: 'mse' },
      }),
      /amsgrad/,
    ],
    [
      'a learning-rate schedule',
      base([dense({})], {
        compile_config: {
          optimizer: { class_name: 'SGD', config: { learning_rate: { class_name: 'ExponentialDecay', config: {} } } },
          loss: 'mse',
        },
      }),
      /schedule/,
    ],
    [
      'BatchNormalization without scale',
      base([dense({}), { class_name: 'BatchNormalization', config: { name: 'bn', scale: false } }]),
      /layer "bn".*without center or scale/,
    ],
    [
      'Dropout with noise_shape',
      base([{ class_name: 'Dropout', config: { name: 'dr', rate: 0.1, noise_shape: [1, 4] } }]),
      /noise_shape/,
    ],
    ['a subclassed model', { class_name: 'MyModel', config: {} }, /a Keras MyModel cannot be imported/],
  ])('%s', (_what, model, message) => {
    expect(() => importKeras(model, 'm.json')).toThrow(ImportError);
    expect(() => importKeras(model, 'm.json')).toThrow(message);
  });

  it('two inputs, two outputs and shared layers in functional models', () => {
    const functional = (layers: unknown[], inputs: unknown, outputs: unknown) => ({
      class_name: 'Functional',
      config: { name: 'f', layers, input_layers: inputs, output_layers: outputs },
    });
    const input = (name: string) => ({
      name,
      class_name: 'InputLayer',
      config: { batch_input_shape: [null, 4], name },
      inbound_nodes: [],
    });
    expect(() =>
      importKeras(
        functional(
          [input('a'), input('b')],
          [
            ['a', 0, 0],
            ['b', 0, 0],
          ],
          [['a', 0, 0]],
        ),
        'f.json',
      ),
    ).toThrow(/2 inputs/);
    const shared = {
      name: 'd',
      class_name: 'Dense',
      config: { units: 4 },
      inbound_nodes: [[['a', 0, 0, {}]], [['a', 0, 0, {}]]],
    };
    expect(() => importKeras(functional([input('a'), shared], [['a', 0, 0]], [['d', 0, 0]]), 'f.json')).toThrow(
      /called 2 times/,
    );
  });
});

describe('vgnet import on files', () => {
  it('refuses to overwrite, writes nothing on an error, and reports a broken file', () => {
    const bad = path.join(tmp, 'conv.json');
    fs.writeFileSync(
      bad,
      JSON.stringify({
        class_name: 'Sequential',
        config: { layers: [{ class_name: 'Conv2D', config: { name: 'c' } }] },
      }),
    );
    const r = importModelFile(bad, null, false);
    expect(r).toMatchObject({ ok: false });
    expect(fs.existsSync(path.join(tmp, 'conv.vgnet.json'))).toBe(false);
    const good = path.join(tmp, 'tfk2.json');
    fs.copyFileSync(path.join(FIXTURES, 'tf-keras-2.json'), good);
    expect(importModelFile(good, null, false)).toMatchObject({ ok: true });
    expect(importModelFile(good, null, false)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/exists \(use --force/),
    });
    expect(importModelFile(good, null, true)).toMatchObject({ ok: true });
    fs.writeFileSync(path.join(tmp, 'broken.keras'), Buffer.from('PK\x03\x04 not really a zip'));
    expect(importModelFile(path.join(tmp, 'broken.keras'), null, false)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/zip/),
    });
    fs.writeFileSync(path.join(tmp, 'broken.onnx'), Buffer.from([0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2]));
    expect(importModelFile(path.join(tmp, 'broken.onnx'), null, false)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/truncated|ONNX/),
    });
  });
});

/** A minimal zip (deflate), to build a .keras archive in the test. */
function zip(entries: { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const packed = deflateRawSync(e.data);
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += 30 + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

function crc32(data: Buffer): number {
  let c = ~0;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
