/**
 * Quick fixes from the verified fix list (title = measured effect, best one preferred), unverified per-layer
 * variants, spec "did you mean" fixes, and "fix all" as a source action. Each action is one WorkspaceEdit, so one
 * undo step; the edit keeps formatting and comments (it replaces only the text the fix changes).
 */
import * as vscode from 'vscode';
import type { TextEdit } from '../analysis/fixes/edit';
import { buildDiagnostics, DIAGNOSTIC_SOURCE, type DiagnosticSpec } from './core/diagnostics';
import { fixAllEdits, suggestionAction, unverifiedActions, verifiedActions, type FixAction } from './core/fixes';
import { LineIndex } from '../spec/line-index';
import type { DocumentView } from './core/results';
import { COMMANDS, FIX_ALL_KIND } from './commandIds';
import type { AnalysisController } from './controller';
import { codeOf, toRange } from './diagnostics';
import { SPEC_SELECTOR } from './documents';

const FIX_ALL = vscode.CodeActionKind.Empty.append(FIX_ALL_KIND);

export function registerCodeActions(controller: AnalysisController): vscode.Disposable {
  return vscode.languages.registerCodeActionsProvider(SPEC_SELECTOR, new FixProvider(controller), {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, FIX_ALL],
  });
}

class FixProvider implements vscode.CodeActionProvider {
  constructor(private readonly controller: AnalysisController) {}

  provideCodeActions(
    document: vscode.TextDocument,
    range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    // The view is built from the document's current text, so verified fixes appear only when that text is exactly
    // the one the measured run analysed (the offsets of their edits are valid for it and nothing else).
    const view = this.controller.viewOf(document);
    if (view === null) return [];
    const wants = (kind: vscode.CodeActionKind): boolean =>
      !context.only || context.only.contains(kind) || kind.contains(context.only);
    const actions: vscode.CodeAction[] = [];
    if (wants(vscode.CodeActionKind.QuickFix)) actions.push(...this.quickFixes(document, view, range, context));
    if (wants(FIX_ALL)) {
      const all = fixAll(document, view);
      if (all) actions.push(all);
    }
    return actions;
  }

  private quickFixes(
    document: vscode.TextDocument,
    view: DocumentView,
    range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const lines = new LineIndex(view.snapshot.text);
    const here = buildDiagnostics(view, lines).filter((spec) => toRange(spec.range).intersection(range) !== undefined);
    const seen = new Set<string>();
    const actions: vscode.CodeAction[] = [];
    for (const spec of here) {
      const matching = context.diagnostics.filter(
        (d) => d.source === DIAGNOSTIC_SOURCE && codeOf(d) === spec.code && d.range.intersection(toRange(spec.range)),
      );
      for (const fix of fixesFor(view, spec)) {
        const key = `${fix.title}|${fix.edit.offset}|${fix.edit.length}`;
        if (seen.has(key)) continue;
        seen.add(key);
        actions.push(
          toAction(document, lines, fix.title, fix.edit, vscode.CodeActionKind.QuickFix, fix.preferred, matching),
        );
      }
      actions.push(...exportActions(document, view, spec, seen));
    }
    return actions;
  }
}

function fixesFor(view: DocumentView, spec: DiagnosticSpec): Pick<FixAction, 'title' | 'edit' | 'preferred'>[] {
  if (spec.finding === null) {
    const d = spec.specIndex === null ? undefined : view.diagnostics[spec.specIndex];
    const suggestion = d ? suggestionAction(d) : null;
    return suggestion ? [{ ...suggestion, preferred: true }] : [];
  }
  const verified = verifiedActions(view, spec.finding);
  return [...verified, ...unverifiedActions(view, spec.finding, spec.layer, verified)];
}

function fixAll(document: vscode.TextDocument, view: DocumentView): vscode.CodeAction | null {
  const { edits, titles } = fixAllEdits(view);
  if (edits.length === 0) return null;
  const action = new vscode.CodeAction(
    `VGNet: apply the best verified fix for each problem (${titles.length})`,
    FIX_ALL,
  );
  action.edit = new vscode.WorkspaceEdit();
  const lines = new LineIndex(view.snapshot.text);
  for (const edit of edits)
    action.edit.replace(document.uri, toRange(lines.rangeOf(edit.offset, edit.length)), edit.content);
  return action;
}

function toAction(
  document: vscode.TextDocument,
  lines: LineIndex,
  title: string,
  edit: TextEdit,
  kind: vscode.CodeActionKind,
  preferred: boolean,
  diagnostics: vscode.Diagnostic[],
): vscode.CodeAction {
  const action = new vscode.CodeAction(title, kind);
  action.edit = new vscode.WorkspaceEdit();
  action.edit.replace(document.uri, toRange(lines.rangeOf(edit.offset, edit.length)), edit.content);
  action.isPreferred = preferred;
  action.diagnostics = diagnostics;
  return action;
}

/** "Export the fixed model to PyTorch" for each fix that was verified to help (the spec file itself is unchanged). */
function exportActions(
  document: vscode.TextDocument,
  view: DocumentView,
  spec: DiagnosticSpec,
  seen: Set<string>,
): vscode.CodeAction[] {
  if (spec.finding === null) return [];
  return view.fixes
    .filter((f) => f.finding === spec.finding && ['fixed', 'improved'].includes(f.verification.status))
    .filter((f) => !seen.has(`export|${f.title}`) && seen.add(`export|${f.title}`))
    .map((fix) => {
      const action = new vscode.CodeAction(
        `Export the fixed model to PyTorch (${fix.title})`,
        vscode.CodeActionKind.Empty,
      );
      action.command = {
        command: COMMANDS.exportFixed.id,
        title: action.title,
        arguments: [document.uri.toString(), fix.edit, fix.title],
      };
      return action;
    });
}
