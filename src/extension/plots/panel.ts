/**
 * The gradient-plots webview panel: one at a time, beside the editor, following one spec. Sends data only after
 * the webview says 'ready' (again after each time it was hidden, which reloads it), checks every message it
 * receives, and survives a window reload through the serializer (register.ts) and the webview's saved state.
 */
import * as vscode from 'vscode';
import type { RunProgress } from '../../analysis/measure';
import type { Thresholds } from '../../analysis/thresholds';
import { toPlotModel, toPlotProgress, type PlotSource } from './plot-model';
import {
  isWebviewMessage, PLOTS_VIEW_TYPE, type HostMessage, type PlotModel, type PlotProgress, type PlotState, type WebviewMessage,
} from '../../protocol/plots';
import { saveExport } from './exporter';
import { makeNonce, plotsPageHtml } from './html';
import { revealLayer } from './reveal';

/** What the panel asks of the rest of the extension (PlotsPanel.configure; every part has a fallback). */
export interface PlotsHooks {
  /** The latest model of a spec (e.g. from the analysis controller); null when nothing analysed it. */
  modelFor?: (uri: vscode.Uri) => PlotModel | null;
  /** The webview asked to show a layer in the editor (default: select it in the spec's editor). */
  revealLayer?: (uri: vscode.Uri, path: string) => void | Promise<void>;
}

/** Models handed over by showReport, for specs the panel may follow later (bounded: newest kept). */
const PUSHED_LIMIT = 16;

export class PlotsPanel implements vscode.Disposable {
  static readonly viewType = PLOTS_VIEW_TYPE;
  static current: PlotsPanel | undefined;
  private static hooks: PlotsHooks = {};
  private static readonly pushed = new Map<string, PlotModel>();

  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private uri: vscode.Uri | null;
  private progress: PlotProgress | null = null;
  private highlighted: string | null = null;
  private disposed = false;

  static configure(hooks: PlotsHooks): void {
    PlotsPanel.hooks = hooks;
  }

  /** Shows the panel (creating it beside the editor if needed), following `uri` when given. */
  static createOrShow(extensionUri: vscode.Uri, uri?: vscode.Uri): PlotsPanel {
    const existing = PlotsPanel.current;
    if (existing) {
      existing.panel.reveal(undefined, true);
      if (uri) existing.follow(uri);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      PLOTS_VIEW_TYPE, 'VGNet: Gradient Plots', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { ...webviewOptions(extensionUri), enableFindWidget: false },
    );
    return new PlotsPanel(panel, extensionUri, uri ?? null);
  }

  /** Re-attaches to a panel VS Code restored after a window reload (its state says which spec it followed). */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, state: PlotState | null): PlotsPanel {
    PlotsPanel.current?.dispose();
    const uri = state?.model ? vscode.Uri.parse(state.model.uri) : null;
    return new PlotsPanel(panel, extensionUri, uri);
  }

  private constructor(private readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, uri: vscode.Uri | null) {
    PlotsPanel.current = this;
    this.uri = uri;
    panel.webview.options = webviewOptions(extensionUri);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    panel.webview.html = plotsPageHtml({
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.css')).toString(),
      nonce: makeNonce(),
    });
    this.updateTitle();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      // A hidden webview is torn down (no retainContextWhenHidden): it reloads and says 'ready' again when shown.
      panel.onDidChangeViewState(() => { if (!panel.visible) this.ready = false; }),
      panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
    );
  }

  /** The spec the panel follows (null before one was chosen). */
  get followedUri(): vscode.Uri | null {
    return this.uri;
  }

  /** Follows another spec (the active editor changed) and shows what is known about it. */
  follow(uri: vscode.Uri): void {
    if (this.uri?.toString() === uri.toString()) return;
    this.uri = uri;
    this.progress = null;
    this.highlighted = null;
    this.updateTitle();
    this.sendModel();
  }

  /** Re-sends the followed spec's latest model (its analysis changed). */
  refresh(uri?: vscode.Uri): void {
    if (uri === undefined || this.uri?.toString() === uri.toString()) this.sendModel();
  }

  /**
   * Shows an analysis report of `uri` (kept for later if the panel follows another spec now). `analyzedText`, when
   * given, lets the webview keep a measured model across a window reload while the text is unchanged.
   */
  showReport(uri: vscode.Uri, version: number | null, report: PlotSource, thresholds: Thresholds, analyzedText: string | null = null): void {
    const key = uri.toString();
    PlotsPanel.pushed.delete(key);
    PlotsPanel.pushed.set(key, toPlotModel(report, key, version, thresholds, analyzedText));
    if (PlotsPanel.pushed.size > PUSHED_LIMIT) PlotsPanel.pushed.delete(PlotsPanel.pushed.keys().next().value!);
    if (this.uri?.toString() === key) this.sendModel();
  }

  /** Streams a running analysis of `uri` (ignored unless the panel follows that spec). */
  showProgress(uri: vscode.Uri, progress: RunProgress): void {
    if (this.uri?.toString() !== uri.toString()) return;
    this.progress = toPlotProgress(uri.toString(), progress);
    this.post({ type: 'progress', progress: this.progress });
  }

  /** Highlights the layer selected in the editor (null: none). */
  highlightLayer(uri: vscode.Uri, path: string | null): void {
    if (this.uri?.toString() !== uri.toString() || this.highlighted === path) return;
    this.highlighted = path;
    this.post({ type: 'highlight', uri: uri.toString(), layer: path });
  }

  /** The colour theme changed: the webview re-reads its --vscode-* variables and redraws. */
  themeChanged(): void {
    this.post({ type: 'theme' });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (PlotsPanel.current === this) PlotsPanel.current = undefined;
    this.panel.dispose();
    while (this.disposables.length > 0) this.disposables.pop()?.dispose();
  }

  private receive(message: unknown): void {
    if (!isWebviewMessage(message)) return;
    void this.handle(message).catch((err: unknown) => {
      void vscode.window.showErrorMessage(`VGNet plots: ${(err as Error).message}`);
    });
  }

  private async handle(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.sendModel();
        if (this.progress) this.post({ type: 'progress', progress: this.progress });
        if (this.uri && this.highlighted !== null) this.post({ type: 'highlight', uri: this.uri.toString(), layer: this.highlighted });
        return;
      case 'revealLayer': {
        // Only layers of the spec this panel shows: the webview cannot make the host open arbitrary files.
        if (this.uri === null || message.uri !== this.uri.toString()) return;
        this.highlighted = message.path;
        await (PlotsPanel.hooks.revealLayer ?? revealLayer)(this.uri, message.path);
        return;
      }
      case 'export':
        await saveExport(message, this.uri);
        return;
    }
  }

  private sendModel(): void {
    if (this.uri === null) {
      this.post({ type: 'empty', reason: 'Open a *.vgnet.json spec to see its gradient plots.' });
      return;
    }
    const model = PlotsPanel.hooks.modelFor?.(this.uri) ?? PlotsPanel.pushed.get(this.uri.toString()) ?? null;
    // Nothing known yet (e.g. right after a window reload): the webview keeps the model from its saved state.
    if (model === null) return;
    this.progress = null;
    this.post({ type: 'model', model });
  }

  private post(message: HostMessage): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private updateTitle(): void {
    const file = this.uri ? this.uri.path.slice(this.uri.path.lastIndexOf('/') + 1) : '';
    this.panel.title = file ? `Gradient Plots: ${file}` : 'VGNet: Gradient Plots';
  }
}

/** Scripts on; resources only from dist/ (the bundle) and media/ (the icon); nothing else on disk is reachable. */
function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}
