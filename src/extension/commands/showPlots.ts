/**
 * VGNet: Show Gradient Plots. The plots panel registers itself through `setPlotsPresenter`; until one exists the
 * command opens the Problems view, where the findings are.
 */
import * as vscode from 'vscode';
import type { Services } from '../services';

export interface PlotsPresenter {
  show(uri: vscode.Uri | undefined): void | Promise<void>;
}

let presenter: PlotsPresenter | null = null;

/** Called by the plots panel module when it is added; returns a disposable that unregisters it. */
export function setPlotsPresenter(next: PlotsPresenter): vscode.Disposable {
  presenter = next;
  return new vscode.Disposable(() => {
    if (presenter === next) presenter = null;
  });
}

export async function showPlots(_services: Services): Promise<void> {
  const uri = vscode.window.activeTextEditor?.document.uri;
  if (presenter !== null) await presenter.show(uri);
  else await vscode.commands.executeCommand('workbench.actions.view.problems');
}
