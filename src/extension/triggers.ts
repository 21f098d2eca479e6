/**
 * When analyses run: static ones shortly after the last keystroke, measured ones on save, while typing or only on
 * command (setting vgnet.analyzeOn) — and once when a spec is first opened, unless the setting is "manual", so the
 * measured verdict is there without a save; documents that close, vanish or move are forgotten.
 */
import * as vscode from 'vscode';
import { ConfigStore } from './config';
import type { AnalysisController } from './controller';
import { isSpecDocument, snapshotOf } from './documents';
import { measureWithProgress, type Trigger } from './progress';
import { Debouncer } from './scheduler';

/** Quiet time after the last keystroke before the static analysis runs. */
const STATIC_DELAY_MS = 250;
/** Quiet time before a measured run when analysing as you type (training costs seconds: wait for a real pause). */
const MEASURED_DELAY_MS = 1000;

export function registerTriggers(controller: AnalysisController, configs: ConfigStore): vscode.Disposable[] {
  const debouncer = new Debouncer();
  const measure = (document: vscode.TextDocument, trigger: Trigger): void => {
    void measureWithProgress(controller, document.uri, snapshotOf(document), trigger, configs.config.timeBudgetSeconds);
  };
  const measureOnOpen = (document: vscode.TextDocument): void => {
    if (!isSpecDocument(document) || configs.config.analyzeOn === 'manual' || !vscode.workspace.isTrusted) return;
    if (!controller.viewOf(document)?.measured) measure(document, 'open');
  };
  const onChange = (event: vscode.TextDocumentChangeEvent): void => {
    const document = event.document;
    if (!isSpecDocument(document) || event.contentChanges.length === 0) return;
    const key = document.uri.toString();
    debouncer.schedule(`static ${key}`, STATIC_DELAY_MS, () => {
      if (!document.isClosed) controller.refreshStatic(document);
    });
    if (configs.config.analyzeOn === 'type' && vscode.workspace.isTrusted) {
      debouncer.schedule(`measured ${key}`, MEASURED_DELAY_MS, () => {
        if (!document.isClosed) measure(document, 'type');
      });
    }
  };
  const forget = (uri: vscode.Uri): void => {
    debouncer.cancel(`static ${uri.toString()}`);
    debouncer.cancel(`measured ${uri.toString()}`);
    controller.forget(uri);
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.vgnet.json', true, true, false);
  for (const document of openSpecs()) measureOnOpen(document);
  return [
    debouncer,
    watcher,
    vscode.workspace.onDidOpenTextDocument((document) => {
      if (!isSpecDocument(document)) return;
      controller.refreshStatic(document);
      measureOnOpen(document);
    }),
    vscode.workspace.onDidChangeTextDocument(onChange),
    vscode.workspace.onDidSaveTextDocument((document) => {
      if (isSpecDocument(document) && configs.config.analyzeOn === 'save') measure(document, 'save');
    }),
    vscode.workspace.onDidCloseTextDocument((document) => {
      if (isSpecDocument(document)) forget(document.uri);
    }),
    watcher.onDidDelete(forget),
    vscode.workspace.onDidDeleteFiles((event) => forgetUnder(controller, event.files, forget)),
    vscode.workspace.onDidRenameFiles((event) =>
      forgetUnder(
        controller,
        event.files.map((f) => f.oldUri),
        forget,
      ),
    ),
    configs.onDidChange((event) => {
      if (!ConfigStore.affects(event, 'thresholds')) return;
      reanalyzeOpen(controller);
      // Measured findings depend on the thresholds too; the run itself is cached, so this only re-detects.
      for (const document of openSpecs()) if (controller.viewOf(document)?.measured) measure(document, 'type');
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => reanalyzeOpen(controller)),
  ];
}

/** Static analysis of every open spec: at activation and after the thresholds change. */
export function reanalyzeOpen(controller: AnalysisController): void {
  for (const document of openSpecs()) controller.refreshStatic(document);
}

function openSpecs(): vscode.TextDocument[] {
  return vscode.workspace.textDocuments.filter(isSpecDocument);
}

/** A deleted or renamed folder takes every spec under it along. */
function forgetUnder(
  controller: AnalysisController,
  removed: readonly vscode.Uri[],
  forget: (uri: vscode.Uri) => void,
): void {
  const prefixes = removed.map((uri) => uri.toString());
  for (const uri of controller.knownUris()) {
    const key = uri.toString();
    if (prefixes.some((p) => key === p || key.startsWith(`${p}/`))) forget(uri);
  }
}
