/** VGNet-specific steps: run a measured analysis and wait until it has finished, as the user sees it. */
import type { VsCodeServer } from './server';
import type { Workbench } from './workbench';

/** Status-bar texts of a run in progress or of predictions only (not yet measured). */
const NOT_MEASURED = /analysing|measuring|verifying|predicted|spec error|^VGNet$/;

/** The lines of the extension's "VGNet" output log about `what` ("measured x.vgnet.json", "verified fixes of …"). */
export function logLines(server: VsCodeServer, what: string): string[] {
  return server
    .vgnetLog()
    .split('\n')
    .filter((line) => line.includes(`] ${what}: `));
}

/** Measured runs of `file` the extension has finished (the log has one line per run). */
export function finishedRuns(server: VsCodeServer, file: string): number {
  return logLines(server, `measured ${file}`).length;
}

/** Runs of `file` whose verified fixes the extension kept (not discarded). */
export function verifiedRuns(server: VsCodeServer, file: string): number {
  return logLines(server, `verified fixes of ${file}`).filter((line) => !line.includes('discarded')).length;
}

/** Waits for a run newer than `runsBefore` to finish, then for the status bar to show its measured verdict. */
export async function waitForMeasured(
  workbench: Workbench,
  server: VsCodeServer,
  file: string,
  runsBefore: number,
): Promise<string> {
  await workbench.waitFor(
    `a measured run of ${file} to finish (VGNet output log)`,
    async () => finishedRuns(server, file) > runsBefore,
    120_000,
    250,
  );
  // The status bar redraws a moment after the log line: take the verdict once it has held for three reads.
  let previous = '';
  let repeats = 0;
  return workbench.waitFor(
    `the measured verdict of ${file} in the status bar`,
    async () => {
      const status = await workbench.vgnetStatus();
      repeats = status === previous ? repeats + 1 : 0;
      previous = status;
      return !NOT_MEASURED.test(status) && repeats >= 2 ? status : null;
    },
    120_000,
    250,
  );
}

/** Opens `file`, runs "VGNet: Analyze Current Model" and returns the measured verdict from the status bar. */
export async function analyze(workbench: Workbench, server: VsCodeServer, file: string): Promise<string> {
  const runsBefore = finishedRuns(server, file);
  await workbench.openFile(file);
  await workbench.runCommand('VGNet: Analyze Current Model');
  return waitForMeasured(workbench, server, file, runsBefore);
}
