/**
 * Models with the layers of issue 15 (conv, pooling, flatten, global average pooling, LayerNorm, recurrent), built
 * as ModelConfig directly (the engine's resolved form: no spec parsing in between) with random data of their shape.
 * For the bridge's proofs: PyTorch export, step 0 against the engine, ONNX round trips.
 */
import type {
  ActivationConfig,
  Dataset,
  InitConfig,
  LayerConfig,
  LossName,
  ModelConfig,
  Shape,
} from '../../src/engine/config';
import { Rng } from '../../src/engine/rng';

export interface NewLayerModel {
  name: string;
  config: ModelConfig;
  data: Dataset;
}

const act = (name: ActivationConfig['name'], alpha = 0): ActivationConfig => ({ name, alpha });
const init = (name: InitConfig['name'], scale = 1): InitConfig => ({ name, scale });

let counter = 0;
function path(): string {
  return `/layers/${counter++}`;
}

export function conv(
  kind: 'conv1d' | 'conv2d',
  filters: number,
  kernel: number[],
  options: Partial<{ stride: number[]; dilation: number[]; padding: 'valid' | 'same'; activation: string }> = {},
): LayerConfig {
  return {
    kind,
    path: path(),
    filters,
    kernel,
    stride: options.stride ?? kernel.map(() => 1),
    dilation: options.dilation ?? kernel.map(() => 1),
    padding: options.padding ?? 'valid',
    activation: act(
      (options.activation ?? 'relu') as ActivationConfig['name'],
      options.activation === 'leaky_relu' ? 0.1 : 0,
    ),
    init: init('he_uniform'),
    biasInit: 0.01,
  };
}

export function pool(
  kind: 'maxpool' | 'avgpool',
  size: number[],
  padding: 'valid' | 'same' = 'valid',
  stride = size,
): LayerConfig {
  return { kind, path: path(), pool: size, stride, padding };
}

export function dense(units: number, activation: string, initName: InitConfig['name'] = 'glorot_uniform'): LayerConfig {
  return {
    kind: 'dense',
    path: path(),
    units,
    activation: act(activation as ActivationConfig['name']),
    init: init(initName),
    biasInit: 0,
  };
}

export function recurrent(
  kind: 'simple_rnn' | 'lstm' | 'gru',
  units: number,
  options: Partial<{
    activation: string;
    recurrentInit: InitConfig;
    returnSequences: boolean;
    forgetBias: number;
  }> = {},
): LayerConfig {
  return {
    kind,
    path: path(),
    units,
    activation: act((options.activation ?? 'tanh') as ActivationConfig['name']),
    init: init('glorot_uniform'),
    recurrentInit: options.recurrentInit ?? init('orthogonal'),
    biasInit: 0,
    forgetBias: options.forgetBias ?? (kind === 'lstm' ? 1 : 0),
    returnSequences: options.returnSequences ?? false,
  };
}

function model(
  name: string,
  inputShape: Shape,
  layers: LayerConfig[],
  loss: LossName,
  classes: number,
  seed: number,
): NewLayerModel {
  // Paths are the spec's pointers: renumber the top level in order (a residual block's branch below it).
  const renumber = (list: LayerConfig[], prefix: string): void =>
    list.forEach((l, i) => {
      (l as { path: string }).path = `${prefix}/layers/${i}`;
      if (l.kind === 'residual') renumber(l.layers, `${prefix}/layers/${i}`);
    });
  renumber(layers, '');
  const input = inputShape.reduce((a, b) => a * b, 1);
  const samples = 24;
  const rng = new Rng(seed);
  const x = new Float32Array(samples * input);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const targetWidth = loss === 'mse' ? outputWidthOf(layers) : 1;
  const y = new Float32Array(samples * targetWidth);
  for (let i = 0; i < y.length; i++)
    y[i] = loss === 'mse' ? rng.normal() : Math.floor(rng.uniform() * (loss === 'bce' ? 2 : classes)) % classes;
  return {
    name,
    config: {
      input,
      inputShape,
      layers,
      loss,
      optimizer: {
        type: 'sgd',
        lr: 0.05,
        momentum: 0,
        nesterov: false,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        rho: 0.99,
      },
      training: { steps: 3, batchSize: 8, seed, weightDecay: 0, clipNorm: null, clipValue: null, recordEvery: 1 },
    },
    data: { x, y, samples, features: input, targetWidth, classes: loss === 'mse' ? 0 : classes, shape: inputShape },
  };
}

