/**
 * The im2col copies of a convolution as WebAssembly, driven by the layer's index table (conv-geometry.ts
 * im2colIndex); the reference kernels they must equal are gatherColumns / scatterColumns in reference-kernels.ts.
 * Addresses are bytes into the shared memory, counts are floats, index entries are int32 element indices (−1: padding).
 *   gatherColumns(x, stride, n, index, rows, P, col)              col[r][s·P + p] = x[s·stride + index[r·P + p]] or 0
 *   scatterColumns(col, index, rows, P, n, dx, stride, width)     per sample: dx[s·stride …+ width] = 0, then
 *                                                                 dx[s·stride + index[r·P + p]] += col[r][s·P + p]
 * Scalar loops: the table makes every access a load, a compare and a store, which the JIT leaves branch-predictable
 * (the padding is a few rows at the edges); in TypeScript the same copy cost ~1.5 ns an element.
 */
import { advance, i32Locals, i32Params, mapVectors, stepLoop, storeFloats } from './codegen-helpers';
import { FunctionBuilder, type ExportedFunction } from './emitter';

export function convFunctions(): ExportedFunction[] {
  return [
    { name: 'gatherColumns', builder: gatherColumns() },
    { name: 'scatterColumns', builder: scatterColumns() },
  ];
}

function gatherColumns(): FunctionBuilder {
  const f = new FunctionBuilder();
  const [x, stride, n, index, rows, positions, col] = i32Params(f, 7);
  const [s, r, p, i, pi, pc, xs, cs, cr, strideBytes, rowBytes, positionBytes] = i32Locals(f, 12);
  f.set(strideBytes, f.mul(f.get(stride), f.i32(4)));
  f.set(positionBytes, f.mul(f.get(positions), f.i32(4)));
  f.set(rowBytes, f.mul(f.get(n), f.get(positionBytes)));
  f.set(xs, f.get(x));
  f.set(cs, f.get(col));
  f.set(s, f.i32(0));
  stepLoop(f, s, n, 1, () => {
    f.set(pi, f.get(index));
    f.set(cr, f.get(cs));
    f.set(r, f.i32(0));
    stepLoop(f, r, rows, 1, () => {
      f.set(pc, f.get(cr));
      f.set(p, f.i32(0));
      stepLoop(f, p, positions, 1, () => {
        f.set(i, f.i32Load(f.get(pi)));
        f.ifElse(
          f.ltS(f.get(i), f.i32(0)),
          () => f.f32Store(f.get(pc), f.f32(0)),
          () => f.f32Store(f.get(pc), f.f32Load(f.add(f.get(xs), f.mul(f.get(i), f.i32(4))))),
        );
        advance(f, pi, 4);
        advance(f, pc, 4);
      });
      advance(f, cr, rowBytes);
    });
    advance(f, xs, strideBytes);
    advance(f, cs, positionBytes);
  });
  return f;
}

function scatterColumns(): FunctionBuilder {
  const f = new FunctionBuilder();
  const [col, index, rows, positions, n, dx, stride, width] = i32Params(f, 8);
  const [s, r, p, i, a, pi, pc, pz, xs, cs, cr, strideBytes, rowBytes, positionBytes] = i32Locals(f, 14);
  const zero = f.local('v128');
  f.set(zero, f.v128Zero());
  f.set(strideBytes, f.mul(f.get(stride), f.i32(4)));
  f.set(positionBytes, f.mul(f.get(positions), f.i32(4)));
  f.set(rowBytes, f.mul(f.get(n), f.get(positionBytes)));
  f.set(xs, f.get(dx));
  f.set(cs, f.get(col));
  f.set(s, f.i32(0));
  stepLoop(f, s, n, 1, () => {
    f.set(pz, f.get(xs));
    mapVectors(f, width, [pz], (w) => storeFloats(f, w, () => f.get(pz), zero));
    f.set(pi, f.get(index));
    f.set(cr, f.get(cs));
    f.set(r, f.i32(0));
    stepLoop(f, r, rows, 1, () => {
      f.set(pc, f.get(cr));
      f.set(p, f.i32(0));
      stepLoop(f, p, positions, 1, () => {
        f.set(i, f.i32Load(f.get(pi)));
        f.ifElse(f.geS(f.get(i), f.i32(0)), () => {
          f.set(a, f.add(f.get(xs), f.mul(f.get(i), f.i32(4))));
          f.f32Store(f.get(a), f.f32Add(f.f32Load(f.get(a)), f.f32Load(f.get(pc))));
        });
        advance(f, pi, 4);
        advance(f, pc, 4);
      });
      advance(f, cr, rowBytes);
    });
    advance(f, xs, strideBytes);
    advance(f, cs, positionBytes);
  });
  return f;
}
