/**
 * Report → PlotModel and RunProgress → PlotProgress: the host's projections of the analysis for the plots webview.
 * Pure (no vscode import): NaN becomes null, long series are thinned to at most MAX_POINTS points, and the
 * findings' layer pointers become per-layer flags. Accepts a Report or anything with the same parts (the
 * extension's DocumentView fits too).
 */
import type { ReportStatus } from '../../analysis/analyze';
import type { Finding } from '../../analysis/findings';
import { FINDING_TITLES } from '../../analysis/findings';
import type { RunProgress } from '../../analysis/measure';
import { outputLayerIndex } from '../../analysis/summary';
import type { Thresholds } from '../../analysis/thresholds';
import { digest, type RunDigest, type VerifiedFix } from '../../analysis/verify';
import type { LayerInfo, LayerSeries, TrainResult } from '../../engine/stats';
import { shapeText } from '../core/layer-shape';
import type {
  Num,
  PlotChannels,
  PlotCurve,
  PlotFinding,
  PlotFix,
  PlotLayer,
  PlotModel,
  PlotProgress,
  PlotThresholds,
  PlotThroughTime,
} from '../../protocol/plots';

/** Most points a series is drawn with: more than a chart's pixel width, far fewer than 100 000 steps. */
export const MAX_POINTS = 1000;

/** Most training steps drawn as curves of the gradient through time: more lines would blur into one band. */
export const MAX_TIME_CURVES = 10;

/** Most training steps (columns) of a conv layer's dead-filter strip: a small chart, a few pixels per column. */
export const MAX_STRIP_STEPS = 120;

/** What toPlotModel reads: a Report, or a view of one (name and status may be missing there). */
export interface PlotSource {
  name?: string;
  status?: ReportStatus;
  prediction: { outputPath: string; layers: readonly PredictedLayer[] } | null;
  findings: readonly Finding[];
  fixes: readonly VerifiedFix[];
  result: TrainResult | null;
  message: string | null;
  /** The run is a record of another engine (DocumentView.recorded), and VGNet's own run of the spec. */
  recorded?: { engine: string } | null;
  reference?: TrainResult | null;
}

interface PredictedLayer {
  path: string;
  kind: string;
  relativeGradNorm: number;
}

export function toPlotModel(
  source: PlotSource,
  uri: string,
  version: number | null,
  thresholds: Thresholds,
  analyzedText: string | null = null,
): PlotModel {
  const result = source.result;
  const keep = result ? thinIndices(result.recordedSteps.length, MAX_POINTS) : [];
  const flags = flagsByLayer(source.findings);
  const predicted = new Map((source.prediction?.layers ?? []).map((p) => [p.path, p.relativeGradNorm]));
  const layers = result
    ? result.layers.map((info, l) => measuredLayer(info, result, l, keep, flags, predicted))
    : (source.prediction?.layers ?? []).map((p) => predictedLayer(p, flags));
  return {
    uri,
    version,
    textHash: analyzedText === null ? null : textHash(analyzedText),
    name: source.name || nameFromUri(uri),
    // A view without a status (the extension's DocumentView) is invalid when it has neither prediction nor run.
    status: source.status ?? (source.prediction || result ? 'ok' : 'invalid'),
    message: source.message,
    measured: result !== null,
    stepsRun: result?.stepsRun ?? 0,
    stopped: result?.stopped
      ? `${result.stopped.reason} at step ${result.stopped.step}: ${result.stopped.detail}`
      : null,
    outputPath: outputPathOf(source),
    thresholds: plotThresholds(thresholds),
    layers,
    recordedSteps: keep.map((i) => result!.recordedSteps[i]!),
    loss: thinCurve(result?.loss ?? []),
    accuracy: thinCurve(result?.accuracy ?? []),
    findings: source.findings.map(plotFinding),
    fixes: source.fixes.map(plotFix),
    engine: source.recorded?.engine ?? null,
    reference: source.recorded && source.reference ? plotDigest(digest(source.reference)) : null,
  };
}

