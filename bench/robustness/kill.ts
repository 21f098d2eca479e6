/**
 * kill -9 during `vgnet fix --apply`: after each kill the spec must be exactly the original or exactly the fixed
 * text, and the .bak absent or exactly the original. A kill between creating the temporary file and the rename
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

export async function killLoop(cli: string, folder: string, original: string, kills: number, r: () => number): Promise<KillStats> {
  const spec = path.join(folder, 'k.vgnet.json');
  const args = [cli, 'fix', spec, '--apply', '--backup', '--steps', '20'];
  fs.writeFileSync(spec, original);
  const t0 = Date.now();
  spawnSync(process.execPath, args);
  const runMs = Date.now() - t0;
  const fixed = fs.readFileSync(spec, 'utf8');
  if (fixed === original) throw new Error('the kill-loop spec got no fix; pick one that does');
  const stats: KillStats = { kills: 0, exitedBeforeKill: 0, original: 0, fixed: 0, corrupt: 0, corruptBackups: 0, tempsAfterKills: 0, tempsLeftAtEnd: 0 };
  while (stats.kills < kills) {
    fs.writeFileSync(spec, original);
    fs.rmSync(`${spec}.bak`, { force: true });
    // Most kills land late, where the files are written; some anywhere.
    const delay = r() < 0.7 ? runMs * (0.5 + 0.6 * r()) : runMs * r();
    const exited = await killAfter(process.execPath, args, delay);
    if (exited) { stats.exitedBeforeKill++; continue; }
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

/** Spawns, sends SIGKILL after `delayMs`; resolves true if the process had already exited on its own. */
function killAfter(node: string, args: string[], delayMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(node, args, { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve(signal !== 'SIGKILL');
    });
  });
}
