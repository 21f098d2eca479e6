/** VGNet: Analyze Current Model — the measured analysis of the active spec, with a cancellable notification. */
import * as vscode from 'vscode';
import type { Services } from '../services';
import { isSpecDocument, snapshotOf } from '../documents';
import { measureWithProgress } from '../progress';

export async function analyzeCurrent(services: Services): Promise<void> {
  const document = vscode.window.activeTextEditor?.document;
  if (!document || !isSpecDocument(document)) {
    void vscode.window.showInformationMessage('VGNet: open a *.vgnet.json model spec to analyse it.');
    return;
  }
  await measureWithProgress(
    services.controller,
    document.uri,
    snapshotOf(document),
    'command',
    services.configs.config.timeBudgetSeconds,
  );
}
