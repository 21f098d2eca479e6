/**
 * Measured detection: findings from a training record, with thresholds from the literature (see thresholds.ts).
 * Each detector is a pure function of the record; conditions must persist over the recorded steps (gating) so that
 * one noisy mini-batch cannot raise an alarm on a healthy network.
 */
import type { LossName } from '../engine/config';
import type { LayerSeries, TrainResult } from '../engine/stats';
import type { Finding } from './findings';
import { outputLayerIndex, tailMean } from './summary';
import type { Thresholds } from './thresholds';
import { formatPercent, formatValue, plural } from './wording';

/**
 * `loss` matters for one judgement: with bce or crossentropy the loss is fused with the output sigmoid/softmax, so a
 * saturated output layer is a confident classifier, not a gradient problem (its gradient is σ(z) − y).
 */
export function detectMeasured(result: TrainResult, t: Thresholds, loss: LossName | null = null): Finding[] {
  const findings: Finding[] = [];
  const divergence = detectDivergence(result, t);
  if (divergence) findings.push(divergence);
  const fusedOutput = loss === 'bce' || loss === 'crossentropy';
  for (const f of [
    detectVanishing(result, t),
    detectExploding(result, t),
    detectDeadRelu(result, t),
    detectSaturation(result, t, fusedOutput),
  ]) {
    if (f) findings.push(f);
  }
  const flagged = new Set(findings.flatMap((f) => (f.kind === 'vanishing' || f.kind === 'dead-relu' ? f.layers : [])));
  findings.push(...detectLearningRate(result, t, flagged, divergence !== null));
  const stagnant = detectNotLearning(result, t);
  if (stagnant && divergence === null) findings.push(stagnant);
  return findings;
}

/** For each layer with weights (except the reference), the recorded steps at which `holds(layer, step)` is true. */
function persistentLayers(
  result: TrainResult,
  t: Thresholds,
  eligible: (layer: number) => boolean,
  holds: (layer: number, step: number) => boolean,
  /** For gradient-flow problems: holds at step 0 by a clear margin (a property of the initialisation, not noise). */
  clearAtInit?: (layer: number) => boolean,
): { layer: number; steps: number[]; indices: number[] }[] {
  const out: { layer: number; steps: number[]; indices: number[] }[] = [];
  const recorded = usableRecordings(result);
  if (recorded === 0) return out;
  // The early phase: the first quarter of the recordings, and at least two (step 0 alone never suffices).
  const early = Math.min(recorded, Math.max(2, Math.ceil(recorded / 4)));
  for (let l = 0; l < result.layers.length; l++) {
    if (!eligible(l)) continue;
    const indices: number[] = [];
    for (let k = 0; k < recorded; k++) if (holds(l, k)) indices.push(k);
    const persistent = indices.length / recorded >= t.persistence;
    // Gradient-flow problems are properties of the initialisation: one that holds at step 0 and through most of the
    // early phase — or at step 0 by a clear margin — counts even if training later moves away from it (e.g. when the
    // first update, driven by an exploding gradient, wrecks the network).
    const fromInit = clearAtInit !== undefined && indices[0] === 0;
    const atInit =
      fromInit &&
      (clearAtInit(l) || (recorded >= 2 && indices.filter((k) => k < early).length / early > t.persistence));
    if (persistent || atInit) out.push({ layer: l, indices, steps: indices.map((k) => result.recordedSteps[k]!) });
  }
  return out;
}

/** Recordings to judge: all of them, except the final one when training stopped on a non-finite value. */
function usableRecordings(result: TrainResult): number {
  const n = result.recordedSteps.length;
  return result.stopped?.reason === 'non-finite' ? Math.max(0, n - 1) : n;
}

