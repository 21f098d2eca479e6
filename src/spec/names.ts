/**
 * Every name, key, default and limit of the `.vgnet.json` format, in one place. The validator, the JSON Schema
 * (media/vgnet.schema.json, checked against these lists by test/spec/schema.test.ts) and docs/spec.md all follow it.
 */
import type {
  ActivationName,
  ConvConfig,
  InitName,
  LayerKind,
  LossName,
  OptimizerConfig,
  RecurrentConfig,
  TrainingConfig,
} from '../engine/config';

/** The only format version this code reads. `"version"` may be omitted; it then means this one. */
export const SPEC_VERSION = 1;

/** Lists a union type's members once, and fails to compile if one is missing or misspelt. */
function namesOf<T extends string>(members: Record<T, true>): readonly T[] {
  return Object.keys(members) as T[];
}

export const ACTIVATION_NAMES = namesOf<ActivationName>({
  linear: true,
  sigmoid: true,
  tanh: true,
  relu: true,
  leaky_relu: true,
  prelu: true,
  elu: true,
  selu: true,
  gelu: true,
  softplus: true,
  swish: true,
  softmax: true,
  exponential: true,
  softsign: true,
  hard_sigmoid: true,
  relu6: true,
  mish: true,
});

/** Accepted spellings that resolve to another activation (PyTorch calls swish "SiLU"). */
export const ACTIVATION_ALIASES: Readonly<Record<string, ActivationName>> = { silu: 'swish' };

/** Activations with a parameter `alpha`, and its default: leaky_relu slope, prelu initial slope, elu alpha. */
export const ALPHA_DEFAULTS: Readonly<Partial<Record<ActivationName, number>>> = {
  leaky_relu: 0.01,
  prelu: 0.25,
  elu: 1,
};

export const INIT_NAMES = namesOf<InitName>({
  zeros: true,
  constant: true,
  uniform: true,
  normal: true,
  glorot_uniform: true,
  glorot_normal: true,
  he_uniform: true,
  he_normal: true,
  lecun_uniform: true,
  lecun_normal: true,
  orthogonal: true,
  identity: true,
});

/**
 * Initialisers that take `scale`, and its default: constant value 0, uniform U(-0.05, 0.05) and normal std 0.05
 * (Keras' RandomUniform / RandomNormal defaults), orthogonal gain 1.
 */
export const SCALE_DEFAULTS: Readonly<Partial<Record<InitName, number>>> = {
  constant: 0,
  uniform: 0.05,
  normal: 0.05,
  orthogonal: 1,
  identity: 1,
};

/** `scale` written into InitConfig for initialisers that ignore it. */
export const UNUSED_SCALE = 1;

/** Default weight initialiser of dense layers and residual projections (as in Keras). */
export const DEFAULT_INIT: InitName = 'glorot_uniform';
export const DEFAULT_DENSE_ACTIVATION: ActivationName = 'linear';

export const LAYER_TYPES = namesOf<LayerKind>({
  dense: true,
  batchnorm: true,
  activation: true,
  dropout: true,
  residual: true,
  conv1d: true,
  conv2d: true,
  maxpool: true,
  avgpool: true,
  flatten: true,
  global_avgpool: true,
  layernorm: true,
  simple_rnn: true,
  lstm: true,
  gru: true,
});

/** Keys each layer type reads; any other key draws a warning (unused-key or unknown-key) and has no effect. */
export const LAYER_KEYS: Readonly<Record<LayerKind, readonly string[]>> = {
  dense: ['type', 'units', 'activation', 'init', 'biasInit'],
  batchnorm: ['type', 'eps', 'momentum'],
  activation: ['type', 'activation'],
  dropout: ['type', 'rate'],
  residual: ['type', 'layers', 'projection', 'projectionInit'],
  conv1d: ['type', 'filters', 'kernel', 'stride', 'padding', 'dilation', 'activation', 'init', 'biasInit'],
  conv2d: ['type', 'filters', 'kernel', 'stride', 'padding', 'dilation', 'activation', 'init', 'biasInit'],
  maxpool: ['type', 'pool', 'stride', 'padding'],
  avgpool: ['type', 'pool', 'stride', 'padding'],
  flatten: ['type'],
  global_avgpool: ['type'],
  layernorm: ['type', 'eps'],
  simple_rnn: ['type', 'units', 'activation', 'init', 'recurrentInit', 'biasInit', 'returnSequences'],
  lstm: ['type', 'units', 'init', 'recurrentInit', 'biasInit', 'forgetBias', 'returnSequences'],
  gru: ['type', 'units', 'init', 'recurrentInit', 'biasInit', 'returnSequences'],
};

export const BATCHNORM_DEFAULTS = { eps: 1e-5, momentum: 0.1 } as const;
/** nn.LayerNorm's default. */
export const LAYERNORM_DEFAULTS = { eps: 1e-5 } as const;

export type Padding = ConvConfig['padding'];
export const PADDING_NAMES = namesOf<Padding>({ valid: true, same: true });

