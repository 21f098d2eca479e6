/**
 * The gradient-plots webview panel: one at a time, beside the editor, following one spec. Sends data only after
 * the webview says 'ready' (again after each time it was hidden, which reloads it), checks every message it
 * receives, and survives a window reload through the serializer (register.ts) and the webview's saved state.
 * It knows the rest of the extension only through the PanelHost it is given: no module-level state.
 */
import * as vscode from 'vscode';
import type { RunProgress } from '../../analysis/measure';
import type { SourceRange } from '../../spec';
import { toPlotProgress } from './plot-model';
import {
  isWebviewMessage,
  NO_SPEC_TEXT,
  PLOTS_VIEW_TYPE,
  type HostMessage,
  type PlotModel,
  type PlotProgress,
  type WebviewMessage,
} from '../../protocol/plots';
import { saveExport } from './exporter';
import { makeNonce, plotsPageHtml } from './html';
import { revealLayer } from './reveal';

/** What the panel asks of the rest of the extension. */
export interface PanelHost {
  readonly extensionUri: vscode.Uri;
  /** The latest model of a spec (from the analysis controller); null when nothing analyzed it. */
  modelFor(uri: vscode.Uri): PlotModel | null;
  /** Where a layer is in the spec's current text (from its latest analysis: no parse here); null if not found. */
  locateLayer(uri: vscode.Uri, path: string): SourceRange | null;
  /** The panel was closed. */
  disposed(panel: PlotsPanel): void;
}

export class PlotsPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private uri: vscode.Uri | null;
  private progress: PlotProgress | null = null;
  private highlighted: string | null = null;
  private disposed = false;

  /** A new panel beside the editor, following `uri` when given. */
  static create(host: PanelHost, uri: vscode.Uri | null): PlotsPanel {
    const panel = vscode.window.createWebviewPanel(
      PLOTS_VIEW_TYPE,
      'VGNet: Gradient Plots',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { ...webviewOptions(host.extensionUri), enableFindWidget: false },
    );
    return new PlotsPanel(panel, host, uri);
  }

  /** Re-attaches to a panel VS Code restored after a window reload, following the (checked) spec it followed. */
  static revive(panel: vscode.WebviewPanel, host: PanelHost, uri: vscode.Uri | null): PlotsPanel {
    return new PlotsPanel(panel, host, uri);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly host: PanelHost,
    uri: vscode.Uri | null,
  ) {
    const extensionUri = host.extensionUri;
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
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
      panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
    );
  }

  /** Brings the panel to the front (keeping the editor's focus). */
  reveal(): void {
    this.panel.reveal(undefined, true);
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
    this.host.disposed(this);
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
        if (this.uri && this.highlighted !== null)
          this.post({ type: 'highlight', uri: this.uri.toString(), layer: this.highlighted });
        return;
      case 'revealLayer': {
        // Only layers of the spec this panel shows: the webview cannot make the host open arbitrary files.
        if (this.uri === null || message.uri !== this.uri.toString()) return;
        this.highlighted = message.path;
        const range = this.host.locateLayer(this.uri, message.path);
        if (range !== null) await revealLayer(this.uri, range);
        return;
      }
      case 'export':
        await saveExport(message, this.uri);
        return;
    }
  }

  private sendModel(): void {
    if (this.uri === null) {
      this.post({ type: 'empty', reason: NO_SPEC_TEXT });
      return;
    }
    const model = this.host.modelFor(this.uri);
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
