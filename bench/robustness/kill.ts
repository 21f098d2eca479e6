/**
 * kill -9 during `vgnet fix --apply`: after each kill the spec must be exactly the original or exactly the fixed
 * text, and the .bak absent or exactly the original. Half the kills come at a random moment, half the moment the
 * write begins. A kill between creating the temporary file and the rename
 * leaves that temporary behind; the next completed `fix` on the same spec removes it (its process is gone), which
 * the loop checks at the end.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface KillStats {
  kills: number;
  exitedBeforeKill: number;
  original: number;
  fixed: number;
  corrupt: number;
  corruptBackups: number;
  tempsAfterKills: number;
  tempsLeftAtEnd: number;
}

const temps = (folder: string): string[] => fs.readdirSync(folder).filter((n) => n.endsWith('.tmp'));

export async function killLoop(
  cli: string,
  folder: string,
  original: string,
  kills: number,
  r: () => number,
): Promise<KillStats> {
  const spec = path.join(folder, 'k.vgnet.json');
  const args = [cli, 'fix', spec, '--apply', '--backup', '--steps', '20'];
  fs.writeFileSync(spec, original);
  const t0 = Date.now();
  spawnSync(process.execPath, args);
  let runMs = Date.now() - t0;
  const fixed = fs.readFileSync(spec, 'utf8');
  if (fixed === original) throw new Error('the kill-loop spec got no fix; pick one that does');
  const stats: KillStats = {
    kills: 0,
    exitedBeforeKill: 0,
    original: 0,
    fixed: 0,
    corrupt: 0,
    corruptBackups: 0,
    tempsAfterKills: 0,
    tempsLeftAtEnd: 0,
  };
  while (stats.kills < kills) {
    fs.writeFileSync(spec, original);
    fs.rmSync(`${spec}.bak`, { force: true });
    // Most kills land late, where the files are written; some anywhere.
    const delay = r() < 0.7 ? runMs * (0.6 + 0.8 * r()) : runMs * r();
    const started = Date.now();
    const exited = await killAfter(process.execPath, args, delay, r() < 0.5 ? { folder, afterMs: 10 * r() } : null);
    // A run that finished before its kill shows how long runs take now (the machine's load changes).
    if (exited) {
      stats.exitedBeforeKill++;
      runMs = Date.now() - started;
      continue;
    }
    stats.kills++;
    const now = fs.readFileSync(spec, 'utf8');
    if (now === original) stats.original++;
    else if (now === fixed) stats.fixed++;
    else stats.corrupt++;
    if (fs.existsSync(`${spec}.bak`) && fs.readFileSync(`${spec}.bak`, 'utf8') !== original) stats.corruptBackups++;
    stats.tempsAfterKills += temps(folder).length;
  }
  fs.writeFileSync(spec, original);
  spawnSync(process.execPath, args);
  stats.tempsLeftAtEnd = temps(folder).length;
  return stats;
}

/**
 * Spawns, sends SIGKILL after `delayMs` — or, with `watch`, as soon as a file appears in that folder (the write has
 * begun: the .bak or a temporary) plus up to 10 ms, which lands kills inside the short write window. Resolves true if the process
 * had already exited on its own.
 */
function killAfter(
  node: string,
  args: string[],
  delayMs: number,
  watch: { folder: string; afterMs: number } | null,
): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(node, args, { stdio: 'ignore' });
    const kill = (): boolean => child.kill('SIGKILL');
    const timer = setTimeout(kill, watch ? delayMs * 3 : delayMs);
    const watcher = watch
      ? fs.watch(watch.folder, (_event, name) => {
          if (name && name !== 'k.vgnet.json') setTimeout(kill, watch.afterMs);
        })
      : null;
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      watcher?.close();
      resolve(signal !== 'SIGKILL');
    });
  });
}
