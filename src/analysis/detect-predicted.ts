/**
 * Findings from the static prediction (no training): cheap enough for every keystroke. They say they are
 * predictions (source 'predicted', severity 'info') and give way to measured findings once a run exists.
 */
import type { Finding } from './findings';
import { formatPercent, formatValue, plural } from './wording';
import type { LayerPrediction, Prediction } from './predict';
import type { Thresholds } from './thresholds';

/** Layers whose weight gradient the ratio rules compare with the output layer's (as the measured rules do). */
const WEIGHTED: ReadonlySet<string> = new Set(['dense', 'conv1d', 'conv2d', 'simple_rnn', 'lstm', 'gru']);
/** Layers whose pre-activations can saturate. */
const ACTIVATED: ReadonlySet<string> = new Set(['dense', 'activation', 'conv1d', 'conv2d', 'simple_rnn']);

export function detectPredicted(prediction: Prediction, t: Thresholds): Finding[] {
  const findings: Finding[] = [];
  const weighted = prediction.layers.filter(
    (l) => WEIGHTED.has(l.kind) && l.path !== prediction.outputPath && Number.isFinite(l.relativeGradNorm),
  );
  const vanishing = weighted.filter((l) => l.relativeGradNorm < t.vanishingRatio);
  const exploding = weighted.filter((l) => l.relativeGradNorm > t.explodingRatio);
  const ref = prediction.outputPath;
  if (vanishing.length > 0) findings.push(ratioFinding('vanishing', vanishing, vanishing[0]!, ref, t.vanishingRatio));
  if (exploding.length > 0) {
    const worst = exploding.reduce((a, b) => (b.relativeGradNorm > a.relativeGradNorm ? b : a));
    findings.push(ratioFinding('exploding', exploding, worst, ref, t.explodingRatio));
  }
  findings.push(...throughTime(prediction, t));
  const saturated = prediction.layers.filter(
    (l) => l.saturatedFraction > t.saturatedFraction && ACTIVATED.has(l.kind) && l.kind !== 'simple_rnn',
  );
  if (saturated.length > 0) {
    findings.push({
      kind: 'saturation',
      severity: 'info',
      source: 'predicted',
      layers: saturated.map((l) => l.path),
      reference: null,
      message:
        `predicted saturation: ${formatPercent(saturated[0]!.saturatedFraction)} of ${saturated[0]!.path}'s ` +
        `pre-activations expected beyond ±${t.saturationZ}`,
      values: Object.fromEntries(saturated.map((l) => [l.path, l.saturatedFraction])),
      metric: 'predicted saturated fraction',
      threshold: t.saturatedFraction,
      steps: [],
    });
  }
  // Poor initialisation: only worth saying when the predicted end-to-end flow is out of the healthy band.
  if (vanishing.length > 0 || exploding.length > 0) {
    const g = t.initGainFactor;
    // The first layer's gain only scales the gradient w.r.t. the input data, which nothing learns from: skip it.
    // A recurrent layer's gain sums every step's: not a per-layer factor to hold against 1.
    const off = weighted.slice(1).filter((l) => !l.recurrent && (Math.sqrt(l.gain) < 1 / g || Math.sqrt(l.gain) > g));
    if (off.length > 0) {
      findings.push({
        kind: 'poor-init',
        severity: 'info',
        source: 'predicted',
        layers: off.map((l) => l.path),
        reference: null,
        message:
          `predicted per-layer gradient gain far from 1 in ${plural(off.length, 'layer')}: ` +
          `${off[0]!.path} multiplies the backward gradient norm by ${formatValue(Math.sqrt(off[0]!.gain))} (healthy: ${formatValue(1 / g)}–${g})`,
        values: Object.fromEntries(off.map((l) => [l.path, Math.sqrt(l.gain)])),
        metric: 'predicted per-layer gradient-norm gain √χ',
        threshold: g,
        steps: [],
      });
    }
  }
  return findings;
}

/** A predicted vanishing or exploding gradient in `layers`; `shown` is the layer its message names. */
function ratioFinding(
  kind: 'vanishing' | 'exploding',
  layers: LayerPrediction[],
  shown: LayerPrediction,
  reference: string,
  threshold: number,
): Finding {
  return {
    kind,
    severity: 'info',
    source: 'predicted',
    layers: layers.map((l) => l.path),
    reference,
    message:
      `predicted ${kind} gradient in ${plural(layers.length, 'layer')}: ${shown.path} is expected at ` +
      `${formatValue(shown.relativeGradNorm)}× the output layer's gradient norm (threshold ${threshold})`,
    values: Object.fromEntries(layers.map((l) => [l.path, l.relativeGradNorm])),
    metric: 'predicted gradient-norm ratio to the output layer',
    threshold,
    steps: [],
  };
}

/**
 * Predicted vanishing or exploding through time: the mean-field ‖∂L/∂h_0‖/‖∂L/∂h_T‖ of each recurrent layer
 * (predict-recurrent.ts) against the thresholds the measured rule uses.
 */
function throughTime(prediction: Prediction, t: Thresholds): Finding[] {
  const recurrent = prediction.layers.filter((l) => l.recurrent && Number.isFinite(l.recurrent.timeRatio));
  const out: Finding[] = [];
  for (const kind of ['vanishing-through-time', 'exploding-through-time'] as const) {
    const vanishing = kind === 'vanishing-through-time';
    const threshold = vanishing ? t.timeVanishingRatio : t.timeExplodingRatio;
    const hits = recurrent.filter((l) =>
      vanishing ? l.recurrent!.timeRatio < threshold : l.recurrent!.timeRatio > threshold,
    );
    if (hits.length === 0) continue;
    const shown = hits[0]!;
    const flow = shown.recurrent!;
    const carry = Number.isNaN(flow.carryGain)
      ? ''
      : `, ${shown.kind === 'lstm' ? 'forget' : 'update'} gate ≈ ${formatValue(flow.carryGain)}`;
    out.push({
      kind,
      severity: 'info',
      source: 'predicted',
      layers: hits.map((l) => l.path),
      reference: null,
      message:
        `predicted ${vanishing ? 'vanishing' : 'exploding'} gradient through time in ${shown.path} (${shown.kind}, ` +
        `${plural(flow.steps, 'step')}): ‖∂L/∂h_0‖ expected at ${formatValue(flow.timeRatio)}× ` +
        `‖∂L/∂h_${Math.max(0, flow.steps - 1)}‖ (per-step gain ${formatValue(flow.stepGain)}${carry}; threshold ${threshold})`,
      values: Object.fromEntries(hits.map((l) => [l.path, l.recurrent!.timeRatio])),
      metric: 'predicted ‖∂L/∂h_0‖ / ‖∂L/∂h_T‖ at initialisation',
      threshold,
      steps: [],
    });
  }
  return out;
}
