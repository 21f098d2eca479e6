/** Settings: read through the pure parser, re-read only when a "vgnet.*" setting changed, problems shown once. */
import * as vscode from 'vscode';
import { CONFIG_SECTION, parseConfig, type Config } from './core/settings';

export class ConfigStore implements vscode.Disposable {
  private current: Config;
  private readonly reported = new Set<string>();
  private readonly changed = new vscode.EventEmitter<vscode.ConfigurationChangeEvent>();
  private readonly subscription: vscode.Disposable;
  /** Fires after the config was re-read, with the event (listeners ask it which settings changed). */
  readonly onDidChange = this.changed.event;

  constructor() {
    this.current = this.read();
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(CONFIG_SECTION)) return;
      this.current = this.read();
      this.changed.fire(event);
    });
  }

  get config(): Config {
    return this.current;
  }

  /** Whether a setting under "vgnet." (e.g. "inline.enabled", "thresholds") is affected by the change. */
  static affects(event: vscode.ConfigurationChangeEvent, key: string): boolean {
    return event.affectsConfiguration(`${CONFIG_SECTION}.${key}`);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  private read(): Config {
    const settings = vscode.workspace.getConfiguration(CONFIG_SECTION);
    const { config, problems } = parseConfig((key) => settings.get(key));
    for (const problem of problems) {
      if (this.reported.has(problem)) continue;
      this.reported.add(problem);
      void vscode.window.showWarningMessage(`VGNet setting ignored — ${problem}`);
    }
    return config;
  }
}
