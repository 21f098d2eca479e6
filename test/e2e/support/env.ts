/**
 * Where the end-to-end suite finds its tools (installed by scripts/e2e/install.sh into a cache outside the
 * repository), the .vsix under test, the examples, and the folder for screenshots and logs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Paths written by scripts/e2e/install.sh into <cache>/env.json. */
export interface ToolPaths {
  /** Node 24 binary (code-server needs it; the project itself runs on Node 20). */
  node24: string;
  /** code-server's CLI entry (out/node/entry.js), run with node24. */
  codeServer: string;
  /** The playwright-core package folder (loaded with require; it downloads no browser). */
  playwrightCore: string;
  /** Debian's Chromium. */
  chromium: string;
}

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');

export function cacheDir(): string {
  return process.env.VGNET_E2E_CACHE ?? join(homedir(), '.cache', 'vgnet-e2e');
}

export function loadToolPaths(): ToolPaths {
  const file = join(cacheDir(), 'env.json');
  if (!existsSync(join(cacheDir(), 'ready')) || !existsSync(file)) {
    throw new Error(
      `The end-to-end tools are not installed in ${cacheDir()}: run scripts/e2e/install.sh (npm run test:e2e does).`,
    );
  }
  return JSON.parse(readFileSync(file, 'utf8')) as ToolPaths;
}

/** The packaged extension: $VGNET_E2E_VSIX, else dist-vsix/<name>-<version>.vsix as `npm run package` writes it. */
export function vsixPath(): string {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  const file = process.env.VGNET_E2E_VSIX ?? join(REPO_ROOT, 'dist-vsix', `${manifest.name}-${manifest.version}.vsix`);
  if (!existsSync(file))
    throw new Error(`No packaged extension at ${file}: run \`npm run package\` first (npm run test:e2e does).`);
  return file;
}

/** Screenshots, and the server log of a failed scenario (gitignored). */
export function artifactsDir(): string {
  return process.env.VGNET_E2E_ARTIFACTS ?? join(REPO_ROOT, 'test', 'e2e', 'artifacts');
}
