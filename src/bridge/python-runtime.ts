/**
 * The Python half of the bridge: the per-layer statistics of VGNet's engine (src/engine/stats.ts, the same
 * definitions, float64 sums) computed on a PyTorch model, written in VGNet's record format. One text, used twice:
 * the head of every `vgnet export --to pytorch` file, and alone as `vgnet export --recorder` (vgnet_recorder.py)
 * for models written by hand. Needs only torch and the standard library. Documented in docs/bridge.md.
 */
import { RELU_FAMILY_NAMES, SATURATING_NAMES } from '../engine/activations';

export const RECORD_FORMAT = 'vgnet-record/1';
/** Python set literals of the engine's own lists (layer-stats.ts): which layers get saturated / dead fractions. */
const pySet = (names: readonly string[]): string => `{${names.map((n) => JSON.stringify(n)).join(', ')}}`;

export const PYTHON_RUNTIME = String.raw`# ---- VGNet recorder: per-layer gradient statistics in VGNet's record format (docs/bridge.md) ----
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

RECORD_FORMAT = "${RECORD_FORMAT}"
SATURATING = ${pySet(SATURATING_NAMES)}
RELU_FAMILY = ${pySet(RELU_FAMILY_NAMES)}
# Layers the recorder hooks in a hand-written model (recurrent modules are not: their per-step gradients need the
# step-by-step run of an exported program).
DISCOVERED = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.BatchNorm1d, nn.BatchNorm2d, nn.LayerNorm, nn.Dropout)
# Activation modules the recorder recognises (functional calls such as torch.relu(x) are invisible to it).
ACTIVATION_MODULES = {
    nn.Identity: "linear", nn.Sigmoid: "sigmoid", nn.Tanh: "tanh", nn.ReLU: "relu", nn.LeakyReLU: "leaky_relu",
    nn.PReLU: "prelu", nn.ELU: "elu", nn.SELU: "selu", nn.GELU: "gelu", nn.Softplus: "softplus", nn.SiLU: "swish",
    nn.Softmax: "softmax", nn.Softsign: "softsign", nn.Hardsigmoid: "hard_sigmoid", nn.ReLU6: "relu6",
    nn.Mish: "mish",
}


def _sum_sq(t):
    """Σ t² in float64 (NaN and ±inf propagate, as in VGNet's kernels)."""
    return float(t.detach().double().pow(2).sum())


def _ratio(a, b):
    """a / b as VGNet's engine computes it in JavaScript: 0/0 is NaN, x/0 is infinite (zero-initialised weights)."""
    if b == 0:
        return float("nan") if a == 0 or math.isnan(a) else math.inf
    return a / b


def _non_finite(t):
    return int((~torch.isfinite(t.detach())).sum()) if t is not None else 0


class Node:
    """One layer as VGNet's record describes it (LayerInfo) plus the tensors of the last forward pass."""

    def __init__(self, path, kind, input_width, output_width, activation=None, weight=None, bias=None, params=(),
                 parent=-1, input_shape=None, output_shape=None, module=None):
        self.path, self.kind, self.activation, self.parent = path, kind, activation, parent
        self.input_width, self.output_width = input_width, output_width
        self.input_shape, self.output_shape = input_shape, output_shape
        self.weight, self.bias, self.params = weight, bias, [p for p in params if p is not None]
        # Recurrent layers: the nn.RNN/LSTM/GRU, and the last forward pass's input and hidden states h_0 … h_T-1.
        self.module, self.x, self.hs = module, None, None
        self.pre = self.out = self.grad_of = None

    def info(self):
        info = {
            "path": self.path, "kind": self.kind, "inputWidth": self.input_width, "outputWidth": self.output_width,
            "activation": self.activation, "parameterCount": sum(p.numel() for p in self.params),
            "hasWeights": self.weight is not None, "parent": self.parent,
        }
        if self.input_shape is not None:
            info["inputShape"], info["outputShape"] = list(self.input_shape), list(self.output_shape)
        return info

    def tap(self, pre, out, grad_of=None):
        """pre: the activation's input (or None); out: the layer's output; grad_of: whose gradient is ‖∂L/∂output‖
        (the logits when the loss takes them, as VGNet's fused output layers do)."""
        self.pre = None if pre is None else pre.detach()
        self.out = out.detach()
        self.grad_of = out if grad_of is None else grad_of
        if self.grad_of.requires_grad:
            self.grad_of.retain_grad()

    def tap_sequence(self, x, hs, out):
        """A recurrent layer run one step at a time: x its input [batch, steps, features], hs every h_t (each one
        tensor, so that its gradient is the total ∂L/∂h_t), out its output (every h_t stacked, or the last)."""
        self.x = x.detach()
        self.hs = hs
        pre = None
        if self.kind == "simple_rnn":
            # z_t = W_ih x_t + b_ih + W_hh h_t-1 + b_hh at every step: saturation and dead units over all of them.
            with torch.no_grad():
                gi, gh = self._gates()
                pre = gi + gh
        self.tap(pre, out)
        for h in hs:
            if h.requires_grad:
                h.retain_grad()

    def _gates(self):
        """W_ih x_t + b_ih and W_hh h_t-1 + b_hh for every step (h_-1 = 0), [batch, steps, gates·units] each."""
        m = self.module
        h = torch.stack([h.detach() for h in self.hs], 1)
        h_prev = torch.cat([torch.zeros_like(h[:, :1]), h[:, :-1]], 1)
        gi = F.linear(self.x, m.weight_ih_l0, m.bias_ih_l0)
        return gi, F.linear(h_prev, m.weight_hh_l0, m.bias_hh_l0)

    def time_grad_norms(self):
        """‖∂L/∂h_t‖ over the batch for t = 0 … steps−1 (VGNet's Layer.timeGradNorms)."""
        return [math.sqrt(_sum_sq(h.grad)) if h.grad is not None else 0.0 for h in self.hs]

    def gate_saturation(self, threshold):
        """LSTM/GRU: per gate, the share of its pre-activations over batch × steps × units with |z| > threshold."""
        with torch.no_grad():
            gi, gh = self._gates()
            if self.kind == "lstm":
                names, pre = ["input", "forget", "cell", "output"], (gi + gh).chunk(4, -1)
            else:
                (ir, iz, i_n), (hr, hz, hn) = gi.chunk(3, -1), gh.chunk(3, -1)
                names, pre = ["reset", "update", "new"], [ir + hr, iz + hz, i_n + torch.sigmoid(ir + hr) * hn]
            return {name: float((z.abs() > threshold).double().mean()) for name, z in zip(names, pre)}


class Recorder:
    """Records a PyTorch training run in VGNet's record format.

        rec = Recorder(model)               # hooks nn.Linear, nn.Conv1d/2d, activation modules, BatchNorm, LayerNorm,
                                            # Dropout
        for step in range(steps):
            loss = loss_fn(model(x), y)
            optimizer.zero_grad(); loss.backward()
            if not rec.step(loss):          # after backward, before clipping and optimizer.step()
                break                       # the loss or a gradient is not finite: the run is over
            optimizer.step()
        rec.save("run.vgnet-record.json")   # then: vgnet analyze --record run.vgnet-record.json

    Every step's statistics are computed; those of steps 0, every record_every-th and the last are kept. The layer
    list is what the first forward pass ran, in call order; an nn.Linear whose output goes straight into an
    activation module is one dense layer with that activation, as in VGNet. Paths are module names.
    """

    def __init__(self, model, record_every=1, saturation_threshold=5.0, nodes=None, loss_function=None):
        self.model = model
        self.record_every = max(1, int(record_every))
        self.threshold = float(saturation_threshold)
        self.loss_function = loss_function
        self.nodes = nodes
        self.hooks = []
        if nodes is None:
            self.nodes = []
            self._discover(model)
        self.record = {"recordedSteps": [], "series": None, "loss": [], "accuracy": []}
        self.steps_run = 0
        self.stopped = None
        self.pending = None
        self.started = time.perf_counter()

    # -- discovery of a hand-written model: hooks, in call order of the first forward pass --
    def _discover(self, model):
        self.by_module = {}
        self.last_linear = None
        self.frozen = False
        for name, module in model.named_modules():
            if isinstance(module, DISCOVERED) or type(module) in ACTIVATION_MODULES:
                self.hooks.append(module.register_forward_hook(self._hook(name or "model")))

    def _hook(self, name):
        def hook(module, inputs, output):
            if not torch.is_tensor(output) or not torch.is_grad_enabled():
                return
            node = self.by_module.get(name)
            x = inputs[0] if inputs else None
            if node is None and not self.frozen:
                node = self._new_node(name, module, x, output)
            if node is None:
                return
            linear = isinstance(module, (nn.Linear, nn.Conv1d, nn.Conv2d))
            # A Linear's output is its pre-activation (and, until an activation module follows, its output);
            # an activation module's input is its pre-activation, fused into the dense node or its own.
            pre = output if linear else x if type(module) in ACTIVATION_MODULES else None
            node.tap(pre, output)
            self.last_linear = (node, output) if linear else None
        return hook

    def _new_node(self, name, module, x, output):
        # Per-sample widths (the product of a conv or sequence tensor's non-batch axes).
        width = output[0].numel() if output.dim() > 1 else 1
        in_width = x[0].numel() if torch.is_tensor(x) and x.dim() > 1 else width
        kind = type(module)
        if isinstance(module, nn.Linear):
            node = Node(name, "dense", module.in_features, module.out_features, "linear", module.weight,
                        module.bias, [module.weight, module.bias])
        elif kind in ACTIVATION_MODULES:
            fused = self.last_linear
            if fused is not None and fused[1] is x and fused[0].activation == "linear":
                node = fused[0]
                node.activation = ACTIVATION_MODULES[kind]
                node.params += list(module.parameters())
                self.by_module[name] = node
                return node
            node = Node(name, "activation", in_width, width, ACTIVATION_MODULES[kind], params=module.parameters())
        elif isinstance(module, (nn.Conv1d, nn.Conv2d)):
            kind = "conv1d" if isinstance(module, nn.Conv1d) else "conv2d"
            node = Node(name, kind, x[0].numel(), output[0].numel(), "linear", module.weight, module.bias,
                        [module.weight, module.bias], input_shape=list(x.shape[1:]),
                        output_shape=list(output.shape[1:]))
        elif isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d, nn.LayerNorm)):
            kind = "layernorm" if isinstance(module, nn.LayerNorm) else "batchnorm"
            node = Node(name, kind, in_width, width, bias=module.bias, params=[module.weight, module.bias])
        else:
            node = Node(name, "dropout", in_width, width)
        self.by_module[name] = node
        self.nodes.append(node)
        return node

    # -- one step --
    def step(self, loss, accuracy=None):
        """Call after loss.backward() and before clipping / optimizer.step(). False: not finite, stop training."""
        if hasattr(self, "by_module"):
            self.frozen = True
        self._settle(final=False)
        t = self.steps_run
        value = float(loss)
        stats = [self._stats(n) for n in self.nodes]
        copies = [None if n.weight is None else n.weight.detach().clone() for n in self.nodes]
        self.record["loss"].append(value)
        if accuracy is not None:
            self.record["accuracy"].append(float(accuracy))
        self.steps_run += 1
        detail = self._non_finite_detail(value, t)
        keep = t % self.record_every == 0
        self.pending = {"step": t, "stats": stats, "copies": copies, "keep": keep, "updated": detail is None}
        if detail is not None:
            self.stopped = {"step": t, "reason": "non-finite", "detail": detail}
            return False
        return True

    def _non_finite_detail(self, value, t):
        if not math.isfinite(value):
            return "loss is %s at step %d" % ("NaN" if math.isnan(value) else "Infinity", t)
        for n in self.nodes:
            for p in n.params:
                if p.grad is not None and not math.isfinite(_sum_sq(p.grad)):
                    return "gradient of %s is not finite at step %d" % (n.path, t)
        return None

    def _stats(self, n):
        nan = float("nan")
        s = {
            "gradNorm": math.sqrt(_sum_sq(n.weight.grad)) if n.weight is not None and n.weight.grad is not None else nan,
            "biasGradNorm": math.sqrt(_sum_sq(n.bias.grad)) if n.bias is not None and n.bias.grad is not None else nan,
            "weightNorm": math.sqrt(_sum_sq(n.weight)) if n.weight is not None else nan,
            "outputGradNorm": 0.0, "activationMean": nan, "activationStd": nan, "saturatedFraction": nan,
            "deadFraction": nan, "nonFiniteCount": 0,
        }
        if n.grad_of is not None and n.grad_of.grad is not None:
            s["outputGradNorm"] = math.sqrt(_sum_sq(n.grad_of.grad))
        if n.out is not None:
            y = n.out.double()
            mean = float(y.mean())
            s["activationMean"] = mean
            s["activationStd"] = math.sqrt(float((y - mean).pow(2).mean()))
            s["nonFiniteCount"] = _non_finite(n.out)
        if n.pre is not None and n.activation in SATURATING:
            s["saturatedFraction"] = float((n.pre.abs() > self.threshold).double().mean())
        if n.pre is not None and n.activation in RELU_FAMILY and n.kind in ("conv1d", "conv2d"):
            # A filter is dead when z ≤ 0 at every position of every sample (VGNet's deadChannels).
            z = n.pre.transpose(0, 1).reshape(n.pre.shape[1], -1)
            dead = (~(z > 0)).all(dim=1)
            s["deadFraction"] = float(dead.double().mean())
            s["channelDead"] = [int(d) for d in dead]
        elif n.pre is not None and n.activation in RELU_FAMILY:
            z = n.pre.reshape(-1, n.pre.shape[-1])
            s["deadFraction"] = float((~(z > 0)).all(dim=0).double().mean())
        if n.hs is not None:
            s["timeGradNorm"] = n.time_grad_norms()
            if n.kind in ("lstm", "gru"):
                s["gateSaturation"] = n.gate_saturation(self.threshold)
        for p in n.params:
            s["nonFiniteCount"] += _non_finite(p) + _non_finite(p.grad)
        return s

    def _settle(self, final):
        """The pending step's ‖ΔW‖/‖W‖ (its update has happened by now), then keep it if it is recorded."""
        p = self.pending
        if p is None:
            return
        self.pending = None
        for n, s, w in zip(self.nodes, p["stats"], p["copies"]):
            if w is None or not p["updated"]:
                s["updateRatio"] = float("nan")
            else:
                s["updateRatio"] = _ratio(math.sqrt(_sum_sq(n.weight.detach() - w)), math.sqrt(_sum_sq(w)))
        if not (p["keep"] or final):
            return
        if self.record["series"] is None:
            self.record["series"] = [{k: [] for k in SERIES_KEYS} for _ in self.nodes]
        self.record["recordedSteps"].append(p["step"])
        for series, s in zip(self.record["series"], p["stats"]):
            for k in SERIES_KEYS:
                series[k].append(s[k])
            # The series only some layers have (recurrent, conv), added to the record's keys, not changing them.
            for k in ("timeGradNorm", "channelDead"):
                if k in s:
                    series.setdefault(k, []).append(s[k])
            for gate, value in s.get("gateSaturation", {}).items():
                series.setdefault("gateSaturation", {}).setdefault(gate, []).append(value)

    def result(self, extra=None):
        self._settle(final=True)
        series = self.record["series"] or [{k: [] for k in SERIES_KEYS} for _ in self.nodes]
        out = {
            "format": RECORD_FORMAT, "engine": "pytorch " + torch.__version__,
            "lossFunction": self.loss_function, "layers": [n.info() for n in self.nodes],
            "recordedSteps": self.record["recordedSteps"], "series": series, "loss": self.record["loss"],
            "accuracy": self.record["accuracy"], "stepsRun": self.steps_run, "stopped": self.stopped,
            "timeMs": (time.perf_counter() - self.started) * 1000,
        }
        out.update(extra or {})
        return out

    def save(self, path, extra=None):
        text = json.dumps(_json_safe(self.result(extra)), allow_nan=False)
        with open(path, "w") as f:
            f.write(text + "\n")
        return path

    def close(self):
        for h in self.hooks:
            h.remove()
        self.hooks = []


SERIES_KEYS = ["gradNorm", "biasGradNorm", "weightNorm", "updateRatio", "outputGradNorm", "activationMean",
               "activationStd", "saturatedFraction", "deadFraction", "nonFiniteCount"]


def _json_safe(v):
    """NaN and ±inf become null, as in VGNet's records."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_safe(x) for x in v]
    return v
# ---- end of the VGNet recorder ----
`;
