/**
 * The engine's view of a model: plain, fully-resolved data (every default filled in by `src/spec`).
 * No positions, no JSON: the engine never sees the user's text. Layers carry the JSON Pointer of the
 * spec node they came from (`path`), which is how every statistic is tied back to the editor.
 */

export type ActivationName =
  | 'linear'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'prelu'
  | 'elu'
  | 'selu'
  | 'gelu'
  | 'softplus'
  | 'swish'
  | 'softmax'
  | 'exponential'
  | 'softsign'
  | 'hard_sigmoid'
  | 'relu6'
  | 'mish';

export interface ActivationConfig {
  name: ActivationName;
  /** leaky_relu: negative slope (default 0.01); elu: alpha (default 1); prelu: initial slope (default 0.25). */
  alpha: number;
}

export type InitName =
  | 'zeros'
  | 'constant'
  | 'uniform'
  | 'normal'
  | 'glorot_uniform'
  | 'glorot_normal'
  | 'he_uniform'
  | 'he_normal'
  | 'lecun_uniform'
  | 'lecun_normal'
  | 'orthogonal'
  /** Square recurrent kernels only: gain × I (IRNN, Le et al. 2015). */
  | 'identity';

export interface InitConfig {
  name: InitName;
  /** constant: the value; uniform: a in U(-a, a); normal: std s in N(0, s²); orthogonal, identity: gain. Ignored otherwise. */
  scale: number;
}

export interface DenseConfig {
  kind: 'dense';
  path: string;
  units: number;
  activation: ActivationConfig;
  init: InitConfig;
  /** Every bias starts at this constant (plus a draw of biasRandom when set). */
  biasInit: number;
  /** A random bias initialiser: `uniform` or `normal` with its scale (Keras' random bias initialisers). */
  biasRandom?: InitConfig;
}

export interface BatchNormConfig {
  kind: 'batchnorm';
  path: string;
  /**
   * PyTorch conventions: eps 1e-5, running-statistics momentum 0.1. On [features] input per feature
   * (BatchNorm1d); on [C, L] or [C, H, W] input per channel over batch and positions (BatchNorm1d/2d).
   */
  eps: number;
  momentum: number;
}

export interface ActivationLayerConfig {
  kind: 'activation';
  path: string;
  activation: ActivationConfig;
}

export interface DropoutConfig {
  kind: 'dropout';
  path: string;
  /** Probability of zeroing a unit in training (inverted dropout: survivors scaled by 1/(1-rate)). */
  rate: number;
}

export interface ResidualConfig {
  kind: 'residual';
  path: string;
  /** The branch f in x + f(x). */
  layers: LayerConfig[];
  /** When true the skip path is a learned linear map (no bias) to the branch's output width. */
  projection: boolean;
  /** Initialiser of the projection (used only when projection is true). */
  projectionInit: InitConfig;
}

/**
 * Per-sample shape of a tensor, PyTorch's layout without the batch axis: [features] for dense data,
 * [channels, length] for conv1d, [channels, height, width] for conv2d, [steps, features] for sequences
 * (batch_first). Buffers are flat, row-major in this order: batch × (product of the shape).
 */
export type Shape = readonly number[];

/**
 * conv1d / conv2d fused with its activation, as nn.Conv1d/nn.Conv2d (+ activation): weight
 * [filters][channels][...kernel] (PyTorch layout), bias [filters]. Arrays have one entry per spatial axis.
 * Input [C, L] or [C, H, W]; output [filters, L'] or [filters, H', W'] with
 * L' = floor((L + 2·pad − dilation·(k − 1) − 1) / stride) + 1; 'same' pads so that L' = ceil(L / stride)
 * (stride 1: L' = L), the extra padding on the far side as TF/Keras do.
 */
export interface ConvConfig {
  kind: 'conv1d' | 'conv2d';
  path: string;
  filters: number;
  kernel: number[];
  stride: number[];
  dilation: number[];
  padding: 'valid' | 'same';
  activation: ActivationConfig;
  /** Fans as PyTorch: fan_in = channels × kernel area, fan_out = filters × kernel area. */
  init: InitConfig;
  biasInit: number;
}

/** Max or average pooling over the spatial axes of [C, L] (1d) or [C, H, W] (2d) input; no parameters. */
export interface PoolConfig {
  kind: 'maxpool' | 'avgpool';
  path: string;
  /** Window per spatial axis (one entry for 1d, two for 2d). */
  pool: number[];
  /** Default: the window. */
  stride: number[];
  /** 'same' pads the far side (max ignores padding, avg divides by the count of real elements, as Keras). */
  padding: 'valid' | 'same';
}

/** [C, …] → [C·…] (row-major, as torch.flatten(x, 1)); no parameters. */
export interface FlattenConfig {
  kind: 'flatten';
  path: string;
}

/** Mean over the spatial axes: [C, L] or [C, H, W] → [C] (nn.AdaptiveAvgPool to 1 + flatten). */
export interface GlobalAvgPoolConfig {
  kind: 'global_avgpool';
  path: string;
}

