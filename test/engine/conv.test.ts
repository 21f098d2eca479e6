/** Conv, pooling, flatten, global average pooling and channel BatchNorm: shapes, a direct convolution, gradients. */
import { describe, expect, it } from 'vitest';
import type { LayerConfig, LossName, Shape } from '../../src/engine/config';
import { axisGeometry, convTileSamples } from '../../src/engine/layers/conv-geometry';
import type { ConvLayer } from '../../src/engine/layers/conv';
import { chainOutputShape } from '../../src/engine/layers/shapes';
import { MeasuringArena } from '../../src/engine/arena';
import { Model } from '../../src/engine/model';
import { Rng } from '../../src/engine/rng';
import { batchNorm, conv, flatten, globalAvgPool, pool } from './conv-helpers';
import { buildModel, checkGradients, dense, fillBatch, modelConfig } from './helpers';
import type { CheckOptions } from './helpers';

function shapedModel(inputShape: Shape, layers: LayerConfig[], loss: LossName = 'mse', batch = 2, seed = 5): Model {
  const input = inputShape.reduce((a, b) => a * b, 1);
  const model = buildModel(modelConfig(input, layers, loss, { inputShape }), batch);
  fillBatch(model, seed);
  return model;
}

function expectGradients(model: Model, options: CheckOptions = {}): void {
  const report = checkGradients(model, options);
  expect(report.checked).toBeGreaterThan(0);
  expect(report.mismatches).toEqual([]);
  for (const [tensor, error] of Object.entries(report.relativeErrors)) expect(error, tensor).toBeLessThan(1e-2);
}

describe('window geometry', () => {
  it('same padding gives ceil(L/s) outputs with TF padding (the odd one on the far side)', () => {
    for (const [L, k, s, d] of [
      [7, 3, 2, 1],
      [8, 3, 2, 1],
      [5, 2, 1, 1],
      [9, 3, 1, 2],
      [6, 4, 3, 1],
    ] as const) {
      const { out, padBefore } = axisGeometry(L, k, s, d, 'same');
      expect(out).toBe(Math.ceil(L / s));
      const total = Math.max((out - 1) * s + d * (k - 1) + 1 - L, 0);
      expect(padBefore).toBe(Math.floor(total / 2));
    }
  });

  it('valid padding gives floor((L − d(k−1) − 1)/s) + 1 outputs', () => {
    expect(axisGeometry(28, 5, 1, 1, 'valid').out).toBe(24);
    expect(axisGeometry(9, 3, 2, 2, 'valid').out).toBe(3);
  });

  it('a chain reports shapes as PyTorch would', () => {
    const layers = [conv(6, [5, 5]), pool('maxpool', [2, 2]), conv(16, [5, 5]), pool('maxpool', [2, 2]), flatten()];
    expect(chainOutputShape(layers, [1, 28, 28])).toEqual([256]);
    expect(chainOutputShape([conv(4, [3], { stride: [2], padding: 'same' }), globalAvgPool()], [2, 9])).toEqual([4]);
    expect(() => chainOutputShape([conv(4, [3, 3])], [2, 9])).toThrow(/needs \[channels, height, width\]/);
  });
});

/** z[s][f][oy][ox] by the definition, with explicit zero padding. */
function directConv2d(
  x: Float32Array,
  w: Float32Array,
  b: Float32Array,
  shape: { s: number; c: number; h: number; wd: number; f: number; k: number; stride: number; dil: number },
  pad: { top: number; left: number; oh: number; ow: number },
): Float64Array {
  const { s, c, h, wd, f, k, stride, dil } = shape;
  const out = new Float64Array(s * f * pad.oh * pad.ow);
  let o = 0;
  for (let n = 0; n < s; n++)
    for (let ff = 0; ff < f; ff++)
      for (let oy = 0; oy < pad.oh; oy++)
        for (let ox = 0; ox < pad.ow; ox++, o++) {
          let sum = b[ff]!;
          for (let cc = 0; cc < c; cc++)
            for (let i = 0; i < k; i++)
              for (let j = 0; j < k; j++) {
                const iy = oy * stride - pad.top + i * dil;
                const ix = ox * stride - pad.left + j * dil;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                sum += w[((ff * c + cc) * k + i) * k + j]! * x[((n * c + cc) * h + iy) * wd + ix]!;
              }
          out[o] = sum;
        }
  return out;
}

