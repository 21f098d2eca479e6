/**
 * Measured detection: findings from one training record, by written rules (thresholds.ts has each threshold and its
 * source; docs/extension.md "How a verdict is reached" the rules in words). The same rules label the benchmark in
 * PyTorch (bench/labelled/label.py), so VGNet's verdict and the independent one are the same question asked of
 * two engines.
 *   - Gradient ratios are judged on the median over the recorded steps after step 0: a one-step transient at
 *     initialisation (an exactly-0 gradient behind a zero-initialised output layer) is not a verdict.
 *   - Exploding needs an absolute size too: tiny nets have huge ratios of tiny numbers.
 *   - Dead and saturated fractions come from the fixed probe set (src/engine/probe.ts) at the last recording.
 * Several seeds' findings are combined by seeds.ts.
 */
import type { LossName } from '../engine/config';
import type { TrainResult } from '../engine/stats';
import type { Finding, FindingKind } from './findings';
import { FINDING_TITLES } from './findings';
import { outputLayerIndex, tailMean } from './summary';
import { gradientWindow, median, onsetOf } from './detect-window';
import {
  deadFilterFraction,
  deadFilterList,
  detectGateSaturation,
  detectTimeExploding,
  detectTimeVanishing,
} from './detect-layers';
import type { Thresholds } from './thresholds';
import { formatPercent, formatValue, plural } from './wording';

export { gradientWindow } from './detect-window';

/**
 * `loss` matters for one judgement: with bce + sigmoid or crossentropy + softmax the output activation is fused
 * into the loss, so a saturated output is a confident classifier, not a gradient problem (its gradient is σ(z) − y).
 */
export function detectMeasured(result: TrainResult, t: Thresholds, loss: LossName | null = null): Finding[] {
  const findings: Finding[] = [];
  for (const f of [
    detectDivergence(result, t),
    detectVanishing(result, t),
    detectExploding(result, t),
    detectDeadRelu(result, t),
    detectSaturation(result, t),
    detectOutputSaturation(result, t, loss),
    detectTimeVanishing(result, t),
    detectTimeExploding(result, t),
    detectGateSaturation(result, t),
  ]) {
    if (f) findings.push(f);
  }
  const divergence = findings.find((f) => f.kind === 'divergence') ?? null;
  const explains = new Set(['vanishing', 'dead-relu', 'vanishing-through-time']);
  const flagged = new Set(findings.flatMap((f) => (explains.has(f.kind) ? f.layers : [])));
  findings.push(...detectLearningRate(result, t, flagged, divergence !== null));
  const stagnant = detectNotLearning(result, t);
  if (stagnant && divergence === null) findings.push(stagnant);
  markRootCauses(findings);
  return findings;
}

/**
 * What can cause what: a problem that began no later than one it can cause is marked as that one's root cause
 * ("dying ReLU, then vanishing": dead units pass no gradient; "exploding, then divergence").
 */
const CAUSES: Partial<Record<FindingKind, readonly FindingKind[]>> = {
  vanishing: ['dead-relu', 'saturation', 'output-saturation'],
  divergence: ['exploding', 'exploding-through-time', 'dead-relu', 'saturation', 'vanishing'],
  'dead-relu': ['divergence', 'exploding', 'learning-rate-high'],
  saturation: ['exploding', 'divergence'],
  'not-learning': [
    'vanishing',
    'vanishing-through-time',
    'dead-relu',
    'saturation',
    'gate-saturation',
    'output-saturation',
  ],
  'learning-rate-high': ['exploding', 'exploding-through-time'],
  // Saturated gates pass no gradient through their σ′, and the carry they hold decides the gain through time.
  'vanishing-through-time': ['gate-saturation', 'saturation'],
  'gate-saturation': ['exploding-through-time', 'divergence'],
};

function markRootCauses(findings: Finding[]): void {
  for (const f of findings) {
    const candidates = CAUSES[f.kind];
    if (!candidates || f.onset === undefined) continue;
    const cause = findings
      .filter((c) => c !== f && candidates.includes(c.kind) && c.onset !== undefined && c.onset <= f.onset!)
      // The earliest; on a tie, the one listed first (the likelier cause).
      .sort((a, b) => a.onset! - b.onset! || candidates.indexOf(a.kind) - candidates.indexOf(b.kind))[0];
    // Never a cycle: a finding already caused by f does not become its cause.
    if (!cause || cause.after === f.kind) continue;
    f.after = cause.kind;
    f.message += ` — after ${FINDING_TITLES[cause.kind]} from step ${cause.onset}`;
  }
}

