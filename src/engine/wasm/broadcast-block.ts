/**
 * broadcastBlock(m, nc, kc, a, aRowStride, aColStride, b, ldb, c, ldc, overwrite, aStrip):
 * C(i,j) (+)= Σ_{p<kc} A(i,p)·B(p,j) for i < m, j < nc, with B's rows contiguous in j (gemmNN, gemmTN, and gemmNT
 * on a transposed copy of B). A(i,p) at a + i·aRowStride + p·aColStride, B(p,j) at b + p·ldb + 4j,
 * C(i,j) at c + i·ldc + 4j (bytes). `overwrite` ≠ 0 stores into C, otherwise adds.
 * Tile 4 rows × 8 columns: A(i+r,p) is broadcast to four lanes (vbroadcastss, a pure load on x64) and multiplied
 * into two 4-wide vectors of B's row p — 8 accumulators + 2 B vectors + 1 broadcast = 11 of the 15 vector
 * registers V8 allocates, so nothing spills. Then one 4-wide tile, then one 1–3-wide tile whose loads and stores
 * touch exactly its columns (partial-lane loads/stores), at vector speed.
 * The adjacent-rows variant fixes aRowStride = 4 (gemmTN: A stored transposed) and packs each 4-row strip of A
 * into aStrip (16·kc bytes of scratch) when several column tiles will reread it.
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

const BROADCAST_ROWS = 4;
const BROADCAST_VECTORS = 2;

export class BroadcastBlock {
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
  /** Scratch for one packed row strip of A (16·kc bytes); used by the adjacent-rows variant only. */
  private readonly aStrip = this.f.param('i32');
  private readonly i = this.f.local('i32');
  private readonly j = this.f.local('i32');
  private readonly aRow = this.f.local('i32');
  private readonly aBase = this.f.local('i32');
  private readonly aStep = this.f.local('i32');
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

  constructor(
    private readonly rowsAdjacent: boolean,
    private readonly options: CodegenOptions,
  ) {}

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
    f.set(this.aBase, f.get(this.aRow));
    f.set(this.aStep, f.get(this.aColStride));
    // Packing pays off once several column tiles reread the strip.
    if (this.rowsAdjacent) f.ifElse(f.ltS(f.i32(4 * BROADCAST_VECTORS), f.get(this.nc)), () => this.packStrip(rows));
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

  /**
   * A(i..i+rows−1, p) sits 4·m bytes apart for successive p when A is stored transposed: one cache line and often
   * one page per p. Every column tile rereads it, so copy it once into 16-byte records: aStrip[16p + 4r].
   */
  private packStrip(rows: number): void {
    const f = this.f;
    f.set(this.pa, f.get(this.aRow));
    f.set(this.pb, f.get(this.aStrip));
    f.set(this.pbEnd, f.add(f.get(this.aStrip), f.mul(f.get(this.kc), f.i32(16))));
    f.doWhile(
      () => {
        f.v128Store(
          f.get(this.pb),
          loadFloats(f, rows, () => f.get(this.pa)),
        );
        advance(f, this.pa, this.aColStride);
        advance(f, this.pb, 16);
      },
      () => f.ne(f.get(this.pb), f.get(this.pbEnd)),
    );
    f.set(this.aBase, f.get(this.aStrip));
    f.set(this.aStep, f.i32(16));
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
      widths.forEach((width, v) =>
        f.set(
          this.bVec[v]!,
          loadFloats(f, width, () => f.get(this.pb), 16 * v),
        ),
      );
      for (let r = 0; r < rows; r++) {
        f.set(
          this.aSplat,
          this.loadA(r, (address, offset) => f.v128Load32Splat(address, offset)),
        );
        for (let v = 0; v < widths.length; v++)
          multiplyAdd(f, this.options.fusedMultiplyAdd, acc(r, v), this.aSplat, this.bVec[v]!);
      }
    });
    for (let r = 0; r < rows; r++) {
      widths.forEach((width, v) => {
        const cAddress = (): Expr<'i32'> => this.cAddress(r);
        f.ifElse(f.eqz(f.get(this.overwrite)), () =>
          f.set(acc(r, v), f.f32x4Add(loadFloats(f, width, cAddress, 16 * v), f.get(acc(r, v)))),
        );
        storeFloats(f, width, cAddress, acc(r, v), 16 * v);
      });
    }
  }

  /** Runs `step` for p = 0..kc−1 with pa → A(i,p) (or its packed copy) and pb → B(p,j). kc ≥ 1. */
  private sumOverK(step: () => void): void {
    const f = this.f;
    f.set(this.pa, f.get(this.aBase));
    f.set(this.pb, f.get(this.bCol));
    f.set(this.pbEnd, f.add(f.get(this.bCol), f.get(this.kBytes)));
    f.doWhile(
      () => {
        step();
        advance(f, this.pa, this.aStep);
        advance(f, this.pb, this.ldb);
      },
      () => f.ne(f.get(this.pb), f.get(this.pbEnd)),
    );
  }
}
