/** VGNet: Cancel Analysis — stops every measured run (and a workspace scan). */
import * as vscode from 'vscode';
import type { Services } from '../services';

export function cancelAnalysis(services: Services): void {
  const count = services.controller.cancelAll();
  if (count === 0) void vscode.window.showInformationMessage('VGNet: no analysis is running.');
}