describe('conv2d forward', () => {
  it('matches the definition (same padding, stride 2, dilation 2)', () => {
    const layer = conv(3, [3, 3], { stride: [2, 2], dilation: [2, 2], padding: 'same', biasInit: 0.3 });
    const model = shapedModel([2, 7, 6], [layer, flatten()], 'mse', 3);
    model.forward(false);
    const c = model.layers[0] as ConvLayer;
    const g = c.geometry;
    expect([g.outHeight, g.outWidth]).toEqual([4, 3]);
    const want = directConv2d(
      model.input,
      c.weight.data,
      c.bias.data,
      { s: 3, c: 2, h: 7, wd: 6, f: 3, k: 3, stride: 2, dil: 2 },
      { top: g.padTop, left: g.padLeft, oh: 4, ow: 3 },
    );
    // 'same' here pads 2 rows on top: (4−1)·2 + 5 − 7 = 4 in total.
    expect(g.padTop).toBe(2);
    for (let i = 0; i < want.length; i++) expect(c.output[i]).toBeCloseTo(want[i]!, 5);
  });

  it('initialises with PyTorch fans (fan_in = C·k·k, fan_out = filters·k·k)', () => {
    const layer = conv(8, [3, 3], { init: { name: 'glorot_uniform', scale: 1 } });
    const model = shapedModel([4, 6, 6], [layer]);
    const w = (model.layers[0] as ConvLayer).weight.data;
    const bound = Math.sqrt(6 / (4 * 9 + 8 * 9));
    const max = w.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(max).toBeLessThanOrEqual(bound);
    // 288 draws from U(−a, a): the largest is within 5% of a (and a Linear-style fan_out = 8 would allow 0.35).
    expect(max).toBeGreaterThan(0.95 * bound);
  });

  it('reports a filter dead when its pre-activation is ≤ 0 everywhere', () => {
    const layer = conv(3, [2, 2], { activation: 'relu' });
    const model = shapedModel([1, 4, 4], [layer, flatten()], 'mse', 2);
    const c = model.layers[0] as ConvLayer;
    c.weight.data.fill(0.1);
    c.weight.data.fill(0, 4, 8);
    c.bias.data.set([0, -1, 0]);
    model.input.fill(1);
    model.forward(false);
    expect(Array.from(c.deadChannels())).toEqual([0, 1, 0]);
  });
});

describe('gradients (central differences)', () => {
  const smooth: CheckOptions = { h: 1e-2 };
  it('conv2d valid, tanh', () => {
    expectGradients(shapedModel([2, 5, 5], [conv(3, [3, 3], { activation: 'tanh' }), flatten(), dense(2)]), smooth);
  });
  it('conv2d same, stride 2', () => {
    const layers = [conv(3, [3, 3], { stride: [2, 2], padding: 'same', activation: 'tanh' }), flatten(), dense(2)];
    expectGradients(shapedModel([2, 6, 5], layers), smooth);
  });
  it('conv2d dilation 2, rectangular kernel, stride [1, 2]', () => {
    const layers = [conv(2, [2, 3], { stride: [1, 2], dilation: [2, 2], activation: 'sigmoid' }), flatten(), dense(2)];
    expectGradients(shapedModel([2, 6, 7], layers), smooth);
  });
  it('conv1d same, stride 2, dilation 2', () => {
    const layers = [conv(3, [3], { stride: [2], dilation: [2], padding: 'same', activation: 'tanh' }), flatten()];
    expectGradients(shapedModel([2, 9], layers), smooth);
  });
  it('conv1d valid into a second conv (input gradient through col2im)', () => {
    const layers = [conv(3, [3], { activation: 'tanh' }), conv(2, [2], { stride: [2] }), flatten(), dense(1)];
    expectGradients(shapedModel([2, 8], layers), smooth);
  });
  it('maxpool 2d valid and same (odd size)', () => {
    const layers = [conv(2, [2, 2]), pool('maxpool', [2, 2]), pool('maxpool', [2, 2], { padding: 'same' }), flatten()];
    // A small step keeps every window's winner from changing.
    expectGradients(shapedModel([1, 7, 7], layers), { h: 1e-3 });
  });
  it('maxpool 1d with stride below the window', () => {
    // Seed 6: no two inputs of a window within the step of each other (seed 5 has a near tie).
    const model = shapedModel([2, 9], [pool('maxpool', [3], { stride: [2] }), flatten(), dense(2)], 'mse', 2, 6);
    expectGradients(model, { h: 1e-3 });
  });
  it('avgpool 2d same (edge windows divide by their real elements) and 1d valid', () => {
    const layers2d = [pool('avgpool', [3, 3], { stride: [2, 2], padding: 'same' }), flatten(), dense(2)];
    expectGradients(shapedModel([2, 5, 6], layers2d), smooth);
    expectGradients(shapedModel([2, 7], [pool('avgpool', [2]), flatten(), dense(2)]), smooth);
  });
  it('global average pooling', () => {
    expectGradients(shapedModel([3, 4, 3], [conv(2, [2, 2], { activation: 'tanh' }), globalAvgPool(), dense(2)]));
  });
  it('channel BatchNorm after conv2d and conv1d (training mode)', () => {
    const layers2d = [conv(3, [2, 2]), batchNorm(), { ...conv(2, [2, 2], { activation: 'tanh' }) }, flatten()];
    expectGradients(shapedModel([2, 4, 4], layers2d, 'mse', 3), smooth);
    expectGradients(shapedModel([2, 6], [batchNorm(), conv(2, [3], { activation: 'tanh' }), flatten()], 'mse', 3));
  });
  it('crossentropy on a small CNN with relu and a dense softmax head', () => {
    const layers = [
      conv(3, [3, 3], { activation: 'relu', padding: 'same' }),
      pool('avgpool', [2, 2]),
      flatten(),
      dense(3, 'softmax'),
    ];
    expectGradients(shapedModel([1, 4, 4], layers, 'crossentropy', 3), { h: 1e-3 });
  });
});

