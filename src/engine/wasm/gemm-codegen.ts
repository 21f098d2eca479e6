/**
 * Generates the WebAssembly SIMD block kernels behind wasm-gemm.ts. Each exported function multiplies one cache
 * block (all m rows, nc columns, kc terms of the sum); wasm-gemm.ts walks the blocks. Addresses and strides are
 * in bytes. Register tiles are unrolled at generation time, so every tile shape is straight-line code.
 *
 *  broadcastBlock(m, nc, kc, a, aRowStride, aColStride, b, ldb, c, ldc, overwrite)
 *      C(i,j) (+)= Σ_p A(i,p)·B(p,j) with B's rows contiguous in j (gemmNN, gemmTN).
 *      A(i,p) at a + i·aRowStride + p·aColStride, B(p,j) at b + p·ldb + 4j, C(i,j) at c + i·ldc + 4j.
 *      Tile 4 rows × 8 columns: A(i+r,p) is broadcast to four lanes (vbroadcastss, a pure load on x64) and
 *      multiplied into two 4-wide vectors of B's row p. Then one 4-wide tile, then one 1–3-wide tile whose
 *      loads and stores touch exactly its columns (partial-lane loads/stores), so it runs at vector speed.
 *      The `…AdjacentRows` variant fixes aRowStride = 4 (gemmTN: A stored transposed) as constant offsets.
 *  dotBlock(m, nc, kc, a, lda, b, ldb, c, ldc, overwrite)
 *      C(i,j) (+)= Σ_p A(i,p)·B(j,p), both rows contiguous in p (gemmNT). Tile 2 rows × 4 columns of four-lane
 *      partial dot products, reduced across lanes once per tile; the k % 4 leftover terms use partial loads.
 * `overwrite` ≠ 0 stores the tile into C, otherwise adds it. x64 has 16 vector registers (V8 keeps one as
 * scratch); both tiles need 11, so nothing spills.
 */
import { encodeModule, type Expr, FunctionBuilder, type Local } from './emitter';

/** Multiply-add flavour: separate mul and add (baseline SIMD), or the relaxed-SIMD form that may fuse (FMA). */
export interface CodegenOptions { fusedMultiplyAdd: boolean }

export function generateGemmModule(options: CodegenOptions): Uint8Array<ArrayBuffer> {
  return encodeModule([
    { name: 'broadcastBlock', builder: new BroadcastBlock(false, options).build() },
    { name: 'broadcastBlockAdjacentRows', builder: new BroadcastBlock(true, options).build() },
    { name: 'dotBlock', builder: new DotBlock(options).build() },
  ]);
}

type I = Local<'i32'>;
type V = Local<'v128'>;

/** `counter += step` */
function advance(f: FunctionBuilder, counter: I, step: I | number): void {
  f.set(counter, f.add(f.get(counter), typeof step === 'number' ? f.i32(step) : f.get(step)));
}

/** acc (+)= x·y, as mul+add or as relaxed madd. */
function multiplyAdd(f: FunctionBuilder, fused: boolean, acc: V, x: V, y: V): void {
  if (fused) f.set(acc, f.f32x4RelaxedMadd(f.get(x), f.get(y), f.get(acc)));
  else f.set(acc, f.f32x4Add(f.get(acc), f.f32x4Mul(f.get(x), f.get(y))));
}

/** Loads the first `width` (1–4) floats at the address into lanes 0..width−1, zeroing the rest; never reads past them. */
function loadFloats(f: FunctionBuilder, width: number, address: () => Expr<'i32'>, offset = 0): Expr<'v128'> {
  if (width === 4) return f.v128Load(address(), offset);
  if (width === 2) return f.v128Load64Zero(address(), offset);
  if (width === 1) return f.v128Load32Zero(address(), offset);
  return f.v128Load32Lane(address(), f.v128Load64Zero(address(), offset), 2, offset + 8);
}

/** Stores lanes 0..width−1 of `value` (a local, as width 3 needs it twice) to consecutive floats at the address. */
function storeFloats(f: FunctionBuilder, width: number, address: () => Expr<'i32'>, value: V, offset = 0): void {
  if (width === 4) f.v128Store(address(), f.get(value), offset);
  else if (width === 1) f.v128Store32Lane(address(), f.get(value), 0, offset);
  else f.v128Store64Lane(address(), f.get(value), 0, offset);
  if (width === 3) f.v128Store32Lane(address(), f.get(value), 2, offset + 8);
}

