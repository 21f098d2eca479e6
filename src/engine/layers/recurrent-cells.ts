/**
 * The per-step equations of the recurrent layers (PyTorch's nn.RNN / nn.LSTM / nn.GRU), forward and backward side
 * by side. A cell works on one step's views for the whole batch; the layer (recurrent.ts) does the matrix products
 * around it: z = x_t·W_ihᵀ + b_ih (+ h_{t−1}·W_hhᵀ + b_hh, except GRU) before forward, and after backward
 * dW, db and ∂loss/∂h_{t−1} from dz / dzh.
 */
import type { ActivationKernel, ActivationOp, ActivationParams } from '../activations';

/** One step's views into the layer's buffers (built once at build time); [B][G·H] or [B][H], row-major. */
export interface StepViews {
  /**
   * Pre-activations of the gates, [B][G·H]. In: x_t·W_ihᵀ + b_ih (+ h_{t−1}·W_hhᵀ + b_hh for simple_rnn/LSTM).
   * GRU forward completes it in place to the pre-activations the gates see: r, z as x-part + h-part, and
   * n as x-part + r ⊙ h-part (what gate saturation is measured on).
   */
  z: Float32Array;
  /** GRU: h_{t−1}·W_hhᵀ + b_hh, [B][3H] (its n block is needed in backward). Others: the same view as z. */
  zh: Float32Array;
  /** Gate values after their nonlinearity, [B][G·H] (LSTM i f g o, GRU r z n; simple_rnn: unused, = h). */
  gate: Float32Array;
  /** [B][G·H] scratch for the tanh of the whole row (shared by every step; LSTM/GRU). */
  scratch: Float32Array;
  hPrev: Float32Array;
  h: Float32Array;
  /** LSTM: c_{t−1}, c_t and tanh(c_t), [B][H]; the other cells leave them empty. */
  cPrev: Float32Array;
  c: Float32Array;
  tanhC: Float32Array;
  /** ∂loss/∂z, [B][G·H]: the gradient of the input-side pre-activation (x_t·W_ihᵀ + b_ih). */
  dz: Float32Array;
  /** ∂loss/∂(h_{t−1}·W_hhᵀ + b_hh), [B][G·H]: the same view as dz except for GRU (its n block is scaled by r). */
  dzh: Float32Array;
}

export interface Cell {
  /** Gate blocks G in W_ih / W_hh (1, 4, 3). */
  readonly gates: number;
  /** Names of the gate blocks for gateSaturation, in PyTorch's order; empty for simple_rnn. */
  readonly gateNames: readonly string[];
  /** GRU: whether h_{t−1} also enters h_t directly (z ⊙ h_{t−1}), so `carry` is added to ∂loss/∂h_{t−1}. */
  readonly carriesHidden: boolean;
  forward(v: StepViews, batch: number, units: number): void;
  /**
   * From dh = ∂loss/∂h_t (total) writes dz, dzh. `carry` holds what flows to step t−1 besides dzh·W_hh:
   * LSTM ∂loss/∂c (in: from t+1, out: to t−1), GRU dh ⊙ z (out), simple_rnn nothing.
   */
  backward(v: StepViews, dh: Float32Array, carry: Float32Array, batch: number, units: number): void;
}

/** h_t = act(z): the activation kernel of the backend (tanh or relu, PyTorch's nonlinearity). */
export function simpleCell(op: ActivationOp): Cell {
  return {
    gates: 1,
    gateNames: [],
    carriesHidden: false,
    forward(v, batch) {
      op.forward(v.z, v.h, batch);
    },
    backward(v, dh, _carry, batch) {
      op.backward(v.z, v.h, dh, v.dz, batch);
    },
  };
}

/** The backend's sigmoid and tanh pairs: the cells run them over whole [B][G·H] blocks (SIMD on wasm). */
export interface GateKernels {
  sigmoid: ActivationKernel;
  tanh: ActivationKernel;
}

const NO_PARAMS: ActivationParams = { alpha: 0, slopes: null, slopeGrad: null };

/**
 * LSTM (Hochreiter & Schmidhuber 1997, PyTorch's form): c_t = f⊙c_{t−1} + i⊙g, h_t = o⊙tanh(c_t).
 * The nonlinearities run as block kernels: σ and tanh over the whole z row (one of them is wasted on each gate
 * block, still far cheaper than a scalar call per element), tanh over c_t.
 */
