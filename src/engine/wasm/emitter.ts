/**
 * A minimal WebAssembly binary emitter: just the instructions the engine's kernels use (matrix products, elementwise
 * maps, optimizer updates, statistics), so the kernels are generated at load time from TypeScript with no toolchain
 * (no wat2wasm, no AssemblyScript) and no build step.
 *
 * Style: operands are emitted by evaluating the argument expressions, and JavaScript evaluates arguments left to
 * right — exactly the order a stack machine wants them. So `f.f32x4Add(f.get(acc), f.f32x4Mul(f.get(a), f.get(b)))`
 * emits `local.get acc; local.get a; local.get b; f32x4.mul; f32x4.add`, reading like folded WAT. Each operand is a
 * typed `Expr`, which lets TypeScript check arity and value types. The one rule: never evaluate an operand
 * before its turn (e.g. into a variable) — wrap it in a closure and call it in place.
 * Binary format: WebAssembly Core Specification 2.0, section 5; SIMD opcodes from the fixed-width SIMD proposal
 * (0xFD prefix); memory.copy from bulk memory (0xFC 10).
 */

export type ValType = 'i32' | 'f32' | 'f64' | 'v128';
const VALTYPE_BYTE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Stands for a value of type T that the emitted code has just pushed on the operand stack. */
export interface Expr<T extends ValType> {
  readonly type: T;
}
export interface Local<T extends ValType> {
  readonly index: number;
  readonly type: T;
}

const I32: Expr<'i32'> = { type: 'i32' };
const F32: Expr<'f32'> = { type: 'f32' };
const F64: Expr<'f64'> = { type: 'f64' };
const V128: Expr<'v128'> = { type: 'v128' };

const SIMD_PREFIX = 0xfd;
/** Alignment exponent hints in memargs (V8 ignores them for speed; they must not exceed natural alignment). */
const ALIGN_4 = 2;
const ALIGN_8 = 3;

export class FunctionBuilder {
  readonly code: number[] = [];
  private readonly paramTypes: ValType[] = [];
  private readonly localTypes: ValType[] = [];
  private resultTypes: ValType[] = [];

  param<T extends ValType>(type: T): Local<T> {
    if (this.localTypes.length > 0) throw new Error('declare every parameter before the first local');
    this.paramTypes.push(type);
    return { index: this.paramTypes.length - 1, type };
  }

  local<T extends ValType>(type: T): Local<T> {
    this.localTypes.push(type);
    return { index: this.paramTypes.length + this.localTypes.length - 1, type };
  }

  get params(): readonly ValType[] {
    return this.paramTypes;
  }

  /** Declares the function's single result: the body must end with that value on the stack. */
  result(type: ValType): void {
    this.resultTypes = [type];
  }

  get results(): readonly ValType[] {
    return this.resultTypes;
  }

  /** Locals (run-length encoded by type) followed by the body and `end`, as stored in the code section. */
  encodeBody(): number[] {
    const runs: number[][] = [];
    let runStart = 0;
    for (let i = 1; i <= this.localTypes.length; i++) {
      if (i === this.localTypes.length || this.localTypes[i] !== this.localTypes[runStart]) {
        runs.push([...uleb(i - runStart), VALTYPE_BYTE[this.localTypes[runStart]!]]);
        runStart = i;
      }
    }
    const body = vector(runs);
    append(body, this.code);
    body.push(0x0b);
    return body;
  }

  // ── variables and constants ──
  get<T extends ValType>(local: Local<T>): Expr<T> {
    this.code.push(0x20, ...uleb(local.index));
    return { type: local.type };
  }
  set<T extends ValType>(local: Local<T>, _value: Expr<T>): void {
    this.code.push(0x21, ...uleb(local.index));
  }
  i32(value: number): Expr<'i32'> {
    this.code.push(0x41, ...sleb(value | 0));
    return I32;
  }
  f32(value: number): Expr<'f32'> {
    this.code.push(0x43, ...new Uint8Array(new Float32Array([value]).buffer));
    return F32;
  }
  v128Zero(): Expr<'v128'> {
    this.code.push(SIMD_PREFIX, ...uleb(0x0c), ...new Array<number>(16).fill(0));
    return V128;
  }

