/** Human-readable output of `vgnet analyze`: the per-layer table, the run line, findings and verified fixes. */
import type { Report } from '../analysis/analyze';
import { FINDING_TITLES, describeSteps } from '../analysis/findings';
import { formatPercent, formatValue, plural } from '../analysis/wording';
import type { RunSummary } from '../analysis/summary';
import { STATUS_WORDS } from '../analysis/verify';
import { findingAnchors } from '../analysis/locate';
import { LineIndex } from '../spec/line-index';

/** Table numbers: '-' where a value does not apply. */
export function formatNumber(x: number): string {
  return Number.isNaN(x) ? '-' : formatValue(x, 2);
}

/** Table percentages: '-' where a value does not apply. */
export function formatTablePercent(fraction: number): string {
  return Number.isNaN(fraction) ? '-' : formatPercent(fraction);
}

export function formatTable(header: string[], rows: string[][], rightAligned: Set<number>): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (rightAligned.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function formatLayerTable(summary: RunSummary): string {
  const header = [
    'layer',
    'kind',
    'shape',
    'activation',
    '|dW| step 0',
    '|dW| end',
    'ratio@0',
    'ratio@end',
    'sat',
    'dead',
  ];
  const rows = summary.layers.map((l, i) => [
    i === summary.outputIndex ? `${l.path} (output)` : l.path,
    l.kind,
    l.shape,
    l.activation ?? '-',
    formatNumber(l.gradNormStart),
    formatNumber(l.gradNormEnd),
    formatNumber(l.ratioStart),
    formatNumber(l.ratioEnd),
    formatTablePercent(l.saturatedFraction),
    formatTablePercent(l.deadFraction),
  ]);
  return formatTable(header, rows, new Set([4, 5, 6, 7, 8, 9]));
}

export function formatReport(file: string, report: Report): string {
  const summary = report.summary;
  const result = report.result;
  if (!summary || !result) return `${file} — ${report.name}\n${report.message ?? ''}`;
  const parameters = result.layers.reduce((sum, l) => sum + l.parameterCount, 0);
  const parts = [`loss ${formatNumber(summary.lossStart)} → ${formatNumber(summary.lossEnd)}`];
  if (summary.accuracyStart !== null && summary.accuracyEnd !== null) {
    parts.push(`accuracy ${formatTablePercent(summary.accuracyStart)} → ${formatTablePercent(summary.accuracyEnd)}`);
  }
  const msPerStep = summary.stepsRun > 0 ? report.timing.trainMs / summary.stepsRun : 0;
  parts.push(
    `${plural(summary.stepsRun, 'step')} in ${(report.timing.trainMs / 1000).toFixed(2)} s (${msPerStep.toFixed(2)} ms/step)`,
  );
  const lines = [
    `${file} — ${report.name} (${parameters.toLocaleString('en-US')} parameters)`,
    '',
    formatLayerTable(summary),
    '',
    parts.join('   '),
  ];
  if (result.stopped !== null) lines.push(`stopped at step ${result.stopped.step}: ${result.stopped.detail}`);
  if (report.message && result.stopped === null) lines.push(report.message);
  return lines.join('\n');
}

/** Findings as `file:line:col: severity: message` (editors and CI parse these) with the fixes tried under each. */
/** `text` null: a record without its spec — findings name the record's layers instead of a line and column. */
export function formatFindings(file: string, text: string | null, report: Report): string {
  if (report.findings.length === 0) return report.result ? '\nNo gradient problems found.' : '';
  const lines = new LineIndex(text ?? '');
  const out: string[] = ['', 'Findings:'];
  report.findings.forEach((finding, index) => {
    // The same spot as the editor's (first) diagnostic of this finding.
    const at = report.spec ? findingAnchors(report.spec, finding)[0]!.range : { offset: 0, length: 0 };
    const { line, character } = lines.positionAt(at.offset);
    const place = text === null ? `${file}: ${layerNames(report, finding)}` : `${file}:${line + 1}:${character + 1}`;
    const steps =
      report.result && finding.steps.length > 0
        ? ` [steps ${describeSteps(finding.steps, report.result.recordedSteps)}]`
        : '';
    const prefix = finding.source === 'predicted' ? 'predicted ' : '';
    out.push(`${place}: ${finding.severity}: ${prefix}${FINDING_TITLES[finding.kind]}: ${finding.message}${steps}`);
    const fixes = report.fixes.filter((f) => f.finding === index);
    if (fixes.length > 0) out.push('  fixes tried (same seed and steps):');
    for (const fix of fixes) {
      const mark = fix.preferred ? '★' : ' ';
      out.push(`  ${mark} ${fix.title} — ${STATUS_WORDS[fix.verification.status]}: ${fix.verification.effect}`);
    }
  });
  return out.join('\n');
}

/** "layer net.0" / "layers net.0, net.2" / "the model" for a finding printed without a spec. */
function layerNames(_report: Report, finding: Report['findings'][number]): string {
  const layers = finding.layers;
  if (layers.length === 0) return 'the model';
  const shown = layers.slice(0, 4).join(', ');
  return `${plural(layers.length, 'layer')} ${shown}${layers.length > 4 ? ', …' : ''}`.replace(/^\d+ /, '');
}
