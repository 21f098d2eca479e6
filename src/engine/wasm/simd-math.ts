/**
 * Four-lane float32 exp, logistic sigmoid and tanh for the generated elementwise kernels (WebAssembly has no
 * transcendental instructions). Polynomials from Cephes (S. Moshier) expf/tanhf, accurate to a few float32 ulps.
 * Written for short machine code, since these loops are throughput-bound: rounding and 2ⁿ by the float "magic
 * number" trick instead of round/convert instructions, sign tricks by masks, pmin/pmax (one instruction each)
 * for clamping, and both branches of a piecewise formula computed and selected per lane.
 * Non-finite inputs behave like the scalar code: NaN stays NaN, ±∞ saturate.
 * Every method reads its inputs from locals and writes its result to a local (the operand-order rule of emitter.ts).
 */
import type { Expr, FunctionBuilder } from './emitter';
import type { V } from './codegen-helpers';

const LOG2E = 1.4426950408889634;
/** Cody–Waite split of ln 2: C1 has few mantissa bits, so n·C1 is exact for the n that occur. */
const EXP_C1 = 0.693359375;
const EXP_C2 = -2.1219444e-4;
/** Cephes expf: eʳ ≈ 1 + r + r²·P(r) on |r| ≤ ln2/2. */
const EXP_P = [1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
/**
 * 1.5·2²³: adding it rounds a float of magnitude < 2²² to an integer n (round to nearest even) and leaves n + 2²² in
 * the low mantissa bits, so (bits + 127) << 23 is the float 2ⁿ (the 2²² bit and the exponent shift out).
 */
const ROUNDING_MAGIC = 12582912;
/** exp's argument is clamped to [EXP_MIN, EXP_MAX], keeping 2ⁿ a normal float (n ∈ [−126, 127]). */
const EXP_MIN = -87.33;
const EXP_MAX = 88;
/** Cephes tanhf: for |x| < 0.625, tanh x ≈ x + x·z·Q(z) with z = x². */
const TANH_SMALL = 0.625;
const TANH_Q = [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1];
const SIGN_BIT = -0x80000000;

export class SimdMath {
  private readonly k: V;
  private readonly r: V;
  private readonly p: V;
  private readonly t: V;
  private readonly e: V;

  /** The constants, in locals set once before the caller's loop (see the constructor). */
  private readonly constants = new Map<string, V>();

  /**
   * Call before the loop that uses the methods: every constant they need goes into a local here, once per call of
   * the kernel. Written inline (v128.const in the loop body) they cost nothing on Node 20's V8, but Node 24's
   * rebuilds each one per use: its sigmoid ran at half Node 20's speed (23 vs 11 µs per 8,192 values), a fifth
   * of a deep sigmoid stack's training step in the extension host.
   */
  constructor(private readonly f: FunctionBuilder) {
    this.k = f.local('v128');
    this.r = f.local('v128');
    this.p = f.local('v128');
    this.t = f.local('v128');
    this.e = f.local('v128');
    const floats = [LOG2E, ROUNDING_MAGIC, EXP_C1, EXP_C2, ...EXP_P, 1, EXP_MIN, EXP_MAX, TANH_SMALL, ...TANH_Q];
    for (const value of floats) this.hoist(`f${value}`, () => f.f32x4Const(value));
    for (const value of [127, SIGN_BIT]) this.hoist(`i${value}`, () => f.i32x4Const(value));
  }

  private hoist(key: string, value: () => Expr<'v128'>): void {
    if (this.constants.has(key)) return;
    const local = this.f.local('v128');
    this.f.set(local, value());
    this.constants.set(key, local);
  }

  /** A hoisted float constant in every lane. */
  private float(value: number): Expr<'v128'> {
    return this.f.get(this.constant(`f${value}`));
  }

  /** A hoisted 32-bit integer constant in every lane. */
  private int(value: number): Expr<'v128'> {
    return this.f.get(this.constant(`i${value}`));
  }

  private constant(key: string): V {
    const local = this.constants.get(key);
    if (!local) throw new Error(`SimdMath: constant ${key} is not hoisted`);
    return local;
  }

  /**
   * out = eˣ for x in [EXP_MIN, EXP_MAX] (callers clamp; NaN gives NaN): x = n·ln2 + r, eˣ = 2ⁿ·eʳ. Clobbers k, r, p.
   */
  exp(x: V, out: V): void {
    const f = this.f;
    // k = x·log₂e + magic (its bits hold n); r = x − n·C1 − n·C2 with n = k − magic.
    f.set(this.k, f.f32x4Add(f.f32x4Mul(f.get(x), this.float(LOG2E)), this.float(ROUNDING_MAGIC)));
    f.set(this.p, f.f32x4Sub(f.get(this.k), this.float(ROUNDING_MAGIC)));
    f.set(
      this.r,
      f.f32x4Sub(
        f.f32x4Sub(f.get(x), f.f32x4Mul(f.get(this.p), this.float(EXP_C1))),
        f.f32x4Mul(f.get(this.p), this.float(EXP_C2)),
      ),
    );
    this.horner(this.p, EXP_P, this.r);
    // eʳ = P(r)·r² + r + 1
    f.set(
      this.p,
      f.f32x4Add(
        f.f32x4Add(f.f32x4Mul(f.get(this.p), f.f32x4Mul(f.get(this.r), f.get(this.r))), f.get(this.r)),
        this.float(1),
      ),
    );
    f.set(out, f.f32x4Mul(f.get(this.p), f.i32x4Shl(f.i32x4Add(f.get(this.k), this.int(127)), f.i32(23))));
  }

  /** out = σ(z) = 1/(1 + e⁻ᶻ), with −z clamped so e⁻ᶻ stays finite (σ then rounds to 1, or to ≈e⁸⁸⁻ below −88). */
  sigmoid(z: V, out: V): void {
    const f = this.f;
    f.set(
      this.t,
      f.f32x4Pmin(f.f32x4Pmax(f.v128Xor(f.get(z), this.int(SIGN_BIT)), this.float(EXP_MIN)), this.float(EXP_MAX)),
    );
    this.exp(this.t, this.e);
    f.set(out, f.f32x4Div(this.float(1), f.f32x4Add(this.float(1), f.get(this.e))));
  }

  /** out = tanh x: the Cephes polynomial below |x| = 0.625, else sign(x)·(1 − e)/(1 + e) with e = e^−2|x|. */
  tanh(x: V, out: V): void {
    const f = this.f;
    // t = max(−2|x|, EXP_MIN): the sign bit set on |x| + |x|
    f.set(this.t, f.v128AndNot(f.get(x), this.int(SIGN_BIT)));
    f.set(
      this.t,
      f.f32x4Pmax(f.v128Or(f.f32x4Add(f.get(this.t), f.get(this.t)), this.int(SIGN_BIT)), this.float(EXP_MIN)),
    );
    this.exp(this.t, this.e);
    // Large |x|: (1 − e)/(1 + e) ≥ 0 with x's sign bit.
    f.set(
      this.e,
      f.v128Or(
        f.f32x4Div(f.f32x4Sub(this.float(1), f.get(this.e)), f.f32x4Add(this.float(1), f.get(this.e))),
        f.v128And(f.get(x), this.int(SIGN_BIT)),
      ),
    );
    // Small |x|: x + x·z·Q(z), z = x².
    f.set(this.t, f.f32x4Mul(f.get(x), f.get(x)));
    this.horner(this.p, TANH_Q, this.t);
    f.set(this.p, f.f32x4Add(f.f32x4Mul(f.f32x4Mul(f.get(this.p), f.get(this.t)), f.get(x)), f.get(x)));
    const small = (): Expr<'v128'> => f.f32x4Lt(f.v128AndNot(f.get(x), this.int(SIGN_BIT)), this.float(TANH_SMALL));
    f.set(out, f.v128Bitselect(f.get(this.p), f.get(this.e), small()));
  }

  /** out = c₀·xᵏ⁻¹ + … + c_{k−1} by Horner's rule. */
  private horner(out: V, coefficients: readonly number[], x: V): void {
    const f = this.f;
    f.set(out, this.float(coefficients[0]!));
    for (let i = 1; i < coefficients.length; i++) {
      f.set(out, f.f32x4Add(f.f32x4Mul(f.get(out), f.get(x)), this.float(coefficients[i]!)));
    }
  }
}
