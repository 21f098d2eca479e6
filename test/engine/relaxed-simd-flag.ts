/**
 * Imported first by relaxed-simd.test.ts: turns relaxed SIMD on in this test process (Node 20 has it behind a flag;
 * Node ≥ 22 and the extension host by default) before any module is compiled. Vitest's forks pool runs each test
 * file in its own process, so no other file sees the flag.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--experimental-wasm-relaxed-simd');
