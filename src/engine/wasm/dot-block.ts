/**
 * dotBlock(m, nc, kc, a, lda, b, ldb, c, ldc, overwrite):
 * C(i,j) (+)= Σ_{p<kc} A(i,p)·B(j,p) for i < m, j < nc, both operands' rows contiguous in p (gemmNT).
 * A(i,p) at a + i·lda + 4p, B(j,p) at b + j·ldb + 4p, C(i,j) at c + i·ldc + 4j (bytes); `overwrite` ≠ 0 stores.
 * Tile 2 rows × 4 columns of four-lane partial dot products (8 accumulators + 2 A vectors + 1 B vector = 11
 * registers), reduced across lanes once per tile by shuffles; the kc % 4 leftover terms use partial loads.
 */
import { FunctionBuilder, type Expr } from './emitter';
import {
  advance,
  type CodegenOptions,
  loadFloats,
  multiplyAdd,
  stepLoop,
  storeFloats,
  type V,
} from './codegen-helpers';

const DOT_ROWS = 2;
const DOT_COLUMNS = 4;

export class DotBlock {
  private readonly f = new FunctionBuilder();
  private readonly m = this.f.param('i32');
  private readonly nc = this.f.param('i32');
  private readonly kc = this.f.param('i32');
  private readonly a = this.f.param('i32');
  private readonly lda = this.f.param('i32');
  private readonly b = this.f.param('i32');
  private readonly ldb = this.f.param('i32');
  private readonly c = this.f.param('i32');
  private readonly ldc = this.f.param('i32');
  private readonly overwrite = this.f.param('i32');
  private readonly i = this.f.local('i32');
  private readonly j = this.f.local('i32');
  private readonly aRow = this.f.local('i32');
  private readonly bRow = this.f.local('i32');
  private readonly cRow = this.f.local('i32');
  private readonly cTile = this.f.local('i32');
  /** Byte offset along p, and its end for the whole four-term steps. */
  private readonly q = this.f.local('i32');
  private readonly qEnd = this.f.local('i32');
  private readonly remainder = this.f.local('i32');
  private readonly aPtr = Array.from({ length: DOT_ROWS }, () => this.f.local('i32'));
  private readonly bPtr = Array.from({ length: DOT_COLUMNS }, () => this.f.local('i32'));
  private readonly acc = Array.from({ length: DOT_ROWS * DOT_COLUMNS }, () => this.f.local('v128'));
  private readonly aVec = Array.from({ length: DOT_ROWS }, () => this.f.local('v128'));
  private readonly bVec = this.f.local('v128');
  private readonly sums = this.f.local('v128');

  constructor(private readonly options: CodegenOptions) {}

  build(): FunctionBuilder {
    const f = this.f;
    f.set(this.qEnd, f.mul(f.and(f.get(this.kc), f.i32(-4)), f.i32(4)));
    f.set(this.remainder, f.and(f.get(this.kc), f.i32(3)));
    f.set(this.aRow, f.get(this.a));
    f.set(this.cRow, f.get(this.c));
    f.set(this.i, f.i32(0));
    stepLoop(f, this.i, this.m, DOT_ROWS, () => {
      this.rowStrip(DOT_ROWS);
      for (let r = 0; r < DOT_ROWS; r++) {
        advance(f, this.aRow, this.lda);
        advance(f, this.cRow, this.ldc);
      }
    });
    f.ifElse(f.ltS(f.get(this.i), f.get(this.m)), () => this.rowStrip(1)); // DOT_ROWS = 2 leaves at most one row
    return f;
  }

  private rowStrip(rows: number): void {
    const f = this.f;
    f.set(this.bRow, f.get(this.b));
    f.set(this.cTile, f.get(this.cRow));
    f.set(this.j, f.i32(0));
    stepLoop(f, this.j, this.nc, DOT_COLUMNS, () => {
      this.tile(rows, DOT_COLUMNS);
      for (let col = 0; col < DOT_COLUMNS; col++) advance(f, this.bRow, this.ldb);
      advance(f, this.cTile, 4 * DOT_COLUMNS);
    });
    for (let cols = DOT_COLUMNS - 1; cols >= 1; cols--) {
      f.ifElse(f.eq(f.sub(f.get(this.nc), f.get(this.j)), f.i32(cols)), () => this.tile(rows, cols));
    }
  }