/** `for (counter = 0; counter + step <= limit; counter += step) body()`, as a guarded do-while. */
function stepLoop(f: FunctionBuilder, counter: I, limit: I, step: number, body: () => void): void {
  f.ifElse(f.leS(f.add(f.get(counter), f.i32(step)), f.get(limit)), () => f.doWhile(
    () => { body(); advance(f, counter, step); },
    () => f.leS(f.add(f.get(counter), f.i32(step)), f.get(limit)),
  ));
}

const BROADCAST_ROWS = 4;
const BROADCAST_VECTORS = 2;

class BroadcastBlock {
  private readonly f = new FunctionBuilder();
  private readonly m = this.f.param('i32');
  private readonly nc = this.f.param('i32');
  private readonly kc = this.f.param('i32');
  private readonly a = this.f.param('i32');
  private readonly aRowStride = this.f.param('i32');
  private readonly aColStride = this.f.param('i32');
  private readonly b = this.f.param('i32');
  private readonly ldb = this.f.param('i32');
  private readonly c = this.f.param('i32');
  private readonly ldc = this.f.param('i32');
  private readonly overwrite = this.f.param('i32');
  private readonly i = this.f.local('i32');
  private readonly j = this.f.local('i32');
  private readonly aRow = this.f.local('i32');
  private readonly cRow = this.f.local('i32');
  private readonly bCol = this.f.local('i32');
  private readonly cTile = this.f.local('i32');
  private readonly pa = this.f.local('i32');
  private readonly pb = this.f.local('i32');
  private readonly pbEnd = this.f.local('i32');
  private readonly kBytes = this.f.local('i32');
  /** r·aRowStride and r·ldc for r = 0..4 (index 0 unused). */
  private readonly aRowOffset = [0, 1, 2, 3, 4].map(() => this.f.local('i32'));
  private readonly cRowOffset = [0, 1, 2, 3, 4].map(() => this.f.local('i32'));
  private readonly acc = Array.from({ length: BROADCAST_ROWS * BROADCAST_VECTORS }, () => this.f.local('v128'));
  private readonly bVec = Array.from({ length: BROADCAST_VECTORS }, () => this.f.local('v128'));
  private readonly aSplat = this.f.local('v128');

  constructor(private readonly rowsAdjacent: boolean, private readonly options: CodegenOptions) {}

  build(): FunctionBuilder {
    const f = this.f;
    f.set(this.kBytes, f.mul(f.get(this.kc), f.get(this.ldb)));
    for (let r = 1; r <= BROADCAST_ROWS; r++) {
      f.set(this.aRowOffset[r]!, f.mul(f.get(this.aRowStride), f.i32(r)));
      f.set(this.cRowOffset[r]!, f.mul(f.get(this.ldc), f.i32(r)));
    }
    f.set(this.aRow, f.get(this.a));
    f.set(this.cRow, f.get(this.c));
    f.set(this.i, f.i32(0));
    stepLoop(f, this.i, this.m, BROADCAST_ROWS, () => {
      this.rowStrip(BROADCAST_ROWS);
      advance(f, this.aRow, this.aRowOffset[BROADCAST_ROWS]!);
      advance(f, this.cRow, this.cRowOffset[BROADCAST_ROWS]!);
    });
    for (let rows = BROADCAST_ROWS - 1; rows >= 1; rows--) {
      f.ifElse(f.eq(f.sub(f.get(this.m), f.get(this.i)), f.i32(rows)), () => this.rowStrip(rows));
    }
    return f;
  }

  /** `rows` rows across all nc columns. */
  private rowStrip(rows: number): void {
    const f = this.f;
    f.set(this.bCol, f.get(this.b));
    f.set(this.cTile, f.get(this.cRow));
    f.set(this.j, f.i32(0));
    stepLoop(f, this.j, this.nc, 4 * BROADCAST_VECTORS, () => {
      this.vectorTile(rows, [4, 4]);
      this.moveTileRight(4 * BROADCAST_VECTORS); // stepLoop advances j
    });
    f.ifElse(f.leS(f.add(f.get(this.j), f.i32(4)), f.get(this.nc)), () => {
      this.vectorTile(rows, [4]);
      this.moveTileRight(4);
      advance(f, this.j, 4);
    });
    // The last nc % 4 columns: one narrower vector, loaded and stored lane-exactly.
    for (let width = 3; width >= 1; width--) {
      f.ifElse(f.eq(f.sub(f.get(this.nc), f.get(this.j)), f.i32(width)), () => this.vectorTile(rows, [width]));
    }
  }