function outputWidthOf(layers: LayerConfig[]): number {
  const last = layers[layers.length - 1]!;
  if (last.kind === 'dense') return last.units;
  throw new Error('mse models here end in a dense layer');
}

/**
 * The cases: a small CNN, a 1-d CNN, PReLU on a conv (a slope per filter) and standalone on its [C, H, W] output (a
 * slope per value), a residual block of convs (identity skip, asymmetric 'same' padding inside), an LSTM, a GRU, SimpleRNNs (tanh, relu + identity), a pre-LN block.
 */
export function newLayerModels(): NewLayerModel[] {
  return [
    model(
      'cnn',
      [2, 9, 9],
      [
        conv('conv2d', 4, [3, 3], { padding: 'same', stride: [2, 2] }),
        pool('maxpool', [2, 2], 'same'),
        conv('conv2d', 3, [2, 2], { dilation: [1, 1], activation: 'tanh', padding: 'same' }),
        { kind: 'batchnorm', path: '', eps: 1e-5, momentum: 0.1 },
        pool('avgpool', [2, 2], 'same', [1, 1]),
        { kind: 'flatten', path: '' },
        dense(3, 'softmax'),
      ],
      'crossentropy',
      3,
      1,
    ),
    model(
      'cnn1d',
      [3, 17],
      [
        conv('conv1d', 5, [3], { dilation: [2], activation: 'leaky_relu' }),
        pool('avgpool', [3], 'same', [2]),
        conv('conv1d', 4, [4], { padding: 'same', stride: [3], activation: 'relu' }),
        pool('maxpool', [2], 'valid'),
        { kind: 'global_avgpool', path: '' },
        dense(1, 'sigmoid'),
      ],
      'bce',
      2,
      2,
    ),
    model(
      'cnn-prelu',
      [2, 6, 6],
      [
        { ...conv('conv2d', 3, [3, 3], { padding: 'same' }), activation: act('prelu', 0.2) } as LayerConfig,
        { kind: 'activation', path: '', activation: act('prelu', 0.1) },
        { kind: 'flatten', path: '' },
        dense(2, 'linear'),
      ],
      'mse',
      0,
      8,
    ),
    model(
      'conv-residual',
      [2, 7, 7],
      [
        conv('conv2d', 3, [3, 3], { padding: 'same' }),
        {
          kind: 'residual',
          path: '',
          projection: false,
          projectionInit: init('glorot_uniform'),
          layers: [
            conv('conv2d', 3, [3, 3], { padding: 'same' }),
            { kind: 'batchnorm', path: '', eps: 1e-5, momentum: 0.1 },
            conv('conv2d', 3, [2, 2], { padding: 'same', activation: 'linear' }),
          ],
        },
        { kind: 'global_avgpool', path: '' },
        dense(3, 'softmax'),
      ],
      'crossentropy',
      3,
      9,
    ),
    model('lstm', [7, 3], [recurrent('lstm', 6), dense(2, 'linear')], 'mse', 0, 3),
    model(
      'gru',
      [6, 4],
      [recurrent('gru', 5, { returnSequences: true }), { kind: 'flatten', path: '' }, dense(3, 'softmax')],
      'crossentropy',
      3,
      4,
    ),
    model('rnn-tanh', [8, 2], [recurrent('simple_rnn', 7), dense(1, 'linear')], 'mse', 0, 5),
    model(
      'irnn',
      [8, 2],
      [recurrent('simple_rnn', 6, { activation: 'relu', recurrentInit: init('identity') }), dense(1, 'sigmoid')],
      'bce',
      2,
      6,
    ),
    model(
      'pre-ln',
      [10],
      [
        dense(8, 'linear'),
        {
          kind: 'residual',
          path: '',
          projection: false,
          projectionInit: init('glorot_uniform'),
          layers: [{ kind: 'layernorm', path: '', eps: 1e-5 }, dense(8, 'gelu', 'he_normal'), dense(8, 'linear')],
        },
        { kind: 'layernorm', path: '', eps: 1e-5 },
        dense(1, 'linear'),
      ],
      'mse',
      0,
      7,
    ),
  ];
}
