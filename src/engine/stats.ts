/**
 * What a training run records. This is the stable record behind `vgnet analyze --json`, the diagnosis and the plots.
 * Plain arrays of numbers (JSON-friendly); NaN is allowed in memory and written as null in JSON.
 */
import type { LayerKind } from './config';

export interface LayerInfo {
  /** JSON Pointer of the layer in the spec, e.g. "/layers/4/layers/0". */
  path: string;
  kind: LayerKind;
  /** Width of the layer's input and output. */
  inputWidth: number;
  outputWidth: number;
  /** Per-sample shapes (conv [C, H, W], sequences [steps, features]); absent in older records means [width]. */
  inputShape?: number[];
  outputShape?: number[];
  /** Activation name for dense/activation layers, otherwise null. */
  activation: string | null;
  /** Number of trainable parameters owned directly by this layer (a residual block counts only its projection). */
  parameterCount: number;
  /**
   * Whether the layer has a weight matrix (dense, residual projection, the recurrent kernel W_hh of
   * simple_rnn/lstm/gru) whose gradient norm is recorded in gradNorm.
   */
  hasWeights: boolean;
  /** Index of the enclosing residual block in `layers`, or -1. */
  parent: number;
}

/** Time series for one layer; index i corresponds to TrainResult.recordedSteps[i]. */
export interface LayerSeries {
  /**
   * ‖∂loss/∂W‖₂ of the weight matrix, before weight decay and clipping (NaN when the layer has no weights).
   * Recurrent layers: the recurrent kernel W_hh (all gate blocks), not the input kernel W_ih — W_hh is the matrix
   * the gradient crosses at every step, where vanishing and exploding through time live (Pascanu et al. 2013); its
   * gradient Σ_t dz_tᵀ·h_{t−1} shrinks with the steps whose gradient vanished. weightNorm and updateRatio are
   * W_hh's too. Per-step detail is in timeGradNorm.
   */
  gradNorm: number[];
  /** ‖∂loss/∂b‖₂ (dense and recurrent b_ih bias, BatchNorm and LayerNorm beta; NaN when none). */
  biasGradNorm: number[];
  /** ‖W‖₂ (Frobenius) before the step's update (NaN when none). */
  weightNorm: number[];
  /** ‖ΔW‖/‖W‖ of the step's update (NaN when none). */
  updateRatio: number[];
  /** ‖∂loss/∂output‖₂ of the layer's output activations, over the batch. Defined for every layer. */
  outputGradNorm: number[];
  /** Mean and standard deviation of the layer's output activations over batch and units. */
  activationMean: number[];
  activationStd: number[];
  /**
   * sigmoid/tanh/hard_sigmoid: fraction of pre-activations with |z| > saturationThreshold (5 by default) over the
   * probe set (probe.ts: up to 256 fixed samples, evaluation mode, after the step's update); NaN otherwise.
   * simple_rnn (tanh): over every step of the probe's sequences.
   */
  saturatedFraction: number[];
  /**
   * ReLU, ReLU6: fraction of units with z ≤ 0 for every sample of the probe set (as above); NaN otherwise.
   * simple_rnn (relu): a unit is dead when z ≤ 0 at every step of every sample.
   */
  deadFraction: number[];
  /** Count of non-finite values in this layer's parameters, gradients and outputs. */
  nonFiniteCount: number[];
  /**
   * Recurrent layers: at every recorded step, ‖∂loss/∂h_t‖₂ for t = 0 … steps−1 (Layer.timeGradNorms), over that
   * step's mini-batch (the backward pass of training; the probe runs forward only). The total gradient reaching
   * h_t: through the layer's output and through h_{t+1}. The vanishing-through-time ratio is first/last.
   */
  timeGradNorm?: number[][];
  /**
   * LSTM/GRU: per gate name ("input", "forget", "cell", "output" / "reset", "update", "new"), the fraction of its
   * pre-activations over probe samples × steps × units with |z| > saturationThreshold, at every recorded step (NaN
   * at recordings without a probe, as saturatedFraction). GRU's "new" gate: z = x_n + r ⊙ (W_hn h + b_hn).
   */
  gateSaturation?: Record<string, number[]>;
  /** Conv layers (ReLU family): per filter, dead (1) or not (0) on the probe set at every recorded step. */
  channelDead?: number[][];
}

export interface TrainResult {
  layers: LayerInfo[];
  /** Steps at which LayerSeries were recorded (always includes 0 and the last step run). */
  recordedSteps: number[];
  series: LayerSeries[];
  /** Loss of every step run, computed on that step's mini-batch before its update. */
  loss: number[];
  /** Classification accuracy of every step's mini-batch (empty for regression). */
  accuracy: number[];
  /**
   * Loss on the fixed probe set (probe.ts: evaluation mode, the same samples every time), aligned with
   * recordedSteps: NaN where the probe did not run. Far less noisy than a mini-batch's loss. Absent in records from
   * other engines.
   */
  probeLoss?: number[];
  /** Number of steps completed. */
  stepsRun: number;
  /**
   * Set when training ended before the configured number of steps. 'decided': the caller's question was answered
   * before the end (TrainOptions.stopWhen).
   */
  stopped: null | { step: number; reason: StopReason; detail: string };
  timeMs: number;
}

export type StopReason = 'non-finite' | 'cancelled' | 'budget' | 'decided';
