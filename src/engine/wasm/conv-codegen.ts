/**
 * The im2col copies of a convolution as WebAssembly, driven by the layer's index table (conv-geometry.ts
 * im2colIndex); the reference kernels they must equal are gatherColumns / scatterColumns in reference-kernels.ts.
 * Addresses are bytes into the shared memory, counts are floats, index entries are int32 element indices (−1: padding).
 *   gatherColumns(x, stride, n, index, rows, P, col)              col[r][s·P + p] = x[s·stride + index[r·P + p]] or 0
 *   scatterColumns(col, index, rows, P, n, dx, stride, width)     per sample: dx[s·stride …+ width] = 0, then
 *                                                                 dx[s·stride + index[r·P + p]] += col[r][s·P + p]
 *   maxPool(x, stride, n, channels, planeSize, index, P, window, out, argmax)
 *                                                                 per sample and channel plane, out[p] = the first
 *                                                                 maximum over plane[index[p·window + k]] (a NaN wins
 *                                                                 and stays), argmax[p] = its index within the sample
 * Scalar loops: the table makes every access a load, a compare and a store, which the JIT leaves branch-predictable
 * (the padding is a few rows at the edges); in TypeScript the same copy cost ~1.5 ns an element.
 */
import { advance, i32Locals, i32Params, mapVectors, stepLoop, storeFloats } from './codegen-helpers';
import { FunctionBuilder, type ExportedFunction } from './emitter';

export function convFunctions(): ExportedFunction[] {
  return [
    { name: 'gatherColumns', builder: gatherColumns() },
    { name: 'scatterColumns', builder: scatterColumns() },
    { name: 'maxPool', builder: maxPool() },
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

/** Branch-free max pooling: the winner and its index are picked with select (a cmov), as the data decides them. */
function maxPool(): FunctionBuilder {
  const f = new FunctionBuilder();
  const [x, stride, n, channels, planeSize, index, positions, window, out, argmax] = i32Params(f, 10);
  const [s, c, p, k, i, at, pi, po, pa, xs, plane, planeOffset, take, planeBytes, strideBytes] = i32Locals(f, 15);
  const [best, v] = [f.local('f32'), f.local('f32')];
  f.set(planeBytes, f.mul(f.get(planeSize), f.i32(4)));
  f.set(strideBytes, f.mul(f.get(stride), f.i32(4)));
  f.set(po, f.get(out));
  f.set(pa, f.get(argmax));
  f.set(xs, f.get(x));
  f.set(s, f.i32(0));
  stepLoop(f, s, n, 1, () => {
    f.set(plane, f.get(xs));
    f.set(planeOffset, f.i32(0));
    f.set(c, f.i32(0));
    stepLoop(f, c, channels, 1, () => {
      f.set(pi, f.get(index));
      f.set(p, f.i32(0));
      stepLoop(f, p, positions, 1, () => {
        f.set(at, f.i32Load(f.get(pi)));
        f.set(best, f.f32Load(f.add(f.get(plane), f.mul(f.get(at), f.i32(4)))));
        advance(f, pi, 4);
        f.set(k, f.i32(1));
        stepLoop(f, k, window, 1, () => {
          f.set(i, f.i32Load(f.get(pi)));
          f.set(v, f.f32Load(f.add(f.get(plane), f.mul(f.get(i), f.i32(4)))));
          // v > best, or v is NaN and best is not: the reference's rule.
          f.set(
            take,
            f.or(f.f32Gt(f.get(v), f.get(best)), f.and(f.f32Ne(f.get(v), f.get(v)), f.f32Eq(f.get(best), f.get(best)))),
          );
          f.set(best, f.selectF32(f.get(v), f.get(best), f.get(take)));
          f.set(at, f.selectI32(f.get(i), f.get(at), f.get(take)));
          advance(f, pi, 4);
        });
        f.f32Store(f.get(po), f.get(best));
        f.f32Store(f.get(pa), f.f32ConvertI32S(f.add(f.get(at), f.get(planeOffset))));
        advance(f, po, 4);
        advance(f, pa, 4);
      });
      advance(f, plane, planeBytes);
      advance(f, planeOffset, planeSize);
    });
    advance(f, xs, strideBytes);
  });
  return f;
}
