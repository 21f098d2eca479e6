import { describe, expect, it } from 'vitest';
import { makeBars, makeDigits, makeShapes, type DigitImages } from '../../src/engine/data-images';
import { Rng } from '../../src/engine/rng';

function counts(labels: Uint32Array, classes: number): number[] {
  const result = new Array<number>(classes).fill(0);
  for (const label of labels) result[label]!++;
  return result;
}

/** Rows and columns of the pixels above `threshold` in image `i`. */
function inked(x: Float32Array, i: number, size: number, threshold = 0): { rows: Set<number>; cols: Set<number> } {
  const rows = new Set<number>();
  const cols = new Set<number>();
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      if (x[i * size * size + r * size + c]! > threshold) {
        rows.add(r);
        cols.add(c);
      }
    }
  }
  return { rows, cols };
}

describe('bars', () => {
  const size = 12;
  const clean = makeBars(301, size, 0, new Rng(2));

  it('has [1, size, size] images, 2 balanced classes', () => {
    expect(clean.features).toBe(size * size);
    expect(clean.x.length).toBe(301 * size * size);
    expect(counts(clean.labels, 2).sort()).toEqual([150, 151]);
  });

  it('without noise: one bar of ⌈size/2⌉…size ones, horizontal for class 0 and vertical for class 1', () => {
    for (let i = 0; i < clean.samples; i++) {
      const pixels = Array.from(clean.x.subarray(i * size * size, (i + 1) * size * size));
      expect(pixels.every((v) => v === 0 || v === 1)).toBe(true);
      const { rows, cols } = inked(clean.x, i, size);
      const horizontal = clean.labels[i] === 0;
      expect(horizontal ? rows.size : cols.size).toBe(1);
      const length = horizontal ? cols.size : rows.size;
      expect(length).toBeGreaterThanOrEqual(size / 2);
      expect(length).toBeLessThanOrEqual(size);
      expect(pixels.reduce((s, v) => s + v, 0)).toBe(length);
    }
  });

  it('bars move: rows and columns of the bars vary across samples', () => {
    const lines = new Set<number>();
    for (let i = 0; i < clean.samples; i++) {
      const { rows, cols } = inked(clean.x, i, size);
      lines.add(clean.labels[i] === 0 ? [...rows][0]! : [...cols][0]!);
    }
    expect(lines.size).toBe(size);
  });

  it('noise adds N(0, noise²) to every pixel; the same seed gives the same images', () => {
    const noisy = makeBars(301, size, 0.2, new Rng(2));
    expect(Array.from(makeBars(301, size, 0.2, new Rng(2)).x)).toEqual(Array.from(noisy.x));
    // Over nine tenths of the pixels are background: the median |x| is about 0.6745 σ of the noise.
    const magnitudes = Array.from(noisy.x, Math.abs).sort((a, b) => a - b);
    const sigma = magnitudes[Math.floor(magnitudes.length / 2)]! / 0.6745;
    expect(sigma).toBeGreaterThan(0.19);
    expect(sigma).toBeLessThan(0.23);
  });
});

describe('shapes', () => {
  const size = 16;
  const clean = makeShapes(300, size, 0, new Rng(7));

  it('has [1, size, size] images, 3 balanced classes, ink in [0, 1]', () => {
    expect(clean.features).toBe(size * size);
    expect(clean.classes).toBe(3);
    expect(counts(clean.labels, 3)).toEqual([100, 100, 100]);
    expect(Math.min(...clean.x)).toBe(0);
    expect(Math.max(...clean.x)).toBeLessThanOrEqual(1);
    expect(Math.max(...clean.x)).toBeGreaterThan(0.9);
  });

  it('every outline is as wide as it is tall (2h), inside the image, and sizes vary', () => {
    const widths = new Set<number>();
    for (let i = 0; i < clean.samples; i++) {
      const { rows, cols } = inked(clean.x, i, size, 0.5);
      const height = Math.max(...rows) - Math.min(...rows);
      const width = Math.max(...cols) - Math.min(...cols);
      // A triangle's apex is a point, so its inked height can lose a pixel or two to the threshold.
      expect(Math.abs(width - height), `sample ${i}`).toBeLessThanOrEqual(2);
      expect(width).toBeGreaterThanOrEqual(Math.floor(0.4 * (size - 1)) - 1);
      widths.add(width);
    }
    expect(widths.size).toBeGreaterThan(4);
  });

  it("the top corners of an outline's bounding box: inked for a square, empty for a circle or a triangle", () => {
    for (let i = 0; i < clean.samples; i++) {
      const { rows, cols } = inked(clean.x, i, size, 0.5);
      const top = Math.min(...rows);
      const at = (c: number): number => clean.x[i * size * size + top * size + c]!;
      const corners = [at(Math.min(...cols)), at(Math.max(...cols))];
      // A square's corner pixel lies within √½ of its corner (ink ≥ 1 − 0.71); the others' are far from any line.
      if (clean.labels[i] === 0) expect(Math.min(...corners), `sample ${i}`).toBeGreaterThan(0.25);
      else expect(Math.max(...corners), `sample ${i}`).toBeLessThan(0.25);
    }
  });

  it('is deterministic given the seed', () => {
    expect(Array.from(makeShapes(300, size, 0, new Rng(7)).x)).toEqual(Array.from(clean.x));
    expect(Array.from(makeShapes(300, size, 0, new Rng(8)).x)).not.toEqual(Array.from(clean.x));
  });
});

describe('digits from raw images', () => {
  /** 50 fake 28×28 "digits": image k has every pixel k/100 and label k mod 10. */
  const raw: DigitImages = {
    pixels: Float32Array.from({ length: 50 * 784 }, (_, p) => Math.floor(p / 784) / 100),
    labels: Uint8Array.from({ length: 50 }, (_, k) => k % 10),
    count: 50,
    side: 28,
  };

  it('draws distinct images without replacement, each with its own label', () => {
    const data = makeDigits(raw, 40, new Rng(1));
    expect(data.features).toBe(784);
    expect(data.classes).toBe(10);
    const drawn = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const image = Math.round(data.x[i * 784]! * 100);
      expect(data.x[i * 784 + 783]).toBe(data.x[i * 784]);
      expect(data.labels[i]).toBe(image % 10);
      drawn.add(image);
    }
    expect(drawn.size).toBe(40);
  });

  it('is deterministic given the seed; another seed draws another order', () => {
    const a = makeDigits(raw, 30, new Rng(4));
    expect(Array.from(makeDigits(raw, 30, new Rng(4)).x)).toEqual(Array.from(a.x));
    expect(Array.from(makeDigits(raw, 30, new Rng(5)).labels)).not.toEqual(Array.from(a.labels));
  });
});
