/**
 * Every command of the extension, in one table (package.json "contributes.commands" is checked against it by
 * test/extension/core/manifest.test.ts). No vscode import: the table is plain data.
 */
export const COMMAND_CATEGORY = 'VGNet';

export const COMMANDS = {
  analyzeCurrent: { id: 'vgnet.analyzeCurrentModel', title: 'Analyze Current Model' },
  analyzeWorkspace: { id: 'vgnet.analyzeWorkspace', title: 'Analyze All Models in Workspace' },
  showPlots: { id: 'vgnet.showPlots', title: 'Show Gradient Plots' },
  cancel: { id: 'vgnet.cancelAnalysis', title: 'Cancel Analysis' },
  newSpec: { id: 'vgnet.newModelSpec', title: 'New Model Spec' },
  exportPytorch: { id: 'vgnet.exportPytorch', title: 'Export to PyTorch' },
  exportFixed: { id: 'vgnet.exportFixedPytorch', title: 'Export the Fixed Model to PyTorch' },
  openRecord: { id: 'vgnet.openRunRecord', title: 'Open Run Record…' },
  importModel: { id: 'vgnet.importModel', title: 'Import Model…' },
} as const;

export type CommandName = keyof typeof COMMANDS;

/** The code-action kind of "fix all" (a sub-kind of source.fixAll, so editor.codeActionsOnSave can opt in). */
export const FIX_ALL_KIND = 'source.fixAll.vgnet';

/** Context key set while a measured analysis runs (enables "Cancel Analysis" in the palette). */
export const RUNNING_CONTEXT_KEY = 'vgnet.analysisRunning';
