/**
 * Control words shared by gemm-helper.ts (main thread) and gemm-helper-worker.ts: one Int32Array over a small
 * SharedArrayBuffer. The main thread writes the command and its arguments, then bumps SEQUENCE and notifies; the
 * helper runs it, stores FAILED, sets DONE = SEQUENCE and notifies. At most one command is outstanding.
 */
import type { MessagePort } from 'node:worker_threads';

export const SEQUENCE = 0;
export const DONE = 1;
export const COMMAND = 2;
export const FAILED = 3;
export const ARG = { kind: 4, m: 5, n: 6, k: 7, a: 8, b: 9, c: 10, accumulate: 11, rowStart: 12, rowEnd: 13 } as const;
/** 1 when the helper had gone to sleep (Atomics.wait) before the last command came: its wake-up delayed it. */
export const SLEPT = 14;
export const CONTROL_WORDS = 16;

/** FAILED after a RUN_ROWS: nothing was written (no memory attached), or the kernels threw partway (a bug). */
export const FAILED_UNTOUCHED = 1;
export const FAILED_PARTWAY = 2;

export const RUN_ROWS = 1;
/** Take the memory posted on the port just before (read with receiveMessageOnPort: the main thread is blocked). */
export const ATTACH = 2;
export const QUIT = 3;
/** Drop the attached memory. */
export const DETACH = 4;

/** Posted on the helper's port before an ATTACH command. */
export interface AttachMessage {
  memory: WebAssembly.Memory;
  scratchByteOffset: number;
  fusedMultiplyAdd: boolean;
  /** The compiled gemm module of the main thread (posted, not recompiled: the same code on both threads). */
  module: WebAssembly.Module;
}

export interface HelperWorkerData {
  control: SharedArrayBuffer;
  port: MessagePort;
  /** Polls of SEQUENCE after a command before sleeping in Atomics.wait. */
  spinPolls: number;
}
