/** The status-bar item for the active spec: state while running, then the verdict; a click shows the plots. */
import * as vscode from 'vscode';
import { statusDisplay, type StatusTone } from './core/status';
import { COMMANDS, RUNNING_CONTEXT_KEY } from './commandIds';
import type { AnalysisController } from './controller';
import { displayName, isSpecDocument } from './documents';

const BACKGROUND: Partial<Record<StatusTone, string>> = {
  error: 'statusBarItem.errorBackground',
  warning: 'statusBarItem.warningBackground',
};

export function registerStatusBar(controller: AnalysisController): vscode.Disposable[] {
  const item = vscode.window.createStatusBarItem('vgnet.status', vscode.StatusBarAlignment.Left, 0);
  item.name = 'VGNet';
  item.command = COMMANDS.showPlots.id;
  const update = (): void => {
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT_KEY, controller.runningCount > 0);
    const document = vscode.window.activeTextEditor?.document;
    if (!document || !isSpecDocument(document)) {
      item.hide();
      return;
    }
    const display = statusDisplay({
      name: displayName(document.uri),
      view: controller.viewOf(document),
      running: controller.isRunning(document.uri),
      restricted: !vscode.workspace.isTrusted,
      verifying: controller.verifyProgress(document.uri),
    });
    item.text = display.text;
    item.tooltip = display.tooltip;
    const background = BACKGROUND[display.tone];
    item.backgroundColor = background ? new vscode.ThemeColor(background) : undefined;
    item.show();
  };
  update();
  return [
    item,
    controller.onDidChange(update),
    controller.onDidVerifyProgress(update),
    vscode.window.onDidChangeActiveTextEditor(update),
    vscode.workspace.onDidGrantWorkspaceTrust(update),
  ];
}
