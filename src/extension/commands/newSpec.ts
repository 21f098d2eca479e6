/**
 * VGNet: New Model Spec — pick one of the bundled examples as a template and copy it into the workspace (with the
 * data file it reads), or into an untitled editor when no folder is open. Never overwrites a file.
 */
import * as vscode from 'vscode';
import {
  checkSpecFileName,
  describeTemplate,
  freeSpecName,
  renameTemplate,
  type TemplateInfo,
} from '../core/templates';
import { SPEC_SUFFIX } from '../core/documents';
import type { Services } from '../services';

interface TemplatePick extends vscode.QuickPickItem {
  template: TemplateInfo;
  text: string;
}

export async function newSpec(services: Services): Promise<void> {
  const examples = vscode.Uri.joinPath(services.extensionUri, 'examples');
  const picks = await readTemplates(examples);
  if (picks.length === 0) {
    void vscode.window.showErrorMessage('VGNet: the bundled examples are missing from the extension.');
    return;
  }
  const pick = await vscode.window.showQuickPick(picks, {
    title: 'VGNet: New Model Spec',
    placeHolder: 'Start from an example',
    matchOnDetail: true,
  });
  if (!pick) return;
  const folder = await chooseFolder();
  if (folder === undefined) {
    const document = await vscode.workspace.openTextDocument({ language: 'jsonc', content: pick.text });
    await vscode.window.showTextDocument(document);
    void vscode.window.showInformationMessage(
      `VGNet: save this file with a name ending in ${SPEC_SUFFIX} to analyse it.`,
    );
    return;
  }
  const target = await askTarget(folder, pick.template.fileName);
  if (!target) return;
  const fileName = target.path.slice(target.path.lastIndexOf('/') + 1);
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(renameTemplate(pick.text, fileName)));
  if (pick.template.dataPath !== null)
    await copyDataFile(examples, vscode.Uri.joinPath(target, '..'), pick.template.dataPath);
  await vscode.window.showTextDocument(target);
}

async function readTemplates(examples: vscode.Uri): Promise<TemplatePick[]> {
  let entries: [string, vscode.FileType][];
  try {
    entries = await vscode.workspace.fs.readDirectory(examples);
  } catch {
    return [];
  }
  const names = entries
    .filter(([name, type]) => type === vscode.FileType.File && name.endsWith(SPEC_SUFFIX))
    .map(([name]) => name)
    .sort();
  const picks: TemplatePick[] = [];
  for (const name of names) {
    const text = new TextDecoder('utf-8').decode(
      await vscode.workspace.fs.readFile(vscode.Uri.joinPath(examples, name)),
    );
    const template = describeTemplate(name, text);
    picks.push({ label: template.label, detail: template.description, template, text });
  }
  return picks;
}

/** The workspace folder to create the spec in; undefined when no folder is open (or the pick was dismissed). */
async function chooseFolder(): Promise<vscode.Uri | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0]?.uri;
  return (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Folder for the new model spec' }))?.uri;
}

async function askTarget(folder: vscode.Uri, templateName: string): Promise<vscode.Uri | undefined> {
  const taken = new Set((await vscode.workspace.fs.readDirectory(folder)).map(([name]) => name));
  const name = await vscode.window.showInputBox({
    title: 'VGNet: New Model Spec',
    prompt: `File name in ${folder.path.slice(folder.path.lastIndexOf('/') + 1)}`,
    value: freeSpecName(templateName, taken),
    validateInput: (value) => checkSpecFileName(value) ?? (taken.has(value) ? `${value} already exists` : null),
  });
  return name ? vscode.Uri.joinPath(folder, name) : undefined;
}

/** Copies the template's data file next to the new spec unless a file of that name is already there. */
async function copyDataFile(examples: vscode.Uri, targetFolder: vscode.Uri, dataPath: string): Promise<void> {
  const target = vscode.Uri.joinPath(targetFolder, dataPath);
  try {
    await vscode.workspace.fs.stat(target);
    return; // keep the user's file
  } catch {
    // not there: copy
  }
  try {
    await vscode.workspace.fs.copy(vscode.Uri.joinPath(examples, dataPath), target, { overwrite: false });
  } catch (err) {
    void vscode.window.showWarningMessage(
      `VGNet: could not copy the template's data file ${dataPath}: ${(err as Error).message}`,
    );
  }
}
