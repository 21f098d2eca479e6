/**
 * The per-step equations of the recurrent layers (PyTorch's nn.RNN / nn.LSTM / nn.GRU), forward and backward side
 * by side. A cell works on one step's views for the whole batch; the layer (recurrent.ts) does the matrix products
 * around it: z = x_t·W_ihᵀ + b_ih (+ h_{t−1}·W_hhᵀ + b_hh, except GRU) before forward, and after backward
 * dW, db and ∂loss/∂h_{t−1} from dz / dzh.
 */
import { sigmoidScalar, type ActivationOp } from '../activations';

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

/** LSTM (Hochreiter & Schmidhuber 1997, PyTorch's form): c_t = f⊙c_{t−1} + i⊙g, h_t = o⊙tanh(c_t). */
export const LSTM_CELL: Cell = {
  gates: 4,
  gateNames: ['input', 'forget', 'cell', 'output'],
  carriesHidden: false,
  forward(v, batch, units) {
    const { z, gate, cPrev, c, tanhC, h } = v;
    const H = units;
    for (let b = 0; b < batch; b++) {
      const base = 4 * H * b;
      for (let j = 0, k = b * H; j < H; j++, k++) {
        const i = sigmoidScalar(z[base + j]!);
        const f = sigmoidScalar(z[base + H + j]!);
        const g = Math.tanh(z[base + 2 * H + j]!);
        const o = sigmoidScalar(z[base + 3 * H + j]!);
        gate[base + j] = i;
        gate[base + H + j] = f;
        gate[base + 2 * H + j] = g;
        gate[base + 3 * H + j] = o;
        c[k] = f * cPrev[k]! + i * g;
        tanhC[k] = Math.tanh(c[k]!);
        h[k] = o * tanhC[k]!;
      }
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

/**
 * GRU (Cho et al. 2014, PyTorch's form): r = σ(·), z = σ(·), n = tanh(x_n + r⊙(W_hn h + b_hn)),
 * h_t = (1 − z)⊙n + z⊙h_{t−1}. `z` holds the x-parts on entry; `zh` the h-parts.
 */
export const GRU_CELL: Cell = {
  gates: 3,
  gateNames: ['reset', 'update', 'new'],
  carriesHidden: true,
  forward(v, batch, units) {
    const { z, zh, gate, hPrev, h } = v;
    const H = units;
    for (let b = 0; b < batch; b++) {
      const base = 3 * H * b;
      for (let j = 0, k = b * H; j < H; j++, k++) {
        const zr = z[base + j]! + zh[base + j]!;
        const zu = z[base + H + j]! + zh[base + H + j]!;
        const r = sigmoidScalar(zr);
        const u = sigmoidScalar(zu);
        const zn = z[base + 2 * H + j]! + r * zh[base + 2 * H + j]!;
        const n = Math.tanh(zn);
        z[base + j] = zr;
        z[base + H + j] = zu;
        z[base + 2 * H + j] = zn;
        gate[base + j] = r;
        gate[base + H + j] = u;
        gate[base + 2 * H + j] = n;
        h[k] = (1 - u) * n + u * hPrev[k]!;
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
