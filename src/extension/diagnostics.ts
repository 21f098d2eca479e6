/** The one DiagnosticCollection: plain DiagnosticSpecs from the presentation layer, converted to VS Code types. */
import * as vscode from 'vscode';
import { buildDiagnostics, DIAGNOSTIC_SOURCE, type DiagnosticSpec } from './core/diagnostics';
import type { Severity } from '../analysis/findings';
import { LineIndex, type Range } from '../spec/line-index';
import type { DocumentView } from './core/results';
import type { AnalysisController } from './controller';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function registerDiagnostics(controller: AnalysisController): vscode.Disposable[] {
  const collection = vscode.languages.createDiagnosticCollection('vgnet');
  const publish = (uri: vscode.Uri): void => {
    const view = controller.viewOfUri(uri);
    if (view === null) collection.delete(uri);
    else collection.set(uri, toDiagnostics(uri, view));
  };
  return [collection, controller.onDidChange(publish)];
}

export function toDiagnostics(uri: vscode.Uri, view: DocumentView): vscode.Diagnostic[] {
  return buildDiagnostics(view, new LineIndex(view.snapshot.text)).map((spec) => toDiagnostic(uri, spec));
}

export function toDiagnostic(uri: vscode.Uri, spec: DiagnosticSpec): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(toRange(spec.range), spec.message, SEVERITY[spec.severity]);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  diagnostic.code = { value: spec.code, target: vscode.Uri.parse(spec.docsUrl) };
  if (spec.related.length > 0) {
    diagnostic.relatedInformation = spec.related.map(
      (r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, toRange(r.range)), r.message),
    );
  }
  return diagnostic;
}

export function toRange(range: Range): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

/** The finding kind or spec code of a diagnostic (its `code` as set above). */
export function codeOf(diagnostic: vscode.Diagnostic): string | null {
  const code = diagnostic.code;
  if (typeof code === 'object' && code !== null) return String(code.value);
  return code === undefined ? null : String(code);
}
