/**
 * Findings from the static prediction (no training): cheap enough for every keystroke. They say they are
 * predictions (source 'predicted', severity 'info') and give way to measured findings once a run exists.
 */
import type { Finding } from './findings';
import { formatPercent, formatValue, plural } from './wording';
import type { LayerPrediction, Prediction } from './predict';
import type { Thresholds } from './thresholds';

export function detectPredicted(prediction: Prediction, t: Thresholds): Finding[] {
  const findings: Finding[] = [];
  const weighted = prediction.layers.filter(
    (l) => l.kind === 'dense' && l.path !== prediction.outputPath && Number.isFinite(l.relativeGradNorm),
  );
  const vanishing = weighted.filter((l) => l.relativeGradNorm < t.vanishingRatio);
  const exploding = weighted.filter((l) => l.relativeGradNorm > t.explodingRatio);
  const ref = prediction.outputPath;
  if (vanishing.length > 0) findings.push(ratioFinding('vanishing', vanishing, vanishing[0]!, ref, t.vanishingRatio));
  if (exploding.length > 0) {
    const worst = exploding.reduce((a, b) => (b.relativeGradNorm > a.relativeGradNorm ? b : a));
    findings.push(ratioFinding('exploding', exploding, worst, ref, t.explodingRatio));
  }
  const saturated = prediction.layers.filter(
    (l) => l.saturatedFraction > t.saturatedFraction && (l.kind === 'dense' || l.kind === 'activation'),
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
    const off = weighted.slice(1).filter((l) => Math.sqrt(l.gain) < 1 / g || Math.sqrt(l.gain) > g);
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
