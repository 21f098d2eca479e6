/** Shows a layer of a spec in its editor: the cursor on the layer's object, scrolled into view. */
import * as vscode from 'vscode';
import { parseSpec } from '../../spec';

export async function revealLayer(uri: vscode.Uri, path: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument(uri);
  const range = parseSpec(document.getText()).locate(path);
  if (!range) return;
  const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  const editor = await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One });
  const start = document.positionAt(range.offset);
  const end = document.positionAt(range.offset + range.length);
  editor.selection = new vscode.Selection(start, start);
  editor.revealRange(new vscode.Range(start, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