describe('channel BatchNorm statistics', () => {
  it('normalises each channel over batch × positions and keeps the unbiased running variance', () => {
    const model = shapedModel([2, 3], [batchNorm()], 'mse', 2);
    model.input.set([1, 2, 3, 10, 20, 30, 5, 6, 7, 40, 50, 60]);
    model.forward(true);
    const bn = model.layers[0]!;
    // Channel 0 holds 1, 2, 3, 5, 6, 7: mean 4, biased var 14/3 → normalised 1 = −3/√(14/3 + 1e-5).
    expect(bn.output[0]).toBeCloseTo(-3 / Math.sqrt(14 / 3 + 1e-5), 5);
    const state = bn.state!;
    expect(state.runningMean![0]).toBeCloseTo(0.1 * 4, 5);
    // unbiased: 28/5
    expect(state.runningVar![0]).toBeCloseTo(0.9 + 0.1 * (28 / 5), 5);
    expect(bn.params[0]!.data.length).toBe(2);
  });
});

describe('im2col tiles', () => {
  it('a batch split into several tiles gives the per-sample gradients (mean over the batch)', () => {
    // 4·3·3 kernel rows × 64·64 positions: 147,456 floats a sample, so 7 samples a tile and batch 9 takes two.
    expect(convTileSamples(9, 4 * 9, 64 * 64)).toBe(7);
    const layers = [conv(2, [3, 3], { padding: 'same', activation: 'tanh' }), globalAvgPool()];
    const batch = shapedModel([4, 64, 64], layers, 'mse', 9);
    batch.forward(true);
    batch.computeLoss();
    batch.backward();
    const single = shapedModel([4, 64, 64], layers, 'mse', 1);
    const [w, b] = single.parameters();
    const sums = [new Float64Array(w!.grad.length), new Float64Array(b!.grad.length)];
    const width = single.inputWidth;
    for (let s = 0; s < 9; s++) {
      single.input.set(batch.input.subarray(s * width, (s + 1) * width));
      single.target.set(batch.target.subarray(s * 2, (s + 1) * 2));
      single.forward(true);
      single.computeLoss();
      single.backward();
      w!.grad.forEach((g, i) => (sums[0]![i] = sums[0]![i]! + g / 9));
      b!.grad.forEach((g, i) => (sums[1]![i] = sums[1]![i]! + g / 9));
      for (let i = 0; i < width; i += 97)
        expect(batch.inputGrad[s * width + i]).toBeCloseTo(single.inputGrad[i]! / 9, 7);
    }
    batch.parameters().forEach((p, k) => {
      const scale = Math.max(...Array.from(sums[k]!, Math.abs));
      p.grad.forEach((g, i) => expect(Math.abs(g - sums[k]![i]!)).toBeLessThan(1e-4 * scale));
    });
  });
});

describe('evaluation and skipped input gradients', () => {
  it('channel BatchNorm evaluates with its running statistics per channel', () => {
    const model = shapedModel([2, 3], [batchNorm()], 'mse', 2);
    model.input.set([1, 2, 3, 10, 20, 30, 5, 6, 7, 40, 50, 60]);
    model.forward(true);
    model.forward(false);
    const { runningMean, runningVar } = model.layers[0]!.state!;
    for (let i = 0; i < 12; i++) {
      const c = Math.floor(i / 3) % 2;
      const want = (model.input[i]! - runningMean![c]!) / Math.sqrt(runningVar![c]! + 1e-5);
      expect(model.layers[0]!.output[i]).toBeCloseTo(want, 4);
    }
  });

  it('a first conv layer skips ∂loss/∂input in training with the same parameter gradients', () => {
    const layers = [conv(3, [3, 3], { activation: 'tanh', padding: 'same' }), flatten(), dense(2)];
    const input = 2 * 5 * 5;
    const config = modelConfig(input, layers, 'mse', { inputShape: [2, 5, 5] });
    const full = buildModel(config, 3);
    const arena = new MeasuringArena();
    const options = { batchSize: 3, arena, initRng: new Rng(7), dropoutRng: new Rng(8) };
    const skipping = new Model(config, { ...options, inputGradient: false });
    expect(skipping.inputGrad.length).toBe(0);
    for (const model of [full, skipping]) {
      fillBatch(model, 4);
      model.forward(true);
      model.computeLoss();
      model.backward();
    }
    full.parameters().forEach((p, i) => expect(Array.from(skipping.parameters()[i]!.grad)).toEqual(Array.from(p.grad)));
  });
});

describe('misfits', () => {
  it('throws on a stride with the wrong number of axes and on a window larger than its input', () => {
    expect(() => chainOutputShape([conv(2, [3, 3], { stride: [2] })], [1, 8, 8])).toThrow(/one entry per spatial/);
    expect(() => chainOutputShape([pool('maxpool', [5])], [1, 4])).toThrow(/larger than its input/);
  });
});
