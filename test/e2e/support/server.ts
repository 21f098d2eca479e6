/**
 * A throwaway VS Code server (code-server on Node 24) with exactly the packaged .vsix installed and a copy of the
 * examples as its workspace. Everything it writes (HOME, XDG dirs, TMPDIR, user data, extensions, logs) lives in one
 * temporary folder; the server runs in a process group of its own, which `stop` and every exit path kill whole.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  closeSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolPaths } from './env';
import { groupAlive, killGroupNow, killProcessesUnder, registerCleanup, stopGroup } from './processes';

/** User settings of the test profile: no welcome page, tips, telemetry, update checks or AI features. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'chat.disableAIFeatures': true,
  'editor.hover.delay': 100,
  'editor.minimap.enabled': false,
  'window.commandCenter': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'files.autoSave': 'off',
  // A long run must be stopped by Cancel, not by the budget (scenario 6); the others finish in seconds anyway.
  'vgnet.timeBudgetSeconds': 600,
};

export interface ServerOptions {
  tools: ToolPaths;
  vsix: string;
  /** Copied into the workspace folder. */
  examples: string;
  /** More files for the workspace (name → text), written before the server starts so that Quick Open finds them. */
  files?: Record<string, string>;
}

export class VsCodeServer {
  private stopped = false;

  private constructor(
    /** The temporary folder holding everything this server writes. */
    readonly root: string,
    readonly workspace: string,
    readonly port: number,
    /** PID of code-server = its process group id. */
    readonly pid: number,
    private readonly unregister: () => void,
  ) {}

  static async start(options: ServerOptions): Promise<VsCodeServer> {
    const parent = process.env.VGNET_E2E_RUN_DIR ?? tmpdir();
    const root = mkdtempSync(join(parent, 'vgnet-e2e-server-'));
    let pid = 0;
    const unregister = registerCleanup(() => {
      if (pid > 0) killGroupNow(pid);
      killProcessesUnder(root);
      rmSync(root, { recursive: true, force: true });
    });
    try {
      const dirs = prepareFolders(root, options.examples);
      for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(join(dirs.workspace, name), text);
      installExtension(options.tools, dirs, options.vsix);
      const port = await freePort();
      pid = launch(options.tools, dirs, port);
      const server = new VsCodeServer(root, dirs.workspace, port, pid, unregister);
      await server.waitUntilHealthy(60_000);
      return server;
    } catch (err) {
      const log = existsSync(join(root, 'server.log'))
        ? readFileSync(join(root, 'server.log'), 'utf8').slice(-4000)
        : '';
      if (pid > 0) await stopGroup(pid);
      rmSync(root, { recursive: true, force: true });
      unregister();
      throw new Error(`${(err as Error).message}\n--- server log (tail) ---\n${log}`);
    }
  }

  /** The workbench URL with the workspace folder open. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(this.workspace)}`;
  }

  /** Where a test browser keeps its profile (inside this server's temporary folder). */
  get browserProfile(): string {
    return join(this.root, 'chromium');
  }

  /** code-server's stdout/stderr plus the extension host and VGNet output logs, for a failed scenario. */
  collectLogs(): string {
    const parts = [`=== server.log\n${readIfExists(join(this.root, 'server.log'))}`];
    for (const file of findFiles(join(this.root, 'data', 'logs'), /(exthost|remoteexthost|VGNet)\.log$/)) {
      parts.push(`=== ${file.slice(this.root.length + 1)}\n${readIfExists(file)}`);
    }
    return parts.join('\n');
  }

  /** The "VGNet" output channel's log file as written so far ('' before the extension logged anything). */
  vgnetLog(): string {
    return findFiles(join(this.root, 'data', 'logs'), /VGNet\.log$/)
      .map(readIfExists)
      .join('\n');
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await stopGroup(this.pid);
    killProcessesUnder(this.root);
    rmSync(this.root, { recursive: true, force: true });
    this.unregister();
  }

  private async waitUntilHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!groupAlive(this.pid)) throw new Error('code-server exited during start-up');
      const ok = await fetch(`http://127.0.0.1:${this.port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`code-server did not answer /healthz within ${timeoutMs / 1000} s`);
  }
}

interface Folders {
  root: string;
  home: string;
  data: string;
  extensions: string;
  workspace: string;
  config: string;
  log: string;
}

function prepareFolders(root: string, examples: string): Folders {
  const dirs: Folders = {
    root,
    home: join(root, 'home'),
    data: join(root, 'data'),
    extensions: join(root, 'extensions'),
    workspace: join(root, 'workspace'),
    config: join(root, 'config.yaml'),
    log: join(root, 'server.log'),
  };
  for (const dir of [dirs.home, join(dirs.data, 'User'), dirs.extensions, join(root, 'tmp')])
    mkdirSync(dir, { recursive: true });
  cpSync(examples, dirs.workspace, { recursive: true });
  writeFileSync(join(dirs.data, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  // A config file of our own, or code-server writes ~/.config/code-server/config.yaml.
  writeFileSync(dirs.config, 'auth: none\ncert: false\n');
  return dirs;
}

/** HOME, XDG and TMPDIR inside the run folder; Node 24 first on PATH (code-server's children use it too). */
function serverEnv(tools: ToolPaths, dirs: Folders): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HOME: dirs.home,
    XDG_DATA_HOME: join(dirs.home, '.local', 'share'),
    XDG_CONFIG_HOME: join(dirs.home, '.config'),
    XDG_CACHE_HOME: join(dirs.home, '.cache'),
    TMPDIR: join(dirs.root, 'tmp'),
    PATH: `${join(tools.node24, '..')}:${process.env.PATH ?? ''}`,
    // The suite's own vitest/Node settings must not leak into the extension host.
    NODE_OPTIONS: '',
    VSCODE_IPC_HOOK_CLI: undefined,
  };
}

function commonArgs(tools: ToolPaths, dirs: Folders): string[] {
  return [tools.codeServer, '--config', dirs.config, '--user-data-dir', dirs.data, '--extensions-dir', dirs.extensions];
}

/** `--install-extension` into a fresh extensions folder: no stale extensions.json can hide the extension. */
function installExtension(tools: ToolPaths, dirs: Folders, vsix: string): void {
  const result = spawnSync(tools.node24, [...commonArgs(tools, dirs), '--install-extension', vsix], {
    env: serverEnv(tools, dirs),
    encoding: 'utf8',
    timeout: 120_000,
  });
  const installed = readdirSync(dirs.extensions).filter((name) => name.startsWith('vgnet.vgnet-'));
  if (result.status !== 0 || installed.length !== 1) {
    throw new Error(`installing ${vsix} failed (exit ${result.status}): ${result.stdout}\n${result.stderr}`);
  }
}

/** Starts code-server detached (setsid: its own session and process group) and returns its PID. */
function launch(tools: ToolPaths, dirs: Folders, port: number): number {
  const log = openSync(dirs.log, 'a');
  const child = spawn(
    tools.node24,
    [
      ...commonArgs(tools, dirs),
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      dirs.workspace,
    ],
    { env: serverEnv(tools, dirs), detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error('code-server could not be started');
  return child.pid;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function readIfExists(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

function findFiles(dir: string, pattern: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => pattern.test(name))
    .map((name) => join(dir, name))
    .sort();
}