  /** Points bCol and cTile `columns` further right. */
  private moveTileRight(columns: number): void {
    advance(this.f, this.bCol, 4 * columns);
    advance(this.f, this.cTile, 4 * columns);
  }

  /** Emits a load of A(i+r, p), given pa = address of A(i, p). */
  private loadA(r: number, load: (address: Expr<'i32'>, offset: number) => Expr<'v128'>): Expr<'v128'> {
    const f = this.f;
    if (this.rowsAdjacent) return load(f.get(this.pa), 4 * r);
    return load(r === 0 ? f.get(this.pa) : f.add(f.get(this.pa), f.get(this.aRowOffset[r]!)), 0);
  }

  private cAddress(r: number): Expr<'i32'> {
    const f = this.f;
    return r === 0 ? f.get(this.cTile) : f.add(f.get(this.cTile), f.get(this.cRowOffset[r]!));
  }

  /**
   * rows × Σwidths tile: acc[r][v] = Σ_p splat(A(i+r,p)) · B(p, j+4v … j+4v+widths[v]−1), lanes past the width zero.
   */
  private vectorTile(rows: number, widths: readonly number[]): void {
    const f = this.f;
    const acc = (r: number, v: number): V => this.acc[r * BROADCAST_VECTORS + v]!;
    for (let r = 0; r < rows; r++) for (let v = 0; v < widths.length; v++) f.set(acc(r, v), f.v128Zero());
    this.sumOverK(() => {
      widths.forEach((width, v) => f.set(this.bVec[v]!, loadFloats(f, width, () => f.get(this.pb), 16 * v)));
      for (let r = 0; r < rows; r++) {
        f.set(this.aSplat, this.loadA(r, (address, offset) => f.v128Load32Splat(address, offset)));
        for (let v = 0; v < widths.length; v++) multiplyAdd(f, this.options.fusedMultiplyAdd, acc(r, v), this.aSplat, this.bVec[v]!);
      }
    });
    for (let r = 0; r < rows; r++) {
      widths.forEach((width, v) => {
        const cAddress = (): Expr<'i32'> => this.cAddress(r);
        f.ifElse(f.eqz(f.get(this.overwrite)),
          () => f.set(acc(r, v), f.f32x4Add(loadFloats(f, width, cAddress, 16 * v), f.get(acc(r, v)))));
        storeFloats(f, width, cAddress, acc(r, v), 16 * v);
      });
    }
  }

  /** Runs `step` for p = 0..kc−1 with pa → A(i,p) and pb → B(p,j). kc ≥ 1. */
  private sumOverK(step: () => void): void {
    const f = this.f;
    f.set(this.pa, f.get(this.aRow));
    f.set(this.pb, f.get(this.bCol));
    f.set(this.pbEnd, f.add(f.get(this.bCol), f.get(this.kBytes)));
    f.doWhile(() => {
      step();
      advance(f, this.pa, this.aColStride);
      advance(f, this.pb, this.ldb);
    }, () => f.ne(f.get(this.pb), f.get(this.pbEnd)));
  }
}

const DOT_ROWS = 2;
const DOT_COLUMNS = 4;

class DotBlock {
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
  private readonly cRowOffset = this.f.local('i32');
  private readonly acc = Array.from({ length: DOT_ROWS * DOT_COLUMNS }, () => this.f.local('v128'));
  private readonly aVec = Array.from({ length: DOT_ROWS }, () => this.f.local('v128'));
  private readonly bVec = this.f.local('v128');
  private readonly sums = this.f.local('v128');

  constructor(private readonly options: CodegenOptions) {}

