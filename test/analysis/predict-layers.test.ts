/**
 * Mean-field prediction of conv, pooling, LayerNorm and recurrent layers against closed forms worked out by hand
 * (and order statistics / Gaussian integrals computed independently here).
 */
import { describe, expect, it } from 'vitest';
import { detectPredicted } from '../../src/analysis/detect-predicted';
import { predictGradientFlow, type LayerPrediction } from '../../src/analysis/predict';
import { DEFAULT_THRESHOLDS } from '../../src/analysis/thresholds';
import { convGeometry } from '../../src/analysis/predict-spatial';
import { axisGeometry } from '../../src/engine/layers/conv-geometry';
import type { ActivationName, ConvConfig, InitConfig, LayerConfig, ModelConfig } from '../../src/engine/config';

const act = (name: ActivationName) => ({ name, alpha: 1 });
const init = (name: InitConfig['name'], scale = 1): InitConfig => ({ name, scale });

function model(inputShape: number[], layers: LayerConfig[]): ModelConfig {
  return {
    input: inputShape.reduce((a, b) => a * b, 1),
    inputShape,
    layers,
    loss: 'mse',
    optimizer: { type: 'sgd', lr: 0.01, momentum: 0, nesterov: false, beta1: 0.9, beta2: 0.999, eps: 1e-8, rho: 0.9 },
    training: { steps: 1, batchSize: 32, seed: 1, weightDecay: 0, clipNorm: null, clipValue: null, recordEvery: 1 },
  };
}

function conv(i: number, filters: number, activation: ActivationName, padding: 'valid' | 'same', k = 3): LayerConfig {
  return {
    kind: 'conv2d',
    path: `/layers/${i}`,
    filters,
    kernel: [k, k],
    stride: [1, 1],
    dilation: [1, 1],
    padding,
    activation: act(activation),
    init: init('he_normal'),
    biasInit: 0,
  };
}

const dense = (i: number, units: number, activation: ActivationName = 'linear'): LayerConfig => ({
  kind: 'dense',
  path: `/layers/${i}`,
  units,
  activation: act(activation),
  init: init('he_normal'),
  biasInit: 0,
});

function rnn(
  kind: 'simple_rnn' | 'lstm' | 'gru',
  units: number,
  activation: ActivationName,
  recurrentInit: InitConfig,
  returnSequences = false,
): LayerConfig {
  return {
    kind,
    path: '/layers/0',
    units,
    activation: act(activation),
    init: init('glorot_uniform'),
    recurrentInit,
    biasInit: 0,
    forgetBias: 1,
    returnSequences,
  };
}

function layerAt(layers: LayerPrediction[], path: string): LayerPrediction {
  return layers.find((l) => l.path === path)!;
}

/** Standard normal density and distribution (Φ by a 20,000-step midpoint rule from −12: slow and independent). */
function phi(u: number): number {
  return Math.exp(-0.5 * u * u) / Math.sqrt(2 * Math.PI);
}

/** E[Z_(n)²] of the largest of n standard normals, by the midpoint rule over its density n·ϕ·Φⁿ⁻¹. */
function maxSecondMoment(n: number): number {
  const h = 1e-3;
  let cdf = 0;
  let m2 = 0;
  for (let u = -12; u < 12; u += h) {
    const mid = u + h / 2;
    // Φ at the midpoint: everything below u plus half of this cell.
    const atMid = cdf + (phi(mid) * h) / 2;
    m2 += mid * mid * n * phi(mid) * Math.pow(atMid, n - 1) * h;
    cdf += phi(mid) * h;
  }
  return m2;
}

const sigmoid = (u: number) => 1 / (1 + Math.exp(-u));