export function toPlotProgress(uri: string, progress: RunProgress): PlotProgress {
  const keep = thinIndices(progress.recordedSteps.length, MAX_POINTS);
  // Layers without weights carry only NaN gradient norms: drop them (the chart draws weight gradients).
  const weighted = progress.layers
    .map((path, l) => ({ path, l }))
    .filter(({ l }) => progress.gradNorm[l]?.some(Number.isFinite));
  return {
    uri,
    stepsRun: progress.stepsRun,
    totalSteps: progress.totalSteps,
    layers: weighted.map(({ path }) => path),
    recordedSteps: keep.map((i) => progress.recordedSteps[i]!),
    gradNorm: weighted.map(({ l }) => keep.map((i) => num(progress.gradNorm[l]![i]))),
    loss: thinCurve(progress.loss),
  };
}

function measuredLayer(
  info: LayerInfo,
  result: TrainResult,
  l: number,
  keep: number[],
  flags: Map<string, string[]>,
  predicted: Map<string, number>,
): PlotLayer {
  const s = result.series[l]!;
  const layer: PlotLayer = {
    path: info.path,
    kind: info.kind,
    description: describeLayer(info),
    hasWeights: info.hasWeights,
    flags: flags.get(info.path) ?? [],
    predictedRatio: info.hasWeights ? num(predicted.get(info.path)) : null,
    gradNorm: info.hasWeights ? pick(s.gradNorm, keep) : [],
    saturatedFraction: applicable(s.saturatedFraction) ? pick(s.saturatedFraction, keep) : [],
    deadFraction: applicable(s.deadFraction) ? pick(s.deadFraction, keep) : [],
  };
  const throughTime = throughTimeOf(s, result.recordedSteps);
  if (throughTime) layer.throughTime = throughTime;
  const gates = Object.entries(s.gateSaturation ?? {});
  if (gates.length > 0) layer.gateSaturation = Object.fromEntries(gates.map(([g, v]) => [g, pick(v, keep)]));
  const channels = channelsOf(s, result.recordedSteps, keep);
  if (channels) layer.channels = channels;
  return layer;
}

/** "dense 32→32 sigmoid"; with per-sample shapes "conv2d 1×28×28→16×26×26 relu", "lstm 50×2→32". */
export function describeLayer(info: LayerInfo): string {
  return `${info.kind} ${shapeText(info)}${info.activation ? ` ${info.activation}` : ''}`;
}

/** ‖∂L/∂h_t‖ at up to MAX_TIME_CURVES recorded training steps that have it (null when the layer has none). */
function throughTimeOf(s: LayerSeries, recordedSteps: readonly number[]): PlotThroughTime | null {
  const rows = s.timeGradNorm ?? [];
  const length = Math.max(0, ...rows.map((r) => r?.length ?? 0));
  const measured = rows.map((r, i) => (r?.length === length ? i : -1)).filter((i) => i >= 0);
  if (length === 0 || measured.length === 0) return null;
  const chosen = evenIndices(measured.length, MAX_TIME_CURVES).map((k) => measured[k]!);
  return {
    trainingSteps: chosen.map((i) => recordedSteps[i]!),
    gradNorm: chosen.map((i) => rows[i]!.map(num)),
  };
}

/**
 * Dead filters of a conv layer (null without channelDead): the count at each kept step, and the 0/1 strip at up to
 * MAX_STRIP_STEPS of the recorded steps that have a full row.
 */
function channelsOf(s: LayerSeries, recordedSteps: readonly number[], keep: number[]): PlotChannels | null {
  const rows = s.channelDead ?? [];
  const filters = Math.max(0, ...rows.map((r) => r?.length ?? 0));
  if (filters === 0) return null;
  const full = rows.map((r, i) => (r?.length === filters ? i : -1)).filter((i) => i >= 0);
  const strip = evenIndices(full.length, MAX_STRIP_STEPS).map((k) => full[k]!);
  const count = (row: readonly number[] | undefined): Num =>
    row?.length === filters ? row.reduce((n, v) => n + (v > 0 ? 1 : 0), 0) : null;
  return {
    filters,
    deadCount: keep.map((i) => count(rows[i])),
    stripSteps: strip.map((i) => recordedSteps[i]!),
    dead: strip.map((i) => rows[i]!.map((v) => (v > 0 ? 1 : 0))),
  };
}

