/**
 * The bridge in the editor: VGNet: Export to PyTorch (and "Export the fixed model to PyTorch" from a verified fix),
 * VGNet: Open Run Record…, and the records that appear beside a spec (triggers.ts watches for them). File work runs
 * in the bridge worker (src/node/bridge-worker.ts), never on the extension host's thread.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { applyTextEdits, type TextEdit } from '../../analysis/fixes/edit';
import { MB } from '../../analysis/memory';
import type { BridgeResponse } from '../../node/bridge-messages';
import { defaultExportTarget } from '../../node/export-files';
import { isSpecFileName } from '../core/documents';
import { currentSnapshot, isSpecUri } from '../documents';
import type { Services } from '../services';

export async function exportPytorch(services: Services, uriText?: unknown): Promise<void> {
  const document = await specDocument(uriText);
  if (!document) {
    void vscode.window.showInformationMessage('VGNet: open a *.vgnet.json spec to export it to PyTorch.');
    return;
  }
  await exportText(services, document.uri, document.getText(), defaultExportTarget(document.uri.fsPath), null);
}

/** From a verified fix's code action: the spec with that fix applied (in memory, the file is not changed). */
export async function exportFixed(
  services: Services,
  uriText?: unknown,
  edit?: unknown,
  title?: unknown,
): Promise<void> {
  const document = await specDocument(uriText);
  if (!document || !isTextEdit(edit) || typeof title !== 'string') return;
  const view = services.controller.viewOf(document);
  // The edit's offsets belong to the analysed text; a document edited since would get it in the wrong place.
  if (!view || view.snapshot.text !== document.getText()) {
    void vscode.window.showWarningMessage('VGNet: the spec changed since the fix was verified; save it to re-verify.');
    return;
  }
  const fixed = applyTextEdits(document.getText(), [edit]);
  const target = defaultExportTarget(document.uri.fsPath).replace(/\.py$/, '_fixed.py');
  await exportText(services, document.uri, fixed, target, title);
}

async function exportText(
  services: Services,
  specUri: vscode.Uri,
  text: string,
  target: string,
  fixTitle: string | null,
): Promise<void> {
  if (specUri.scheme !== 'file') {
    void vscode.window.showInformationMessage(
      'VGNet: save the spec to a file first: the program is written beside it.',
    );
    return;
  }
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showInformationMessage(
      "VGNet: exporting reads the spec's data; trust the workspace to enable it.",
    );
    return;
  }
  const name = path.basename(target);
  if (await exists(vscode.Uri.file(target))) {
    const replace = await vscode.window.showWarningMessage(
      `VGNet: ${name} exists. Replace it (and its samples file)?`,
      { modal: true },
      'Replace',
    );
    if (replace !== 'Replace') return;
  }
  const response = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `VGNet: exporting ${name}…` },
    () =>
      services.bridge({
        kind: 'export',
        request: {
          specFile: specUri.fsPath,
          text,
          target,
          force: true,
          steps: services.configs.config.steps,
          seed: null,
          memoryBudgetBytes: services.configs.config.memoryBudgetMB * MB,
        },
      }),
  );
  if (response.kind !== 'export' || !response.result.ok) {
    const message = response.kind === 'export' && !response.result.ok ? response.result.message : failure(response);
    void vscode.window.showErrorMessage(`VGNet: could not export ${path.basename(specUri.fsPath)}: ${message}`);
    return;
  }
  const result = response.result;
  services.log.info(`exported ${specUri.fsPath} → ${result.program} (${result.samples} samples)`);
  const record = `${path.basename(result.program).replace(/\.py$/, '')}.vgnet-record.json`;
  const run = `python3 ${path.basename(result.program)} --record ${record}`;
  const what = fixTitle ? ` with the fix "${fixTitle}"` : '';
  const choice = await vscode.window.showInformationMessage(
    `VGNet: exported${what} to ${path.basename(result.program)} (${result.samples} samples beside it). Run \`${run}\`: VGNet picks up the record.`,
    'Open',
    'Copy Command',
  );
  if (choice === 'Open') await vscode.window.showTextDocument(vscode.Uri.file(result.program));
  if (choice === 'Copy Command') await vscode.env.clipboard.writeText(run);
}

/** VGNet: Open Run Record… — a record of a PyTorch run (an exported program's or the recorder's). */
export async function openRecord(services: Services): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Diagnose',
    title: 'VGNet: Open Run Record',
    filters: { 'VGNet run records': ['json'] },
  });
  if (picked?.[0]) await showRecord(services, picked[0], true);
}

/**
 * Diagnoses a record: on the spec it names beside it (findings in the editor, curves and the engine compare in
 * the plots panel), or alone in the panel when it has no spec. `interactive` false (the watcher): quiet, and
 * records without a spec beside them are left alone.
 */
