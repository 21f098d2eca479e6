/**
 * Generates the WebAssembly module behind wasm-gemm.ts. Each exported function handles one cache block (all m
 * rows, nc columns, kc terms of the sum); wasm-gemm.ts walks the blocks. Addresses and strides are in bytes.
 * Register tiles are unrolled at generation time, so every tile shape is straight-line code.
 *   broadcastBlock, broadcastBlockAdjacentRows — see broadcast-block.ts
 *   dotBlock — see dot-block.ts
 *   transposeBlock(rows, cols, src, ldSrc, dst, ldDst, accumulate): dst(c, r) (+)= src(r, c). Lets each product
 *       use its fastest kernel on a transposed copy of a thin or short operand (see wasm-gemm.ts).
 *   copyRows(rows, rowBytes, src, ldSrc, dst, ldDst): packs a block of B's rows densely before broadcastBlock
 *       reads it: its rows are then 512 bytes apart instead of 4·n, so a 256-row block spans 32 pages, not 256
 *       (TLB misses cost ~20% at n = 1024).
 */
import { BroadcastBlock } from './broadcast-block';
import { advance, type CodegenOptions, stepLoop, locals, params } from './codegen-helpers';
import { DotBlock } from './dot-block';
import { encodeModule, FunctionBuilder } from './emitter';

export type { CodegenOptions } from './codegen-helpers';

/** `sharedMemory`: import a shared memory (parallel mode, see wasm-gemm.ts). */
export function generateGemmModule(options: CodegenOptions, sharedMemory = false): Uint8Array<ArrayBuffer> {
  return encodeModule(
    [
      { name: 'broadcastBlock', builder: new BroadcastBlock(false, options).build() },
      { name: 'broadcastBlockAdjacentRows', builder: new BroadcastBlock(true, options).build() },
      { name: 'dotBlock', builder: new DotBlock(options).build() },
      { name: 'transposeBlock', builder: transposeBlock() },
      { name: 'copyRows', builder: copyRows() },
    ],
    sharedMemory,
  );
}

/** Scalar loop; the blocks it moves are small next to the product around them. */
function transposeBlock(): FunctionBuilder {
  const f = new FunctionBuilder();
  const [rows, cols, src, ldSrc, dst, ldDst, accumulate] = params(f, 'i32', 7);
  const [r, column, from, to] = locals(f, 'i32', 4);
  f.set(r, f.i32(0));
  stepLoop(f, r, rows, 1, () => {
    f.set(from, f.add(f.get(src), f.mul(f.get(r), f.get(ldSrc))));
    f.set(to, f.add(f.get(dst), f.mul(f.get(r), f.i32(4))));
    f.set(column, f.i32(0));
    stepLoop(f, column, cols, 1, () => {
      f.ifElse(
        f.get(accumulate),
        () => f.f32Store(f.get(to), f.f32Add(f.f32Load(f.get(to)), f.f32Load(f.get(from)))),
        () => f.f32Store(f.get(to), f.f32Load(f.get(from))),
      );
      advance(f, from, 4);
      advance(f, to, ldDst);
    });
  });
  return f;
}

/** (rows, rowBytes, src, ldSrc, dst, ldDst): packs strided rows into a dense block, one memory.copy per row. */
function copyRows(): FunctionBuilder {
  const f = new FunctionBuilder();
  const [rows, rowBytes, src, ldSrc, dst, ldDst] = params(f, 'i32', 6);
  const r = f.local('i32');
  f.set(r, f.i32(0));
  stepLoop(f, r, rows, 1, () => {
    f.memoryCopy(f.get(dst), f.get(src), f.get(rowBytes));
    advance(f, src, ldSrc);
    advance(f, dst, ldDst);
  });
  return f;
}
