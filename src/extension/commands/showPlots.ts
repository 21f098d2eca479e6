/** VGNet: Show Gradient Plots — the panel for the active spec (or a visible one). */
import * as vscode from 'vscode';
import type { Services } from '../services';

export function showPlots(services: Services): void {
  services.plots.show(vscode.window.activeTextEditor?.document.uri);
}
