import { describe, expect, it } from 'vitest';
import {
  classificationDataset,
  makeBlobs,
  makeCircles,
  makeMoons,
  makeSine,
  makeSpiral,
  makeTeacherClasses,
  makeTeacherRegression,
  makeXor,
  regressionDataset,
  standardizeColumns,
  type LabelledPoints,
} from '../../src/engine/data';
import { Rng } from '../../src/engine/rng';

function countLabels(labels: Uint32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) counts[label]!++;
  return counts;
}

function columnStats(
  x: ArrayLike<number>,
  rows: number,
  columns: number,
  column: number,
): { mean: number; std: number } {
  let sum = 0;
  for (let r = 0; r < rows; r++) sum += x[r * columns + column]!;
  const mean = sum / rows;
  let squares = 0;
  for (let r = 0; r < rows; r++) squares += (x[r * columns + column]! - mean) ** 2;
  return { mean, std: Math.sqrt(squares / rows) };
}

/** Radius of every 2-D point of a class. */
function radiiOf(points: LabelledPoints, label: number, cx = 0, cy = 0): number[] {
  const radii: number[] = [];
  for (let i = 0; i < points.samples; i++) {
    if (points.labels[i] === label) radii.push(Math.hypot(points.x[2 * i]! - cx, points.x[2 * i + 1]! - cy));
  }
  return radii;
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/** Every 2-class / K-class generator, called the same way, for the shared shape and determinism checks. */
const generators: Record<string, (seed: number) => LabelledPoints> = {
  xor: (seed) => makeXor(300, 0.1, new Rng(seed)),
  circles: (seed) => makeCircles(300, 0.1, new Rng(seed)),
  moons: (seed) => makeMoons(300, 0.1, new Rng(seed)),
  spiral: (seed) => makeSpiral(300, 3, 0.2, new Rng(seed)),
  blobs: (seed) => makeBlobs(300, 5, 4, 0.1, new Rng(seed)),
  teacher: (seed) => makeTeacherClasses(300, 6, 3, 0.1, new Rng(seed)),
};

describe('labelled generators: shapes and determinism', () => {
  for (const [name, make] of Object.entries(generators)) {
    it(`${name}: shapes, labels in range, finite values`, () => {
      const points = make(1);
      expect(points.samples).toBe(300);
      expect(points.x.length).toBe(300 * points.features);
      expect(points.labels.length).toBe(300);
      expect(Math.max(...points.labels)).toBeLessThan(points.classes);
      expect(points.x.every(Number.isFinite)).toBe(true);
      // every class is used
      expect(countLabels(points.labels, points.classes).every((count) => count > 0)).toBe(true);
    });
    it(`${name}: same seed gives the same data, another seed different data`, () => {
      const a = make(7);
      const b = make(7);
      const c = make(8);
      expect(Array.from(a.x)).toEqual(Array.from(b.x));
      expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
      expect(Array.from(a.x)).not.toEqual(Array.from(c.x));
    });
  }
});

describe('xor', () => {
  it('labels the sign of x·y, points in [-1, 1]² without noise, balanced classes', () => {
    const points = makeXor(4000, 0, new Rng(3));
    for (let i = 0; i < points.samples; i++) {
      const a = points.x[2 * i]!;
      const b = points.x[2 * i + 1]!;
      expect(Math.abs(a)).toBeLessThanOrEqual(1);
      expect(Math.abs(b)).toBeLessThanOrEqual(1);
      expect(points.labels[i]).toBe(a * b > 0 ? 1 : 0);
    }
    const [zeros, ones] = countLabels(points.labels, 2);
    expect(Math.abs(ones! - zeros!)).toBeLessThan(0.1 * points.samples); // 4000 fair coin flips: sd ≈ 63
    // uniform on [-1, 1]: variance 1/3
    expect(columnStats(points.x, points.samples, 2, 0).std).toBeCloseTo(Math.sqrt(1 / 3), 1);
  });
  it('noise jitters the points but keeps the clean labels', () => {
    const clean = makeXor(500, 0, new Rng(4));
    const noisy = makeXor(500, 0.2, new Rng(4));
    expect(Array.from(noisy.labels)).toEqual(Array.from(clean.labels));
    const shifts: number[] = [];
    for (let i = 0; i < clean.x.length; i++) shifts.push(noisy.x[i]! - clean.x[i]!);
    const sd = Math.sqrt(mean(shifts.map((s) => s * s)));
    expect(sd).toBeGreaterThan(0.17);
    expect(sd).toBeLessThan(0.23);
  });
});

describe('circles (sklearn make_circles)', () => {
  it('without noise: outer radius 1 (class 0), inner radius 0.5 (class 1), n//2 outer points', () => {
    const points = makeCircles(301, 0, new Rng(1));
    const outer = radiiOf(points, 0);
    const inner = radiiOf(points, 1);
    expect(outer.length).toBe(150);
    expect(inner.length).toBe(151);
    for (const r of outer) expect(r).toBeCloseTo(1, 5);
    for (const r of inner) expect(r).toBeCloseTo(0.5, 5);
  });
  it('with noise the inner radius stays about half the outer one; factor is honoured', () => {
    const points = makeCircles(2000, 0.05, new Rng(2));
    expect(mean(radiiOf(points, 1)) / mean(radiiOf(points, 0))).toBeCloseTo(0.5, 1);
    const small = makeCircles(200, 0, new Rng(2), 0.3);
    for (const r of radiiOf(small, 1)) expect(r).toBeCloseTo(0.3, 5);
  });
  it('angles are spread evenly around the circle (mean point at the centre)', () => {
    const points = makeCircles(400, 0, new Rng(5));
    expect(Math.abs(columnStats(points.x, 400, 2, 0).mean)).toBeLessThan(1e-6);
    expect(Math.abs(columnStats(points.x, 400, 2, 1).mean)).toBeLessThan(1e-6);
  });
  it('rows are shuffled, not stored class by class', () => {
    const points = makeCircles(200, 0, new Rng(6));
    expect(Array.from(points.labels.subarray(0, 100)).some((label) => label === 1)).toBe(true);
  });
});

describe('moons (sklearn make_moons)', () => {
  it('without noise: class 0 on the upper unit half circle, class 1 on the lower one centred at (1, 0.5)', () => {
    const points = makeMoons(200, 0, new Rng(1));
    expect(countLabels(points.labels, 2)).toEqual([100, 100]);
    for (const r of radiiOf(points, 0)) expect(r).toBeCloseTo(1, 5);
    for (const r of radiiOf(points, 1, 1, 0.5)) expect(r).toBeCloseTo(1, 5);
    for (let i = 0; i < points.samples; i++) {
      const y = points.x[2 * i + 1]!;
      if (points.labels[i] === 0) expect(y).toBeGreaterThanOrEqual(-1e-6);
      else expect(y).toBeLessThanOrEqual(0.5 + 1e-6);
    }
    // sklearn's extent: x in [-1, 2], y in [-0.5, 1]
    const xs = Array.from({ length: 200 }, (_, i) => points.x[2 * i]!);
    expect(Math.min(...xs)).toBeCloseTo(-1, 5);
    expect(Math.max(...xs)).toBeCloseTo(2, 5);
  });
});

describe('spiral (CS231n)', () => {
  it('without noise each point sits on its arm: (r sin t, r cos t) with t = 4·class + 4r, r in [0, 1]', () => {
    const points = makeSpiral(300, 3, 0, new Rng(1));
    expect(countLabels(points.labels, 3)).toEqual([100, 100, 100]);
    for (let i = 0; i < points.samples; i++) {
      const px = points.x[2 * i]!;
      const py = points.x[2 * i + 1]!;
      const r = Math.hypot(px, py);
      expect(r).toBeLessThanOrEqual(1 + 1e-6);
      const t = 4 * points.labels[i]! + 4 * r;
      expect(px).toBeCloseTo(r * Math.sin(t), 4);
      expect(py).toBeCloseTo(r * Math.cos(t), 4);
    }
  });
  it('splits uneven sample counts with the remainder on the first classes', () => {
    expect(countLabels(makeSpiral(11, 4, 0.2, new Rng(1)).labels, 4)).toEqual([3, 3, 3, 2]);
  });
});

describe('blobs', () => {
  it('has the requested width, equal class shares and cluster std 0.5 (no noise)', () => {
    const features = 4;
    const points = makeBlobs(3000, features, 3, 0, new Rng(9));
    expect(countLabels(points.labels, 3)).toEqual([1000, 1000, 1000]);
    for (let cls = 0; cls < 3; cls++) {
      const rows: number[] = [];
      for (let i = 0; i < points.samples; i++) {
        if (points.labels[i] === cls) for (let f = 0; f < features; f++) rows.push(points.x[i * features + f]!);
      }
      for (let f = 0; f < features; f++) expect(columnStats(rows, 1000, features, f).std).toBeCloseTo(0.5, 1);
    }
  });
});

describe('sine', () => {
  it('1 feature: y = sin(x) exactly without noise, x in [-π, π]', () => {
    const points = makeSine(500, 1, 0, new Rng(2));
    for (let i = 0; i < 500; i++) {
      const x = points.x[i]!;
      expect(Math.abs(x)).toBeLessThanOrEqual(Math.PI);
      expect(points.targets[i]).toBeCloseTo(Math.sin(x), 5);
    }
  });
  it('d features: y = sin(sum / √d); noise adds residual of that std', () => {
    const points = makeSine(2000, 3, 0.1, new Rng(3));
    const residuals: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const sum = points.x[3 * i]! + points.x[3 * i + 1]! + points.x[3 * i + 2]!;
      residuals.push(points.targets[i]! - Math.sin(sum / Math.sqrt(3)));
    }
    expect(Math.sqrt(mean(residuals.map((r) => r * r)))).toBeCloseTo(0.1, 2);
    expect(points.targetWidth).toBe(1);
  });
});

