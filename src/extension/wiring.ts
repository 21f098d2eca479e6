/** `createServices` builds everything the extension runs and returns what must be disposed, in one place. */
import * as vscode from 'vscode';
import { runBridgeTask } from '../node/bridge-tasks';
import { registerCodeActions } from './codeActions';
import { registerCommands } from './commands';
import { ConfigStore } from './config';
import { AnalysisController } from './controller';
import { registerDiagnostics } from './diagnostics';
import { registerHover } from './hover';
import { registerInline } from './inline';
import { Plots } from './plots/register';
import { registerRecordWatcher } from './records';
import type { Services } from './services';
import { registerStatusBar } from './statusBar';
import { reanalyzeOpen, registerTriggers } from './triggers';

export function createServices(context: vscode.ExtensionContext): vscode.Disposable[] {
  const log = vscode.window.createOutputChannel('VGNet', { log: true });
  const configs = new ConfigStore();
  const workerScript = vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath;
  const controller = new AnalysisController(configs, log, workerScript);
  const plots = new Plots({ extensionUri: context.extensionUri, controller, configs });
  const bridgeScript = vscode.Uri.joinPath(context.extensionUri, 'dist', 'bridge-worker.js').fsPath;
  const services: Services = {
    extensionUri: context.extensionUri,
    configs,
    controller,
    log,
    plots,
    bridge: (request) => runBridgeTask(bridgeScript, request, configs.config.memoryBudgetMB),
  };
  const disposables: vscode.Disposable[] = [
    log,
    configs,
    controller,
    plots,
    ...registerDiagnostics(controller),
    registerCodeActions(controller),
    registerHover(controller),
    ...registerInline(controller, configs),
    ...registerStatusBar(controller),
    ...registerTriggers(controller, configs),
    ...registerCommands(services),
    ...registerRecordWatcher(services),
  ];
  reanalyzeOpen(controller);
  return disposables;
}
