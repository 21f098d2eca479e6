/**
 * Per-layer gradient norm and verdict at the end of each layer's line (an Error Lens-style decoration), for the
 * visible spec editors; off with vgnet.inline.enabled.
 */
import * as vscode from 'vscode';
import type { Severity } from '../analysis/findings';
import { inlineHints } from './core/inline';
import { LineIndex } from '../spec/line-index';
import { ConfigStore } from './config';
import type { AnalysisController } from './controller';
import { isSpecDocument } from './documents';

type Tone = Severity | 'ok';

const COLORS: Record<Tone, string> = {
  error: 'editorError.foreground',
  warning: 'editorWarning.foreground',
  info: 'editorInfo.foreground',
  ok: 'editorCodeLens.foreground',
};

export function registerInline(controller: AnalysisController, configs: ConfigStore): vscode.Disposable[] {
  const types = Object.fromEntries(
    (Object.keys(COLORS) as Tone[]).map((tone) => [
      tone,
      vscode.window.createTextEditorDecorationType({
        after: { color: new vscode.ThemeColor(COLORS[tone]), margin: '0 0 0 3em', fontStyle: 'italic' },
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
    ]),
  ) as Record<Tone, vscode.TextEditorDecorationType>;
  const render = (editor: vscode.TextEditor): void => {
    const byTone: Record<Tone, vscode.DecorationOptions[]> = { error: [], warning: [], info: [], ok: [] };
    const view =
      configs.config.inlineEnabled && isSpecDocument(editor.document) ? controller.viewOf(editor.document) : null;
    if (view !== null) {
      const lines = new LineIndex(view.snapshot.text);
      for (const hint of inlineHints(view, lines)) {
        const end = lines.positionAt(lines.lineEndOffset(hint.line));
        const at = new vscode.Position(end.line, end.character);
        byTone[hint.severity ?? 'ok'].push({
          range: new vscode.Range(at, at),
          renderOptions: { after: { contentText: hint.text } },
        });
      }
    }
    for (const tone of Object.keys(types) as Tone[]) editor.setDecorations(types[tone], byTone[tone]);
  };
  const renderUri = (uri: vscode.Uri): void => {
    for (const editor of vscode.window.visibleTextEditors)
      if (editor.document.uri.toString() === uri.toString()) render(editor);
  };
  vscode.window.visibleTextEditors.forEach(render);
  return [
    ...Object.values(types),
    controller.onDidChange(renderUri),
    vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach(render)),
    configs.onDidChange((event) => {
      if (ConfigStore.affects(event, 'inline.enabled')) vscode.window.visibleTextEditors.forEach(render);
    }),
  ];
}
