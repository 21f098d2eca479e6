/** Human-readable output of `vgnet analyze`: a per-layer table and a one-line summary. */
import type { ModelConfig } from '../engine/config';
import type { TrainResult } from '../engine/stats';
import type { RunSummary } from '../analysis/summary';

export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return '-';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e4 || abs < 1e-2) return x.toExponential(1);
  return x.toPrecision(3);
}

export function formatPercent(fraction: number): string {
  return Number.isNaN(fraction) ? '-' : `${(fraction * 100).toFixed(0)}%`;
}

export function formatTable(header: string[], rows: string[][], rightAligned: Set<number>): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string =>
    cells.map((cell, c) => (rightAligned.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function formatLayerTable(summary: RunSummary): string {
  const header = ['layer', 'kind', 'shape', 'activation', '|dW| step 0', '|dW| end', 'ratio@0', 'ratio@end', 'sat', 'dead'];
  const rows = summary.layers.map((l, i) => [
    i === summary.outputIndex ? `${l.path} (output)` : l.path,
    l.kind,
    l.shape,
    l.activation ?? '-',
    formatNumber(l.gradNormStart),
    formatNumber(l.gradNormEnd),
    formatNumber(l.ratioStart),
    formatNumber(l.ratioEnd),
    formatPercent(l.saturatedFraction),
    formatPercent(l.deadFraction),
  ]);
  return formatTable(header, rows, new Set([4, 5, 6, 7, 8, 9]));
}

export function formatRunLine(config: ModelConfig, summary: RunSummary, result: TrainResult): string {
  const parts = [`loss ${formatNumber(summary.lossStart)} → ${formatNumber(summary.lossEnd)}`];
  if (summary.accuracyStart !== null && summary.accuracyEnd !== null) {
    parts.push(`accuracy ${formatPercent(summary.accuracyStart)} → ${formatPercent(summary.accuracyEnd)}`);
  }
  const msPerStep = summary.stepsRun > 0 ? summary.timeMs / summary.stepsRun : 0;
  parts.push(`${summary.stepsRun}/${config.training.steps} steps in ${(summary.timeMs / 1000).toFixed(2)} s (${msPerStep.toFixed(2)} ms/step)`);
  let text = parts.join('   ');
  if (result.stopped !== null) text += `\nstopped at step ${result.stopped.step}: ${result.stopped.detail}`;
  return text;
}

export function describeModel(config: ModelConfig, parameterCount: number, dataSource: string, samples: number): string {
  const opt = config.optimizer;
  return `${parameterCount.toLocaleString('en-US')} parameters, ${config.loss} loss, ${opt.type} lr ${opt.lr}, ` +
    `${config.training.steps} steps × batch ${config.training.batchSize}, data ${dataSource} (${samples} samples)`;
}