/** Weight-gradient norm of layer l at recording k (callers floor a reference norm at 1e-30: 0/0 would be NaN). */
function grad(result: TrainResult, l: number, k: number): number {
  return result.series[l]!.gradNorm[k]!;
}

/** The exploding rule's number at recording k: the largest weight-gradient norm of these layers (NaN ones skipped). */
function largestNorm(result: TrainResult, layers: readonly number[], k: number): number {
  let best = 0;
  for (const l of layers) {
    const g = grad(result, l, k);
    if (g > best) best = g;
  }
  return best;
}

/** The first weight layer outside residual branches, and the output layer; null without two distinct ones. */
function ratioLayers(result: TrainResult): { first: number; out: number } | null {
  const out = outputLayerIndex(result.layers);
  const first = result.layers.findIndex((l) => l.hasWeights && l.parent === -1);
  return out < 0 || first < 0 || first === out ? null : { first, out };
}

/** Median over the window of layer l's ratio to the output layer, and of its own norm. */
function layerRatio(result: TrainResult, l: number, out: number, window: number[]): { ratio: number; norm: number } {
  const ratios: number[] = [];
  const norms: number[] = [];
  for (const k of window) {
    const o = grad(result, out, k);
    const g = grad(result, l, k);
    if (!Number.isFinite(o) || !Number.isFinite(g)) continue;
    ratios.push(g / Math.max(o, 1e-30));
    norms.push(g);
  }
  return { ratio: median(ratios), norm: median(norms) };
}

/** The first weight layer's gradient-norm ratio to the output layer, as the vanishing and exploding rules judge it. */
export function firstLayerRatio(result: TrainResult): number {
  const pair = ratioLayers(result);
  return pair ? layerRatio(result, pair.first, pair.out, gradientWindow(result)).ratio : NaN;
}

const RATIO_METRIC = 'gradient-norm ratio to the output layer (median over the recorded steps after step 0)';

/** Problems whose rule is a median over the gradient window, so a run still training can be sure of them early. */
export type SettledKind = 'vanishing' | 'exploding';

export type SettleThresholds = Pick<
  Thresholds,
  'vanishingRatio' | 'vanishingAbsolute' | 'explodingRatio' | 'explodingAbsolute'
>;

/**
 * Whether a run still training is sure to end with `kind` (detectVanishing, detectExploding): its ratio and its norm
 * are past their thresholds on more than half of the recordings its window will hold when all `steps` have run
 * (recorded every `recordEvery` and at the last step), so both medians are past them whatever the rest does. A run
 * that later stops on a non-finite value is judged on fewer recordings, which keeps the majority. Returns the reason
 * in words, or null.
 */
export function settled(
  kind: SettledKind,
  result: TrainResult,
  steps: number,
  recordEvery: number,
  t: SettleThresholds,
): string | null {
  return new Settlement(kind, steps, recordEvery, t).update(result);
}

/**
 * settled() asked after every recording of one run: it reads only the recordings added since it was last asked, so
 * a run of R recordings costs O(R) in all (asking settled() each time would cost O(R²)).
 */
export class Settlement {
  /** Recordings the rule's window will hold once every step has run, and the majority of them. */
  private readonly window: number;
  private readonly needed: number;
  private seen = 0;
  private ratios = 0;
  private norms = 0;

  constructor(
    private readonly kind: SettledKind,
    steps: number,
    recordEvery: number,
    private readonly t: SettleThresholds,
  ) {
    // Steps 1 … steps − 1 recorded: every recordEvery-th, and the last.
    const last = steps - 1;
    const every = Math.max(1, recordEvery);
    this.window = last < 1 ? 0 : Math.floor(last / every) + (last % every === 0 ? 0 : 1);
    this.needed = Math.floor(this.window / 2) + 1;
  }

