/**
 * Ambient types of the webview page. The DOM library is referenced here (not in the root tsconfig) so the browser
 * globals stay out of the engine's and the host's type-checking once the root tsconfig stops including webview/
 * (webview/tsconfig.json then checks this folder on its own).
 */
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />

interface VsCodeWebviewApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

/** Provided by VS Code inside webviews; may be called only once per page. */
declare function acquireVsCodeApi(): VsCodeWebviewApi;
