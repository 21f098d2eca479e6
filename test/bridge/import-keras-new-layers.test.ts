/**
 * `vgnet import` of Keras models with the layers of issue 15: TF.js models (real `toJSON` of @tensorflow/tfjs-layers),
 * tf.keras 2.x and Keras 3 files written from the format (fixtures/). Channels-last tensors come in as VGNet's
 * channels-first shapes; Keras' whole-kernel recurrent initialisers become VGNet's per-gate-block terms with the
 * same variance; everything VGNet cannot express is an ImportError naming the layer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
// TF.js' orthogonal initialiser calls chained tensor methods, registered by this import.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { importKeras, ImportError } from '../../src/bridge/import-keras';
import type { ImportedLayer } from '../../src/bridge/spec-writer';
import { writeSpec } from '../../src/bridge/spec-writer';
import { prepare } from '../../src/analysis/prepare';
import { folderFileAccess } from '../../src/node/files';
import { parseSpec } from '../../src/spec';

const FIXTURES = path.join(__dirname, 'fixtures');
const fixture = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
const json = (layers: ImportedLayer[]): Record<string, unknown>[] => layers.map((l) => l.json);

describe('Keras import of conv, pooling, LayerNorm and recurrent layers', () => {
  it('TF.js Conv2D CNN: [H, W, C] in as [C, H, W], same padding, per-channel BatchNorm, Flatten noted', () => {
    const m = tfl.sequential();
    m.add(
      tfl.layers.conv2d({
        inputShape: [24, 28, 2],
        filters: 4,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: 'heUniform',
      }),
    );
    m.add(tfl.layers.maxPooling2d({ poolSize: 2, padding: 'same' }));
    m.add(tfl.layers.batchNormalization({}));
    m.add(tfl.layers.conv2d({ filters: 3, kernelSize: [2, 3], dilationRate: 2, kernelInitializer: 'heUniform' }));
    m.add(tfl.layers.averagePooling2d({ poolSize: [1, 2], strides: 1 }));
    m.add(tfl.layers.flatten());
    m.add(tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: 'glorotUniform' }));
    const spec = importKeras(m.toJSON(null, false), 'cnn.json');
    expect(spec.input).toEqual([2, 24, 28]);
    expect(json(spec.layers)).toEqual([
      {
        type: 'conv2d',
        filters: 4,
        kernel: 3,
        stride: 2,
        padding: 'same',
        activation: 'relu',
        init: 'he_uniform',
        biasInit: 0,
      },
      { type: 'maxpool', pool: 2, padding: 'same' },
      { type: 'batchnorm', eps: 0.001, momentum: 0.01 },
      {
        type: 'conv2d',
        filters: 3,
        kernel: [2, 3],
        dilation: 2,
        activation: 'linear',
        init: 'he_uniform',
        biasInit: 0,
      },
      { type: 'avgpool', pool: [1, 2], stride: 1 },
      { type: 'flatten' },
      { type: 'dense', units: 3, activation: 'softmax', init: 'glorot_uniform', biasInit: 0 },
    ]);
    expect(spec.notes.join('\n')).toMatch(/flatten is channels-first/);
    expect(spec.loss).toBe('crossentropy');
  });

  it('TF.js LSTM and SimpleRNN: Glorot over the whole Keras kernel, orthogonal kept in variance', () => {
    const m = tfl.sequential();
    m.add(
      tfl.layers.lstm({
        inputShape: [7, 3],
        units: 5,
        returnSequences: true,
        recurrentActivation: 'sigmoid',
        kernelInitializer: 'glorotUniform',
      }),
    );
    m.add(tfl.layers.simpleRNN({ units: 4, activation: 'relu', kernelInitializer: 'glorotUniform' }));
    m.add(tfl.layers.dense({ units: 1, kernelInitializer: 'heNormal' }));
    const spec = importKeras(m.toJSON(null, false), 'rnn.json');
    expect(spec.input).toEqual([7, 3]);
    const [lstm, rnn] = json(spec.layers);
    expect(lstm).toMatchObject({ type: 'lstm', units: 5, biasInit: 0, returnSequences: true });
    expect(lstm!.forgetBias).toBeUndefined(); // unit_forget_bias: VGNet's default 1
    // Keras' kernel [3, 20]: U(±√(6/23)).
    expect((lstm!.init as { scale: number }).scale).toBeCloseTo(Math.sqrt(6 / (3 + 20)), 9);
    // One orthogonal [5, 20] matrix: a weight's variance 1/20, a [5, 5] orthogonal block's 1/5: gain 1/2.
    expect(lstm!.recurrentInit).toEqual({ name: 'orthogonal', scale: 0.5 });
    expect(rnn).toMatchObject({ type: 'simple_rnn', units: 4, activation: 'relu', init: 'glorot_uniform' });
    expect(rnn!.recurrentInit).toEqual({ name: 'orthogonal', scale: 1 });
    // The variance claim, measured on TF.js' own orthogonal initialiser.
    const w = Array.from(tfl.initializers.orthogonal({}).apply([5, 20]).dataSync() as Float32Array);
    expect(w.reduce((a, v) => a + v * v, 0) / w.length).toBeCloseTo(1 / 20, 6);
  });

  it("TF.js GRU (reset_after false, TF.js' only kind) and TF.js' default hard-sigmoid gates are refused", () => {
    const m = tfl.sequential();
    m.add(tfl.layers.gru({ inputShape: [5, 2], units: 3, recurrentActivation: 'sigmoid' }));
    expect(() => importKeras(m.toJSON(null, false), 'gru.json')).toThrow(/reset_after: false/);
    // TF.js' default gates are hard sigmoids (clip(0.2x + 0.5, 0, 1)), not PyTorch's.
    const d = tfl.sequential();
    d.add(tfl.layers.lstm({ inputShape: [5, 2], units: 3 }));
    expect(() => importKeras(d.toJSON(null, false), 'lstm.json')).toThrow(/recurrent_activation "hard_sigmoid"/);
  });

  it('tf.keras 2.x CNN: Conv2D with stride and dilation, BatchNormalization axis [3], pooling, global average', () => {
    const spec = importKeras(fixture('tf-keras-2-cnn.json'), 'cnn.json');
    expect(spec.input).toEqual([1, 28, 28]);
    expect(json(spec.layers)).toEqual([
      {
        type: 'conv2d',
        filters: 8,
        kernel: 3,
        stride: 2,
        padding: 'same',
        activation: 'relu',
        init: 'he_normal',
        biasInit: 0,
      },
      { type: 'batchnorm', eps: 0.001, momentum: 0.01 },
      { type: 'maxpool', pool: 2 },
      { type: 'conv2d', filters: 16, kernel: 3, dilation: 2, activation: 'relu', init: 'glorot_uniform', biasInit: 0 },
      { type: 'avgpool', pool: 2, stride: 1, padding: 'same' },
      { type: 'global_avgpool' },
      { type: 'dense', units: 10, activation: 'softmax', init: 'glorot_uniform', biasInit: 0 },
    ]);
  });

  it('tf.keras 2.x LSTM → GRU (reset_after) → IRNN: per-block initialisers, identity recurrent kernel', () => {
    const spec = importKeras(fixture('tf-keras-2-rnn.json'), 'rnn.json');
    expect(spec.input).toEqual([50, 2]);
    const [lstm, gru, rnn, dense] = json(spec.layers);
    expect(lstm).toMatchObject({
      type: 'lstm',
      units: 32,
      returnSequences: true,
      recurrentInit: { name: 'orthogonal', scale: 0.5 },
    });
    expect((lstm!.init as { scale: number }).scale).toBeCloseTo(Math.sqrt(6 / (2 + 128)), 9);
    expect(gru).toMatchObject({ type: 'gru', units: 16, returnSequences: true });
    expect((gru!.init as { scale: number }).scale).toBeCloseTo(Math.sqrt(6 / (32 + 48)), 9);
    expect((gru!.recurrentInit as { scale: number }).scale).toBeCloseTo(1 / Math.sqrt(3), 9);
    expect(rnn).toEqual({
      type: 'simple_rnn',
      units: 8,
      activation: 'relu',
      init: 'glorot_uniform',
      recurrentInit: { name: 'identity', scale: 1 },
      biasInit: 0,
    });
    expect(dense).toMatchObject({ type: 'dense', units: 1 });
    expect(spec.loss).toBe('mse');
  });

  it('Keras 3 Conv1D: [length, channels] in as [channels, length], pooling, GlobalAveragePooling1D, compile config', () => {
    const spec = importKeras(fixture('keras-3-conv1d.json'), 'sig.json');
    expect(spec.input).toEqual([3, 64]);
    expect(json(spec.layers)).toEqual([
      { type: 'conv1d', filters: 6, kernel: 5, padding: 'same', activation: 'relu', init: 'he_uniform', biasInit: 0 },
      { type: 'maxpool', pool: 2 },
      { type: 'global_avgpool' },
      { type: 'dense', units: 1, activation: 'sigmoid', init: 'glorot_uniform', biasInit: 0 },
    ]);
    expect(spec.loss).toBe('bce');
    expect(spec.optimizer).toMatchObject({ type: 'adam', lr: 0.001 });
  });

  it('Keras 3 GRU → LayerNormalization (last axis, Keras epsilon) → LSTM', () => {
    const spec = importKeras(fixture('keras-3-gru.json'), 'seq.json');
    expect(spec.input).toEqual([20, 4]);
    const layers = json(spec.layers);
    expect(layers.map((l) => l.type)).toEqual(['gru', 'layernorm', 'lstm', 'dense']);
    expect(layers[1]).toEqual({ type: 'layernorm', eps: 0.001 });
    expect(layers[2]).toMatchObject({ units: 8, init: 'he_normal', recurrentInit: { name: 'orthogonal', scale: 0.5 } });
    expect(layers[2]!.returnSequences).toBeUndefined();
  });

  it('TF.js Conv1D → AveragePooling1D(same) → GlobalAveragePooling1D: [length, channels] in as [channels, length]', () => {
    const m = tfl.sequential();
    m.add(tfl.layers.conv1d({ inputShape: [16, 2], filters: 3, kernelSize: 3, kernelInitializer: 'leCunUniform' }));
    m.add(tfl.layers.averagePooling1d({ poolSize: 3, strides: 2, padding: 'same' }));
    m.add(tfl.layers.globalAveragePooling1d({}));
    m.add(tfl.layers.dense({ units: 1, kernelInitializer: 'glorotUniform' }));
    const spec = importKeras(m.toJSON(null, false), 'c1.json');
    expect(spec.input).toEqual([2, 16]);
    expect(json(spec.layers).slice(0, 3)).toEqual([
      { type: 'conv1d', filters: 3, kernel: 3, activation: 'linear', init: 'lecun_uniform', biasInit: 0 },
      { type: 'avgpool', pool: 3, stride: 2, padding: 'same' },
      { type: 'global_avgpool' },
    ]);
  });

  it('the imported specs are valid specs (parsed by VGNet, their stand-in data loaded)', () => {
    const m = tfl.sequential();
    m.add(tfl.layers.conv1d({ inputShape: [16, 2], filters: 3, kernelSize: 3 }));
    m.add(tfl.layers.averagePooling1d({ poolSize: 3, strides: 2, padding: 'same' }));
    m.add(tfl.layers.globalAveragePooling1d({}));
    m.add(tfl.layers.dense({ units: 1 }));
    for (const spec of [
      importKeras(fixture('tf-keras-2-cnn.json'), 'cnn.json'),
      importKeras(fixture('tf-keras-2-rnn.json'), 'rnn.json'),
      importKeras(fixture('keras-3-conv1d.json'), 'sig.json'),
      importKeras(fixture('keras-3-gru.json'), 'seq.json'),
      importKeras(m.toJSON(null, false), 'c1.json'),
    ]) {
      const text = writeSpec(spec);
      const parsed = parseSpec(text);
      expect(
        parsed.diagnostics.filter((d) => d.severity !== 'info'),
        text,
      ).toEqual([]);
      expect(parsed.config!.inputShape).toEqual(Array.isArray(spec.input) ? spec.input : [spec.input]);
      // Its stand-in data has the model's shape: the spec loads and builds.
      const prepared = prepare(text, { files: folderFileAccess(FIXTURES), steps: 1 });
      expect(prepared.ok ? [] : prepared.diagnostics.map((d) => d.message), text).toEqual([]);
    }
  });
});

describe('Keras import of the new layers: what VGNet cannot express', () => {
  const seq = (shape: number[], layers: unknown[]) => ({
    class_name: 'Sequential',
    config: {
      name: 's',
      layers: [{ class_name: 'InputLayer', config: { batch_input_shape: [null, ...shape], name: 'in' } }, ...layers],
    },
    keras_version: '2.15.0',
  });
  const layer = (class_name: string, config: Record<string, unknown>) => ({
    class_name,
    config: { name: 'x', ...config },
  });
  const lstm = (config: Record<string, unknown> = {}) => layer('LSTM', { units: 4, ...config });
  const gru = (config: Record<string, unknown> = {}) => layer('GRU', { units: 4, reset_after: true, ...config });
  const conv1d = (config: Record<string, unknown> = {}) => layer('Conv1D', { filters: 2, kernel_size: 3, ...config });
  const conv2d = (config: Record<string, unknown> = {}) =>
    layer('Conv2D', { filters: 2, kernel_size: [3, 3], ...config });
  it.each([
    ['GRU reset_after false', seq([5, 2], [gru({ reset_after: false })]), /reset_after: false/],
    ['a GRU bias that is not zero', seq([5, 2], [gru({ bias_initializer: 'ones' })]), /b_hh starts at 0/],
    ['a recurrent layer after Conv1D', seq([16, 2], [conv1d(), lstm()]), /recurrent layer on a conv tensor/],
    ['a recurrent layer on flat features', seq([8], [lstm()]), /recurrent layer on a flat \[8\] tensor/],
    [
      'Conv1D after a recurrent layer',
      seq([16, 2], [lstm({ return_sequences: true }), conv1d()]),
      /1-d convolution of a \[16, 4\] sequence/,
    ],
    [
      'Dense on a sequence',
      seq([5, 2], [lstm({ return_sequences: true }), layer('Dense', { units: 1 })]),
      /Dense on a \[5, 4\] tensor/,
    ],
    [
      'LayerNormalization on a conv tensor',
      seq([8, 8, 1], [conv2d(), layer('LayerNormalization', {})]),
      /layer normalisation of a conv tensor/,
    ],
    [
      'LayerNormalization over another axis',
      seq([5, 2], [layer('LayerNormalization', { axis: 1 })]),
      /axis 1 \(VGNet's layernorm: the last axis\)/,
    ],
    [
      'BatchNormalization on a sequence',
      seq([5, 2], [layer('BatchNormalization', { axis: -1 })]),
      /batch normalisation of a \[5, 2\] sequence/,
    ],
    [
      'BatchNormalization over a spatial axis',
      seq([8, 8, 1], [conv2d(), layer('BatchNormalization', { axis: 1 })]),
      /axis 1 of a \[2, 6, 6\] tensor/,
    ],
    ['causal padding', seq([16, 2], [conv1d({ padding: 'causal' })]), /padding "causal"/],
    ['grouped convolution', seq([8, 8, 4], [conv2d({ groups: 2 })]), /grouped convolution/],
    ['a conv without bias', seq([8, 8, 1], [conv2d({ use_bias: false })]), /use_bias: false \(VGNet's conv layers/],
    ['dropout inside an LSTM', seq([5, 2], [lstm({ recurrent_dropout: 0.2 })]), /recurrent_dropout 0.2/],
    ['go_backwards', seq([5, 2], [lstm({ go_backwards: true })]), /go_backwards: true/],
    ['return_state', seq([5, 2], [lstm({ return_state: true })]), /return_state: true/],
    [
      'hard_sigmoid gates (Keras < 2.3)',
      seq([5, 2], [lstm({ recurrent_activation: 'hard_sigmoid' })]),
      /recurrent_activation "hard_sigmoid"/,
    ],
    [
      'a SimpleRNN of sigmoids',
      seq([5, 2], [layer('SimpleRNN', { units: 3, activation: 'sigmoid' })]),
      /simple_rnn: tanh or relu/,
    ],
    [
      'an identity input kernel that is not square',
      seq([5, 2], [layer('SimpleRNN', { units: 3, kernel_initializer: 'identity' })]),
      /Identity on a 2×3 kernel/,
    ],
    [
      'global pooling over the steps of a recurrent layer',
      seq([5, 2], [lstm({ return_sequences: true }), layer('GlobalAveragePooling1D', {})]),
      /global average pooling of a \[5, 4\] sequence/,
    ],
    ['keepdims', seq([8, 8, 1], [conv2d(), layer('GlobalAveragePooling2D', { keepdims: true })]), /keepdims: true/],
    [
      'mixed data formats',
      seq([8, 8, 1], [conv2d({ data_format: 'channels_first' }), layer('MaxPooling2D', {})]),
      /mix channels_first and channels_last/,
    ],
  ])('%s', (_what, model, message) => {
    expect(() => importKeras(model, 'm.json')).toThrow(ImportError);
    expect(() => importKeras(model, 'm.json')).toThrow(message);
  });
});
