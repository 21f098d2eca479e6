// npm run test:e2e — installs the tools once (scripts/e2e/install.sh, cached outside the repository), packages the
// .vsix, runs the end-to-end suite (vitest.e2e.config.ts) with every temporary folder under one run folder, and
// afterwards kills whatever is still running from that folder and removes it, whatever way the suite ended.
// Usage: npm run test:e2e [-- <vitest args, e.g. -t "quick fix">]
// Environment: VGNET_E2E_CACHE (tools cache), VGNET_E2E_VSIX (test this .vsix instead of packaging one),
//              VGNET_E2E_ARTIFACTS (screenshots and logs; default test/e2e/artifacts).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const timings = [];

function step(name, command, args, env = process.env) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env });
  timings.push([name, Date.now() - started]);
  if (result.status !== 0) {
    console.error(`[e2e] ${name} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

/**
 * Processes that name the run folder in their command line or environment (vitest's workers, code-server and its
 * children, Chromium and its crash handlers all inherit VGNET_E2E_RUN_DIR): ours and only ours.
 */
function processesUnder(folder) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (cmdline.includes(folder) || environ.includes(`VGNET_E2E_RUN_DIR=${folder}\0`)) pids.push(Number(entry));
    } catch {
      // The process ended meanwhile.
    }
  }
  return pids;
}

function cleanUp(runDir) {
  const leftovers = processesUnder(runDir);
  if (leftovers.length > 0)
    console.error(`[e2e] killing ${leftovers.length} leftover process(es): ${leftovers.join(' ')}`);
  for (const pid of leftovers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  rmSync(runDir, { recursive: true, force: true });
}

function runSuite(runDir) {
  const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const args = [vitest, 'run', '--config', 'vitest.e2e.config.ts', ...process.argv.slice(2)];
  const started = Date.now();
  // TMPDIR too: Playwright and vitest keep their temporary files in the run folder, removed below.
  const env = { ...process.env, VGNET_E2E_RUN_DIR: runDir, TMPDIR: runDir };
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env });
  // Ctrl+C reaches the suite directly (same terminal process group): wait for it to clean up, then finish here.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => {
    timings.push(['suite', Date.now() - started]);
    cleanUp(runDir);
    report();
    process.exit(code ?? (signal === 'SIGINT' ? 130 : 1));
  });
}

function report() {
  const total = timings.reduce((sum, [, ms]) => sum + ms, 0);
  const parts = timings.map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`);
  console.log(`[e2e] wall time ${(total / 1000).toFixed(1)} s (${parts.join(', ')})`);
}

step('install', 'bash', [join(root, 'scripts', 'e2e', 'install.sh')]);
if (!process.env.VGNET_E2E_VSIX) step('package', 'npm', ['run', '--silent', 'package']);
runSuite(mkdtempSync(join(tmpdir(), 'vgnet-e2e-')));