/** Median of a layer's statistic over the recordings where the condition held. */
function medianAt(values: (k: number) => number, indices: number[]): number {
  const sorted = indices.map(values).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Weight-gradient ratio of layer l to the output layer at recorded step index k. */
function gradRatio(result: TrainResult, l: number, out: number, k: number): number {
  return result.series[l]!.gradNorm[k]! / result.series[out]!.gradNorm[k]!;
}

function stepsUnion(hits: { steps: number[] }[]): number[] {
  return [...new Set(hits.flatMap((h) => h.steps))].sort((a, b) => a - b);
}

/** How far past its threshold a step-0 value must be to count on its own (10×: beyond batch-to-batch noise). */
const INIT_MARGIN = 10;

/**
 * Layers whose gradient ratio to the output layer meets `crosses` (from init or persistently), with median ratios.
 * `crosses(l, k, ratio, margin)`: past the threshold by the factor `margin` (1, or INIT_MARGIN at step 0 alone).
 */
function ratioHits(
  result: TrainResult,
  t: Thresholds,
  crosses: (l: number, k: number, ratio: number, margin: number) => boolean,
) {
  const out = outputLayerIndex(result.layers);
  if (out < 0) return null;
  const hits = persistentLayers(
    result,
    t,
    (l) => l !== out && result.layers[l]!.hasWeights,
    (l, k) => crosses(l, k, gradRatio(result, l, out, k), 1),
    (l) => crosses(l, 0, gradRatio(result, l, out, 0), INIT_MARGIN),
  );
  if (hits.length === 0) return null;
  const values: Record<string, number> = Object.fromEntries(
    hits.map((h) => [result.layers[h.layer]!.path, medianAt((k) => gradRatio(result, h.layer, out, k), h.indices)]),
  );
  return { hits, values, layers: hits.map((h) => result.layers[h.layer]!.path), reference: result.layers[out]!.path };
}

const RATIO_METRIC = 'gradient-norm ratio to the output layer (median over the steps where it held)';

export function detectVanishing(result: TrainResult, t: Thresholds): Finding | null {
  // AutoTrainer's rule (ratio < 1e-3 and norm < 1e-4), applied to every weight layer rather than the first only.
  const found = ratioHits(
    result,
    t,
    (l, k, ratio, margin) =>
      ratio < t.vanishingRatio / margin && result.series[l]!.gradNorm[k]! < t.vanishingAbsolute / margin,
  );
  if (!found) return null;
  const first = found.hits[0]!;
  const firstPath = found.layers[0]!;
  const firstNorm = medianAt((k) => result.series[first.layer]!.gradNorm[k]!, first.indices);
  return {
    kind: 'vanishing',
    severity: 'warning',
    source: 'measured',
    layers: found.layers,
    reference: found.reference,
    message:
      `gradient vanishes in ${plural(found.layers.length, 'layer')}: ${firstPath}'s gradient norm is ` +
      `${formatValue(found.values[firstPath]!)}× the output layer's (norm ${formatValue(firstNorm)}; thresholds: ratio ` +
      `${t.vanishingRatio}, norm ${t.vanishingAbsolute})`,
    values: found.values,
    metric: RATIO_METRIC,
    threshold: t.vanishingRatio,
    steps: stepsUnion(found.hits),
  };
}

export function detectExploding(result: TrainResult, t: Thresholds): Finding | null {
  const found = ratioHits(result, t, (_l, _k, ratio, margin) => ratio > t.explodingRatio * margin);
  if (!found) return null;
  const worstPath = found.layers.reduce((a, b) => (found.values[b]! > found.values[a]! ? b : a));
  return {
    kind: 'exploding',
    severity: 'warning',
    source: 'measured',
    layers: found.layers,
    reference: found.reference,
    message:
      `gradient explodes in ${plural(found.layers.length, 'layer')}: ${worstPath}'s gradient norm is ` +
      `${formatValue(found.values[worstPath]!)}× the output layer's (threshold ${t.explodingRatio}×)`,
    values: found.values,
    metric: RATIO_METRIC,
    threshold: t.explodingRatio,
    steps: stepsUnion(found.hits),
  };
}

export function detectDivergence(result: TrainResult, t: Thresholds): Finding | null {
  const last = result.recordedSteps.length - 1;
  if (result.stopped?.reason === 'non-finite') {
    const layers = result.layers
      .filter((_, l) => last >= 0 && result.series[l]!.nonFiniteCount[last]! > 0)
      .map((info) => info.path);
    return {
      kind: 'divergence',
      severity: 'error',
      source: 'measured',
      layers,
      reference: null,
      message: result.stopped.detail,
      values: { loss: result.loss[result.loss.length - 1] ?? NaN },
      metric: 'loss',
      threshold: NaN,
      steps: [result.stopped.step],
    };
  }
  const start = result.loss[0];
  const end = tailMean(result.loss);
  if (start !== undefined && Number.isFinite(start) && end > start * t.lossBlowupFactor) {
    return {
      kind: 'divergence',
      severity: 'error',
      source: 'measured',
      layers: [],
      reference: null,
      message: `loss blew up from ${formatValue(start)} to ${formatValue(end)} (more than ${t.lossBlowupFactor}× the start)`,
      values: { lossStart: start, lossEnd: end },
      metric: 'loss',
      threshold: t.lossBlowupFactor,
      steps: [result.stepsRun - 1],
    };
  }
  return null;
}

/** A per-unit fraction measured in each layer: dead ReLU units, saturated sigmoid/tanh pre-activations. */
interface UnitFractionRule {
  kind: 'dead-relu' | 'saturation';
  series: (s: LayerSeries) => number[];
  threshold: number;
  /** Inclusive for dead units (DeepDiagnosis: ≥ 70%), exclusive for saturation (> 50%). */
  inclusive: boolean;
  metric: string;
  describe: (count: number, value: string, layer: string, threshold: string) => string;
}

function detectUnitFraction(result: TrainResult, t: Thresholds, rule: UnitFractionRule, skip = -1): Finding | null {
  const fraction = (l: number, k: number): number => rule.series(result.series[l]!)[k]!;
  const hits = persistentLayers(
    result,
    t,
    (l) => !Number.isNaN(fraction(l, 0)) && l !== skip,
    (l, k) => (rule.inclusive ? fraction(l, k) >= rule.threshold : fraction(l, k) > rule.threshold),
  );
  if (hits.length === 0) return null;
  const last = result.recordedSteps.length - 1;
  const layers = hits.map((h) => result.layers[h.layer]!.path);
  const values = Object.fromEntries(hits.map((h, i) => [layers[i]!, fraction(h.layer, last)]));
  const first = layers[0]!;
  return {
    kind: rule.kind,
    severity: 'warning',
    source: 'measured',
    layers,
    reference: null,
    message: rule.describe(hits.length, formatPercent(values[first]!), first, formatPercent(rule.threshold)),
    values,
    metric: rule.metric,
    threshold: rule.threshold,
    steps: stepsUnion(hits),
  };
}

export function detectDeadRelu(result: TrainResult, t: Thresholds): Finding | null {
  return detectUnitFraction(result, t, {
    kind: 'dead-relu',
    series: (s) => s.deadFraction,
    threshold: t.deadFraction,
    inclusive: true,
    metric: 'fraction of dead units (last step)',
    describe: (n, value, layer, threshold) =>
      `dying ReLU in ${plural(n, 'layer')}: ${value} of ${layer}'s units output 0 for the whole batch (threshold ${threshold})`,
  });
}

/** `fusedOutput`: the output layer's activation is fused into the loss (its saturation is the loss's business). */
export function detectSaturation(result: TrainResult, t: Thresholds, fusedOutput = false): Finding | null {
  return detectUnitFraction(
    result,
    t,
    {
      kind: 'saturation',
      series: (s) => s.saturatedFraction,
      threshold: t.saturatedFraction,
      inclusive: false,
      metric: 'fraction of saturated pre-activations (last step)',
      describe: (n, value, layer, threshold) =>
        `saturated activations in ${plural(n, 'layer')}: ${value} of ${layer}'s pre-activations lie beyond ` +
        `±${t.saturationZ} (threshold ${threshold})`,
    },
    fusedOutput ? outputLayerIndex(result.layers) : -1,
  );
}

/** Median update ratio ‖ΔW‖/‖W‖ per weight layer over the recorded steps. */
function medianUpdateRatio(result: TrainResult, l: number): number {
  const values = result.series[l]!.updateRatio.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return values.length === 0 ? NaN : values[Math.floor(values.length / 2)]!;
}

export function detectLearningRate(
  result: TrainResult,
  t: Thresholds,
  explained: Set<string>,
  diverged: boolean,
): Finding[] {
  const weightLayers = result.layers.map((info, l) => ({ info, l })).filter(({ info }) => info.hasWeights);
  if (weightLayers.length === 0) return [];
  const medians = weightLayers.map(({ info, l }) => ({ path: info.path, ratio: medianUpdateRatio(result, l) }));
  const high = medians.filter((m) => m.ratio > t.updateRatioHigh);
  const low = medians.filter((m) => m.ratio < t.updateRatioLow && !explained.has(m.path));
  const findings: Finding[] = [];
  // A band violation by a majority of weight layers points at the learning rate rather than at one layer.
  if (high.length * 2 > weightLayers.length || (diverged && high.length > 0)) {
    findings.push(lrFinding('learning-rate-high', high, t.updateRatioHigh, result.recordedSteps));
  }
  if (low.length * 2 > weightLayers.length)
    findings.push(lrFinding('learning-rate-low', low, t.updateRatioLow, result.recordedSteps));
  return findings;
}

function lrFinding(
  kind: 'learning-rate-high' | 'learning-rate-low',
  layers: { path: string; ratio: number }[],
  threshold: number,
  steps: number[],
): Finding {
  const worst =
    kind === 'learning-rate-high'
      ? layers.reduce((a, b) => (b.ratio > a.ratio ? b : a))
      : layers.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  return {
    kind,
    severity: 'warning',
    source: 'measured',
    layers: layers.map((m) => m.path),
    reference: null,
    message:
      `learning rate looks too ${kind === 'learning-rate-high' ? 'high' : 'low'}: median update ratio ‖ΔW‖/‖W‖ of ` +
      `${worst.path} is ${formatValue(worst.ratio)} (healthy band ${kind === 'learning-rate-high' ? `≤ ${threshold}` : `≥ ${threshold}`}) in ` +
      `${layers.length} layer${layers.length > 1 ? 's' : ''}`,
    values: Object.fromEntries(layers.map((m) => [m.path, m.ratio])),
    metric: 'median update ratio ‖ΔW‖/‖W‖',
    threshold,
    steps,
  };
}

export function detectNotLearning(result: TrainResult, t: Thresholds): Finding | null {
  const start = result.loss[0];
  const end = tailMean(result.loss);
  if (start === undefined || !Number.isFinite(start) || !Number.isFinite(end) || result.stepsRun < 20) return null;
  if (end < start * t.stagnantLossFraction) return null;
  return {
    kind: 'not-learning',
    severity: 'info',
    source: 'measured',
    layers: [],
    reference: null,
    message: `${formatValue(start)} at step 0, ${formatValue(end)} at the end of ${plural(result.stepsRun, 'step')}`,
    values: { lossStart: start, lossEnd: end },
    metric: 'loss end / start',
    threshold: t.stagnantLossFraction,
    steps: [0, result.stepsRun - 1],
  };
}
