/**
 * The hover on a layer: predicted next to measured gradient statistics, the findings on the layer and the fixes
 * tried for them. Markdown text; the glue wraps it in a MarkdownString.
 */
import type { TrainResult } from '../../engine/stats';
import { formatValue } from '../../analysis/wording';
import type { LayerSummary } from '../../analysis/summary';
import { formatPercent } from '../../analysis/wording';
import { findingHeadline, formatMetric } from './messages';
import { verifiedFixTitle } from './fixes';
import { convLines, specConvLines, specShapes, throughTimeLines } from './hover-series';
import { shapeText } from './layer-shape';
import type { DocumentView, PredictedLayerView } from './results';

const DASH = '—';

export function hoverMarkdown(view: DocumentView, layer: string): string | null {
  const predicted = view.prediction?.layers.find((l) => l.path === layer) ?? null;
  const index = view.result?.layers.findIndex((l) => l.path === layer) ?? -1;
  const measured = index >= 0 ? (view.summary?.layers[index] ?? null) : null;
  if (predicted === null && measured === null) return null;
  const info = index >= 0 ? (view.result?.layers[index] ?? null) : null;
  const shapes = info ? shapeText(info) : specShapeText(view, layer);
  const lines = [`**VGNet** · \`${layer}\`${describeLayer(predicted, measured, shapes)}`, ''];
  lines.push('| | predicted | measured |', '|:--|--:|--:|');
  lines.push(
    row(
      'gradient gain through the layer ‖δin‖/‖δout‖',
      predicted ? number(Math.sqrt(predicted.gain)) : DASH,
      view.result && index >= 0 ? number(measuredGain(view.result, index)) : DASH,
    ),
  );
  lines.push(
    row(
      'weight-gradient norm ‖∂L/∂W‖, step 0 → end',
      DASH,
      measured ? span(measured.gradNormStart, measured.gradNormEnd) : DASH,
    ),
  );
  lines.push(
    row(
      'ratio to the output layer',
      predicted ? number(predicted.relativeGradNorm) : DASH,
      measured ? span(measured.ratioStart, measured.ratioEnd) : DASH,
    ),
  );
  lines.push(
    row(
      'saturated (sigmoid/tanh) or inactive (ReLU) units',
      predicted ? percent(predicted.saturatedFraction) : DASH,
      measured ? percent(measured.saturatedFraction) : DASH,
    ),
  );
  lines.push(row('dead units', DASH, measured ? percent(measured.deadFraction) : DASH));
  if (view.result && index >= 0) lines.push(...throughTimeLines(view.result, index), ...convLines(view.result, index));
  else if (predicted) lines.push(...specConvLines(view.locator.config, layer, predicted.kind));
  if (view.measuredStale)
    lines.push('', '_Measured values are from before your last edit: analyse again to refresh them._');
  else if (!view.measured)
    lines.push('', '_Measured values appear after an analysis run (save, or "VGNet: Analyze Current Model")._');
  lines.push(...findingLines(view, layer));
  return lines.join('\n');
}

/**
 * The layer's kind, shapes and activation. Shapes: the record's per-sample shapes ("1×28×28→16×26×26", more than
 * the summary's flat widths), else the spec's before any run.
 */
function describeLayer(
  predicted: PredictedLayerView | null,
  measured: LayerSummary | null,
  shapes: string | null,
): string {
  if (measured)
    return ` · ${measured.kind} ${shapes ?? measured.shape}${measured.activation ? ` · ${measured.activation}` : ''}`;
  return predicted ? ` · ${predicted.kind}${shapes ? ` ${shapes}` : ''}` : '';
}

/** "1×16×16→8×16×16" from the parsed spec, or null. */
function specShapeText(view: DocumentView, layer: string): string | null {
  const shapes = specShapes(view.locator.config, layer);
  return shapes ? `${shapes.input.join('×')}→${shapes.output.join('×')}` : null;
}

function findingLines(view: DocumentView, layer: string): string[] {
  const lines: string[] = [];
  view.findings.forEach((finding, index) => {
    if (!finding.layers.includes(layer)) return;
    const value = finding.values[layer];
    const number = value === undefined ? '' : ` — ${finding.metric} ${formatMetric(finding.metric, value)}`;
    lines.push('', `**${findingHeadline(finding)}**${number}`);
    for (const fix of view.fixes.filter((f) => f.finding === index)) {
      lines.push(`- ${fix.preferred ? '★ ' : ''}${escapeMarkdown(verifiedFixTitle(fix))}`);
    }
  });
  return lines;
}

/**
 * How much the layer scales the backward gradient norm at step 0: the output-gradient norm of the layer feeding it
 * (= this layer's input gradient) over this layer's own output-gradient norm. NaN for the first layer of the model
 * or of a residual branch, whose input gradient is not recorded on its own.
 */
export function measuredGain(result: TrainResult, index: number): number {
  const parent = result.layers[index]?.parent;
  for (let j = index - 1; j >= 0; j--) {
    if (result.layers[j]!.parent !== parent) continue;
    return result.series[j]!.outputGradNorm[0]! / result.series[index]!.outputGradNorm[0]!;
  }
  return NaN;
}

function row(label: string, predicted: string, measured: string): string {
  return `| ${label} | ${predicted} | ${measured} |`;
}

function number(x: number): string {
  return Number.isNaN(x) ? DASH : formatValue(x);
}

function span(start: number, end: number): string {
  return Number.isNaN(start) ? DASH : `${formatValue(start)} → ${formatValue(end)}`;
}

function percent(fraction: number): string {
  return Number.isNaN(fraction) ? DASH : formatPercent(fraction);
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]|<>]/g, (c) => `\\${c}`);
}
