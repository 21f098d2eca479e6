/** Entry point: wire the services; any failure to start is shown to the user, not only logged. */
import * as vscode from 'vscode';
import { createServices } from './wiring';

export function activate(context: vscode.ExtensionContext): void {
  try {
    context.subscriptions.push(...createServices(context));
  } catch (err) {
    void vscode.window.showErrorMessage(`VGNet failed to start: ${(err as Error).message}`);
    throw err;
  }
}

export function deactivate(): void {
  // Everything lives in context.subscriptions and is disposed by VS Code.
}
