/**
 * Measured rules of the recurrent and conv layers (issue 15), in the style of detect.ts: judged on the median over
 * the recorded steps after step 0 (gradients) or on the probe set at the last recording (fractions).
 *   - Vanishing / exploding through time: ‖∂L/∂h_0‖/‖∂L/∂h_{T−1}‖ of a recurrent layer (LayerSeries.timeGradNorm),
 *     against AutoTrainer's ratios applied to time steps (thresholds.ts).
 *   - Saturated LSTM/GRU gates (LayerSeries.gateSaturation): DeepDiagnosis' saturation rule per gate.
 *   - Dead conv filters (LayerSeries.channelDead): the dying-ReLU rule of detect.ts counts filters, not positions.
 */
import type { LayerInfo, TrainResult } from '../engine/stats';
import { gradientWindow, median, onsetOf } from './detect-window';
import type { Finding } from './findings';
import type { Thresholds } from './thresholds';
import { formatPercent, formatValue, plural } from './wording';

const TIME_METRIC = '‖∂L/∂h_0‖ / ‖∂L/∂h_T‖ over the sequence (median over the recorded steps after step 0)';

/** The first-over-last ratio of layer l's time-step gradient norms at recording k; NaN when it is not a ratio. */
export function timeRatioAt(result: TrainResult, l: number, k: number): number {
  const norms = result.series[l]!.timeGradNorm?.[k];
  if (!norms || norms.length < 2) return NaN;
  const first = norms[0]!;
  const last = norms[norms.length - 1]!;
  // No gradient at the last step at all (0/0, a dead or cut-off layer) is not a ratio through time.
  if (!Number.isFinite(first) || !Number.isFinite(last) || !(last > 0)) return NaN;
  return first / last;
}

/** Recurrent layers of the record (those with time-step gradient norms), with their median ratio over the window. */
export function timeRatios(result: TrainResult): { l: number; ratio: number; steps: number }[] {
  const window = gradientWindow(result);
  const out: { l: number; ratio: number; steps: number }[] = [];
  result.series.forEach((s, l) => {
    if (!s.timeGradNorm || s.timeGradNorm.length === 0) return;
    const ratio = median(window.map((k) => timeRatioAt(result, l, k)));
    const steps = s.timeGradNorm[window[0] ?? 0]?.length ?? 0;
    if (!Number.isNaN(ratio)) out.push({ l, ratio, steps });
  });
  return out;
}

function layerWords(info: LayerInfo, steps: number): string {
  return `${info.path} (${info.kind}, ${plural(steps, 'step')})`;
}

export function detectTimeVanishing(result: TrainResult, t: Thresholds): Finding | null {
  return timeRule(result, t, 'vanishing-through-time', t.timeVanishingRatio, (r) => r < t.timeVanishingRatio);
}

export function detectTimeExploding(result: TrainResult, t: Thresholds): Finding | null {
  return timeRule(result, t, 'exploding-through-time', t.timeExplodingRatio, (r) => r > t.timeExplodingRatio);
}

function timeRule(
  result: TrainResult,
  _t: Thresholds,
  kind: 'vanishing-through-time' | 'exploding-through-time',
  threshold: number,
  holds: (ratio: number) => boolean,
): Finding | null {
  const hits = timeRatios(result).filter((r) => holds(r.ratio));
  if (hits.length === 0) return null;
  const layers = hits.map((h) => result.layers[h.l]!.path);
  const values = Object.fromEntries(hits.map((h, i) => [layers[i]!, h.ratio]));
  const worst = hits.reduce((a, b) =>
    (kind === 'vanishing-through-time' ? b.ratio < a.ratio : b.ratio > a.ratio) ? b : a,
  );
  const last = Math.max(0, worst.steps - 1);
  const onset = onsetOf(result, (k) => hits.some((h) => holds(timeRatioAt(result, h.l, k))));
  const verb = kind === 'vanishing-through-time' ? 'vanishes' : 'explodes';
  const consequence =
    kind === 'vanishing-through-time'
      ? 'the first steps of the sequence barely reach the loss'
      : 'the first steps receive a gradient the later ones multiply up';
  return {
    kind,
    severity: 'warning',
    source: 'measured',
    layers,
    reference: null,
    message:
      `gradient ${verb} through time in ${layerWords(result.layers[worst.l]!, worst.steps)}: ‖∂L/∂h_0‖ is ` +
      `${formatValue(worst.ratio)}× ‖∂L/∂h_${last}‖ (threshold ${threshold}); ${consequence}`,
    values,
    metric: TIME_METRIC,
    threshold,
    steps: gradientWindow(result).map((k) => result.recordedSteps[k]!),
    ...(onset !== undefined ? { onset } : {}),
  };
}