describe('teacher', () => {
  it('regression: inputs N(0,1), every target column standardised (noise 0)', () => {
    const points = makeTeacherRegression(2000, 5, 3, 0, new Rng(4));
    expect(points.targets.length).toBe(6000);
    for (let f = 0; f < 5; f++) {
      const { mean: m, std } = columnStats(points.x, 2000, 5, f);
      expect(Math.abs(m)).toBeLessThan(0.1);
      expect(std).toBeCloseTo(1, 1);
    }
    for (let k = 0; k < 3; k++) {
      const { mean: m, std } = columnStats(points.targets, 2000, 3, k);
      expect(Math.abs(m)).toBeLessThan(1e-4);
      expect(std).toBeCloseTo(1, 4);
    }
  });
  it('regression targets are a deterministic function of x: same seed, noise 0 → identical targets', () => {
    const a = makeTeacherRegression(100, 3, 2, 0, new Rng(5));
    const b = makeTeacherRegression(100, 3, 2, 0, new Rng(5));
    expect(Array.from(a.targets)).toEqual(Array.from(b.targets));
  });
  it('2 classes from the output sign are roughly balanced; K classes all appear', () => {
    const binary = makeTeacherClasses(2000, 4, 2, 0, new Rng(6));
    const [zeros, ones] = countLabels(binary.labels, 2);
    expect(Math.min(zeros!, ones!)).toBeGreaterThan(0.25 * 2000);
    const multi = makeTeacherClasses(2000, 4, 5, 0, new Rng(6));
    expect(countLabels(multi.labels, 5).every((count) => count > 50)).toBe(true);
  });
});