  update(result: TrainResult): string | null {
    const out = outputLayerIndex(result.layers);
    const pair = ratioLayers(result);
    if (out < 0 || (this.kind === 'vanishing' && !pair)) return null;
    const hidden = result.layers.flatMap((info, l) => (info.hasWeights && l !== out ? [l] : []));
    const t = this.t;
    for (; this.seen < result.recordedSteps.length; this.seen++) {
      const k = this.seen;
      if (result.recordedSteps[k]! < 1) continue;
      const o = grad(result, out, k);
      if (this.kind === 'vanishing') {
        const g = grad(result, pair!.first, k);
        if (!Number.isFinite(g) || !Number.isFinite(o)) continue;
        if (g / Math.max(o, 1e-30) < t.vanishingRatio) this.ratios++;
        if (g < t.vanishingAbsolute) this.norms++;
      } else {
        const best = largestNorm(result, hidden, k);
        if (!Number.isFinite(o)) continue;
        if (best / Math.max(o, 1e-30) > t.explodingRatio) this.ratios++;
        if (best > t.explodingAbsolute) this.norms++;
      }
    }
    if (this.ratios < this.needed || this.norms < this.needed) return null;
    const did = this.kind === 'vanishing' ? 'vanished' : 'exploded';
    return `the gradient ${did} on ${this.needed} of the ${this.window} recordings the rule judges: a majority whatever the rest of the run does`;
  }
}

/**
 * AutoTrainer's rule: the first layer's weight-gradient norm / the output layer's below 1e-3, with the first
 * layer's norm below 1e-4. Every weight layer meeting the same rule is listed.
 */
export function detectVanishing(result: TrainResult, t: Thresholds): Finding | null {
  const pair = ratioLayers(result);
  if (!pair) return null;
  const window = gradientWindow(result);
  const vanishes = (m: { ratio: number; norm: number }): boolean =>
    m.ratio < t.vanishingRatio && m.norm < t.vanishingAbsolute;
  const first = layerRatio(result, pair.first, pair.out, window);
  if (!vanishes(first)) return null;
  const layers: string[] = [];
  const values: Record<string, number> = {};
  for (let l = 0; l < result.layers.length; l++) {
    if (!result.layers[l]!.hasWeights || l === pair.out) continue;
    const m = layerRatio(result, l, pair.out, window);
    if (l !== pair.first && !vanishes(m)) continue;
    layers.push(result.layers[l]!.path);
    values[result.layers[l]!.path] = m.ratio;
  }
  const firstPath = result.layers[pair.first]!.path;
  const onset = onsetOf(
    result,
    (k) =>
      grad(result, pair.first, k) / Math.max(grad(result, pair.out, k), 1e-30) < t.vanishingRatio &&
      grad(result, pair.first, k) < t.vanishingAbsolute,
  );
  return {
    kind: 'vanishing',
    severity: 'warning',
    source: 'measured',
    layers,
    reference: result.layers[pair.out]!.path,
    message:
      `gradient vanishes in ${plural(layers.length, 'layer')}: ${firstPath}'s gradient norm is ` +
      `${formatValue(first.ratio)}× the output layer's (norm ${formatValue(first.norm)}; thresholds: ratio ` +
      `${t.vanishingRatio}, norm ${t.vanishingAbsolute})`,
    values,
    metric: RATIO_METRIC,
    threshold: t.vanishingRatio,
    steps: window.map((k) => result.recordedSteps[k]!),
    ...(onset !== undefined ? { onset } : {}),
  };
}

/**
 * AutoTrainer's ratio rule with a size condition: the largest hidden weight-gradient norm / the output layer's
 * above 70, and that norm itself above 1 (tiny-init nets have ratios of 1e3 between numbers of 1e-10).
 */
