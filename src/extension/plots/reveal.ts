/** Shows a layer of a spec in its editor: the cursor on the layer's object, scrolled into view. */
import * as vscode from 'vscode';
import type { SourceRange } from '../../spec';

/** `range` comes from the spec's latest analysis (the caller's locator): nothing is parsed here. */
export async function revealLayer(uri: vscode.Uri, range: SourceRange): Promise<void> {
  const document = await vscode.workspace.openTextDocument(uri);
  const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  const editor = await vscode.window.showTextDocument(document, {
    viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
  });
  const start = document.positionAt(range.offset);
  editor.selection = new vscode.Selection(start, start);
  // The layer's first line, not its whole range: a long one-line layer would scroll the editor sideways.
  editor.revealRange(new vscode.Range(start, start), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
