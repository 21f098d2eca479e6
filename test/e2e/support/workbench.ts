/**
 * The VS Code workbench in headless Chromium, driven the way a person does it: Quick Open, the Command Palette, the
 * Problems panel, the status bar, quick fixes and webviews. Every wait is for a condition, with a timeout and a
 * message saying what did not happen.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ToolPaths } from './env';
import { loadPlaywright, type BrowserContext, type Frame, type Locator, type Page } from './playwright';
import type { VsCodeServer } from './server';

/** Flags that work for Debian's Chromium in this sandbox (no GPU, no background traffic to anywhere). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export class Workbench {
  private shotCount = 0;

  private constructor(
    private readonly context: BrowserContext,
    readonly page: Page,
    private readonly shotsDir: string,
  ) {}

  static async open(server: VsCodeServer, tools: ToolPaths, shotsDir: string): Promise<Workbench> {
    mkdirSync(shotsDir, { recursive: true });
    const profile = server.browserProfile;
    const { chromium } = loadPlaywright(tools.playwrightCore);
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: tools.chromium,
      headless: true,
      viewport: { width: 1600, height: 1000 },
      // Chromium writes crash reports and settings under HOME: keep them in the server's temporary folder.
      env: {
        ...process.env,
        HOME: profile,
        XDG_CONFIG_HOME: join(profile, '.config'),
        XDG_CACHE_HOME: join(profile, '.cache'),
      },
      args: CHROMIUM_ARGS,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const workbench = new Workbench(context, page, shotsDir);
    await page.goto(server.url, { timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    // The explorer lists the folder once the remote connection (and so the extension host) is up.
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    return workbench;
  }

  async close(): Promise<void> {
    await this.context.close();
  }

  /** Saves a numbered screenshot and returns its path. */
  async shot(name: string): Promise<string> {
    this.shotCount += 1;
    const file = join(this.shotsDir, `${String(this.shotCount).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Polls `probe` until it returns something other than null/false; throws `what` after `timeoutMs`. */
  async waitFor<T>(
    what: string,
    probe: () => Promise<T | null | false>,
    timeoutMs = 30_000,
    intervalMs = 100,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown = null;
    for (;;) {
      try {
        const value = await probe();
        if (value !== null && value !== false) return value;
      } catch (err) {
        lastError = err;
      }
      if (Date.now() > deadline) {
        const cause = lastError instanceof Error ? ` (last error: ${lastError.message.split('\n')[0]})` : '';
        throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${cause}`);
      }
      await this.page.waitForTimeout(intervalMs);
    }
  }

  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget input.input');
  }

  /** Opens a workspace file in the first editor group with Quick Open (Ctrl+P); waits for its tab to be active. */
  async openFile(name: string): Promise<Locator> {
    await this.dismissOverlays();
    await this.page.keyboard.press('Control+1');
    await this.page.keyboard.press('Control+P');
    await this.quickInput.waitFor({ state: 'visible' });
    await this.quickInput.fill(name);
    // Enter picks the first row: wait until the filtered results (not the recently opened list) put `name` there.
    await this.waitFor(
      `"${name}" first in Quick Open`,
      async () =>
        (await this.page.locator('.quick-input-list .monaco-list-row .label-name').first().innerText()).trim() === name,
      10_000,
    );
    await this.page.keyboard.press('Enter');
    // The file's own tab: the plots panel's tab ("Gradient Plots: <name>") is active in its group too.
    await this.page
      .locator('.tabs-container .tab.active', { hasText: name, hasNotText: 'Gradient Plots' })
      .waitFor({ timeout: 15_000 });
    const editor = this.activeEditor();
    await editor.locator('.view-lines').waitFor();
    return editor;
  }

  /** The text editor of the active editor group. */
  activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
  }

  /** Runs a command by its palette label (e.g. "VGNet: Show Gradient Plots"). */
  async runCommand(label: string): Promise<void> {
    await this.dismissOverlays();
    await this.page.keyboard.press('F1');
    await this.quickInput.waitFor({ state: 'visible' });
    await this.quickInput.fill(`>${label}`);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    await this.quickInput.waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /** Closes the Quick Open / palette / menus / hovers that may be left open. */
  async dismissOverlays(): Promise<void> {
    for (let i = 0; i < 2; i++) await this.page.keyboard.press('Escape');
  }

  /** Clicks into the editor on the first line showing `text` (the cursor lands in that line). */
  async clickLine(text: string): Promise<void> {
    await this.activeEditor().locator('.view-line', { hasText: text }).first().click();
  }

  /** Moves the cursor to a 1-based line and column with Go to Line (Ctrl+G). */
  async goTo(line: number, column: number): Promise<void> {
    await this.activeEditor().locator('.view-lines').click();
    await this.page.keyboard.press('Control+G');
    await this.quickInput.waitFor({ state: 'visible' });
    await this.quickInput.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.quickInput.waitFor({ state: 'hidden' });
  }

  async save(): Promise<void> {
    await this.page.keyboard.press('Control+S');
    await this.page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'detached', timeout: 10_000 });
  }

  /** The text of the VGNet status-bar item ('' when hidden). */
  async vgnetStatus(): Promise<string> {
    const item = this.page.locator('.statusbar-item', { hasText: 'VGNet' }).first();
    return (await item.count()) > 0 ? (await item.innerText()).trim() : '';
  }

  async waitForStatus(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    return this.waitFor(
      `the VGNet status bar to match ${pattern}`,
      async () => {
        const text = await this.vgnetStatus();
        return pattern.test(text) ? text : null;
      },
      timeoutMs,
    );
  }

  /** Webview content frames (the inner `#active-frame` of each webview) whose document has `selector`. */
  async webviewFrame(selector: string, timeoutMs = 30_000): Promise<Frame> {
    return this.waitFor(
      `a webview containing ${selector}`,
      async () => {
        for (const frame of this.page.frames()) {
          if (frame.isDetached() || !frame.url().includes('fake.html')) continue;
          if ((await frame.locator(selector).count()) > 0) return frame;
        }
        return null;
      },
      timeoutMs,
      200,
    );
  }
}
