import { describe, expect, it } from 'vitest';
import { encodeModule, FunctionBuilder, type Local, sleb, uleb } from '../../src/engine/wasm/emitter';

describe('LEB128', () => {
  it('encodes the specification / DWARF examples', () => {
    expect(uleb(0)).toEqual([0x00]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });
});

/** Instantiates one exported function `run(src, dst)` over a fresh one-page memory. */
function instantiate(build: (f: FunctionBuilder, src: Local<'i32'>, dst: Local<'i32'>) => void) {
  const f = new FunctionBuilder();
  const src = f.param('i32');
  const dst = f.param('i32');
  build(f, src, dst);
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
  const bytes = encodeModule([{ name: 'run', builder: f }]);
  expect(WebAssembly.validate(bytes)).toBe(true);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  return {
    floats: new Float32Array(memory.buffer),
    run: instance.exports['run'] as (src: number, dst: number) => void,
  };
}

describe('FunctionBuilder', () => {
  it('shuffles lanes from two vectors and adds/multiplies lane-wise', () => {
    const { floats, run } = instantiate((f, src, dst) => {
      // dst = shuffle(x, y, [1, 4, 6, 3]) · x + y, with x = src[0..3], y = src[4..7]
      f.v128Store(
        f.get(dst),
        f.f32x4Add(
          f.f32x4Mul(
            f.shuffle32(f.v128Load(f.get(src)), f.v128Load(f.get(src), 16), [1, 4, 6, 3]),
            f.v128Load(f.get(src)),
          ),
          f.v128Load(f.get(src), 16),
        ),
      );
    });
    floats.set([1, 2, 3, 4, 10, 20, 30, 40], 0);
    run(0, 64);
    // shuffle = [2, 10, 30, 4]; times x = [2, 20, 90, 16]; plus y = [12, 40, 120, 56]
    expect(Array.from(floats.subarray(16, 20))).toEqual([12, 40, 120, 56]);
  });

  it('partial loads zero the other lanes and lane stores write only their floats', () => {
    const { floats, run } = instantiate((f, src, dst) => {
      f.v128Store(f.get(dst), f.v128Load32Zero(f.get(src)));
      f.v128Store(f.get(dst), f.v128Load64Zero(f.get(src)), 16);
      f.v128Store(f.get(dst), f.v128Load32Lane(f.get(src), f.v128Load64Zero(f.get(src)), 2, 8), 32);
      f.v128Store64Lane(f.get(dst), f.v128Load(f.get(src)), 1, 48); // floats 2, 3 of src
      f.v128Store32Lane(f.get(dst), f.v128Load(f.get(src)), 3, 60); // float 3 of src
      f.f32Store(f.get(dst), f.f32x4ExtractLane(f.v128Load32Splat(f.get(src), 4), 2), 64); // src[1]
    });
    floats.set([5, 6, 7, 8], 0);
    floats.fill(-1, 16, 16 + 20);
    run(0, 64);
    expect(Array.from(floats.subarray(16, 16 + 17))).toEqual([5, 0, 0, 0, 5, 6, 0, 0, 5, 6, 7, 0, 7, 8, -1, 8, 6]);
  });

  it('runs do-while loops and if/else on i32 values', () => {
    const { floats, run } = instantiate((f, src, dst) => {
      // dst[0] = Σ_{i<src} i as float, via repeated f32 adds; dst[1] = src > 3 ? 1 : 2
      const i = f.local('i32');
      const sum = f.local('f32');
      f.set(sum, f.f32(0));
      f.set(i, f.i32(0));
      f.doWhile(
        () => {
          f.set(sum, f.f32Add(f.get(sum), f.f32Load(f.i32(128), 0)));
          f.set(i, f.add(f.get(i), f.i32(1)));
        },
        () => f.ltS(f.get(i), f.get(src)),
      );
      f.f32Store(f.get(dst), f.get(sum));
      f.ifElse(
        f.geS(f.get(src), f.i32(4)),
        () => f.f32Store(f.get(dst), f.f32(1), 4),
        () => f.f32Store(f.get(dst), f.f32(2), 4),
      );
    });
    floats[32] = 2.5; // address 128
    run(5, 0);
    expect([floats[0], floats[1]]).toEqual([12.5, 1]);
    run(2, 0);
    expect([floats[0], floats[1]]).toEqual([5, 2]);
  });
});
