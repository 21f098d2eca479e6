/**
 * Checks whose expected values come from the spec text and from what the user was promised on screen (a quick
 * fix's title, a diagnostic's own threshold), never from VGNet's code.
 */
import { expect } from 'vitest';
import type { Problem } from './problems';
import { readSpec, type SpecFacts } from './specs';

const NUMBER = String.raw`\d+(?:\.\d+)?(?:e[-+]?\d+)?`;

/** "…: /layers/3 — <metric> 1.2e-8 (threshold 1.0e-3)…" → the layer, its number and the threshold it crossed. */
export function layerNumberOf(problem: Problem): { pointer: string; value: number; threshold: number } {
  const match = new RegExp(`: (/layers/\\d+(?:/layers/\\d+)*) — .*?(${NUMBER}) \\(threshold (${NUMBER})\\)`).exec(
    problem.message,
  );
  if (!match) throw new Error(`the diagnostic names no layer, number and threshold: "${problem.message}"`);
  return { pointer: match[1]!, value: Number(match[2]), threshold: Number(match[3]) };
}

/** The layers a quick fix promises to change and how: "Switch /layers/0–/layers/14 (15 layers) to ReLU with He init". */
export interface ReluPromise {
  first: number;
  last: number;
}

export function reluPromiseOf(title: string): ReluPromise {
  const match = /^Switch \/layers\/(\d+)(?:–\/layers\/(\d+))?(?: \(\d+ layers\))? to ReLU with He init/.exec(title);
  if (!match) throw new Error(`expected the preferred fix to be the switch to ReLU with He init, got "${title}"`);
  return { first: Number(match[1]), last: Number(match[2] ?? match[1]) };
}

/** The file after the fix: the promised layers are ReLU + He, everything else and every comment as before. */
export function expectReluFixApplied(before: string, after: string, promise: ReluPromise): SpecFacts {
  const old = readSpec(before);
  const fixed = readSpec(after);
  expect(fixed.comments, 'comments kept').toEqual(old.comments);
  expect(fixed.rest, 'keys outside "layers" unchanged').toEqual(old.rest);
  expect(fixed.layers.length, 'same number of layers').toBe(old.layers.length);
  fixed.layers.forEach((layer, i) => {
    const was = old.layers[i]!.value;
    if (i < promise.first || i > promise.last) {
      expect(layer.value, `${layer.pointer} is outside the fix and unchanged`).toEqual(was);
      return;
    }
    expect(layer.value.activation, `${layer.pointer} activation`).toBe('relu');
    expect(String(layer.value.init), `${layer.pointer} init`).toMatch(/^he_/);
    const { activation: _a, init: _i, ...others } = layer.value;
    const { activation: _wa, init: _wi, ...othersBefore } = was;
    expect(others, `${layer.pointer}: only activation and init change`).toEqual(othersBefore);
  });
  return fixed;
}

/** Layer pointers named in the plots legend rows, in order. */
export function legendPointers(rows: string[]): string[] {
  return rows.map((row) => /\/layers\/\d+(?:\/layers\/\d+)*/.exec(row)?.[0] ?? `(no pointer in "${row}")`);
}
