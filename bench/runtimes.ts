/**
 * The runtimes VGNet ships into, for `npm run bench`: the CLI's Node (this process) and the extension host's. VS Code
 * runs extensions in its Electron's Node, code-server (the e2e suite's VS Code) in its own Node 24: both carry a V8
 * with relaxed SIMD on by default, Node 20 does not. The extension host's runtime here is the e2e suite's Node 24
 * (scripts/e2e/install.sh puts it in $VGNET_E2E_CACHE or ~/.cache/vgnet-e2e from the npm registry), or any Node
 * binary named by $VGNET_BENCH_NODE.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Runtime {
  /** "extension host (code-server's Node 24)" */
  label: string;
  node: string;
}

/** The extension host's runtime, or why there is none. */
export function extensionHostRuntime(): Runtime | string {
  const named = process.env.VGNET_BENCH_NODE;
  if (named)
    return existsSync(named) ? { label: `$VGNET_BENCH_NODE`, node: named } : `$VGNET_BENCH_NODE: no file ${named}`;
  const cache = process.env.VGNET_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'vgnet-e2e');
  const envFile = path.join(cache, 'env.json');
  try {
    const node = (JSON.parse(readFileSync(envFile, 'utf8')) as { node24?: unknown }).node24;
    if (typeof node === 'string' && existsSync(node)) return { label: "extension host (code-server's Node)", node };
  } catch {
    // no e2e install yet
  }
  return `no extension-host runtime installed (${envFile}): \`npm run test:e2e\` or scripts/e2e/install.sh installs Node 24 once`;
}
