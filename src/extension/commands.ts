/** Registers every command of the COMMANDS table with its handler (one file per command under commands/). */
import * as vscode from 'vscode';
import { COMMANDS, type CommandName } from './commandIds';
import { analyzeCurrent } from './commands/analyzeCurrent';
import { analyzeWorkspace } from './commands/analyzeWorkspace';
import { cancelAnalysis } from './commands/cancel';
import { newSpec } from './commands/newSpec';
import { showPlots } from './commands/showPlots';
import { exportFixed, exportPytorch, importModel, openRecord } from './commands/bridge';
import type { Services } from './services';

/** Handlers take the services and the command's arguments (code actions pass some; the palette none). */
const HANDLERS: Record<CommandName, (services: Services, ...args: unknown[]) => unknown> = {
  analyzeCurrent,
  analyzeWorkspace,
  showPlots,
  cancel: cancelAnalysis,
  newSpec,
  exportPytorch,
  exportFixed,
  openRecord,
  importModel,
};

export function registerCommands(services: Services): vscode.Disposable[] {
  return (Object.keys(COMMANDS) as CommandName[]).map((name) =>
    vscode.commands.registerCommand(COMMANDS[name].id, (...args: unknown[]) =>
      runReportingErrors(name, services, args),
    ),
  );
}

/** A command never fails silently: errors go to the user and to the log. */
async function runReportingErrors(name: CommandName, services: Services, args: unknown[]): Promise<void> {
  try {
    await HANDLERS[name](services, ...args);
  } catch (err) {
    services.log.error(`${COMMANDS[name].id} failed: ${(err as Error).stack ?? String(err)}`);
    void vscode.window.showErrorMessage(`VGNet: ${COMMANDS[name].title} failed: ${(err as Error).message}`);
  }
}
