/** Hover on a layer: predicted and measured gradient statistics side by side (text from the presentation layer). */
import * as vscode from 'vscode';
import { hoverMarkdown } from './core/hover';
import { layerAtOffset } from '../analysis/locate';
import type { AnalysisController } from './controller';
import { SPEC_SELECTOR } from './documents';

export function registerHover(controller: AnalysisController): vscode.Disposable {
  return vscode.languages.registerHoverProvider(SPEC_SELECTOR, {
    provideHover(document, position) {
      const view = controller.viewOf(document);
      if (view === null) return undefined;
      const layer = layerAtOffset(view.locator, document.offsetAt(position));
      const text = layer === null ? null : hoverMarkdown(view, layer);
      if (layer === null || text === null) return undefined;
      const at = view.locator.locate(layer);
      const range = at
        ? new vscode.Range(document.positionAt(at.offset), document.positionAt(at.offset + at.length))
        : undefined;
      return new vscode.Hover(new vscode.MarkdownString(text), range);
    },
  });
}
