/**
 * Wires the plots panel into the extension: the "Show Gradient Plots" command's presenter, the serializer that
 * restores the panel after a window reload, and the events it follows — the active spec editor, new analysis
 * results, the layer under the cursor, the colour theme, threshold settings.
 */
import * as vscode from 'vscode';
import { isSpecFileName } from '../core/documents';
import { layerAtOffset } from '../../analysis/locate';
import { toPlotModel } from './plot-model';
import { isPlotState, PLOTS_VIEW_TYPE } from '../../protocol/plots';
import { parseSpec, type ParsedSpec } from '../../spec';
import { setPlotsPresenter } from '../commands/showPlots';
import type { Services } from '../services';
import { PlotsPanel } from './panel';

export function registerPlots(services: Services): vscode.Disposable[] {
  const { controller, configs, extensionUri } = services;
  PlotsPanel.configure({
    modelFor: (uri) => {
      const view = controller.viewOfUri(uri);
      return view ? toPlotModel(view, uri.toString(), view.snapshot.version, configs.config.thresholds, view.snapshot.text) : null;
    },
  });
  const layers = new LayerLookup();
  return [
    setPlotsPresenter({ show: (uri) => void PlotsPanel.createOrShow(extensionUri, specToShow(uri)) }),
    vscode.window.registerWebviewPanelSerializer(PLOTS_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => void PlotsPanel.revive(panel, extensionUri, isPlotState(state) ? state : null),
    }),
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (editor && isSpec(editor.document.uri)) PlotsPanel.current?.follow(editor.document.uri);
    }),
    controller.onDidChange((uri) => PlotsPanel.current?.refresh(uri)),
    controller.onDidProgress(({ uri, progress }) => PlotsPanel.current?.showProgress(uri, progress)),
    configs.onDidChange((event) => { if (event.affectsConfiguration('vgnet.thresholds')) PlotsPanel.current?.refresh(); }),
    vscode.window.onDidChangeTextEditorSelection((event) => {
      const panel = PlotsPanel.current;
      const document = event.textEditor.document;
      if (!panel || panel.followedUri?.toString() !== document.uri.toString()) return;
      panel.highlightLayer(document.uri, layers.at(document, document.offsetAt(event.selections[0]!.active)));
    }),
    vscode.window.onDidChangeActiveColorTheme(() => PlotsPanel.current?.themeChanged()),
    new vscode.Disposable(() => PlotsPanel.configure({})),
  ];
}

/** The active editor's spec, else a visible spec editor's (focus may be in a terminal or the panel itself). */
function specToShow(active: vscode.Uri | undefined): vscode.Uri | undefined {
  if (active && isSpec(active)) return active;
  return vscode.window.visibleTextEditors.map((e) => e.document.uri).find(isSpec);
}

function isSpec(uri: vscode.Uri): boolean {
  return (uri.scheme === 'file' || uri.scheme === 'untitled') && isSpecFileName(uri.path);
}

/** The layer at an offset, parsing each document version once (the cursor moves far more often than text changes). */
class LayerLookup {
  private cached: { key: string; version: number; parsed: ParsedSpec } | null = null;

  at(document: vscode.TextDocument, offset: number): string | null {
    const key = document.uri.toString();
    if (this.cached?.key !== key || this.cached.version !== document.version) {
      this.cached = { key, version: document.version, parsed: parseSpec(document.getText()) };
    }
    return layerAtOffset(this.cached.parsed, offset);
  }
}
