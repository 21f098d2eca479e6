/**
 * DocumentView → plain diagnostics with line/character ranges: spec problems first, then one diagnostic per
 * finding — on its first affected layer, the others as related locations (model-wide findings on the learning
 * rate). The glue only converts types.
 */
import type { Finding, Severity } from '../../analysis/findings';
import type { SpecDiagnostic } from '../../spec';
import { findingDocsUrl, specDocsUrl } from './docs';
import type { LineIndex, Range } from '../../spec/line-index';
import { findingAnchors, type SpecLocator } from '../../analysis/locate';
import { affectedLayerMessage, layerMessage, modelWideMessage, referenceMessage } from './messages';
import type { DocumentView } from './results';

export const DIAGNOSTIC_SOURCE = 'VGNet';

/** Related information of a model-wide finding lists at most this many layers (the message has the count). */
const MAX_RELATED_LAYERS = 12;

export interface RelatedSpec {
  range: Range;
  message: string;
}

export interface DiagnosticSpec {
  range: Range;
  severity: Severity;
  message: string;
  /** A finding kind or a spec diagnostic code: shared with the code actions that fix it. */
  code: string;
  docsUrl: string;
  origin: 'spec' | 'measured' | 'predicted';
  /** Index into DocumentView.findings; null for spec problems. */
  finding: number | null;
  /** Index into DocumentView.diagnostics for spec problems; null for findings. */
  specIndex: number | null;
  /** The layer this diagnostic is about; null for spec problems and model-wide findings. */
  layer: string | null;
  related: RelatedSpec[];
}

export function buildDiagnostics(view: DocumentView, lines: LineIndex): DiagnosticSpec[] {
  const out = view.diagnostics.map((d, i) => specDiagnostic(d, i, lines));
  const referenceNorm = (pointer: string): number | null =>
    view.summary?.layers.find((l) => l.path === pointer)?.gradNormStart ?? null;
  view.findings.forEach((finding, index) => {
    out.push(...findingDiagnostics(finding, index, view, lines, referenceNorm));
  });
  return out;
}

export function specDiagnostic(d: SpecDiagnostic, index: number, lines: LineIndex): DiagnosticSpec {
  return {
    range: lines.rangeOf(d.offset, d.length),
    severity: d.severity,
    message: d.message,
    code: d.code,
    docsUrl: specDocsUrl(),
    origin: 'spec',
    finding: null,
    specIndex: index,
    layer: null,
    related: [],
  };
}

function findingDiagnostics(
  finding: Finding,
  index: number,
  view: DocumentView,
  lines: LineIndex,
  referenceNorm: (p: string) => number | null,
): DiagnosticSpec[] {
  const steps = view.result?.recordedSteps ?? null;
  const base = {
    severity: finding.severity,
    code: finding.kind,
    docsUrl: findingDocsUrl(finding.kind),
    origin: finding.source,
    finding: index,
    specIndex: null,
  };
  const reference =
    finding.reference !== null && !finding.layers.includes(finding.reference)
      ? relatedAt(
          view.locator,
          finding.reference,
          lines,
          referenceMessage(finding.reference, referenceNorm(finding.reference)),
        )
      : [];
  // Findings of a recorded run say whose run it was (the PyTorch program's, not VGNet's engine's).
  const engine = finding.source === 'measured' && view.recorded ? ` (${view.recorded.engine} run)` : '';
  // One diagnostic per problem (issue 14): on its first layer, the other affected layers as related locations,
  // each with its own number — not the same sentence once per layer.
  const anchors = findingAnchors(view.locator, finding);
  const first = anchors[0];
  if (first && first.layer !== null) {
    const at = lines.firstLineRange(first.range.offset, first.range.length);
    const others = anchors
      .slice(1, 1 + MAX_RELATED_LAYERS)
      .flatMap(({ layer, range }) => [
        { range: lines.firstLineRange(range.offset, range.length), message: affectedLayerMessage(finding, layer!) },
      ]);
    const more = anchors.length - 1 - others.length;
    if (more > 0) others[others.length - 1]!.message += ` (and ${more} more affected layers)`;
    return [
      {
        ...base,
        range: at,
        message: layerMessage(finding, first.layer, steps) + engine,
        layer: first.layer,
        related: [...others, ...reference],
      },
    ];
  }
  return anchors.map(({ layer, range }) => {
    const at = lines.firstLineRange(range.offset, range.length);
    if (layer !== null)
      return { ...base, range: at, message: layerMessage(finding, layer, steps) + engine, layer, related: reference };
    const related = finding.layers
      .slice(0, MAX_RELATED_LAYERS)
      .flatMap((l) => relatedAt(view.locator, l, lines, affectedLayerMessage(finding, l)));
    return { ...base, range: at, message: modelWideMessage(finding, steps) + engine, layer: null, related };
  });
}

function relatedAt(locator: SpecLocator, pointer: string, lines: LineIndex, message: string): RelatedSpec[] {
  const at = locator.locate(pointer);
  return at ? [{ range: lines.firstLineRange(at.offset, at.length), message }] : [];
}
