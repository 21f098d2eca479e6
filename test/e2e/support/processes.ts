/**
 * Process groups the suite started, and the last-resort cleanup that kills them (and removes their folders) on any
 * exit: normal end, failure, uncaught error, Ctrl+C or SIGTERM.
 */
import { readdirSync, readFileSync } from 'node:fs';

const cleanups = new Set<() => void>();
let handlersInstalled = false;

/** Runs `cleanup` (synchronous) if the process exits before the returned function unregisters it. */
export function registerCleanup(cleanup: () => void): () => void {
  installHandlers();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

function runCleanups(): void {
  for (const cleanup of [...cleanups]) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // Keep going: every group must get its kill.
    }
  }
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once('exit', runCleanups);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      runCleanups();
      // Not process.exit: vitest's worker intercepts it and would keep polling a server that is gone.
      process.kill(process.pid, 'SIGKILL');
    });
  }
}

export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILL to the whole group, synchronously (for exit handlers). */
export function killGroupNow(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * SIGKILL to every process whose command line names `folder`: Chromium and its crash handlers (which leave the
 * browser's process group) keep their profile there.
 */
export function killProcessesUnder(folder: string): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(folder)) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
}

/** SIGTERM to the group, up to `graceMs` for it to leave, then SIGKILL. */
export async function stopGroup(pgid: number, graceMs = 10_000): Promise<void> {
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  killGroupNow(pgid);
  while (groupAlive(pgid)) await new Promise((resolve) => setTimeout(resolve, 50));
}

/**
 * CPU time (user + system, seconds) used so far by the live processes of a group, all their threads included:
 * /proc/<pid>/stat fields 14 and 15, in clock ticks (USER_HZ, 100 on Linux).
 */
export function groupCpuSeconds(pgid: number): number {
  const USER_HZ = 100;
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // The command name (field 2) may contain spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / USER_HZ;
}

/** The group's CPU use over the next `windowMs`, in cores (1 = one core busy the whole time). */
export async function groupCpuRate(pgid: number, windowMs: number): Promise<number> {
  const cpuBefore = groupCpuSeconds(pgid);
  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  return (groupCpuSeconds(pgid) - cpuBefore) / ((Date.now() - started) / 1000);
}