export function lstmCell(k: GateKernels): Cell {
  return {
    gates: 4,
    gateNames: ['input', 'forget', 'cell', 'output'],
    carriesHidden: false,
    forward(v, batch, units) {
      const { z, gate, scratch, cPrev, c, tanhC, h } = v;
      const H = units;
      k.sigmoid.forward(z, gate, batch, 4 * H, NO_PARAMS);
      k.tanh.forward(z, scratch, batch, 4 * H, NO_PARAMS);
      for (let b = 0; b < batch; b++) {
        const base = 4 * H * b;
        for (let j = 0, m = b * H; j < H; j++, m++) {
          const g = scratch[base + 2 * H + j]!;
          gate[base + 2 * H + j] = g;
          c[m] = gate[base + H + j]! * cPrev[m]! + gate[base + j]! * g;
        }
      }
      k.tanh.forward(c, tanhC, batch, H, NO_PARAMS);
      for (let b = 0; b < batch; b++) {
        const base = 4 * H * b + 3 * H;
        for (let j = 0, m = b * H; j < H; j++, m++) h[m] = gate[base + j]! * tanhC[m]!;
      }
    },
    // dc = carry + dh⊙o⊙(1 − tanh²c); di = dc⊙g, df = dc⊙c_{t−1}, dg = dc⊙i, do = dh⊙tanh c; carry ← dc⊙f.
    backward(v, dh, carry, batch, units) {
      const { gate, cPrev, tanhC, dz } = v;
      const H = units;
      for (let b = 0; b < batch; b++) {
        const base = 4 * H * b;
        for (let j = 0, k = b * H; j < H; j++, k++) {
          const i = gate[base + j]!;
          const f = gate[base + H + j]!;
          const g = gate[base + 2 * H + j]!;
          const o = gate[base + 3 * H + j]!;
          const tc = tanhC[k]!;
          const dhk = dh[k]!;
          const dc = carry[k]! + dhk * o * (1 - tc * tc);
          dz[base + j] = dc * g * i * (1 - i);
          dz[base + H + j] = dc * cPrev[k]! * f * (1 - f);
          dz[base + 2 * H + j] = dc * i * (1 - g * g);
          dz[base + 3 * H + j] = dhk * tc * o * (1 - o);
          carry[k] = dc * f;
        }
      }
    },
  };
}

/**
 * GRU (Cho et al. 2014, PyTorch's form): r = σ(·), z = σ(·), n = tanh(x_n + r⊙(W_hn h + b_hn)),
 * h_t = (1 − z)⊙n + z⊙h_{t−1}. `z` holds the x-parts on entry; `zh` the h-parts. σ and tanh run as block
 * kernels over the whole row, as in the LSTM.
 */
export function gruCell(k: GateKernels): Cell {
  return {
    gates: 3,
    gateNames: ['reset', 'update', 'new'],
    carriesHidden: true,
    forward(v, batch, units) {
      const { z, zh, gate, scratch, hPrev, h } = v;
      const H = units;
      for (let b = 0; b < batch; b++) {
        const base = 3 * H * b;
        for (let j = base; j < base + 2 * H; j++) z[j] = z[j]! + zh[j]!;
      }
      k.sigmoid.forward(z, gate, batch, 3 * H, NO_PARAMS);
      for (let b = 0; b < batch; b++) {
        const n = 3 * H * b + 2 * H;
        for (let j = 0; j < H; j++) z[n + j] = z[n + j]! + gate[n - 2 * H + j]! * zh[n + j]!;
      }
      k.tanh.forward(z, scratch, batch, 3 * H, NO_PARAMS);
      for (let b = 0; b < batch; b++) {
        const base = 3 * H * b;
        for (let j = 0, m = b * H; j < H; j++, m++) {
          const u = gate[base + H + j]!;
          const n = scratch[base + 2 * H + j]!;
          gate[base + 2 * H + j] = n;
          h[m] = (1 - u) * n + u * hPrev[m]!;
        }
      }
    },
    // dn = dh⊙(1 − z)⊙(1 − n²); dz = dh⊙(h_{t−1} − n)⊙σ'; dr = dn⊙h_n⊙σ'; the h-side of n gets dn⊙r; carry = dh⊙z.
    backward(v, dh, carry, batch, units) {
      const { zh, gate, hPrev, dz, dzh } = v;
      const H = units;
      for (let b = 0; b < batch; b++) {
        const base = 3 * H * b;
        for (let j = 0, k = b * H; j < H; j++, k++) {
          const r = gate[base + j]!;
          const u = gate[base + H + j]!;
          const n = gate[base + 2 * H + j]!;
          const dhk = dh[k]!;
          const dn = dhk * (1 - u) * (1 - n * n);
          const du = dhk * (hPrev[k]! - n) * u * (1 - u);
          const dr = dn * zh[base + 2 * H + j]! * r * (1 - r);
          dz[base + j] = dr;
          dz[base + H + j] = du;
          dz[base + 2 * H + j] = dn;
          dzh[base + j] = dr;
          dzh[base + H + j] = du;
          dzh[base + 2 * H + j] = dn * r;
          carry[k] = dhk * u;
        }
      }
    },
  };
}
