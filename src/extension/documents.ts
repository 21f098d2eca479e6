/** Which documents are specs, their snapshots, and reading a spec that is not open (workspace scan). */
import * as vscode from 'vscode';
import type { Snapshot } from './core/freshness';
import { isSpecFileName, MAX_SPEC_CHARS, SPEC_SUFFIX } from './core/documents';

/** Spec files on disk and not-yet-saved ones; virtual file systems are not supported (package.json says so). */
export const SPEC_SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', pattern: `**/*${SPEC_SUFFIX}` },
  { scheme: 'untitled', pattern: `**/*${SPEC_SUFFIX}` },
];

/** A spec on disk or not yet saved (virtual file systems are not supported). */
export function isSpecUri(uri: vscode.Uri): boolean {
  return (uri.scheme === 'file' || uri.scheme === 'untitled') && isSpecFileName(uri.path);
}

export function isSpecDocument(document: vscode.TextDocument): boolean {
  return isSpecUri(document.uri);
}

export function snapshotOf(document: vscode.TextDocument): Snapshot {
  return { version: document.version, text: document.getText() };
}

export function openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
  const key = uri.toString();
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
}

/** The document's text as the editor has it, else as on disk; null when the file is gone, unreadable or huge. */
export async function currentSnapshot(uri: vscode.Uri): Promise<Snapshot | null> {
  const open = openDocument(uri);
  if (open && !open.isClosed) return snapshotOf(open);
  if (uri.scheme !== 'file') return null;
  try {
    // Size first: a huge file is never read into the extension host (MAX_SPEC_CHARS UTF-16 units ≤ 3 bytes each).
    if ((await vscode.workspace.fs.stat(uri)).size > MAX_SPEC_CHARS * 3) return null;
    const bytes = await vscode.workspace.fs.readFile(uri);
    return { version: null, text: new TextDecoder('utf-8').decode(bytes) };
  } catch {
    return null;
  }
}

export function displayName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}
