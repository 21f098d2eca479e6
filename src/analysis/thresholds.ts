/**
 * Detection thresholds, with where each default comes from. Configurable in VS Code (`vgnet.thresholds.*`) and by
 * callers of analyze(); the CLI uses the defaults.
 *
 * AutoTrainer: X. Zhang et al., "AutoTrainer: An Automatic DNN Training Problem Detection and Repair System",
 *   ICSE 2021 — vanishing: first/last layer gradient ratio < 1e-3 with first-layer norm < 1e-4; exploding: ratio > 70.
 * DeepDiagnosis: M. Wardat et al., "DeepDiagnosis: Automatically Diagnosing Faults and Recommending Actionable Fixes
 *   in Deep Learning Programs", ICSE 2022 — dying ReLU ≥ 70% of units; saturation > 50% of units beyond ±5;
 *   update ratio ‖ΔW‖/‖W‖ outside [1e-5, 0.1] (the 1e-3 rule of thumb of CS231n with a decade either side).
 * Through time (issue 15): a recurrent layer unrolled over T steps is a T-deep network with shared weights (Pascanu,
 *   Mikolov & Bengio 2013, "On the difficulty of training recurrent neural networks"), so AutoTrainer's ratios are
 *   applied to its time steps, ‖∂L/∂h_0‖/‖∂L/∂h_{T−1}‖: above 70 explodes; vanishing is judged a decade stricter than
 *   AutoTrainer's layers, below 1e-2. A vanishing layer has weights of its own, which an adaptive optimizer rescales
 *   (Adam divides each parameter's step by its own gradient's size); the steps share W_ih and W_hh, so the first
 *   step's part is weighed against the last steps' inside one gradient and nothing rescales it. Calibrated on the
 *   adding problem at T = 50 (tanh RNN, LSTM, GRU; Adam 1e-3, 1,500 steps; medians after step 0): the RNNs that
 *   did not learn or learned half measured 4e-5–8e-3, the LSTM that found the task only after ~900 steps 4e-3, the
 *   GRU that learned 0.5. No absolute condition: the ratio compares one layer's own gradients, so no tiny output
 *   layer can inflate it. Saturated LSTM/GRU gates use DeepDiagnosis' saturation rule (> 50% beyond ±saturationZ) on
 *   each gate's pre-activations.
 */
export interface Thresholds {
  /** A layer vanishes when its weight-gradient norm / the output layer's falls below this (AutoTrainer 1e-3). */
  vanishingRatio: number;
  /** …and its own absolute gradient norm is below this (AutoTrainer 1e-4, there for the first layer only). */
  vanishingAbsolute: number;
  /** A layer explodes when its gradient ratio to the output layer exceeds this (AutoTrainer 70). */
  explodingRatio: number;
  /** …and its own gradient norm exceeds this (VGNet's size condition: tiny nets have huge ratios of tiny norms). */
  explodingAbsolute: number;
  /** The loss "blows up" when its smoothed end value exceeds the start by this factor. */
  lossBlowupFactor: number;
  /** Dying ReLU: fraction of units dead for the whole batch (DeepDiagnosis 0.7). */
  deadFraction: number;
  /** Saturation: fraction of sigmoid/tanh pre-activations beyond ±saturationZ (DeepDiagnosis 0.5, ±5). */
  saturatedFraction: number;
  saturationZ: number;
  /** Update ratio band ‖ΔW‖/‖W‖ (DeepDiagnosis [1e-5, 0.1]). */
  updateRatioLow: number;
  updateRatioHigh: number;
  /** Static prediction: a layer's predicted gradient-norm gain outside [1/g, g] counts as poor initialisation. */
  initGainFactor: number;
  /** Loss not decreasing: smoothed end loss ≥ this fraction of the start loss. */
  stagnantLossFraction: number;
  /** Vanishing through time: ‖∂L/∂h_0‖/‖∂L/∂h_{T−1}‖ of a recurrent layer below this (1e-2: shared weights, above). */
  timeVanishingRatio: number;
  /** Exploding through time: the same ratio above this (AutoTrainer's 70 over steps). */
  timeExplodingRatio: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  vanishingRatio: 1e-3,
  vanishingAbsolute: 1e-4,
  explodingRatio: 70,
  explodingAbsolute: 1,
  lossBlowupFactor: 10,
  deadFraction: 0.7,
  saturatedFraction: 0.5,
  saturationZ: 5,
  updateRatioLow: 1e-5,
  updateRatioHigh: 0.1,
  initGainFactor: 2,
  stagnantLossFraction: 0.95,
  timeVanishingRatio: 1e-2,
  timeExplodingRatio: 70,
};

/** Fills missing or invalid entries with the defaults (settings and flags are user input). */
export function resolveThresholds(partial: Partial<Record<keyof Thresholds, unknown>> | undefined): Thresholds {
  const out = { ...DEFAULT_THRESHOLDS };
  if (!partial) return out;
  for (const key of Object.keys(DEFAULT_THRESHOLDS) as (keyof Thresholds)[]) {
    const v = partial[key];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) out[key] = v;
  }
  return out;
}