describe('conv geometry', () => {
  it('output lengths as PyTorch (valid) and Keras (same: the extra pad after)', () => {
    expect(axisGeometry(28, 3, 1, 1, 'valid')).toEqual({ out: 26, padBefore: 0 });
    expect(axisGeometry(28, 3, 2, 1, 'valid')).toEqual({ out: 13, padBefore: 0 });
    expect(axisGeometry(28, 5, 1, 2, 'valid').out).toBe(20);
    expect(axisGeometry(28, 3, 1, 1, 'same')).toEqual({ out: 28, padBefore: 1 });
    expect(axisGeometry(7, 2, 2, 1, 'same')).toEqual({ out: 4, padBefore: 0 });
  });

  it('in-bounds tap fraction: 1 for valid; (10/12)² for a 3×3 same conv on 4×4', () => {
    const layer = conv(0, 8, 'relu', 'same') as ConvConfig;
    expect(convGeometry(layer, [3, 4, 4]).inBounds).toBeCloseTo((10 / 12) ** 2, 12);
    expect(convGeometry({ ...layer, padding: 'valid' }, [3, 4, 4]).inBounds).toBe(1);
    expect(convGeometry(layer, [3, 4, 4]).fanIn).toBe(27);
  });
});

describe('conv and pooling prediction', () => {
  it('a valid He-ReLU conv is a dense layer with fan_in = C·k²: q = 2·E[x²], χ = 1', () => {
    const p = predictGradientFlow(
      model([3, 8, 8], [conv(0, 16, 'relu', 'valid'), { kind: 'flatten', path: '/layers/1' }, dense(2, 1)]),
      {
        inputVariance: 0.5,
      },
    );
    const c = layerAt(p.layers, '/layers/0');
    expect(c.weightVariance).toBe(2);
    expect(c.preActivationVariance).toBeCloseTo(2 * 0.5, 12);
    expect(c.gain).toBeCloseTo(1, 12);
    expect(c.saturatedFraction).toBeCloseTo(0.5, 6); // half the ReLU pre-activations ≤ 0
  });

  it("'same' padding scales q and χ by the in-bounds fraction", () => {
    const p = predictGradientFlow(
      model([3, 4, 4], [conv(0, 8, 'linear', 'same'), { kind: 'flatten', path: '/layers/1' }, dense(2, 1)]),
    );
    const c = layerAt(p.layers, '/layers/0');
    const rho = (10 / 12) ** 2;
    expect(c.preActivationVariance).toBeCloseTo(2 * rho, 12);
    expect(c.gain).toBeCloseTo(2 * rho, 12);
  });

  it('avgpool: gradient gain 1/window, variance ÷ window; global average: ÷ positions', () => {
    const layers: LayerConfig[] = [
      conv(0, 8, 'linear', 'valid'),
      { kind: 'avgpool', path: '/layers/1', pool: [2, 2], stride: [2, 2], padding: 'valid' },
      { kind: 'global_avgpool', path: '/layers/2' },
      dense(3, 1),
    ];
    const p = predictGradientFlow(model([2, 10, 10], layers)); // conv → 8×8×8, pool → 8×4×4, GAP → 8
    const q = layerAt(p.layers, '/layers/0').preActivationVariance;
    expect(layerAt(p.layers, '/layers/1').gain).toBe(1 / 4);
    expect(layerAt(p.layers, '/layers/1').preActivationVariance).toBeCloseTo(q / 4, 12);
    expect(layerAt(p.layers, '/layers/2').gain).toBe(1 / 16);
    expect(layerAt(p.layers, '/layers/2').preActivationVariance).toBeCloseTo(q / 64, 12);
  });

  it('maxpool: gradient gain 1; E[y²] = q·E[Z_(4)²] for a 2×2 window of a linear conv', () => {
    const layers: LayerConfig[] = [
      conv(0, 8, 'linear', 'valid'),
      { kind: 'maxpool', path: '/layers/1', pool: [2, 2], stride: [2, 2], padding: 'valid' },
      { kind: 'flatten', path: '/layers/2' },
      dense(3, 1),
    ];
    const p = predictGradientFlow(model([2, 10, 10], layers));
    const q = layerAt(p.layers, '/layers/0').preActivationVariance;
    const pool = layerAt(p.layers, '/layers/1');
    expect(pool.gain).toBe(1);
    const e = maxSecondMoment(4);
    expect(e).toBeGreaterThan(1.5); // E[Z_(4)] ≈ 1.029, Var ≈ 0.492
    // preActivationVariance is the variance: E[y²] − E[y]², with E[y] = √q·E[Z_(4)].
    const mean = Math.sqrt(q) * 1.0293754;
    expect(pool.preActivationVariance + mean * mean).toBeCloseTo(q * e, 3);
  });
});

