/**
 * Worker entry of the parallel matrix-product helper (gemm-helper.ts): runs the engine's generated gemm kernels on
 * the rows of C the main thread hands it, on the trainer's shared WebAssembly.Memory. The control words are in
 * gemm-helper-protocol.ts. Between commands the loop polls SEQUENCE for a while (a futex wake-up costs more than
 * the usual gap between two products), then blocks in Atomics.wait with a timeout (so terminate() can stop it).
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { GemmKind } from '../engine/wasm/parallel-gemm';
import { attachWasmKernels, type WasmKernels } from '../engine/wasm/wasm-gemm';
import {
  ARG,
  ATTACH,
  type AttachMessage,
  COMMAND,
  DETACH,
  DONE,
  FAILED,
  FAILED_PARTWAY,
  FAILED_UNTOUCHED,
  type HelperWorkerData,
  QUIT,
  SEQUENCE,
  SLEPT,
} from './gemm-helper-protocol';
import { collectGarbage } from './collect-garbage';

const { control, port, spinPolls } = workerData as HelperWorkerData;
const words = new Int32Array(control);
let kernels: WasmKernels | null = null;
/**
 * Commands handled so far. SEQUENCE starts at 0 and only the main thread bumps it, so this starts at 0, not at
 * the current SEQUENCE: a command (the first ATTACH) may have been posted before this thread started.
 */
let seen = 0;

function attach(): void {
  kernels = null;
  // The latest message is this attach's (an earlier one was read by an earlier attach, or its attach timed out).
  let received = receiveMessageOnPort(port);
  for (let next = received; next; next = receiveMessageOnPort(port)) received = next;
  if (!received) throw new Error('attach without a memory');
  const { memory, scratchByteOffset, fusedMultiplyAdd, module } = received.message as AttachMessage;
  kernels = attachWasmKernels(memory, scratchByteOffset, fusedMultiplyAdd, module);
  if (!kernels) throw new Error('the gemm kernels cannot be instantiated on this memory');
}

function runRows(): void {
  kernels!.gemmRows(
    words[ARG.kind]! as GemmKind,
    words[ARG.m]!,
    words[ARG.n]!,
    words[ARG.k]!,
    words[ARG.a]!,
    words[ARG.b]!,
    words[ARG.c]!,
    words[ARG.accumulate] === 1,
    words[ARG.rowStart]!,
    words[ARG.rowEnd]!,
  );
}

/** Whether this thread went to sleep before the current command came (reported in SLEPT with its DONE). */
let slept = 0;

/** Waits until SEQUENCE passes `seen`: polls first, then sleeps. */
function next(): number {
  slept = 0;
  for (let i = 0; i < spinPolls; i++) {
    const sequence = Atomics.load(words, SEQUENCE);
    if (sequence !== seen) return sequence;
  }
  slept = 1;
  for (;;) {
    Atomics.wait(words, SEQUENCE, seen, 100);
    const sequence = Atomics.load(words, SEQUENCE);
    if (sequence !== seen) return sequence;
  }
}

for (;;) {
  seen = next();
  const command = Atomics.load(words, COMMAND);
  if (command === QUIT) break;
  let failed = 0;
  try {
    if (command === ATTACH) attach();
    else if (command === DETACH) kernels = null;
    else if (kernels === null)
      failed = FAILED_UNTOUCHED; // nothing written: the main thread computes the rows
    else runRows();
  } catch {
    failed = FAILED_PARTWAY;
  }
  Atomics.store(words, FAILED, failed);
  Atomics.store(words, SLEPT, slept);
  Atomics.store(words, DONE, seen);
  Atomics.notify(words, DONE);
  if (command === DETACH) collectGarbage(); // after answering: the main thread does not wait for it
}
kernels = null;
port.close();