/**
 * conv1d / conv2d: `filters` and `kernel` are required (as in PyTorch and Keras); the rest as nn.Conv's defaults,
 * the activation and initialiser as dense layers'. A number for kernel, stride or dilation means that value on
 * every spatial axis.
 */
export const CONV_DEFAULTS = { stride: 1, dilation: 1, padding: 'valid', biasInit: 0 } as const;

/** maxpool / avgpool: a 2-wide window (Keras' pool_size), the stride defaults to the window, no padding. */
export const POOL_DEFAULTS = { pool: 2, padding: 'valid' } as const;

export type RecurrentKind = RecurrentConfig['kind'];
/** Gate blocks of each recurrent kind (PyTorch's order: LSTM i, f, g, o; GRU r, z, n). */
export const RECURRENT_GATES: Readonly<Record<RecurrentKind, number>> = { simple_rnn: 1, lstm: 4, gru: 3 };
/** The nonlinearities simple_rnn accepts (PyTorch's nn.RNN `nonlinearity`). */
export const SIMPLE_RNN_ACTIVATIONS = ['tanh', 'relu'] as const satisfies readonly ActivationName[];
/**
 * simple_rnn / lstm / gru: `units` is required; Keras' defaults otherwise (glorot_uniform input kernel, orthogonal
 * recurrent kernel, zero biases, unit_forget_bias), the last step's output only.
 */
export const RECURRENT_DEFAULTS = {
  activation: 'tanh',
  init: 'glorot_uniform',
  recurrentInit: 'orthogonal',
  biasInit: 0,
  /** lstm only; stored as 0 for the other kinds, which have no forget gate. */
  forgetBias: 1,
  returnSequences: false,
} as const satisfies {
  activation: ActivationName;
  init: InitName;
  recurrentInit: InitName;
  biasInit: number;
  forgetBias: number;
  returnSequences: boolean;
};
/** Initialisers that only make sense on a square matrix: allowed for recurrentInit (W_hh is units × units) only. */
export const SQUARE_ONLY_INITS: readonly InitName[] = ['identity'];
/** PyTorch's nn.Dropout default. */
export const DEFAULT_DROPOUT_RATE = 0.5;

export const LOSS_NAMES = namesOf<LossName>({ mse: true, bce: true, crossentropy: true });

export type OptimizerType = OptimizerConfig['type'];
export const OPTIMIZER_TYPES = namesOf<OptimizerType>({
  sgd: true,
  adam: true,
  rmsprop: true,
  adagrad: true,
  adamw: true,
});

/** PyTorch defaults, except SGD's lr (required there) which defaults to 0.01 here. */
export const OPTIMIZER_DEFAULTS: Readonly<Record<OptimizerType, OptimizerConfig>> = {
  sgd: { type: 'sgd', lr: 0.01, momentum: 0, nesterov: false, beta1: 0.9, beta2: 0.999, eps: 1e-8, rho: 0.99 },
  adam: { type: 'adam', lr: 0.001, momentum: 0, nesterov: false, beta1: 0.9, beta2: 0.999, eps: 1e-8, rho: 0.99 },
  rmsprop: { type: 'rmsprop', lr: 0.01, momentum: 0, nesterov: false, beta1: 0.9, beta2: 0.999, eps: 1e-8, rho: 0.99 },
  adagrad: {
    type: 'adagrad',
    lr: 0.01,
    momentum: 0,
    nesterov: false,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-10,
    rho: 0.99,
    initialAccumulator: 0,
  },
  adamw: {
    type: 'adamw',
    lr: 0.001,
    momentum: 0,
    nesterov: false,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    rho: 0.99,
    weightDecay: 0.01,
  },
};
export const DEFAULT_OPTIMIZER: OptimizerType = 'sgd';

/** Which optimizer hyper-parameters each optimizer reads; the others draw an 'unused-key' warning. */
export const OPTIMIZER_KEYS: Readonly<Record<OptimizerType, readonly string[]>> = {
  sgd: ['type', 'lr', 'momentum', 'nesterov'],
  adam: ['type', 'lr', 'beta1', 'beta2', 'eps'],
  rmsprop: ['type', 'lr', 'momentum', 'eps', 'rho'],
  adagrad: ['type', 'lr', 'eps', 'initialAccumulator'],
  adamw: ['type', 'lr', 'beta1', 'beta2', 'eps', 'weightDecay'],
};
export const ALL_OPTIMIZER_KEYS = [
  'type',
  'lr',
  'momentum',
  'nesterov',
  'beta1',
  'beta2',
  'eps',
  'rho',
  'initialAccumulator',
  'weightDecay',
] as const;

export const TRAINING_KEYS = [
  'steps',
  'batchSize',
  'seed',
  'weightDecay',
  'clipNorm',
  'clipValue',
  'recordEvery',
] as const;
/** recordEvery is derived from steps when absent (see defaultRecordEvery). */
export const TRAINING_DEFAULTS: Readonly<Omit<TrainingConfig, 'recordEvery'>> = {
  steps: 200,
  batchSize: 64,
  seed: 1,
  weightDecay: 0,
  clipNorm: null,
  clipValue: null,
};

