/**
 * Where things are in the spec text: the node a finding's diagnostic goes on, the layer under the cursor.
 * Works on ParsedSpec (or anything with the same three lookups), so it never re-parses.
 */
import type { Node } from 'jsonc-parser';
import type { Finding, FindingKind } from './findings';
import type { ParsedSpec, SourceRange } from '../spec';

/** The parsed spec as the surfaces need it (ParsedSpec fits; tests may build a smaller one). */
export type SpecLocator = Pick<ParsedSpec, 'locate' | 'nodeAt' | 'layerPaths' | 'config'>;

/** Activations whose derivative is small away from 0: a vanishing gradient there is the activation's doing. */
const SATURATING = new Set(['sigmoid', 'tanh', 'softmax', 'softplus']);

/**
 * Which member of a layer object the finding is about: the activation for saturation, dead units and vanishing
 * through a saturating activation; the init for poor initialisation and explosions; otherwise the layer itself.
 */
export function focusMember(kind: FindingKind, activationName: string | null): 'activation' | 'init' | null {
  switch (kind) {
    case 'saturation':
    case 'dead-relu':
      return 'activation';
    case 'poor-init':
    case 'exploding':
      return 'init';
    case 'vanishing':
      return activationName !== null && SATURATING.has(activationName) ? 'activation' : 'init';
    default:
      return null;
  }
}

/** Findings about the optimisation as a whole sit on the learning rate (the knob their fixes turn). */
export const MODEL_WIDE_KINDS: ReadonlySet<FindingKind> = new Set([
  'divergence',
  'learning-rate-high',
  'learning-rate-low',
  'not-learning',
]);

const MODEL_WIDE_ANCHORS = ['/optimizer/lr', '/optimizer', '/loss', '/layers'];

/** The range a finding's diagnostic covers for one layer: the focused member's value, else the layer object. */
export function findingRange(locator: SpecLocator, kind: FindingKind, layer: string): SourceRange | null {
  const member = focusMember(kind, activationOf(locator, layer));
  if (member !== null) {
    const focused = locator.locate(`${layer}/${member}`);
    if (focused) return focused;
  }
  return locator.locate(layer);
}

/** The range of a model-wide finding: the learning rate if written, else the nearest section that exists. */
export function modelWideRange(locator: SpecLocator): SourceRange {
  for (const pointer of MODEL_WIDE_ANCHORS) {
    const at = locator.locate(pointer);
    if (at) return at;
  }
  return { offset: 0, length: 0 };
}

/** One place a finding is shown: a layer's range, or (layer null) the model-wide anchor. */
export interface FindingAnchor {
  layer: string | null;
  range: SourceRange;
}

/**
 * Where a finding is shown, by every surface alike (the CLI prints the first anchor's line:col, the editor puts
 * a diagnostic on each): one per affected layer found in the text; model-wide findings, and findings whose layers
 * are not in this text (a record of another version), once on the model-wide anchor.
 */
export function findingAnchors(locator: SpecLocator, finding: Pick<Finding, 'kind' | 'layers'>): FindingAnchor[] {
  if (!MODEL_WIDE_KINDS.has(finding.kind)) {
    const anchors = finding.layers.flatMap((layer) => {
      const range = findingRange(locator, finding.kind, layer);
      return range ? [{ layer, range }] : [];
    });
    if (anchors.length > 0) return anchors;
  }
  return [{ layer: null, range: modelWideRange(locator) }];
}

/** The activation name as written ("sigmoid" or {"name": "sigmoid", …}); null when absent. */
export function activationOf(locator: SpecLocator, layer: string): string | null {
  return nameOf(locator.nodeAt(`${layer}/activation`));
}

export function nameOf(node: Node | undefined): string | null {
  if (!node) return null;
  if (node.type === 'string') return node.value as string;
  if (node.type !== 'object') return null;
  const member = node.children?.find((c) => c.children?.[0]?.value === 'name');
  const value = member?.children?.[1]?.value;
  return typeof value === 'string' ? value : null;
}

/** The innermost layer whose object contains the offset (a layer inside a residual branch beats its block). */
export function layerAtOffset(locator: SpecLocator, offset: number): string | null {
  let best: { pointer: string; length: number } | null = null;
  for (const pointer of locator.layerPaths) {
    const at = locator.locate(pointer);
    if (!at || offset < at.offset || offset > at.offset + at.length) continue;
    if (best === null || at.length <= best.length) best = { pointer, length: at.length };
  }
  return best?.pointer ?? null;
}
