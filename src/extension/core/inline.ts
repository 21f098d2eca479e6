/**
 * Per-layer text at the end of the layer's line: the weight-gradient norm (measured) or the predicted ratio to the
 * output layer, and the verdict. One hint per line; layers written on the same line share it.
 */
import type { Finding, Severity } from '../../analysis/findings';
import { formatValue } from '../../analysis/wording';
import type { LineIndex } from '../../spec/line-index';
import { MODEL_WIDE_KINDS } from '../../analysis/locate';
import type { DocumentView } from './results';
import { VERDICT_WORD, worstSeverity } from './verdict';

export interface InlineHint {
  line: number;
  text: string;
  /** Worst severity of the findings on the line's layers; null when they look healthy. */
  severity: Severity | null;
}

export function inlineHints(view: DocumentView, lines: LineIndex): InlineHint[] {
  const byLine = new Map<number, { texts: string[]; severities: Severity[] }>();
  for (const layer of view.locator.layerPaths) {
    const text = layerHint(view, layer);
    const at = view.locator.locate(layer);
    if (text === null || at === null) continue;
    const line = lines.positionAt(at.offset).line;
    const entry = byLine.get(line) ?? { texts: [], severities: [] };
    entry.texts.push(text);
    entry.severities.push(...findingsOn(view.findings, layer).map((f) => f.severity));
    byLine.set(line, entry);
  }
  return [...byLine].map(([line, e]) => ({ line, text: e.texts.join('  |  '), severity: worstSeverity(e.severities) }));
}

/** "‖∂L/∂W‖ 3.1e-9 (2.1e-8× output) · vanishing", or null for a layer with nothing to say. */
export function layerHint(view: DocumentView, layer: string): string | null {
  const verdicts = [
    ...new Set(
      findingsOn(view.findings, layer).map((f) =>
        f.source === 'predicted' ? `${VERDICT_WORD[f.kind]} (predicted)` : VERDICT_WORD[f.kind],
      ),
    ),
  ];
  const numbers = view.measured ? measuredNumbers(view, layer) : predictedNumbers(view, layer);
  if (numbers === null && verdicts.length === 0) return null;
  return [numbers, ...verdicts].filter((part): part is string => part !== null).join(' · ');
}

function measuredNumbers(view: DocumentView, layer: string): string | null {
  const index = view.summary?.layers.findIndex((l) => l.path === layer) ?? -1;
  const summary = index >= 0 ? view.summary!.layers[index]! : null;
  if (summary === null || Number.isNaN(summary.gradNormStart)) return null;
  if (index === view.summary!.outputIndex) return `‖∂L/∂W‖ ${formatValue(summary.gradNormStart)} (output layer)`;
  return `‖∂L/∂W‖ ${formatValue(summary.gradNormStart)} (${formatValue(summary.ratioStart)}× output)`;
}

function predictedNumbers(view: DocumentView, layer: string): string | null {
  const predicted = view.prediction?.layers.find((l) => l.path === layer);
  if (!predicted || predicted.kind !== 'dense' || !Number.isFinite(predicted.relativeGradNorm)) return null;
  if (layer === view.prediction!.outputPath) return 'predicted: output layer';
  return `predicted ${formatValue(predicted.relativeGradNorm)}× output`;
}

/** Layer findings on this layer; model-wide ones (learning rate, divergence) are said once, on the optimizer. */
function findingsOn(findings: Finding[], layer: string): Finding[] {
  return findings.filter((f) => !MODEL_WIDE_KINDS.has(f.kind) && f.layers.includes(layer));
}
