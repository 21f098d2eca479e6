/**
 * One contiguous Float32 buffer per model, carved into aligned views once at build time.
 * Why: no allocation inside the training loop, and the same layout can later sit in a WebAssembly.Memory
 * sized up front (never grown, never transferred — detaching any ArrayBuffer slows V8's typed-array loops).
 */
export class Arena {
  private used = 0;
  readonly buffer: ArrayBuffer;

  /** `capacity` in float32 elements; pass an existing buffer (e.g. wasm memory) to place the views there. */
  constructor(
    readonly capacity: number,
    buffer?: ArrayBuffer,
    readonly baseByteOffset = 0,
  ) {
    this.buffer = buffer ?? new ArrayBuffer(capacity * 4);
  }

  /** A zeroed view of `length` floats, 16-byte aligned (SIMD-friendly). */
  alloc(length: number): Float32Array {
    const start = alignUp(this.used, 4);
    if (start + length > this.capacity) {
      throw new Error(`arena overflow: need ${start + length} floats, have ${this.capacity}`);
    }
    this.used = start + length;
    return new Float32Array(this.buffer, this.baseByteOffset + start * 4, length);
  }

  get usedFloats(): number {
    return this.used;
  }
}

/** Counts what a model would allocate, so the real arena can be sized exactly; each view is a separate array. */
export class MeasuringArena extends Arena {
  private total = 0;
  constructor() {
    super(0, new ArrayBuffer(0));
  }
  override alloc(length: number): Float32Array {
    this.count(length);
    return new Float32Array(length);
  }
  override get usedFloats(): number {
    return this.total;
  }
  /** Adds one view of `length` floats at the next aligned position, as Arena.alloc places it. */
  protected count(length: number): void {
    this.total = alignUp(this.total, 4) + length;
  }
}

/**
 * Counts like MeasuringArena without keeping what it hands out: every view shares one scratch buffer (grown to the
 * largest request), so sizing a large model costs one layer's memory, not the model's. The views overlap: for
 * sizing builds only, whose buffers are never read.
 */
export class SizingArena extends MeasuringArena {
  private scratch = new ArrayBuffer(0);
  override alloc(length: number): Float32Array {
    this.count(length);
    if (this.scratch.byteLength < 4 * length) this.scratch = new ArrayBuffer(4 * length);
    return new Float32Array(this.scratch, 0, length);
  }
}

function alignUp(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}
