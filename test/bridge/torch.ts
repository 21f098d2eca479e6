/**
 * PyTorch for the bridge's proofs: /usr/bin/python3 with torch (Debian's python3-torch). Tests that need it skip
 * where it is absent — except where VGNET_REQUIRE_TORCH=1 (CI sets it: .ci/run installs the packages), where its
 * absence fails them.
 */
import { spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

export const TORCH_REQUIRED = process.env.VGNET_REQUIRE_TORCH === '1';

export const HAS_TORCH = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 120_000 }).status === 0;

/** For describe.skipIf: skip only when torch is absent and not required. */
export const SKIP_TORCH = !HAS_TORCH && !TORCH_REQUIRED;

/** Runs a Python script; throws with its stderr when it fails. */
export function python(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): string {
  if (!HAS_TORCH) throw new Error(`PyTorch is required here (VGNET_REQUIRE_TORCH=1) but ${PYTHON} cannot import torch`);
  const run = spawnSync(PYTHON, args, {
    encoding: 'utf8',
    cwd: options.cwd,
    timeout: options.timeoutMs ?? 600_000,
    env: { ...process.env, OMP_NUM_THREADS: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`${PYTHON} ${args.join(' ')} failed (${run.status}):\n${run.stderr}`);
  return run.stdout;
}
