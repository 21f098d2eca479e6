/**
 * The results of one document: the latest static report and the latest measured report, each with the snapshot it
 * analysed. `view` decides what may be shown for the document as it is now: measured results only while fresh,
 * and measured findings in place of predicted ones of the same kind on the same layer.
 */
import type { Report } from '../../analysis/analyze';
import type { Finding } from '../../analysis/findings';
import type { RunSummary } from '../../analysis/summary';
import type { VerifiedFix } from '../../analysis/verify';
import type { TrainResult } from '../../engine/stats';
import type { SpecDiagnostic } from '../../spec';
import { sameContent, type Snapshot } from './freshness';
import type { SpecLocator } from '../../analysis/locate';

/** The parts of the static prediction the editor shows (a structural view of analysis/predict's Prediction). */
export interface PredictionView {
  outputPath: string;
  layers: readonly PredictedLayerView[];
}

export interface PredictedLayerView {
  path: string;
  kind: string;
  /** Predicted weight-gradient norm relative to the output layer's. */
  relativeGradNorm: number;
  /** χ: predicted factor on the squared backward gradient norm through this layer (√χ is the norm gain). */
  gain: number;
  saturatedFraction: number;
}

export interface Analyzed {
  snapshot: Snapshot;
  report: Report;
  locator: SpecLocator;
}

export interface DocumentView {
  snapshot: Snapshot;
  locator: SpecLocator;
  diagnostics: SpecDiagnostic[];
  findings: Finding[];
  /** Verified fixes: only from a measured report of exactly this text. */
  fixes: VerifiedFix[];
  prediction: PredictionView | null;
  summary: RunSummary | null;
  result: TrainResult | null;
  /** A measured report exists for this text. */
  measured: boolean;
  /** A measured report exists but for another text (the document was edited since). */
  measuredStale: boolean;
  /** The report's note (budget cut, internal error, data problem) worth telling the user. */
  message: string | null;
  /** The measured run is a record of another engine (a PyTorch run): which, from which file. */
  recorded: Report['recorded'];
  /** With `recorded`: VGNet's own run of the same text, for the compare view. */
  reference: TrainResult | null;
  /** The measured findings are the first seed's; this many more seeds still train (Report.refining). */
  refining: number;
}

export class DocumentResults {
  private staticResult: Analyzed | null = null;
  private measuredResult: Analyzed | null = null;

  setStatic(analysed: Analyzed): void {
    this.staticResult = analysed;
  }

  setMeasured(analysed: Analyzed): void {
    this.measuredResult = analysed;
  }

  /** The static result if it analysed `current` (callers re-run the cheap static analysis otherwise). */
  staticFor(current: Snapshot): Analyzed | null {
    return this.staticResult && sameContent(this.staticResult.snapshot, current) ? this.staticResult : null;
  }

  measuredFor(current: Snapshot): Analyzed | null {
    return this.measuredResult && sameContent(this.measuredResult.snapshot, current) ? this.measuredResult : null;
  }

  /** What to show for a document that is not open: the latest analysis, measured if there is one. */
  latestView(): DocumentView | null {
    const latest = this.measuredResult ?? this.staticResult;
    return latest ? this.view(latest.snapshot) : null;
  }

  /** What to show for `current`; null when nothing analysed this text yet. */
  view(current: Snapshot): DocumentView | null {
    const measured = this.measuredFor(current);
    const base = measured ?? this.staticFor(current);
    if (base === null) return null;
    const report = base.report;
    const prediction: PredictionView | null = report.prediction ?? this.staticFor(current)?.report.prediction ?? null;
    const merged = measured
      ? replacePredicted(report.findings, report.fixes)
      : { findings: report.findings, fixes: [] };
    return {
      snapshot: base.snapshot,
      locator: base.locator,
      diagnostics: report.diagnostics,
      findings: merged.findings,
      fixes: merged.fixes,
      prediction,
      summary: measured ? report.summary : null,
      result: measured ? report.result : null,
      measured: measured !== null && report.result !== null,
      measuredStale: measured === null && this.measuredResult !== null,
      message: report.message,
      recorded: measured ? report.recorded : null,
      reference: measured ? report.reference : null,
      refining: measured ? report.refining : 0,
    };
  }
}

/**
 * Measured findings take the place of predicted findings of the same kind on the same layers: a predicted finding
 * keeps only the layers no measured finding of its kind covers, and disappears when none is left. Verified fixes
 * follow their finding (their indices are remapped; fixes of a dropped finding go with it).
 */
export function replacePredicted(
  findings: Finding[],
  fixes: VerifiedFix[],
): { findings: Finding[]; fixes: VerifiedFix[] } {
  const covered = new Set<string>();
  for (const f of findings)
    if (f.source === 'measured') for (const layer of f.layers) covered.add(`${f.kind} ${layer}`);
  const kept: Finding[] = [];
  const newIndex = new Map<number, number>();
  findings.forEach((f, index) => {
    const layers = f.source === 'measured' ? f.layers : f.layers.filter((layer) => !covered.has(`${f.kind} ${layer}`));
    if (layers.length === 0 && f.layers.length > 0) return;
    newIndex.set(index, kept.length);
    kept.push(layers.length === f.layers.length ? f : { ...f, layers });
  });
  const keptFixes = fixes
    .filter((fix) => newIndex.has(fix.finding))
    .map((fix) => ({ ...fix, finding: newIndex.get(fix.finding)! }));
  return { findings: kept, fixes: keptFixes };
}
