/** The status-bar item's text, tooltip and tone for the active spec: running, spec errors, or the verdict. */
import type { Finding, FindingKind } from '../../analysis/findings';
import { MODEL_WIDE_KINDS } from '../../analysis/locate';
import type { DocumentView } from './results';
import type { VerifyProgress } from '../../analysis/verify';
import { plural } from '../../analysis/wording';
import { VERDICT_WORD } from './verdict';

export type StatusTone = 'ok' | 'info' | 'warning' | 'error' | 'running';

export interface StatusDisplay {
  text: string;
  tooltip: string;
  tone: StatusTone;
}

export interface StatusInput {
  /** File name of the spec, for the tooltip. */
  name: string;
  view: DocumentView | null;
  running: boolean;
  /** Measured analysis is off (untrusted workspace). */
  restricted: boolean;
  /** How far the fixes are verified, while they are. */
  verifying?: VerifyProgress | null;
}

/** At most this many problems are named in the status bar; the rest are counted. */
const MAX_NAMED = 2;

export function statusDisplay(input: StatusInput): StatusDisplay {
  const view = input.view;
  if (input.running && view?.measured) {
    const verdict = describeFindings(view.findings.filter((f) => f.source === 'measured')) ?? 'gradients healthy';
    if (view.refining > 0)
      return {
        text: `$(sync~spin) VGNet: ${verdict} (first seed) · measuring ${plural(view.refining, 'more seed')}…`,
        tooltip:
          `The first seed's measurement of ${input.name}; ${plural(view.refining, 'more seed')} still ` +
          `training (a verdict is what most seeds show). Run "VGNet: Cancel Analysis" to stop.`,
        tone: 'running',
      };
    const { brief, detail } = verifyingWords(input.verifying ?? null);
    return {
      text: `$(sync~spin) VGNet: ${verdict} · verifying fixes${brief}…`,
      tooltip: `Training each candidate fix for ${input.name}${detail}. Run "VGNet: Cancel Analysis" to stop.`,
      tone: 'running',
    };
  }
  if (input.running) {
    return {
      text: '$(sync~spin) VGNet: analysing…',
      tooltip: `Training ${input.name} to measure its gradients. Run "VGNet: Cancel Analysis" to stop.`,
      tone: 'running',
    };
  }
  if (view === null) return { text: 'VGNet', tooltip: `${input.name}: not analysed yet`, tone: 'info' };
  const errors = view.diagnostics.filter((d) => d.severity === 'error').length;
  if (errors > 0) {
    return {
      text: `$(error) VGNet: ${plural(errors, 'spec error')}`,
      tooltip: `${input.name} has ${plural(errors, 'error')}: see the Problems view.`,
      tone: 'error',
    };
  }
  const tooltip = [input.name, measuredNote(view, input.restricted), view.message]
    .filter((s): s is string => !!s)
    .join('\n');
  const shown = view.findings.filter((f) => f.source === (view.measured ? 'measured' : 'predicted'));
  const verdict = describeFindings(shown);
  if (verdict === null) {
    const text = view.measured ? '$(pass) VGNet: gradients healthy' : 'VGNet: no problems predicted';
    return { text, tooltip: `${tooltip}\nClick to show the gradient plots.`, tone: 'ok' };
  }
  const tone: StatusTone = shown.some((f) => f.severity === 'error') ? 'error' : view.measured ? 'warning' : 'info';
  const icon = tone === 'error' ? '$(error)' : tone === 'warning' ? '$(warning)' : '$(info)';
  return { text: `${icon} VGNet: ${verdict}`, tooltip: `${tooltip}\nClick to show the gradient plots.`, tone };
}

/** " (3/7 tried, 2 confirming)" for the status bar, and the same in words for its tooltip; nothing before a count. */
function verifyingWords(p: VerifyProgress | null): { brief: string; detail: string } {
  if (p === null) return { brief: '', detail: '' };
  const fixes = `${p.confirming} ${p.confirming === 1 ? 'fix' : 'fixes'}`;
  return {
    brief: ` (${p.tried}/${p.of} tried${p.confirming > 0 ? `, ${p.confirming} confirming` : ''})`,
    detail:
      `: ${p.tried} of ${plural(p.of, 'candidate')} tried on the first seed` +
      (p.confirming > 0 ? `; ${fixes} that held there still training on the other seeds` : ''),
  };
}

function measuredNote(view: DocumentView, restricted: boolean): string {
  if (view.measured) return 'Measured by a training run.';
  if (restricted) return 'Predictions only: measured analysis is off in Restricted Mode.';
  if (view.measuredStale)
    return 'Predictions only: the file changed since the last run (save or run "VGNet: Analyze Current Model").';
  return 'Predictions only: save or run "VGNet: Analyze Current Model" to measure.';
}

/** "2 layers vanishing, 1 layer exploding", "training diverged", "learning rate too high"; null when no findings. */
export function describeFindings(findings: Finding[]): string | null {
  if (findings.length === 0) return null;
  const predicted = findings.every((f) => f.source === 'predicted') ? ' (predicted)' : '';
  const byKind = new Map<FindingKind, Set<string>>();
  for (const f of orderBySeverity(findings)) {
    const layers = byKind.get(f.kind) ?? new Set<string>();
    for (const layer of f.layers) layers.add(layer);
    byKind.set(f.kind, layers);
  }
  const parts = [...byKind].map(([kind, layers]) => phrase(kind, layers.size));
  const named = parts.slice(0, MAX_NAMED).join(', ');
  return `${named}${parts.length > MAX_NAMED ? ` +${parts.length - MAX_NAMED} more` : ''}${predicted}`;
}

function phrase(kind: FindingKind, layerCount: number): string {
  if (kind === 'divergence') return 'training diverged';
  if (MODEL_WIDE_KINDS.has(kind) || layerCount === 0) return VERDICT_WORD[kind];
  return `${plural(layerCount, 'layer')} ${VERDICT_WORD[kind]}`;
}

function orderBySeverity(findings: Finding[]): Finding[] {
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return [...findings].sort((a, b) => rank[a.severity] - rank[b.severity]);
}
