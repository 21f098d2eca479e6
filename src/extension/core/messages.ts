/** The words of diagnostics and related information: one finding, one layer, with the numbers that matter. */
import { FINDING_TITLES, describeSteps, type Finding } from '../../analysis/findings';
import { formatPercent, formatValue } from '../../analysis/wording';

/** Fractions read better as percentages ("dead units 85%"); everything else in the short numeric form. */
export function formatMetric(metric: string, value: number): string {
  return /fraction/.test(metric) ? formatPercent(value) : formatValue(value);
}

/** "vanishing gradient (measured)" / "saturated activations (predicted)". */
export function findingHeadline(finding: Finding): string {
  return `${FINDING_TITLES[finding.kind]} (${finding.source})`;
}

/**
 * The message on one layer's diagnostic: the headline and this layer's own number against the threshold. The first
 * layer of the finding also carries the finding's sentence and, when measured, the steps at which it held; the
 * others point at it (a 15-layer finding should not repeat one sentence 15 times).
 */
export function layerMessage(finding: Finding, layer: string, recordedSteps: number[] | null): string {
  const value = finding.values[layer];
  const threshold = Number.isFinite(finding.threshold)
    ? ` (threshold ${formatMetric(finding.metric, finding.threshold)})`
    : '';
  const number = value === undefined ? '' : ` — ${finding.metric} ${formatMetric(finding.metric, value)}${threshold}`;
  const head = `${findingHeadline(finding)}: ${layer}${number}.`;
  if (finding.layers[0] !== layer)
    return `${head} One of ${finding.layers.length} layers; see ${finding.layers[0]} for the whole finding.`;
  return `${head} ${capitalise(finding.message)}.${stepsSuffix(finding, recordedSteps)}`;
}

/** The message of a model-wide diagnostic (learning rate, divergence, loss not decreasing). */
export function modelWideMessage(finding: Finding, recordedSteps: number[] | null): string {
  return `${findingHeadline(finding)}: ${capitalise(finding.message)}.${stepsSuffix(finding, recordedSteps)}`;
}

/** Related information pointing at the reference layer the ratios are taken against. */
export function referenceMessage(reference: string, referenceGradNorm: number | null): string {
  const norm =
    referenceGradNorm !== null && Number.isFinite(referenceGradNorm)
      ? `, gradient norm ${formatValue(referenceGradNorm)} at step 0`
      : '';
  return `compared with the output layer ${reference}${norm}`;
}

/** Related information for one affected layer of a model-wide finding. */
export function affectedLayerMessage(finding: Finding, layer: string): string {
  const value = finding.values[layer];
  return value === undefined
    ? `affected layer ${layer}`
    : `${layer}: ${finding.metric} ${formatMetric(finding.metric, value)}`;
}

function stepsSuffix(finding: Finding, recordedSteps: number[] | null): string {
  if (finding.source !== 'measured' || finding.steps.length === 0 || recordedSteps === null) return '';
  return ` [steps ${describeSteps(finding.steps, recordedSteps)}]`;
}

function capitalise(sentence: string): string {
  const trimmed = sentence.replace(/\.\s*$/, '');
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}
