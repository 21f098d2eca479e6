/**
 * Records that appear beside a spec — an exported program run with `--record` — are picked up: each created or
 * changed `*.vgnet-record.json` that names a spec in its folder is diagnosed on that spec (vgnet.watchRecords).
 * Bursts of writes to one file are coalesced.
 */
import * as vscode from 'vscode';
import { showRecord } from './commands/bridge';
import type { Services } from './services';

const SETTLE_MS = 400;

export function registerRecordWatcher(services: Services): vscode.Disposable[] {
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.vgnet-record.json');
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  const schedule = (uri: vscode.Uri): void => {
    if (!services.configs.config.watchRecords) return;
    const key = uri.toString();
    clearTimeout(pending.get(key));
    pending.set(
      key,
      setTimeout(() => {
        pending.delete(key);
        showRecord(services, uri, false).catch((err: unknown) =>
          services.log.error(`record ${uri.fsPath}: ${(err as Error).stack ?? String(err)}`),
        );
      }, SETTLE_MS),
    );
  };
  return [
    watcher,
    watcher.onDidCreate(schedule),
    watcher.onDidChange(schedule),
    { dispose: () => pending.forEach((timer) => clearTimeout(timer)) },
  ];
}
