/**
 * Wires the plots panel into the extension: the presenter behind "Show Gradient Plots", the serializer that
 * restores the panel after a window reload, and the events it follows — the active spec editor, new analysis
 * results, the layer under the cursor, the color theme, threshold settings. At most one panel; this object owns it.
 */
import * as vscode from 'vscode';
import { layerAtOffset } from '../../analysis/locate';
import { isPlotState, PLOTS_VIEW_TYPE, type PlotModel, type PlotState } from '../../protocol/plots';
import type { SourceRange } from '../../spec';
import type { ConfigStore } from '../config';
import type { AnalysisController } from '../controller';
import { isRecordUri, isRestorableSpec } from '../core/documents';
import { isSpecUri } from '../documents';
import type { PlotsPresenter } from '../services';
import { PlotsPanel, type PanelHost } from './panel';
import { toPlotModel } from './plot-model';

export interface PlotsDeps {
  extensionUri: vscode.Uri;
  controller: AnalysisController;
  configs: ConfigStore;
}

export class Plots implements PlotsPresenter, PanelHost, vscode.Disposable {
  private current: PlotsPanel | null = null;
  private readonly disposables: vscode.Disposable[];
  readonly extensionUri: vscode.Uri;

  constructor(private readonly deps: PlotsDeps) {
    this.extensionUri = deps.extensionUri;
    const { controller, configs } = deps;
    this.disposables = [
      vscode.window.registerWebviewPanelSerializer(PLOTS_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state) => this.revive(panel, isPlotState(state) ? state : null),
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor && isSpecUri(editor.document.uri)) this.current?.follow(editor.document.uri);
      }),
      controller.onDidChange((uri) => this.current?.refresh(uri)),
      controller.onDidProgress(({ uri, progress }) => this.current?.showProgress(uri, progress)),
      configs.onDidChange((event) => {
        if (event.affectsConfiguration('vgnet.thresholds')) this.current?.refresh();
      }),
      vscode.window.onDidChangeTextEditorSelection((event) => this.followCursor(event)),
      vscode.window.onDidChangeActiveColorTheme(() => this.current?.themeChanged()),
    ];
  }

  /** Shows the panel for the active spec (or a visible one), creating it beside the editor if needed. */
  show(active: vscode.Uri | undefined): void {
    const uri = specToShow(active) ?? null;
    if (this.current) {
      this.current.reveal();
      if (uri) this.current.follow(uri);
      return;
    }
    this.current = PlotsPanel.create(this, uri);
  }

  modelFor(uri: vscode.Uri): PlotModel | null {
    const view = this.deps.controller.viewOfUri(uri);
    if (!view) return null;
    return toPlotModel(
      view,
      uri.toString(),
      view.snapshot.version,
      this.deps.configs.config.thresholds,
      view.snapshot.text,
    );
  }

  locateLayer(uri: vscode.Uri, path: string): SourceRange | null {
    return this.deps.controller.viewOfUri(uri)?.locator.locate(path) ?? null;
  }

  disposed(panel: PlotsPanel): void {
    if (this.current === panel) this.current = null;
  }

  dispose(): void {
    this.current?.dispose();
    while (this.disposables.length > 0) this.disposables.pop()?.dispose();
  }

  /** A restored panel follows its saved spec only if that is still a spec of this workspace (the state is data). */
  private revive(panel: vscode.WebviewPanel, state: PlotState | null): void {
    this.current?.dispose();
    const saved = state?.model ? parseUri(state.model.uri) : null;
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    const uri =
      saved && isRestorableSpec(saved.scheme, saved.scheme === 'file' ? saved.fsPath : saved.path, folders)
        ? saved
        : null;
    this.current = PlotsPanel.revive(panel, this, uri);
  }

  private followCursor(event: vscode.TextEditorSelectionChangeEvent): void {
    const panel = this.current;
    const document = event.textEditor.document;
    const selection = event.selections[0];
    if (!panel || !selection || panel.followedUri?.toString() !== document.uri.toString()) return;
    // The document's static analysis (kept per version, size-capped) locates the layer: no parse per cursor move.
    const locator = this.deps.controller.viewOf(document)?.locator;
    panel.highlightLayer(document.uri, locator ? layerAtOffset(locator, document.offsetAt(selection.active)) : null);
  }
}

/** The active editor's spec, else a visible spec editor's (focus may be in a terminal or the panel itself). */
function specToShow(active: vscode.Uri | undefined): vscode.Uri | undefined {
  // A record shown alone (no spec) is shown under its own URI.
  if (active && (isSpecUri(active) || isRecordUri(active))) return active;
  return vscode.window.visibleTextEditors.map((e) => e.document.uri).find(isSpecUri);
}

function parseUri(text: string): vscode.Uri | null {
  try {
    return vscode.Uri.parse(text, true);
  } catch {
    return null;
  }
}