/**
 * nn.LayerNorm(normalized_shape = the last axis) with elementwise affine γ = 1, β = 0 at init: for [features] the
 * whole sample, for [steps, features] each step.
 */
export interface LayerNormConfig {
  kind: 'layernorm';
  path: string;
  eps: number;
}

/**
 * simple_rnn / lstm / gru over [steps, features] input (PyTorch's batch_first nn.RNN / nn.LSTM / nn.GRU, one layer,
 * h₀ = 0). Gate order and equations as PyTorch: LSTM i, f, g, o; GRU r, z, n with
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)). Weights [gates·units][features] and recurrent
 * [gates·units][units]; biases b_ih and b_hh as PyTorch (b_hh starts at 0).
 */
export interface RecurrentConfig {
  kind: 'simple_rnn' | 'lstm' | 'gru';
  path: string;
  units: number;
  /** simple_rnn only: tanh (default) or relu (PyTorch's nonlinearity); lstm/gru use sigmoid gates and tanh. */
  activation: ActivationConfig;
  /** Input kernel W_ih (Keras default glorot_uniform, fans per gate block). */
  init: InitConfig;
  /** Recurrent kernel W_hh (Keras default orthogonal per gate block; identity for IRNN). */
  recurrentInit: InitConfig;
  biasInit: number;
  /** lstm: the forget gate's bias starts here (Keras' unit_forget_bias: 1). */
  forgetBias: number;
  /** true: output [steps, units] (every h_t); false: [units] (the last h_T). */
  returnSequences: boolean;
}

export type LayerConfig =
  | DenseConfig
  | BatchNormConfig
  | ActivationLayerConfig
  | DropoutConfig
  | ResidualConfig
  | ConvConfig
  | PoolConfig
  | FlattenConfig
  | GlobalAvgPoolConfig
  | LayerNormConfig
  | RecurrentConfig;
export type LayerKind = LayerConfig['kind'];

export type LossName = 'mse' | 'bce' | 'crossentropy';

export interface OptimizerConfig {
  type: 'sgd' | 'adam' | 'rmsprop' | 'adagrad' | 'adamw';
  lr: number;
  /** sgd and rmsprop momentum (PyTorch semantics). */
  momentum: number;
  nesterov: boolean;
  /** adam, adamw */
  beta1: number;
  beta2: number;
  /** adam, adamw, rmsprop and adagrad denominator epsilon (PyTorch defaults: 1e-8; adagrad 1e-10). */
  eps: number;
  /** rmsprop smoothing constant (PyTorch's `alpha`, default 0.99). */
  rho: number;
  /**
   * adamw: decoupled weight decay (Loshchilov & Hutter 2019), w ← w·(1 − lr·λ) before the Adam step, on the tensors
   * training.weightDecay applies to (weights; not biases, BatchNorm or PReLU slopes). Default 0.01 (PyTorch's).
   */
  weightDecay?: number;
  /** adagrad: the accumulator's starting value (PyTorch's initial_accumulator_value, default 0; Keras' is 0.1). */
  initialAccumulator?: number;
}

export interface TrainingConfig {
  steps: number;
  batchSize: number;
  seed: number;
  /** L2 on weight matrices (dense and residual projections; not biases, BatchNorm or PReLU slopes), added to the gradient as PyTorch's weight_decay does. */
  weightDecay: number;
  /** Clip the global gradient norm (all parameters) to this value; null = off. */
  clipNorm: number | null;
  /** Clip every gradient element to [-v, v]; null = off. */
  clipValue: number | null;
  /** Record the full per-layer statistics every k steps (step 0 and the last step are always recorded). */
  recordEvery: number;
}

export interface ModelConfig {
  /** Flat width of one sample (the product of inputShape). */
  input: number;
  /** Per-sample shape of the input; absent means [input]. */
  inputShape?: Shape;
  layers: LayerConfig[];
  loss: LossName;
  optimizer: OptimizerConfig;
  training: TrainingConfig;
  /**
   * Initial values of some parameters (the spec's `parameters` file), keyed "<layer path>#<name>" (weight, bias,
   * slope, gamma, beta, projection), row-major in the engine's layout; they replace what the initialisers draw.
   */
  initialValues?: ReadonlyMap<string, Float32Array>;
}

/**
 * A data set in memory. Rows are samples.
 * - x: samples × features, row-major.
 * - y: samples × targetWidth. For `crossentropy` targetWidth is 1 and holds the class index (0..classes-1);
 *   for `bce` it is 1 and holds 0 or 1; for `mse` it equals the model's output width.
 */
export interface Dataset {
  x: Float32Array;
  y: Float32Array;
  samples: number;
  features: number;
  targetWidth: number;
  /** Number of classes for classification data, 0 for regression. */
  classes: number;
  /** Per-sample shape of x (images [C, H, W], sequences [steps, features]); absent means [features]. */
  shape?: Shape;
}
