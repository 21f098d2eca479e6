/**
 * A measured run as the user sees it: a cancellable progress notification (or a quiet status-bar spinner for runs
 * started by typing), then a message only when something needs saying.
 */
import * as vscode from 'vscode';
import type { AnalysisController, MeasuredAnalysis } from './controller';
import type { Snapshot } from './core/freshness';
import { displayName } from './documents';

/** Who asked: commands get every message; automatic runs (save, typing) stay quiet unless something broke. */
/** What started a measured run: explicit ones show a cancellable notification, background ones the status area. */
export type Trigger = 'command' | 'save' | 'type' | 'open';

export async function measureWithProgress(
  controller: AnalysisController,
  uri: vscode.Uri,
  snapshot: Snapshot,
  trigger: Trigger,
  budgetSeconds: number,
): Promise<MeasuredAnalysis> {
  const quiet = trigger === 'type' || trigger === 'open';
  const options: vscode.ProgressOptions = {
    location: quiet ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification,
    title: `VGNet: analysing ${displayName(uri)}`,
    cancellable: !quiet,
  };
  const outcome = await vscode.window.withProgress(options, async (progress, token) => {
    const cancelling = token.onCancellationRequested(() => controller.cancel(uri));
    const started = Date.now();
    let phase = 'training';
    // Training has no meaningful percentage (it may stop early); the elapsed time against the budget is honest.
    const report = (): void =>
      progress.report({
        message: `${phase}… ${Math.round((Date.now() - started) / 1000)} s of at most ${budgetSeconds} s`,
      });
    const ticker = setInterval(report, 1000);
    try {
      return await controller.measure(uri, snapshot, (next) => {
        phase = next === 'training' ? 'training' : 'measured; verifying fixes';
        report();
      });
    } finally {
      clearInterval(ticker);
      cancelling.dispose();
    }
  });
  tellOutcome(outcome, trigger, uri);
  return outcome;
}

function tellOutcome(outcome: MeasuredAnalysis, trigger: Trigger, uri: vscode.Uri): void {
  const name = displayName(uri);
  if (outcome.kind === 'refused') {
    if (trigger === 'command')
      void vscode.window.showWarningMessage(`VGNet: cannot analyse ${name}: ${outcome.reason}.`);
    return;
  }
  const { report } = outcome;
  if (report.status === 'internal-error') {
    void vscode.window.showErrorMessage(
      `VGNet: analysing ${name} failed: ${report.message ?? 'internal error'}. See the "VGNet" output for details.`,
    );
  } else if (trigger === 'command' && report.status === 'invalid') {
    void vscode.window.showWarningMessage(
      `VGNet: ${name} cannot be trained: ${report.message ?? 'the spec has errors'} (see the Problems view).`,
    );
  } else if (trigger === 'command' && outcome.note !== null && outcome.note !== 'cancelled') {
    void vscode.window.showInformationMessage(`VGNet: the results for ${name} were discarded because ${outcome.note}.`);
  }
}