function predictedLayer(p: PredictedLayer, flags: Map<string, string[]>): PlotLayer {
  const ratio = num(p.relativeGradNorm);
  return {
    path: p.path,
    kind: p.kind,
    description: p.kind,
    hasWeights: ratio !== null,
    flags: flags.get(p.path) ?? [],
    predictedRatio: ratio,
    gradNorm: [],
    saturatedFraction: [],
    deadFraction: [],
  };
}

function flagsByLayer(findings: readonly Finding[]): Map<string, string[]> {
  const flags = new Map<string, string[]>();
  for (const finding of findings) {
    for (const layer of finding.layers) {
      const kinds = flags.get(layer) ?? [];
      if (!kinds.includes(finding.kind)) kinds.push(finding.kind);
      flags.set(layer, kinds);
    }
  }
  return flags;
}

function outputPathOf(source: PlotSource): string | null {
  if (source.result) {
    const out = outputLayerIndex(source.result.layers);
    return out >= 0 ? source.result.layers[out]!.path : null;
  }
  return source.prediction?.outputPath ?? null;
}

function plotThresholds(t: Thresholds): PlotThresholds {
  return {
    vanishingRatio: t.vanishingRatio,
    explodingRatio: t.explodingRatio,
    saturatedFraction: t.saturatedFraction,
    deadFraction: t.deadFraction,
  };
}

function plotFinding(f: Finding): PlotFinding {
  return {
    kind: f.kind,
    title: FINDING_TITLES[f.kind] ?? f.kind,
    severity: f.severity,
    source: f.source,
    layers: [...f.layers],
    message: f.message,
  };
}

function plotFix(fix: VerifiedFix): PlotFix {
  const v = fix.verification;
  return {
    finding: fix.finding,
    title: fix.title,
    status: v.status,
    effect: v.effect,
    preferred: fix.preferred,
    after: v.after ? plotDigest(v.after) : null,
  };
}

function plotDigest(d: RunDigest): PlotFix['after'] {
  const keep = thinIndices(d.lossSteps.length, MAX_POINTS);
  return {
    layers: [...d.layers],
    gradNormStart: d.gradNormStart.map(num),
    gradNormEnd: d.gradNormEnd.map(num),
    loss: { steps: keep.map((i) => d.lossSteps[i]!), values: keep.map((i) => num(d.loss[i])) },
  };
}

/** A per-step series thinned to at most MAX_POINTS points, x = step index. */
function thinCurve(values: readonly number[]): PlotCurve {
  const keep = thinIndices(values.length, MAX_POINTS);
  return { steps: keep, values: keep.map((i) => num(values[i])) };
}

/** FNV-1a (32 bit) of the UTF-16 code units, with the length: a fingerprint for "same text", not a security hash. */
export function textHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${text.length.toString(16)}-${h.toString(16).padStart(8, '0')}`;
}

/**
 * Indices 0, k, 2k, … and always the last one, with k = ⌈n / max⌉: at most max + 1 points, evenly spaced,
 * keeping the first and the final value (the two the findings talk about).
 */
export function thinIndices(n: number, max: number): number[] {
  if (n <= 0) return [];
  const stride = Math.max(1, Math.ceil(n / Math.max(1, max)));
  const out: number[] = [];
  for (let i = 0; i < n; i += stride) out.push(i);
  if (out[out.length - 1] !== n - 1) out.push(n - 1);
  return out;
}

/**
 * At most `max` of the indices 0 … n−1, as evenly spaced as whole numbers allow, the first and the last always
 * among them (thinIndices' fixed stride can leave the last two close together: curves one step apart).
 */
export function evenIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: Math.max(0, n) }, (_, i) => i);
  if (max <= 1) return [n - 1];
  return Array.from({ length: max }, (_, k) => Math.round((k * (n - 1)) / (max - 1)));
}

function pick(values: readonly number[], keep: number[]): Num[] {
  return keep.map((i) => num(values[i]));
}

/** A series is shown when it holds at least one number (NaN throughout means "not applicable" to this layer). */
function applicable(values: readonly number[]): boolean {
  return values.some((v) => v !== null && Number.isFinite(v));
}

/** NaN, ±Infinity, undefined and null (a JSON record's NaN) all become null. */
export function num(v: number | null | undefined): Num {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function nameFromUri(uri: string): string {
  const file = decodeURIComponent(uri.slice(uri.lastIndexOf('/') + 1));
  return file.replace(/\.vgnet\.json$/, '');
}