describe('classificationDataset', () => {
  const points: LabelledPoints = {
    x: new Float32Array([0, 0, 1, 1, 2, 2]),
    samples: 3,
    features: 2,
    labels: new Uint32Array([2, 0, 1]),
    classes: 3,
  };
  it('crossentropy keeps the class index', () => {
    const data = classificationDataset(points, 'crossentropy', 3);
    expect(Array.from(data.y)).toEqual([2, 0, 1]);
    expect(data.targetWidth).toBe(1);
    expect(data.classes).toBe(3);
    expect(data.x).toBe(points.x);
  });
  it('mse with several outputs gets one-hot rows', () => {
    const data = classificationDataset(points, 'mse', 3);
    expect(data.targetWidth).toBe(3);
    expect(Array.from(data.y)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
  });
  it('bce and mse with 1 output keep the 0/1 label; wrong class counts throw', () => {
    const binary = { ...points, labels: new Uint32Array([1, 0, 1]), classes: 2 };
    expect(Array.from(classificationDataset(binary, 'bce', 1).y)).toEqual([1, 0, 1]);
    expect(Array.from(classificationDataset(binary, 'mse', 1).y)).toEqual([1, 0, 1]);
    expect(() => classificationDataset(points, 'bce', 1)).toThrow();
    expect(() => classificationDataset(points, 'mse', 2)).toThrow();
  });
  it('regressionDataset has classes 0 and the targets as y', () => {
    const targets = new Float32Array([3, 4]);
    const data = regressionDataset({ x: new Float32Array(2), samples: 2, features: 1, targets, targetWidth: 1 });
    expect(data.classes).toBe(0);
    expect(Array.from(data.y)).toEqual([3, 4]);
  });
});

describe('standardizeColumns', () => {
  it('z-scores with the population std and leaves a constant column centred', () => {
    const x = new Float32Array([1, 2, 3, 2, 5, 2]); // columns [1,3,5] and [2,2,2]
    const { mean: m, std } = standardizeColumns(x, 3, 2);
    expect(Array.from(m)).toEqual([3, 2]);
    expect(std[0]).toBeCloseTo(Math.sqrt(8 / 3), 6);
    expect(std[1]).toBe(0);
    const s = Math.sqrt(8 / 3);
    expect(Array.from(x).map((v) => Number(v.toFixed(5)))).toEqual(
      [-2 / s, 0, 0, 0, 2 / s, 0].map((v) => Number(v.toFixed(5))),
    );
  });
});
