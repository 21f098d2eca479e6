/**
 * VGNet: Analyze All Models in Workspace — every *.vgnet.json in the workspace, one after the other, in one
 * cancellable notification. Files that are not open are read from disk; their diagnostics appear in Problems.
 */
import * as vscode from 'vscode';
import { SPEC_SUFFIX } from '../core/documents';
import type { Services } from '../services';
import { currentSnapshot, displayName } from '../documents';

/** More specs than this in one workspace is a data set, not a set of models: the scan stops there. */
const MAX_SPECS = 200;

export async function analyzeWorkspace(services: Services): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(
      'VGNet: measured analysis is off in Restricted Mode; trust the workspace to enable it.',
    );
    return;
  }
  const uris = await vscode.workspace.findFiles(`**/*${SPEC_SUFFIX}`, '**/node_modules/**', MAX_SPECS);
  if (uris.length === 0) {
    void vscode.window.showInformationMessage('VGNet: no *.vgnet.json model specs in this workspace.');
    return;
  }
  uris.sort((a, b) => a.path.localeCompare(b.path));
  const summary = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'VGNet: analysing the workspace', cancellable: true },
    (progress, token) => scan(services, uris, progress, token),
  );
  void vscode.window.showInformationMessage(`VGNet: ${summary}`);
}

async function scan(
  services: Services,
  uris: vscode.Uri[],
  progress: vscode.Progress<{ message?: string; increment?: number }>,
  token: vscode.CancellationToken,
): Promise<string> {
  const { controller } = services;
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    for (const uri of uris) controller.cancel(uri);
  };
  const subscriptions = [token.onCancellationRequested(stop), controller.onDidCancelAll(stop)];
  const counts = { analysed: 0, withFindings: 0, skipped: 0 };
  try {
    for (const [i, uri] of uris.entries()) {
      if (stopped) break;
      progress.report({ message: `${i + 1}/${uris.length}: ${displayName(uri)}`, increment: 100 / uris.length });
      const snapshot = await currentSnapshot(uri);
      if (snapshot === null) {
        counts.skipped++; // deleted since the search
        continue;
      }
      const outcome = await controller.measure(uri, snapshot);
      if (outcome.kind !== 'done' || !outcome.accepted) {
        counts.skipped++;
        continue;
      }
      counts.analysed++;
      if (outcome.report.findings.length > 0) counts.withFindings++;
    }
  } finally {
    subscriptions.forEach((s) => s.dispose());
  }
  const head = stopped
    ? `cancelled after ${counts.analysed} of ${uris.length} specs`
    : `analysed ${counts.analysed} of ${uris.length} specs`;
  return `${head}; ${counts.withFindings} with gradient problems${counts.skipped > 0 ? `, ${counts.skipped} skipped (changed, invalid or gone)` : ''}. See the Problems view.`;
}