/** About 200 recorded points whatever the length of the run. */
export function defaultRecordEvery(steps: number): number {
  return Math.max(1, Math.ceil(steps / 200));
}

export const DATA_SOURCES = [
  'xor',
  'circles',
  'moons',
  'spiral',
  'blobs',
  'sine',
  'teacher',
  'adding',
  'copy',
  'sine_sequence',
  'digit_rows',
  'digits',
  'bars',
  'shapes',
  'csv',
] as const;
export type DataSource = (typeof DATA_SOURCES)[number];

export const DATA_KEYS = [
  'source',
  'samples',
  'noise',
  'classes',
  'seed',
  'path',
  'target',
  'features',
  'shape',
  'standardize',
] as const;
/** Keys only the csv source reads. */
export const CSV_ONLY_KEYS = ['path', 'target', 'features', 'shape'] as const;
/**
 * Source-specific parameters, passed to the generator in DataSpec.extra (numbers; csv's `header` is a boolean
 * stored as 1 or 0). circles: factor = inner radius; spiral: turns; sine: frequency; teacher: hidden = teacher
 * width; adding, copy, sine_sequence: length = time steps; bars, shapes: size = image side; csv: header = whether
 * the first row names the columns (absent: detected). Other numeric keys are passed through as well, with an
 * 'unknown-key' warning.
 */
export const DATA_SOURCE_EXTRAS: Readonly<Record<DataSource, readonly string[]>> = {
  xor: [],
  circles: ['factor'],
  moons: [],
  spiral: ['turns'],
  blobs: [],
  sine: ['frequency'],
  teacher: ['hidden'],
  adding: ['length'],
  copy: ['length'],
  sine_sequence: ['length'],
  digit_rows: [],
  digits: [],
  bars: ['size'],
  shapes: ['size'],
  csv: ['header'],
};
export const DATA_EXTRA_KEYS = [...new Set(Object.values(DATA_SOURCE_EXTRAS).flat())];
/**
 * Bounds of the shape knobs: a sequence needs 2 steps (adding: one marker per half; copy: the answer and the
 * question), an image 8 pixels a side (a shape's outline must still show its form); beyond the caps a spec is a
 * typo (4,096 recurrent steps per sample, 256² = the input limit).
 */
export const DATA_SHAPE_LIMITS = { length: { min: 2, max: 4096 }, size: { min: 8, max: 256 } } as const;
/** For csv, samples defaults to every row of the file (Infinity in DataSpec). */
export const DATA_DEFAULTS = { samples: 512, noise: 0.1 } as const;

export const TOP_LEVEL_KEYS = [
  '$schema',
  'version',
  'name',
  'description',
  'input',
  'layers',
  'loss',
  'optimizer',
  'training',
  'data',
  'parameters',
] as const;
export const ACTIVATION_OBJECT_KEYS = ['name', 'alpha'] as const;
export const INIT_OBJECT_KEYS = ['name', 'scale'] as const;

/** Caps on sizes: beyond them a spec is a typo or not a quick gradient check. */
export const LIMITS = {
  /** Dense and recurrent units, conv filters. */
  units: 65_536,
  /** Features per sample: the number, or the product of the shape's dimensions. */
  input: 65_536,
  /** Axes of an input shape: [features], [channels, length] or [steps, features], [channels, height, width]. */
  inputAxes: 3,
  parameters: 50_000_000,
  flattenedLayers: 1_000,
  steps: 100_000,
  batchSize: 65_536,
  /** batchSize × widest layer (input included): floats held per activation buffer. */
  batchActivations: 50_000_000,
  /**
   * batchSize × the floats of one sample summed over every layer's output (input included; recurrent layers also
   * their states and gates at every step): conv feature maps can be large with few parameters.
   */
  totalActivations: 500_000_000,
  samples: 1_000_000,
  classes: 65_536,
  /** Bracket nesting of the JSON text; deeper input is rejected before parsing (the parser recurses). */
  nesting: 100,
  /** Largest seed: seeds are unsigned 32-bit integers. */
  seed: 2 ** 32 - 1,
} as const;

/**
 * Common names from other libraries, offered as "did you mean" suggestions (never accepted silently).
 * Looked up in lower case before edit distance.
 */
export const SUGGESTION_SYNONYMS: Readonly<Record<string, string>> = {
  xavier_uniform: 'glorot_uniform',
  xavier_normal: 'glorot_normal',
  kaiming_uniform: 'he_uniform',
  kaiming_normal: 'he_normal',
  binary_crossentropy: 'bce',
  categorical_crossentropy: 'crossentropy',
  sparse_categorical_crossentropy: 'crossentropy',
  cross_entropy: 'crossentropy',
  nll: 'crossentropy',
  mean_squared_error: 'mse',
  identity: 'linear',
  none: 'linear',
  fc: 'dense',
  linear: 'dense',
  skip: 'residual',
  dropout_rate: 'rate',
  learning_rate: 'lr',
  epochs: 'steps',
  iterations: 'steps',
  hidden_units: 'units',
  dataset: 'data',
};