/** Each gate's saturated fraction of layer l at recording k, largest first. */
function gateFractions(result: TrainResult, l: number, k: number): { gate: string; fraction: number }[] {
  const gates = result.series[l]!.gateSaturation ?? {};
  return Object.entries(gates)
    .map(([gate, values]) => ({ gate, fraction: values[k] ?? NaN }))
    .filter((g) => Number.isFinite(g.fraction))
    .sort((a, b) => b.fraction - a.fraction);
}

/**
 * DeepDiagnosis' saturation rule on every LSTM/GRU gate at the last recording: a gate whose pre-activations lie
 * beyond ±saturationZ for more than the threshold's fraction passes (almost) no gradient to its weights, whatever
 * value it is stuck at. One finding; its values are each layer's most saturated gate.
 */
export function detectGateSaturation(result: TrainResult, t: Thresholds): Finding | null {
  const last = result.recordedSteps.length - 1;
  if (last < 0) return null;
  const saturated = (l: number, k: number) =>
    gateFractions(result, l, k).filter((g) => g.fraction > t.saturatedFraction);
  const hits = result.layers.map((_, l) => l).filter((l) => saturated(l, last).length > 0);
  if (hits.length === 0) return null;
  const layers = hits.map((l) => result.layers[l]!.path);
  const values = Object.fromEntries(hits.map((l, i) => [layers[i]!, saturated(l, last)[0]!.fraction]));
  const first = hits[0]!;
  const gates = saturated(first, last);
  const path = result.layers[first]!.path;
  const which =
    gates.length === 1
      ? `the ${gates[0]!.gate} gate of ${path} has ${formatPercent(gates[0]!.fraction)} of its`
      : `the ${gates.map((g) => `${g.gate} (${formatPercent(g.fraction)})`).join(', ')} gates of ${path} have their`;
  const onset = onsetOf(result, (k) => hits.some((l) => saturated(l, k).length > 0));
  return {
    kind: 'gate-saturation',
    severity: 'warning',
    source: 'measured',
    layers,
    reference: null,
    message:
      `saturated gates in ${plural(hits.length, 'layer')}: ${which} pre-activations beyond ±${t.saturationZ} ` +
      `(threshold ${formatPercent(t.saturatedFraction)}); a saturated gate's weights receive almost no gradient`,
    values,
    metric: 'largest fraction of a gate’s saturated pre-activations on the probe set (last recording)',
    threshold: t.saturatedFraction,
    steps: [result.recordedSteps[last]!],
    ...(onset !== undefined ? { onset } : {}),
  };
}

/** A conv layer's fraction of dead filters at recording k (channelDead), or null when it records none. */
export function deadFilterFraction(result: TrainResult, l: number, k: number): number | null {
  const dead = result.series[l]!.channelDead?.[k];
  if (!dead || dead.length === 0) return null;
  return dead.reduce((a, b) => a + (b > 0 ? 1 : 0), 0) / dead.length;
}

/** "filters 0, 3, 7 and 2 more" — which filters of layer l are dead at recording k. */
export function deadFilterList(result: TrainResult, l: number, k: number, shown = 5): string {
  const dead = result.series[l]!.channelDead?.[k] ?? [];
  const indices = dead.flatMap((d, i) => (d > 0 ? [i] : []));
  if (indices.length === 0) return '';
  const listed = indices.slice(0, shown).join(', ');
  const more = indices.length > shown ? ` and ${indices.length - shown} more` : '';
  return `${indices.length === 1 ? 'filter' : 'filters'} ${listed}${more}`;
}
