/**
 * Verified fixes → quick-fix descriptions, per-layer variants of the catalogue (unverified), and the edit set of
 * "fix all". Edits are offsets on the analysed text; the glue turns them into one WorkspaceEdit each.
 */
import { SEVERITY_RANK, type Finding } from '../../analysis/findings';
import { candidatesFor, type FixContext } from '../../analysis/fixes/catalog';
import { diffEdit, type TextEdit } from '../../analysis/fixes/edit';
import { STATUS_WORDS, type VerificationStatus, type VerifiedFix } from '../../analysis/verify';
import type { SpecDiagnostic } from '../../spec';
import { layerInfoFromConfig } from './layer-info';
import type { DocumentView } from './results';

export interface FixAction {
  title: string;
  edit: TextEdit;
  preferred: boolean;
  verified: boolean;
  /** Index of the finding in DocumentView.findings. */
  finding: number;
}

/** Fixes worth offering: the ones that removed the problem or moved its metric tenfold toward health. */
const OFFERED: ReadonlySet<VerificationStatus> = new Set(['fixed', 'improved']);

/** "Switch … to ReLU with He init — fixed: first-layer gradient ratio 3e-9 → 0.4; loss 0.69 → 0.08" */
export function verifiedFixTitle(fix: VerifiedFix): string {
  return `${fix.title} — ${STATUS_WORDS[fix.verification.status]}: ${fix.verification.effect}`;
}

export function unverifiedTitle(title: string): string {
  return `${title} (unverified)`;
}

/** The verified fixes of one finding worth offering, best first (the analysis ranked them). */
export function verifiedActions(view: DocumentView, finding: number): FixAction[] {
  return view.fixes
    .filter((fix) => fix.finding === finding && OFFERED.has(fix.verification.status))
    .map((fix) => ({
      title: verifiedFixTitle(fix),
      edit: fix.edit,
      preferred: fix.preferred,
      verified: true,
      finding,
    }));
}

/** The catalogue's context for the document as analysed: the measured layer table, or one derived from the spec. */
export function fixContext(view: DocumentView): FixContext | null {
  const config = view.locator.config;
  if (config === null) return null;
  return { text: view.snapshot.text, config, layers: view.result?.layers ?? layerInfoFromConfig(config) };
}

/**
 * Unverified catalogue fixes for a finding: the variants that touch only `layer` (when given), and, when the
 * finding has no verified fix to offer, the catalogue's fixes for all its layers. Never duplicates an offered edit.
 */
export function unverifiedActions(
  view: DocumentView,
  finding: number,
  layer: string | null,
  offered: FixAction[],
): FixAction[] {
  const ctx = fixContext(view);
  const target = view.findings[finding];
  if (ctx === null || target === undefined) return [];
  const seen = new Set(offered.map((a) => editKey(a.edit)));
  const out: FixAction[] = [];
  const consider = (candidates: ReturnType<typeof candidatesFor>, layerScopedOnly: boolean): void => {
    for (const candidate of candidates) {
      if (layerScopedOnly && candidate.layers.length === 0) continue;
      const edit = safeEdit(ctx.text, () => candidate.apply(ctx.text));
      if (edit === null || seen.has(editKey(edit))) continue;
      seen.add(editKey(edit));
      out.push({ title: unverifiedTitle(candidate.title), edit, preferred: false, verified: false, finding });
    }
  };
  if (layer !== null && target.layers.length > 1) consider(candidatesFor(target, ctx, layer), true);
  if (offered.length === 0) consider(candidatesFor(target, ctx), false);
  return out;
}

/**
 * "Fix all": the preferred verified fix of every finding, most severe finding first, skipping a fix whose edit
 * overlaps one already taken (two fixes rewriting the same layer cannot both apply). Each was verified on its own.
 */
export function fixAllEdits(view: DocumentView): { edits: TextEdit[]; titles: string[] } {
  const order = view.findings
    .map((f: Finding, i) => ({ f, i }))
    .sort((a, b) => SEVERITY_RANK[b.f.severity] - SEVERITY_RANK[a.f.severity] || a.i - b.i);
  const edits: TextEdit[] = [];
  const titles: string[] = [];
  for (const { i } of order) {
    const fix = view.fixes.find((f) => f.finding === i && f.preferred);
    if (!fix || edits.some((e) => overlaps(e, fix.edit))) continue;
    edits.push(fix.edit);
    titles.push(fix.title);
  }
  return { edits, titles };
}

/** Two edits touch the same text (insertions at the same offset count as overlapping: their order is ambiguous). */
export function overlaps(a: TextEdit, b: TextEdit): boolean {
  return a.offset === b.offset || (a.offset < b.offset + b.length && b.offset < a.offset + a.length);
}

function editKey(edit: TextEdit): string {
  return `${edit.offset}:${edit.length}:${edit.content}`;
}

/** A catalogue transformation as an edit; null when it changes nothing or cannot apply to this text. */
function safeEdit(text: string, apply: () => string): TextEdit | null {
  try {
    return diffEdit(text, apply());
  } catch {
    return null;
  }
}

/** A spec problem's "did you mean" as a quick fix: the diagnosed token replaced by the quoted suggestion. */
export function suggestionAction(d: SpecDiagnostic): { title: string; edit: TextEdit } | null {
  if (d.suggestion === undefined) return null;
  const content = JSON.stringify(d.suggestion);
  return { title: `Change to ${content}`, edit: { offset: d.offset, length: d.length, content } };
}