export function detectExploding(result: TrainResult, t: Thresholds): Finding | null {
  const out = outputLayerIndex(result.layers);
  if (out < 0) return null;
  const hidden = result.layers.flatMap((info, l) => (info.hasWeights && l !== out ? [l] : []));
  if (hidden.length === 0) return null;
  const window = gradientWindow(result);
  const ratios: number[] = [];
  const norms: number[] = [];
  for (const k of window) {
    const o = grad(result, out, k);
    const best = largestNorm(result, hidden, k);
    if (!Number.isFinite(o)) continue;
    ratios.push(best / Math.max(o, 1e-30));
    norms.push(best);
  }
  const ratio = median(ratios);
  const norm = median(norms);
  if (!(ratio > t.explodingRatio && norm > t.explodingAbsolute)) return null;
  const layers: string[] = [];
  const values: Record<string, number> = {};
  // Each hidden layer's medians, once: for the listing and, when none qualifies alone, for naming the largest.
  const medians = hidden.map((l) => ({ l, ...layerRatio(result, l, out, window) }));
  for (const m of medians) {
    if (!(m.ratio > t.explodingRatio && m.norm > t.explodingAbsolute)) continue;
    layers.push(result.layers[m.l]!.path);
    values[result.layers[m.l]!.path] = m.ratio;
  }
  if (layers.length === 0) {
    // The largest layer changes from step to step, so none qualifies alone: name the largest by median ratio.
    const largest = medians.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    layers.push(result.layers[largest.l]!.path);
    values[result.layers[largest.l]!.path] = ratio;
  }
  const worst = layers.reduce((a, b) => (values[b]! > values[a]! ? b : a));
  const onset = onsetOf(result, (k) =>
    hidden.some(
      (l) =>
        grad(result, l, k) / Math.max(grad(result, out, k), 1e-30) > t.explodingRatio &&
        grad(result, l, k) > t.explodingAbsolute,
    ),
  );
  return {
    kind: 'exploding',
    severity: 'warning',
    source: 'measured',
    layers,
    reference: result.layers[out]!.path,
    message:
      `gradient explodes in ${plural(layers.length, 'layer')}: ${worst}'s gradient norm is ` +
      `${formatValue(values[worst]!)}× the output layer's (norm ${formatValue(norm)}; thresholds: ratio ` +
      `${t.explodingRatio}, norm ${t.explodingAbsolute})`,
    values,
    metric: RATIO_METRIC,
    threshold: t.explodingRatio,
    steps: window.map((k) => result.recordedSteps[k]!),
    ...(onset !== undefined ? { onset } : {}),
  };
}

/** Mean of the last 10% of the finite losses (at least one), over the first loss; NaN without a finite first loss. */
export function lossGrowth(loss: readonly number[]): { start: number; end: number; growth: number } {
  const start = loss[0] ?? NaN;
  const finite = loss.filter(Number.isFinite);
  if (!Number.isFinite(start) || finite.length === 0) return { start, end: NaN, growth: NaN };
  const tail = finite.slice(-Math.max(1, Math.floor(finite.length / 10)));
  const end = tail.reduce((a, b) => a + b, 0) / tail.length;
  return { start, end, growth: end / Math.max(start, 1e-12) };
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
      onset: result.stopped.step,
    };
  }
  const { start, end, growth } = lossGrowth(result.loss);
  if (!(growth > t.lossBlowupFactor)) return null;
  const onset = result.loss.findIndex((v) => v > start * t.lossBlowupFactor);
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
    onset: onset < 0 ? result.stepsRun - 1 : onset,
  };
}

/** A per-unit fraction measured on the probe set: dead ReLU units, saturated sigmoid/tanh pre-activations. */
interface UnitFractionRule {
  kind: 'dead-relu' | 'saturation' | 'output-saturation';
  series: 'deadFraction' | 'saturatedFraction';
  threshold: number;
  /** Inclusive for dead units (DeepDiagnosis: ≥ 70%), exclusive for saturation (> 50%). */
  inclusive: boolean;
  metric: string;
  /** Which layer nodes the rule looks at. */
  eligible: (layer: number) => boolean;
  /** The fraction of layer l at recording k, when it is not simply the series' value (conv: dead filters). */
  fractionOf?: (layer: number, k: number) => number;
  describe: (count: number, value: string, layer: string, threshold: string) => string;
}

/** The rule at the last recording (the network as training left it), its onset from the earlier recordings. */
function detectUnitFraction(result: TrainResult, rule: UnitFractionRule): Finding | null {
  const last = result.recordedSteps.length - 1;
  if (last < 0) return null;
  const fraction = rule.fractionOf ?? ((l: number, k: number): number => result.series[l]![rule.series][k]!);
  const holds = (l: number, k: number): boolean =>
    rule.inclusive ? fraction(l, k) >= rule.threshold : fraction(l, k) > rule.threshold;
  const hits: number[] = [];
  for (let l = 0; l < result.layers.length; l++) if (rule.eligible(l) && holds(l, last)) hits.push(l);
  if (hits.length === 0) return null;
  const layers = hits.map((l) => result.layers[l]!.path);
  const values = Object.fromEntries(hits.map((l, i) => [layers[i]!, fraction(l, last)]));
  const first = layers[0]!;
  const onset = onsetOf(result, (k) => hits.some((l) => holds(l, k)));
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
    steps: [result.recordedSteps[last]!],
    ...(onset !== undefined ? { onset } : {}),
  };
}