  // ── i32 arithmetic and comparisons ──
  add(_a: Expr<'i32'>, _b: Expr<'i32'>): Expr<'i32'> {
    return this.op(0x6a, I32);
  }
  sub(_a: Expr<'i32'>, _b: Expr<'i32'>): Expr<'i32'> {
    return this.op(0x6b, I32);
  }
  mul(_a: Expr<'i32'>, _b: Expr<'i32'>): Expr<'i32'> {
    return this.op(0x6c, I32);
  }
  and(_a: Expr<'i32'>, _b: Expr<'i32'>): Expr<'i32'> {
    return this.op(0x71, I32);
  }
  eqz(_a: Expr<'i32'>): Expr<'i32'> {
    return this.op(0x45, I32);
  }
  eq(_a: Expr<'i32'>, _b: Expr<'i32'>): Expr<'i32'> {
    return this.op(0x46, I32);
  }
  /** Number of set bits. */
  popcnt(_a: Expr<'i32'>): Expr<'i32'> {
    return this.op(0x69, I32);
  }
  ne(_a: Expr<'i32'>, _b: Expr<'i32'>): Expr<'i32'> {
    return this.op(0x47, I32);
  }
  ltS(_a: Expr<'i32'>, _b: Expr<'i32'>): Expr<'i32'> {
    return this.op(0x48, I32);
  }
  leS(_a: Expr<'i32'>, _b: Expr<'i32'>): Expr<'i32'> {
    return this.op(0x4c, I32);
  }
  geS(_a: Expr<'i32'>, _b: Expr<'i32'>): Expr<'i32'> {
    return this.op(0x4e, I32);
  }

  // ── f32 and f64 scalar ──
  f32Add(_a: Expr<'f32'>, _b: Expr<'f32'>): Expr<'f32'> {
    return this.op(0x92, F32);
  }
  f32Mul(_a: Expr<'f32'>, _b: Expr<'f32'>): Expr<'f32'> {
    return this.op(0x94, F32);
  }
  i32Load(_address: Expr<'i32'>, offset = 0): Expr<'i32'> {
    this.code.push(0x28, ALIGN_4, ...uleb(offset));
    return I32;
  }
  /** Float to int, toward zero (traps outside the i32 range: the callers pass small exact integers). */
  i32TruncF32S(_a: Expr<'f32'>): Expr<'i32'> {
    return this.op(0xa8, I32);
  }
  f32Load(_address: Expr<'i32'>, offset = 0): Expr<'f32'> {
    this.code.push(0x2a, ALIGN_4, ...uleb(offset));
    return F32;
  }
  f32Store(_address: Expr<'i32'>, _value: Expr<'f32'>, offset = 0): void {
    this.code.push(0x38, ALIGN_4, ...uleb(offset));
  }
  f64Add(_a: Expr<'f64'>, _b: Expr<'f64'>): Expr<'f64'> {
    return this.op(0xa0, F64);
  }
  f64Store(_address: Expr<'i32'>, _value: Expr<'f64'>, offset = 0): void {
    this.code.push(0x39, ALIGN_8, ...uleb(offset));
  }

  /** memory.copy (bulk memory): copies `length` bytes from `source` to `destination`, overlap allowed. */
  memoryCopy(_destination: Expr<'i32'>, _source: Expr<'i32'>, _length: Expr<'i32'>): void {
    this.code.push(0xfc, ...uleb(10), 0x00, 0x00);
  }