  private accumulator(r: number, col: number): V {
    return this.acc[r * DOT_COLUMNS + col]!;
  }

  /** rows × cols dot products of A rows i.. with B rows j.., over p < kc. */
  private tile(rows: number, cols: number): void {
    const f = this.f;
    for (let r = 0; r < DOT_ROWS; r++)
      for (let col = 0; col < DOT_COLUMNS; col++) f.set(this.accumulator(r, col), f.v128Zero());
    f.set(this.aPtr[0]!, f.get(this.aRow));
    if (rows > 1) f.set(this.aPtr[1]!, f.add(f.get(this.aRow), f.get(this.lda)));
    f.set(this.bPtr[0]!, f.get(this.bRow));
    for (let col = 1; col < cols; col++) f.set(this.bPtr[col]!, f.add(f.get(this.bPtr[col - 1]!), f.get(this.ldb)));
    f.set(this.q, f.i32(0));
    f.ifElse(f.get(this.qEnd), () =>
      f.doWhile(
        () => {
          this.step(rows, cols, (address) => f.v128Load(address()));
          advance(f, this.q, 16);
        },
        () => f.ne(f.get(this.q), f.get(this.qEnd)),
      ),
    );
    // k % 4 leftover terms: zero-filled partial loads make the missing lanes contribute 0·0.
    for (let width = 1; width <= 3; width++) {
      f.ifElse(f.eq(f.get(this.remainder), f.i32(width)), () =>
        this.step(rows, cols, (address) => loadFloats(f, width, address)),
      );
    }
    for (let r = 0; r < rows; r++) this.storeRow(r, cols);
  }

  /** One four-term step: acc[r][col] += A(i+r, p..p+3) ⊙ B(j+col, p..p+3). */
  private step(rows: number, cols: number, load: (address: () => Expr<'i32'>) => Expr<'v128'>): void {
    const f = this.f;
    for (let r = 0; r < rows; r++)
      f.set(
        this.aVec[r]!,
        load(() => f.add(f.get(this.aPtr[r]!), f.get(this.q))),
      );
    for (let col = 0; col < cols; col++) {
      f.set(
        this.bVec,
        load(() => f.add(f.get(this.bPtr[col]!), f.get(this.q))),
      );
      for (let r = 0; r < rows; r++)
        multiplyAdd(f, this.options.fusedMultiplyAdd, this.accumulator(r, col), this.aVec[r]!, this.bVec);
    }
  }

  /** Reduces acc[r][0..3] across lanes to [Σ acc[r][0], …, Σ acc[r][3]] and stores (or adds) the first `cols`. */
  private storeRow(r: number, cols: number): void {
    const f = this.f;
    const x = (col: number): Expr<'v128'> => f.get(this.accumulator(r, col));
    const pairSums = (c0: number, c1: number): Expr<'v128'> =>
      f.f32x4Add(f.shuffle32(x(c0), x(c1), [0, 4, 1, 5]), f.shuffle32(x(c0), x(c1), [2, 6, 3, 7]));
    f.set(this.accumulator(r, 0), pairSums(0, 1)); // [x0₀+x0₂, x1₀+x1₂, x0₁+x0₃, x1₁+x1₃]
    f.set(this.accumulator(r, 2), pairSums(2, 3));
    f.set(this.sums, f.f32x4Add(f.shuffle32(x(0), x(2), [0, 1, 4, 5]), f.shuffle32(x(0), x(2), [2, 3, 6, 7])));
    const cAddress = (): Expr<'i32'> => (r === 0 ? f.get(this.cTile) : f.add(f.get(this.cTile), f.get(this.ldc)));
    f.ifElse(f.eqz(f.get(this.overwrite)), () =>
      f.set(this.sums, f.f32x4Add(loadFloats(f, cols, cAddress), f.get(this.sums))),
    );
    storeFloats(f, cols, cAddress, this.sums);
  }
}