/** The last layer node: the network's output (its saturation is a kind of its own). */
function outputNode(result: TrainResult): number {
  return result.layers.length - 1;
}

/**
 * DeepDiagnosis' dying-ReLU rule. A conv layer's unit is its filter (channelDead): a filter that outputs 0 at every
 * position of every probe sample is dead; one dead at some positions only is the ReLU working.
 */
export function detectDeadRelu(result: TrainResult, t: Thresholds): Finding | null {
  const out = outputNode(result);
  const last = result.recordedSteps.length - 1;
  const fractionOf = (l: number, k: number): number =>
    deadFilterFraction(result, l, k) ?? result.series[l]!.deadFraction[k]!;
  return detectUnitFraction(result, {
    kind: 'dead-relu',
    series: 'deadFraction',
    threshold: t.deadFraction,
    inclusive: true,
    metric: 'fraction of dead units (conv: filters) on the probe set (last recording)',
    eligible: (l) => l !== out && !Number.isNaN(fractionOf(l, 0)),
    fractionOf,
    describe: (n, value, layer, threshold) => {
      const l = result.layers.findIndex((info) => info.path === layer);
      const filters = l >= 0 ? deadFilterList(result, l, last) : '';
      if (filters === '')
        return `dying ReLU in ${plural(n, 'layer')}: ${value} of ${layer}'s units output 0 for every probe sample (threshold ${threshold})`;
      return (
        `dying ReLU in ${plural(n, 'layer')}: ${value} of ${layer}'s filters output 0 at every position for every ` +
        `probe sample (${filters}; threshold ${threshold})`
      );
    },
  });
}

export function detectSaturation(result: TrainResult, t: Thresholds): Finding | null {
  const out = outputNode(result);
  return detectUnitFraction(result, {
    kind: 'saturation',
    series: 'saturatedFraction',
    threshold: t.saturatedFraction,
    inclusive: false,
    metric: 'fraction of saturated pre-activations on the probe set (last recording)',
    eligible: (l) => l !== out && !Number.isNaN(result.series[l]!.saturatedFraction[0]),
    describe: (n, value, layer, threshold) =>
      `saturated activations in ${plural(n, 'layer')}: ${value} of ${layer}'s pre-activations lie beyond ` +
      `±${t.saturationZ} (threshold ${threshold})`,
  });
}

/** Whether the loss takes the output layer's logits (bce after sigmoid, crossentropy after softmax). */
export function lossFusesOutput(loss: LossName | null, activation: string | null): boolean {
  return (loss === 'bce' && activation === 'sigmoid') || (loss === 'crossentropy' && activation === 'softmax');
}

/**
 * A saturated sigmoid/tanh output the loss does not take the logits of (e.g. under mse): its gradient is σ'(z) ≈ 0
 * for every sample, so nothing upstream learns — a problem of its own, not hidden-layer saturation.
 */
export function detectOutputSaturation(result: TrainResult, t: Thresholds, loss: LossName | null): Finding | null {
  const out = outputNode(result);
  if (out < 0 || lossFusesOutput(loss, result.layers[out]!.activation)) return null;
  return detectUnitFraction(result, {
    kind: 'output-saturation',
    series: 'saturatedFraction',
    threshold: t.saturatedFraction,
    inclusive: false,
    metric: 'fraction of saturated output pre-activations on the probe set (last recording)',
    eligible: (l) => l === out && !Number.isNaN(result.series[l]!.saturatedFraction[0]),
    describe: (_n, value, layer, threshold) =>
      `saturated output: ${value} of ${layer}'s pre-activations lie beyond ±${t.saturationZ} (threshold ` +
      `${threshold}); ${loss ?? 'the loss'} does not take the logits, so its gradient is almost 0`,
  });
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
