/** Collects diagnostics while the validator walks the tree; keeps every range inside the text. */
import type { DiagnosticCode, DiagnosticSeverity, SourceRange, SpecDiagnostic } from './types';

export class DiagnosticSink {
  readonly diagnostics: SpecDiagnostic[] = [];
  private errors = 0;

  constructor(private readonly textLength: number) {}

  get hasErrors(): boolean {
    return this.errors > 0;
  }

  get errorCount(): number {
    return this.errors;
  }

  error(where: SourceRange, path: string, code: DiagnosticCode, message: string, suggestion?: string): void {
    this.add('error', where, path, code, message, suggestion);
  }

  warning(where: SourceRange, path: string, code: DiagnosticCode, message: string, suggestion?: string): void {
    this.add('warning', where, path, code, message, suggestion);
  }

  info(where: SourceRange, path: string, code: DiagnosticCode, message: string): void {
    this.add('info', where, path, code, message);
  }

  add(
    severity: DiagnosticSeverity,
    where: SourceRange,
    path: string,
    code: DiagnosticCode,
    message: string,
    suggestion?: string,
  ): void {
    const offset = Math.max(0, Math.min(where.offset, this.textLength));
    const length = Math.max(0, Math.min(where.length, this.textLength - offset));
    const diagnostic: SpecDiagnostic = { severity, message, offset, length, path, code };
    if (suggestion !== undefined) diagnostic.suggestion = suggestion;
    this.diagnostics.push(diagnostic);
    if (severity === 'error') this.errors++;
  }
}

/** The first character of a node: where "missing key" diagnostics go (the opening brace), as VS Code's JSON does. */
export function startOf(where: SourceRange): SourceRange {
  return { offset: where.offset, length: Math.min(1, where.length) };
}