  build(): FunctionBuilder {
    const f = this.f;
    f.set(this.qEnd, f.mul(f.and(f.get(this.kc), f.i32(-4)), f.i32(4)));
    f.set(this.remainder, f.and(f.get(this.kc), f.i32(3)));
    f.set(this.cRowOffset, f.get(this.ldc));
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

  private acc_(r: number, col: number): V {
    return this.acc[r * DOT_COLUMNS + col]!;
  }

  /** rows × cols dot products of A rows i.. with B rows j.., over p < kc. */
  private tile(rows: number, cols: number): void {
    const f = this.f;
    for (let r = 0; r < DOT_ROWS; r++) for (let col = 0; col < DOT_COLUMNS; col++) f.set(this.acc_(r, col), f.v128Zero());
    f.set(this.aPtr[0]!, f.get(this.aRow));
    if (rows > 1) f.set(this.aPtr[1]!, f.add(f.get(this.aRow), f.get(this.lda)));
    f.set(this.bPtr[0]!, f.get(this.bRow));
    for (let col = 1; col < cols; col++) f.set(this.bPtr[col]!, f.add(f.get(this.bPtr[col - 1]!), f.get(this.ldb)));
    f.set(this.q, f.i32(0));
    f.ifElse(f.get(this.qEnd), () => f.doWhile(() => {
      this.step(rows, cols, (address) => f.v128Load(address()));
      advance(f, this.q, 16);
    }, () => f.ne(f.get(this.q), f.get(this.qEnd))));
    // k % 4 leftover terms: zero-filled partial loads make the missing lanes contribute 0·0.
    for (let width = 1; width <= 3; width++) {
      f.ifElse(f.eq(f.get(this.remainder), f.i32(width)), () => this.step(rows, cols, (address) => loadFloats(f, width, address)));
    }
    for (let r = 0; r < rows; r++) this.storeRow(r, cols);
  }

  /** One four-term step: acc[r][col] += A(i+r, p..p+3) ⊙ B(j+col, p..p+3). */
  private step(rows: number, cols: number, load: (address: () => Expr<'i32'>) => Expr<'v128'>): void {
    const f = this.f;
    for (let r = 0; r < rows; r++) f.set(this.aVec[r]!, load(() => f.add(f.get(this.aPtr[r]!), f.get(this.q))));
    for (let col = 0; col < cols; col++) {
      f.set(this.bVec, load(() => f.add(f.get(this.bPtr[col]!), f.get(this.q))));
      for (let r = 0; r < rows; r++) multiplyAdd(f, this.options.fusedMultiplyAdd, this.acc_(r, col), this.aVec[r]!, this.bVec);
    }
  }

  /** Reduces acc[r][0..3] across lanes to [Σ acc[r][0], …, Σ acc[r][3]] and stores (or adds) cols of them. */
  private storeRow(r: number, cols: number): void {
    const f = this.f;
    const x = (col: number): Expr<'v128'> => f.get(this.acc_(r, col));
    const pairSums = (c0: number, c1: number): Expr<'v128'> =>
      f.f32x4Add(f.shuffle32(x(c0), x(c1), [0, 4, 1, 5]), f.shuffle32(x(c0), x(c1), [2, 6, 3, 7]));
    f.set(this.acc_(r, 0), pairSums(0, 1)); // [x0₀+x0₂, x1₀+x1₂, x0₁+x0₃, x1₁+x1₃]
    f.set(this.acc_(r, 2), pairSums(2, 3));
    f.set(this.sums, f.f32x4Add(
      f.shuffle32(x(0), x(2), [0, 1, 4, 5]),
      f.shuffle32(x(0), x(2), [2, 3, 6, 7]),
    ));
    const cAddress = (): Expr<'i32'> => (r === 0 ? f.get(this.cTile) : f.add(f.get(this.cTile), f.get(this.cRowOffset)));
    if (cols === DOT_COLUMNS) {
      f.ifElse(f.get(this.overwrite),
        () => f.v128Store(cAddress(), f.get(this.sums)),
        () => f.v128Store(cAddress(), f.f32x4Add(f.v128Load(cAddress()), f.get(this.sums))));
      return;
    }
    for (let col = 0; col < cols; col++) {
      f.ifElse(f.get(this.overwrite),
        () => f.f32Store(cAddress(), f.f32x4ExtractLane(f.get(this.sums), col), 4 * col),
        () => f.f32Store(cAddress(), f.f32Add(f.f32Load(cAddress(), 4 * col), f.f32x4ExtractLane(f.get(this.sums), col)), 4 * col));
    }
  }
}