describe('LayerNorm prediction', () => {
  it('renormalises to E[y²] ≈ 1 and gains (1 − 2/n)/v backward', () => {
    // He-ReLU dense of 4096 units on E[x²] = 1: q = 2, E[h²] = 1, E[h] = √(q/2π) → v = 1 − 1/π.
    const p = predictGradientFlow(
      model([16], [dense(0, 4096, 'relu'), { kind: 'layernorm', path: '/layers/1', eps: 1e-5 }, dense(2, 1)]),
    );
    const ln = layerAt(p.layers, '/layers/1');
    const v = 1 - 1 / Math.PI;
    expect(ln.gain).toBeCloseTo((1 - 2 / 4096) / (v + 1e-5), 2);
    expect(ln.preActivationVariance).toBeCloseTo(v / (v + 1e-5), 4);
  });
});

describe('recurrent prediction', () => {
  const seq = (layers: LayerConfig[], steps: number, features = 2, inputVariance = 1) =>
    predictGradientFlow(model([steps, features], [...layers, dense(1, 1)]), { inputVariance });

  it('linear simple_rnn, orthogonal gain g: ‖∂L/∂h_0‖/‖∂L/∂h_{T−1}‖ = g^{T−1} exactly (vanishing and exploding)', () => {
    for (const g of [0.8, 1, 1.2]) {
      const p = seq([rnn('simple_rnn', 64, 'linear', init('orthogonal', g))], 30);
      const flow = layerAt(p.layers, '/layers/0').recurrent!;
      expect(flow.timeRatio).toBeCloseTo(g ** 29, 10);
      expect(flow.stepGain).toBeCloseTo(g, 10);
    }
  });

  it('tanh simple_rnn: the per-step gain √(σ_u²·E[tanh′(z)²]) at the fixed point of q = σ_w²·m_x + σ_u²·E[tanh²]', () => {
    // Independent fixed point by midpoint integration, 2 input features, 1e6 units (no typical-value shift).
    const units = 1_000_000;
    const sw2 = (2 * 2) / (2 + units);
    const expect2 = (f: (u: number) => number, v: number) => {
      let s = 0;
      const h = 1e-3;
      for (let x = -10; x < 10; x += h) s += f(Math.sqrt(v) * (x + h / 2)) * phi(x + h / 2) * h;
      return s;
    };
    let mh = 0;
    const steps = 20;
    let logRatio = 0;
    for (let t = 0; t < steps; t++) {
      const q = sw2 + mh;
      mh = expect2((u) => Math.tanh(u) ** 2, q);
      if (t > 0) logRatio += 0.5 * Math.log(expect2((u) => (1 - Math.tanh(u) ** 2) ** 2, q));
    }
    const p = seq([rnn('simple_rnn', units, 'tanh', init('orthogonal', 1))], steps);
    expect(Math.log(layerAt(p.layers, '/layers/0').recurrent!.timeRatio)).toBeCloseTo(logRatio, 4);
  });

  it('a Gaussian recurrent kernel vanishes faster than an orthogonal one of the same σ_u² (typical value)', () => {
    const orthogonal = seq([rnn('simple_rnn', 16, 'tanh', init('orthogonal', 1))], 40);
    const gaussian = seq([rnn('simple_rnn', 16, 'tanh', init('normal', 0.25))], 40); // Var 1/16 → σ_u² = 1
    const o = layerAt(orthogonal.layers, '/layers/0').recurrent!.timeRatio;
    const g = layerAt(gaussian.layers, '/layers/0').recurrent!.timeRatio;
    expect(g).toBeLessThan(o);
  });

  it('returnSequences: every step has its own gradient, so the ratio is √Σ g^{2t}', () => {
    const p = seq([rnn('simple_rnn', 64, 'linear', init('orthogonal', 0.9), true)], 10);
    const expected = Math.sqrt(Array.from({ length: 10 }, (_, t) => 0.81 ** t).reduce((a, b) => a + b, 0));
    expect(layerAt(p.layers, '/layers/0').recurrent!.timeRatio).toBeCloseTo(expected, 10);
  });

  it('LSTM with zero input: the carry E[f] = σ(forgetBias) plus the path through U, as amplitudes (closed form)', () => {
    // x = 0 and h₀ = 0 keep every pre-activation at its bias: i = o = ½, f = σ(1), g = 0, c = 0, h = 0, tanh′ = 1.
    // Amplitudes: D = dc + o·dh; dc' = f·D; dh' = σ_u·i·g′·D — the map [[f, f/2], [½, ¼]] = [f; ½]·[1, ½] has
    // rank 1, so its power k is λ^{k−1}·M with λ = f + ¼, and from (0, 1): dh_0 = ¼·λ^{T−2}.
    const p = seq([rnn('lstm', 32, 'tanh', init('orthogonal', 1))], 25, 2, 0);
    const flow = layerAt(p.layers, '/layers/0').recurrent!;
    const f = sigmoid(1);
    expect(flow.carryGain).toBeCloseTo(f, 6);
    expect(flow.stepGain).toBeCloseTo(f + 0.25, 6);
    expect(flow.timeRatio).toBeCloseTo(0.25 * (f + 0.25) ** 23, 6);
  });

  it('GRU with zero input: the update gate carries E[z] = ½, the new gate adds σ_u·E[r]·E[1 − z]·n′(0) = ¼', () => {
    const p = seq([rnn('gru', 32, 'tanh', init('orthogonal', 1))], 25, 2, 0);
    const flow = layerAt(p.layers, '/layers/0').recurrent!;
    expect(flow.carryGain).toBeCloseTo(0.5, 6);
    expect(flow.stepGain).toBeCloseTo(0.75, 6);
    expect(flow.timeRatio).toBeCloseTo(0.75 ** 24, 8);
  });

  it('the recurrent layer has a weight-gradient prediction and passes its input gain to the layers below', () => {
    const p = seq([rnn('simple_rnn', 16, 'tanh', init('orthogonal'))], 20, 4);
    const r = layerAt(p.layers, '/layers/0');
    expect(r.relativeGradNorm).toBeGreaterThan(0);
    expect(Number.isFinite(r.relativeGradNorm)).toBe(true);
    // The input kernel's σ_w² (glorot, fans 4 and 16) times Σ_t E[φ′²]·‖∂L/∂h_t‖²: positive, below σ_w²·T.
    expect(r.gain).toBeGreaterThan(0);
    expect(r.gain).toBeLessThan(((2 * 4) / 20) * 20);
  });

  it('predicted findings through time: vanishing for a 50-step tanh RNN, exploding for gain 1.2, none for gain 1', () => {
    const kinds = (recurrentInit: InitConfig, activation: ActivationName) =>
      detectPredicted(seq([rnn('simple_rnn', 64, activation, recurrentInit)], 50), DEFAULT_THRESHOLDS).map(
        (f) => f.kind,
      );
    expect(kinds(init('orthogonal', 1), 'tanh')).toContain('vanishing-through-time');
    expect(kinds(init('orthogonal', 1.2), 'linear')).toContain('exploding-through-time');
    const healthy = kinds(init('orthogonal', 1), 'linear');
    expect(healthy.filter((k) => k.endsWith('through-time'))).toEqual([]);
  });
});