  // ── 128-bit SIMD (f32x4) ──
  v128Load(_address: Expr<'i32'>, offset = 0): Expr<'v128'> {
    return this.simdMem(0x00, offset);
  }
  /** Loads one float and broadcasts it to all four lanes (vbroadcastss on x64: a pure load). */
  v128Load32Splat(_address: Expr<'i32'>, offset = 0): Expr<'v128'> {
    return this.simdMem(0x09, offset);
  }
  /** Loads one float into lane 0, zeroes the others. */
  v128Load32Zero(_address: Expr<'i32'>, offset = 0): Expr<'v128'> {
    return this.simdMem(0x5c, offset);
  }
  /** Loads two floats into lanes 0–1, zeroes the others. */
  v128Load64Zero(_address: Expr<'i32'>, offset = 0): Expr<'v128'> {
    return this.simdMem(0x5d, offset);
  }
  /** Replaces 32-bit lane `lane` of the vector with the float at the address. */
  v128Load32Lane(_address: Expr<'i32'>, _vector: Expr<'v128'>, lane: number, offset = 0): Expr<'v128'> {
    this.code.push(SIMD_PREFIX, ...uleb(0x56), ALIGN_4, ...uleb(offset), lane);
    return V128;
  }
  v128Store(_address: Expr<'i32'>, _value: Expr<'v128'>, offset = 0): void {
    this.code.push(SIMD_PREFIX, ...uleb(0x0b), ALIGN_4, ...uleb(offset));
  }
  /** Stores 32-bit lane `lane` of the vector. */
  v128Store32Lane(_address: Expr<'i32'>, _value: Expr<'v128'>, lane: number, offset = 0): void {
    this.code.push(SIMD_PREFIX, ...uleb(0x5a), ALIGN_4, ...uleb(offset), lane);
  }
  /** Stores 64-bit lane `lane` (floats 2·lane, 2·lane+1) of the vector. */
  v128Store64Lane(_address: Expr<'i32'>, _value: Expr<'v128'>, lane: number, offset = 0): void {
    this.code.push(SIMD_PREFIX, ...uleb(0x5b), ALIGN_4, ...uleb(offset), lane);
  }
  /** Four copies of a float. */
  f32x4Splat(_value: Expr<'f32'>): Expr<'v128'> {
    return this.simd(0x13);
  }
  /** A vector constant with `value` in every lane. */
  f32x4Const(value: number): Expr<'v128'> {
    const lane = new Uint8Array(new Float32Array([value]).buffer);
    this.code.push(SIMD_PREFIX, ...uleb(0x0c));
    for (let i = 0; i < 4; i++) this.code.push(...lane);
    return V128;
  }
  /** A vector constant with the 32-bit integer `value` in every lane, or `value[i]` in lane i. */
  i32x4Const(value: number | readonly [number, number, number, number]): Expr<'v128'> {
    const lanes = typeof value === 'number' ? [value, value, value, value] : value;
    this.code.push(SIMD_PREFIX, ...uleb(0x0c), ...new Uint8Array(new Int32Array(lanes).buffer));
    return V128;
  }
  f32x4Add(_a: Expr<'v128'>, _b: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0xe4);
  }
  f32x4Sub(_a: Expr<'v128'>, _b: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0xe5);
  }
  f32x4Mul(_a: Expr<'v128'>, _b: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0xe6);
  }
  f32x4Div(_a: Expr<'v128'>, _b: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0xe7);
  }
  f32x4Sqrt(_a: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0xe3);
  }
  /** b < a ? b : a (one minps; NaN in `a` is kept). */
  f32x4Pmin(_a: Expr<'v128'>, _b: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0xea);
  }
  /** a < b ? b : a (one maxps; NaN in `a` is kept). */
  f32x4Pmax(_a: Expr<'v128'>, _b: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0xeb);
  }
  /** Lane-wise comparisons: all ones where true, zero where false (false whenever a lane is NaN). */
  f32x4Gt(_a: Expr<'v128'>, _b: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0x44);
  }
  f32x4Lt(_a: Expr<'v128'>, _b: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0x43);
  }
  /** Lane-wise float equality: all ones where equal (never for a NaN lane). */
  f32x4Eq(_a: Expr<'v128'>, _b: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0x41);
  }
  f32x4ConvertI32x4S(_a: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0xfa);
  }
  i32x4Splat(_value: Expr<'i32'>): Expr<'v128'> {
    return this.simd(0x11);
  }
  i32x4Add(_a: Expr<'v128'>, _b: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0xae);
  }
  /** Lane-wise integer equality: all ones where equal. */
  i32x4Eq(_a: Expr<'v128'>, _b: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0x37);
  }
  i32x4ExtractLane(_v: Expr<'v128'>, lane: number): Expr<'i32'> {
    this.code.push(SIMD_PREFIX, ...uleb(0x1b), lane);
    return I32;
  }
  i32x4Sub(_a: Expr<'v128'>, _b: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0xb1);
  }
  i32x4Shl(_a: Expr<'v128'>, _bits: Expr<'i32'>): Expr<'v128'> {
    return this.simd(0xab);
  }
  /** One bit per lane: bit i is the top bit of lane i. */
  i32x4Bitmask(_a: Expr<'v128'>): Expr<'i32'> {
    this.code.push(SIMD_PREFIX, ...uleb(0xa4));
    return I32;
  }
  v128And(_a: Expr<'v128'>, _b: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0x4e);
  }
  /** a & ~b */
  v128AndNot(_a: Expr<'v128'>, _b: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0x4f);
  }
  v128Or(_a: Expr<'v128'>, _b: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0x50);
  }
  v128Xor(_a: Expr<'v128'>, _b: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0x51);
  }
  /** Bits of `ifSet` where `mask` is 1, of `ifClear` where it is 0. */
  v128Bitselect(_ifSet: Expr<'v128'>, _ifClear: Expr<'v128'>, _mask: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0x52);
  }
  f64x2Add(_a: Expr<'v128'>, _b: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0xf0);
  }
  f64x2Sub(_a: Expr<'v128'>, _b: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0xf1);
  }
  f64x2Splat(_value: Expr<'f64'>): Expr<'v128'> {
    return this.simd(0x14);
  }
  f64x2Mul(_a: Expr<'v128'>, _b: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0xf2);
  }
  f64x2Div(_a: Expr<'v128'>, _b: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0xf3);
  }
  /** Float lanes 0–1 widened to two doubles (exact). */
  f64x2PromoteLowF32x4(_a: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0x5f);
  }
  /** Two doubles rounded to floats in lanes 0–1; lanes 2–3 zero. */
  f32x4DemoteF64x2Zero(_a: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0x5e);
  }
  f64x2ExtractLane(_v: Expr<'v128'>, lane: number): Expr<'f64'> {
    this.code.push(SIMD_PREFIX, ...uleb(0x21), lane);
    return F64;
  }
  /** a·b + c with or without intermediate rounding (relaxed SIMD); compiles to an FMA where the CPU has one. */
  f32x4RelaxedMadd(_a: Expr<'v128'>, _b: Expr<'v128'>, _c: Expr<'v128'>): Expr<'v128'> {
    return this.simd(0x105);
  }
  f32x4ExtractLane(_v: Expr<'v128'>, lane: number): Expr<'f32'> {
    this.code.push(SIMD_PREFIX, ...uleb(0x1f), lane);
    return F32;
  }
  /** Picks four 32-bit lanes from a (lanes 0–3) and b (lanes 4–7). */
  shuffle32(_a: Expr<'v128'>, _b: Expr<'v128'>, lanes: readonly [number, number, number, number]): Expr<'v128'> {
    const bytes = lanes.flatMap((lane) => [4 * lane, 4 * lane + 1, 4 * lane + 2, 4 * lane + 3]);
    this.code.push(SIMD_PREFIX, ...uleb(0x0d), ...bytes);
    return V128;
  }

  // ── structured control ──
  /** `if (condition) { then } else { otherwise }`, no result value. */
  ifElse(_condition: Expr<'i32'>, then: () => void, otherwise?: () => void): void {
    this.code.push(0x04, 0x40);
    then();
    if (otherwise) {
      this.code.push(0x05);
      otherwise();
    }
    this.code.push(0x0b);
  }

  /** Runs `body` once, then again while `condition()` (evaluated after the body) is non-zero: a do-while loop. */
  doWhile(body: () => void, condition: () => Expr<'i32'>): void {
    this.code.push(0x03, 0x40);
    body();
    condition();
    this.code.push(0x0d, 0x00, 0x0b); // br_if 0 (back to the loop head); end
  }

  private op<T extends ValType>(opcode: number, result: Expr<T>): Expr<T> {
    this.code.push(opcode);
    return result;
  }
  private simd(opcode: number): Expr<'v128'> {
    this.code.push(SIMD_PREFIX, ...uleb(opcode));
    return V128;
  }
  private simdMem(opcode: number, offset: number): Expr<'v128'> {
    this.code.push(SIMD_PREFIX, ...uleb(opcode), ALIGN_4, ...uleb(offset));
    return V128;
  }
}