export async function showRecord(services: Services, recordUri: vscode.Uri, interactive: boolean): Promise<void> {
  if (recordUri.scheme !== 'file') return;
  if (!vscode.workspace.isTrusted) {
    if (interactive) void vscode.window.showInformationMessage('VGNet: trust the workspace to diagnose run records.');
    return;
  }
  const response = await services.bridge({ kind: 'read-record', file: recordUri.fsPath });
  if (response.kind !== 'read-record' || !response.ok) {
    const message = response.kind === 'read-record' && !response.ok ? response.message : failure(response);
    services.log.warn(`record ${recordUri.fsPath}: ${message}`);
    if (interactive) void vscode.window.showErrorMessage(`VGNet: cannot read the record: ${message}`);
    return;
  }
  const specFile = response.specFile !== null && isSpecFileName(response.specFile) ? response.specFile : null;
  if (specFile === null) {
    if (!interactive) return;
    const report = await services.controller.showRecordAlone(recordUri, response.run);
    services.plots.show(recordUri);
    if (report.findings.length === 0)
      void vscode.window.showInformationMessage(`VGNet: no gradient problems in ${path.basename(recordUri.fsPath)}.`);
    return;
  }
  const specUri = vscode.Uri.file(specFile);
  const snapshot = await currentSnapshot(specUri);
  if (snapshot === null) return;
  const outcome = await vscode.window.withProgress(
    {
      location: interactive ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window,
      title: `VGNet: diagnosing the ${response.run.engine} run of ${path.basename(specFile)}…`,
    },
    () => services.controller.measureRecord(specUri, snapshot, response.run, recordUri.fsPath),
  );
  if (outcome.kind === 'refused' || !outcome.accepted) {
    const why = outcome.kind === 'refused' ? outcome.reason : (outcome.note ?? 'the spec changed meanwhile');
    services.log.warn(`record ${recordUri.fsPath}: ${why}`);
    if (interactive) void vscode.window.showWarningMessage(`VGNet: ${path.basename(recordUri.fsPath)}: ${why}`);
    return;
  }
  if (interactive) {
    await vscode.window.showTextDocument(specUri, { preview: false });
    services.plots.show(specUri);
  }
}

async function specDocument(uriText: unknown): Promise<vscode.TextDocument | undefined> {
  if (typeof uriText === 'string') {
    const uri = vscode.Uri.parse(uriText, true);
    return isSpecUri(uri) ? vscode.workspace.openTextDocument(uri) : undefined;
  }
  const active = vscode.window.activeTextEditor?.document;
  return active && isSpecUri(active.uri) ? active : undefined;
}

function isTextEdit(v: unknown): v is TextEdit {
  const e = v as TextEdit;
  return (
    typeof e === 'object' &&
    e !== null &&
    Number.isInteger(e.offset) &&
    Number.isInteger(e.length) &&
    typeof e.content === 'string'
  );
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

function failure(response: BridgeResponse): string {
  return response.kind === 'failed' ? response.message : 'unexpected answer from the bridge worker';
}

/** VGNet: Import Model… — a Keras model (to_json() JSON, .keras) or an ONNX file → a new spec beside it, opened. */
export async function importModel(services: Services): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Import',
    title: 'VGNet: Import Model',
    filters: { 'Keras or ONNX models': ['json', 'keras', 'onnx'] },
  });
  const file = picked?.[0];
  if (!file || file.scheme !== 'file') return;
  const stem = path.basename(file.fsPath).replace(/\.(json|keras|onnx)$/i, '');
  let target = vscode.Uri.file(path.join(path.dirname(file.fsPath), `${stem}.vgnet.json`));
  let force = false;
  if (await exists(target)) {
    const choice = await vscode.window.showWarningMessage(
      `VGNet: ${path.basename(target.fsPath)} exists.`,
      { modal: true },
      'Replace',
      'Save As…',
    );
    if (choice === 'Save As…') {
      const other = await vscode.window.showSaveDialog({ defaultUri: target, filters: { 'VGNet spec': ['json'] } });
      if (!other) return;
      target = other;
      force = true;
    } else if (choice === 'Replace') force = true;
    else return;
  }
  const response = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `VGNet: importing ${path.basename(file.fsPath)}…` },
    () => services.bridge({ kind: 'import', file: file.fsPath, out: target.fsPath, force }),
  );
  if (response.kind !== 'import' || !response.result.ok) {
    const message = response.kind === 'import' && !response.result.ok ? response.result.message : failure(response);
    void vscode.window.showErrorMessage(`VGNet: cannot import: ${message}`);
    return;
  }
  const result = response.result;
  services.log.info(`imported ${file.fsPath} → ${result.spec}${result.parameters ? ` + ${result.parameters}` : ''}`);
  await vscode.window.showTextDocument(vscode.Uri.file(result.spec), { preview: false });
  void vscode.window.showInformationMessage(
    `VGNet: imported ${result.layers} layers into ${path.basename(result.spec)}. The file has no data: the spec's "data" is a stand-in generator.`,
  );
}
