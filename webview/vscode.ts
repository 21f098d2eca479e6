/**
 * The VS Code webview API, acquired once (acquireVsCodeApi may be called only once per page), typed with the
 * plots protocol. Outside VS Code (a plain browser) a stub that logs keeps the bundle running.
 */
import { isPlotState, type PlotState, type WebviewMessage } from '../src/protocol/plots';

const api: VsCodeWebviewApi =
  typeof acquireVsCodeApi === 'function'
    ? acquireVsCodeApi()
    : { postMessage: (m) => console.info('[vgnet] to host', m), getState: () => undefined, setState: () => undefined };

export function postToHost(message: WebviewMessage): void {
  api.postMessage(message);
}

/** The state saved before the webview was hidden or the window reloaded; null when absent or from another version. */
export function restoredState(): PlotState | null {
  const state = api.getState();
  return isPlotState(state) ? state : null;
}

export function saveState(state: PlotState): void {
  api.setState(state);
}
