/**
 * PyTorch as the oracle for the recurrent and LayerNorm layers: a built engine model's parameters and batch go to
 * /usr/bin/python3 as JSON; torch (float64) rebuilds the network from nn.RNN / nn.LSTM / nn.GRU (batch_first),
 * nn.LayerNorm and nn.Linear with those values and returns the MSE loss, every parameter's gradient, ∂loss/∂x and,
 * per recurrent layer, ‖∂loss/∂h_t‖ for every step (from a second, unrolled pass over nn.RNNCell / nn.LSTMCell /
 * nn.GRUCell on the same parameters, with retain_grad on each h_t: nn.LSTM's output gradient alone would miss
 * what reaches h_t through h_{t+1}).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LayerConfig } from '../../src/engine/config';
import type { Model } from '../../src/engine/model';
import { python } from '../bridge/torch';

const DRIVER = String.raw`
import json, sys, torch
torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)

ACT = {"linear": lambda v: v, "tanh": torch.tanh, "relu": torch.relu}
RNN = {"simple_rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
CELL = {"simple_rnn": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}

def tensor(flat, shape):
    return torch.nn.Parameter(torch.tensor(flat, dtype=torch.float64).reshape(shape))

def solve(job):
    values = iter(job["params"])
    B = job["batch"]
    def build(layer, params):
        kind = layer["kind"]
        if kind == "dense":
            w, b = tensor(next(values), layer["w"]), tensor(next(values), [layer["units"]])
            params += [w, b]
            act = ACT[layer["activation"]]
            return lambda h, unrolled, hs: act(h.reshape(B, -1) @ w.t() + b)
        if kind == "layernorm":
            norm = torch.nn.LayerNorm(layer["features"], eps=layer["eps"])
            norm.weight, norm.bias = tensor(next(values), [layer["features"]]), tensor(next(values), [layer["features"]])
            params += [norm.weight, norm.bias]
            return lambda h, unrolled, hs: norm(h)
        if kind == "residual":
            proj = tensor(next(values), layer["w"]) if layer["projection"] else None
            if proj is not None:
                params.append(proj)
            branch = [build(child, params) for child in layer["layers"]]
            def residual(h, unrolled, hs):
                y = h
                for f in branch:
                    y = f(y, unrolled, hs)
                skip = h if proj is None else h.reshape(B, -1) @ proj.t()
                return skip.reshape(y.shape) + y
            return residual
        F, H = layer["features"], layer["units"]
        extra = {"nonlinearity": layer["activation"]} if kind == "simple_rnn" else {}
        rnn = RNN[kind](F, H, batch_first=True, **extra)
        G = rnn.weight_ih_l0.shape[0]
        rnn.weight_ih_l0, rnn.weight_hh_l0 = tensor(next(values), [G, F]), tensor(next(values), [G, H])
        rnn.bias_ih_l0, rnn.bias_hh_l0 = tensor(next(values), [G]), tensor(next(values), [G])
        params += [rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0]
        cell = CELL[kind](F, H, **extra)
        cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh = rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0
        def recurrent(x, unrolled, hs):
            if not unrolled:
                out = rnn(x)[0]
            else:
                h = torch.zeros(B, H)
                state = (h, torch.zeros(B, H)) if kind == "lstm" else h
                steps = []
                for t in range(x.shape[1]):
                    state = cell(x[:, t], state)
                    h = state[0] if kind == "lstm" else state
                    h.retain_grad()
                    steps.append(h)
                hs.append(steps)
                out = torch.stack(steps, 1)
            return out if layer["returnSequences"] else out[:, -1]
        return recurrent

    params = []
    model = [build(layer, params) for layer in job["layers"]]
    target = torch.tensor(job["target"]).reshape(B, -1)

    def run(unrolled):
        for p in params:
            p.grad = None
        x = torch.tensor(job["x"]).reshape([B] + job["inputShape"]).requires_grad_(True)
        hs = []
        h = x
        for f in model:
            h = f(h, unrolled, hs)
        loss = torch.nn.functional.mse_loss(h.reshape(B, -1), target)
        loss.backward()
        return loss.item(), x.grad.flatten().tolist(), hs

    loss, input_grad, _ = run(False)
    grads = [p.grad.flatten().tolist() for p in params]
    loss_unrolled, _, hs = run(True)
    assert abs(loss - loss_unrolled) <= 1e-12 * abs(loss), (loss, loss_unrolled)
    norms = [[h.grad.norm().item() for h in steps] for steps in hs]
    return {"loss": loss, "grads": grads, "inputGrad": input_grad, "timeNorms": norms}

json.dump([solve(job) for job in json.load(open(sys.argv[1]))], open(sys.argv[2], "w"))
`;

export interface OracleResult {
  loss: number;
  /** In model.parameters() order. */
  grads: number[][];
  inputGrad: number[];
  /** Per recurrent layer in model order, ‖∂loss/∂h_t‖ for every step. */
  timeNorms: number[][];
}

/** The layer descriptions the driver rebuilds, with the input shape each one sees. */
function describe(layers: LayerConfig[], shape: number[]): { layers: unknown[]; shape: number[] } {
  const out: unknown[] = [];
  for (const layer of layers) {
    const width = shape.reduce((a, b) => a * b, 1);
    switch (layer.kind) {
      case 'dense':
        out.push({ kind: 'dense', units: layer.units, w: [layer.units, width], activation: layer.activation.name });
        shape = [layer.units];
        break;
      case 'layernorm':
        out.push({ kind: 'layernorm', features: shape[shape.length - 1], eps: layer.eps });
        break;
      case 'residual': {
        const branch = describe(layer.layers, shape);
        const outWidth = branch.shape.reduce((a, b) => a * b, 1);
        out.push({ kind: 'residual', projection: layer.projection, w: [outWidth, width], layers: branch.layers });
        shape = branch.shape;
        break;
      }
      case 'simple_rnn':
      case 'lstm':
      case 'gru':
        out.push({
          kind: layer.kind,
          features: shape[1],
          units: layer.units,
          activation: layer.activation.name,
          returnSequences: layer.returnSequences,
        });
        shape = layer.returnSequences ? [shape[0]!, layer.units] : [layer.units];
        break;
      default:
        throw new Error(`the oracle has no ${layer.kind}`);
    }
  }
  return { layers: out, shape };
}

function jobOf(model: Model): unknown {
  const inputShape = [...(model.config.inputShape ?? [model.config.input])];
  return {
    batch: model.batchSize,
    inputShape,
    layers: describe(model.config.layers, inputShape).layers,
    params: model.parameters().map((p) => Array.from(p.data)),
    x: Array.from(model.input),
    target: Array.from(model.target),
  };
}

/**
 * PyTorch's loss and gradients for each model's current parameters and batch (mse only); one Python process for
 * all of them (torch is imported once).
 */
export function torchOracle(models: Model[]): OracleResult[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-oracle-'));
  try {
    const [script, jobFile, outFile] = ['driver.py', 'job.json', 'out.json'].map((f) => path.join(dir, f));
    fs.writeFileSync(script!, DRIVER);
    fs.writeFileSync(jobFile!, JSON.stringify(models.map(jobOf)));
    python([script!, jobFile!, outFile!], { timeoutMs: 120_000 });
    return JSON.parse(fs.readFileSync(outFile!, 'utf8')) as OracleResult[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** ‖a − b‖ / ‖b‖ (b the reference; 0 against 0). */
export function relativeDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    norm += b[i]! ** 2;
  }
  if (a.length !== b.length) return Infinity;
  return norm === 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
}
