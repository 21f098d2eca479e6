/**
 * Saves what the webview exports (CSV, JSON, or a chart as PNG) where the user chooses, next to the spec by
 * default. The webview cannot write files (nor should it): it sends the content, the host asks and writes.
 */
import * as vscode from 'vscode';
import type { WebviewMessage } from '../../protocol/plots';

type ExportMessage = Extract<WebviewMessage, { type: 'export' }>;

const FILTERS: Record<ExportMessage['format'], Record<string, string[]>> = {
  csv: { CSV: ['csv'] },
  json: { JSON: ['json'] },
  png: { 'PNG image': ['png'] },
};

export async function saveExport(message: ExportMessage, spec: vscode.Uri | null): Promise<void> {
  const defaultUri = defaultLocation(spec, message.fileName);
  const target = await vscode.window.showSaveDialog({
    ...(defaultUri ? { defaultUri } : {}),
    filters: FILTERS[message.format],
    title: `Save ${message.format.toUpperCase()}`,
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, exportBytes(message));
  void vscode.window.showInformationMessage(`VGNet: saved ${target.path.slice(target.path.lastIndexOf('/') + 1)}.`);
}

/** The file's bytes: UTF-8 text, or the PNG decoded from its data URL (already checked by isWebviewMessage). */
export function exportBytes(message: ExportMessage): Uint8Array {
  if (message.format === 'png') return Buffer.from(message.dataUrl.slice(message.dataUrl.indexOf(',') + 1), 'base64');
  return Buffer.from(message.content, 'utf8');
}

function defaultLocation(spec: vscode.Uri | null, fileName: string): vscode.Uri | undefined {
  if (spec?.scheme === 'file')
    return vscode.Uri.joinPath(spec.with({ path: spec.path.slice(0, spec.path.lastIndexOf('/')) }), fileName);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder ? vscode.Uri.joinPath(folder, fileName) : undefined;
}
