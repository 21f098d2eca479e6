/** Files the CLI writes are never left half-written: write a temporary sibling, then rename over the target. */
import * as fs from 'node:fs';

/** Returns an error message, or null on success. */
export function writeAtomically(target: string, content: string): string | null {
  const temp = `${target}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temp, content);
    fs.renameSync(temp, target);
    return null;
  } catch (err) {
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // nothing left to clean
    }
    return `cannot write '${target}': ${(err as Error).message}`;
  }
}