export interface ExportedFunction {
  name: string;
  builder: FunctionBuilder;
}

/**
 * A module importing `env.memory` (at least one page, no maximum) and exporting functions (at most one result each).
 * `sharedMemory`: the import is a shared memory (threads proposal: flags 3, maximum 65536 pages, the wasm32 limit),
 * which is what a SharedArrayBuffer-backed WebAssembly.Memory must be imported as.
 */
export function encodeModule(functions: readonly ExportedFunction[], sharedMemory = false): Uint8Array<ArrayBuffer> {
  const signatures: string[] = [];
  const typeIndex = functions.map(({ builder }) => {
    const key = `${builder.params.join(',')}->${builder.results.join(',')}`;
    if (!signatures.includes(key)) signatures.push(key);
    return signatures.indexOf(key);
  });
  const types = signatures.map((key) => {
    const [params, results] = key.split('->').map((list) => (list === '' ? [] : (list!.split(',') as ValType[])));
    return [
      0x60,
      ...uleb(params!.length),
      ...params!.map((t) => VALTYPE_BYTE[t]),
      ...uleb(results!.length),
      ...results!.map((t) => VALTYPE_BYTE[t]),
    ];
  });
  const memoryLimits = sharedMemory ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)];
  const memoryImport = [...name('env'), ...name('memory'), 0x02, ...memoryLimits];
  const exports = functions.map(({ name: exportName }, index) => [...name(exportName), 0x00, ...uleb(index)]);
  const bodies = functions.map(({ builder }) => sized(builder.encodeBody()));
  const module = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  append(module, section(1, vector(types)));
  append(module, section(2, vector([memoryImport])));
  append(module, section(3, vector(typeIndex.map((index) => uleb(index)))));
  append(module, section(7, vector(exports)));
  append(module, section(10, vector(bodies)));
  return new Uint8Array(module);
}

/** out.push(...bytes) without spreading (large arrays would overflow the argument stack and are slow). */
function append(out: number[], bytes: readonly number[]): void {
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i]!);
}
function section(id: number, content: number[]): number[] {
  const out = [id];
  append(out, sized(content));
  return out;
}
function sized(content: number[]): number[] {
  const out = uleb(content.length);
  append(out, content);
  return out;
}
function vector(items: number[][]): number[] {
  const out = uleb(items.length);
  for (const item of items) append(out, item);
  return out;
}
function name(text: string): number[] {
  return sized(Array.from(new TextEncoder().encode(text)));
}

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/**
 * The module `generate()` encodes, compiled once per `key` and kept in `cache` (generating and compiling one takes
 * ~10 ms); null where this runtime rejects it (no SIMD, no shared memory).
 */
export function compiledModule<K>(
  cache: Map<K, WebAssembly.Module | null>,
  key: K,
  generate: () => Uint8Array<ArrayBuffer>,
): WebAssembly.Module | null {
  if (!cache.has(key)) {
    const bytes = generate();
    cache.set(key, WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null);
  }
  return cache.get(key)!;
}
