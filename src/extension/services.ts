/** What commands and providers share (built in wiring.ts). Types only: this module imports nothing that runs. */
import type * as vscode from 'vscode';
import type { ConfigStore } from './config';
import type { AnalysisController } from './controller';
import type { BridgeRequest, BridgeResponse } from '../node/bridge-messages';

/** Shows the gradient plots of a spec (plots/register.ts implements it). */
export interface PlotsPresenter {
  show(uri: vscode.Uri | undefined): void;
}

export interface Services {
  extensionUri: vscode.Uri;
  configs: ConfigStore;
  controller: AnalysisController;
  log: vscode.LogOutputChannel;
  plots: PlotsPresenter;
  /** Runs one import/export/record task in the bridge worker (off the extension host's thread). */
  bridge: (request: BridgeRequest) => Promise<BridgeResponse>;
}
