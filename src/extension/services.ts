/** What commands and providers share; `createServices` wires everything and returns what must be disposed. */
import * as vscode from 'vscode';
import { registerCodeActions } from './codeActions';
import { registerCommands } from './commands';
import { ConfigStore } from './config';
import { AnalysisController } from './controller';
import { registerDiagnostics } from './diagnostics';
import { registerHover } from './hover';
import { registerInline } from './inline';
import { registerPlots } from './plots/register';
import { registerStatusBar } from './statusBar';
import { reanalyzeOpen, registerTriggers } from './triggers';

export interface Services {
  extensionUri: vscode.Uri;
  configs: ConfigStore;
  controller: AnalysisController;
  log: vscode.LogOutputChannel;
}

export function createServices(context: vscode.ExtensionContext): vscode.Disposable[] {
  const log = vscode.window.createOutputChannel('VGNet', { log: true });
  const configs = new ConfigStore();
  const controller = new AnalysisController(configs, log, vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath);
  const services: Services = { extensionUri: context.extensionUri, configs, controller, log };
  const disposables: vscode.Disposable[] = [
    log, configs, controller,
    ...registerDiagnostics(controller),
    registerCodeActions(controller),
    registerHover(controller),
    ...registerInline(controller, configs),
    ...registerStatusBar(controller),
    ...registerTriggers(controller, configs),
    ...registerCommands(services),
    ...registerPlots(services),
  ];
  reanalyzeOpen(controller);
  return disposables;
}
