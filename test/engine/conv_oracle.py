"""PyTorch oracle for test/engine/conv-torch.test.ts: rebuilds each engine net from its layer configs with nn modules,
loads the engine's initial parameters, runs one training-mode forward/backward on the given batch in float64 and
prints the loss, every parameter gradient and BatchNorm's running statistics as JSON."""
import json
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
DTYPE = torch.float64


def same_pads(length, kernel, stride, dilation):
    """TF's SAME: out = ceil(L/s), total = max((out-1)s + d(k-1)+1 - L, 0), floor(total/2) before."""
    out = math.ceil(length / stride)
    total = max((out - 1) * stride + dilation * (kernel - 1) + 1 - length, 0)
    return total // 2, total - total // 2


def pads_for(cfg, spatial, kernel, dilation):
    if cfg["padding"] == "valid":
        return [0] * (2 * len(spatial))
    per_axis = [same_pads(L, k, s, d) for L, k, s, d in zip(spatial, kernel, cfg["stride"], dilation)]
    # F.pad lists the last axis first
    flat = []
    for before, after in reversed(per_axis):
        flat += [before, after]
    return flat


ACTIVATIONS = {"linear": nn.Identity, "relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "elu": nn.ELU}


class MaskedAvgPool(nn.Module):
    """Keras' same average pooling: zero padding, divided by the count of real elements in each window."""

    def __init__(self, pool, pads):
        super().__init__()
        self.pool, self.pads = pool, pads

    def forward(self, x):
        ones = torch.ones_like(x[:1, :1])
        return self.pool(F.pad(x, self.pads)) / self.pool(F.pad(ones, self.pads))


def build(net, params):
    shape = list(net["inputShape"])
    modules, named = [], {}
    for i, cfg in enumerate(net["layers"]):
        kind, path = cfg["kind"], cfg["path"]
        spatial = shape[1:]
        if kind in ("conv1d", "conv2d"):
            two = kind == "conv2d"
            conv = (nn.Conv2d if two else nn.Conv1d)(
                shape[0], cfg["filters"], cfg["kernel"], stride=cfg["stride"], dilation=cfg["dilation"]
            ).to(DTYPE)
            named[path] = {"weight": conv.weight, "bias": conv.bias}
            pads = pads_for(cfg, spatial, cfg["kernel"], cfg["dilation"])
            pad = nn.ZeroPad2d(pads) if two else nn.ConstantPad1d(pads, 0.0)
            modules += [pad, conv, ACTIVATIONS[cfg["activation"]["name"]]()]
        elif kind in ("maxpool", "avgpool"):
            two = len(cfg["pool"]) == 2
            pads = pads_for(cfg, spatial, cfg["pool"], [1] * len(cfg["pool"]))
            if kind == "maxpool":
                pool = (nn.MaxPool2d if two else nn.MaxPool1d)(cfg["pool"], stride=cfg["stride"])
                # max ignores the padding: pad with -inf
                modules += [(nn.ConstantPad2d if two else nn.ConstantPad1d)(pads, -math.inf), pool]
            else:
                pool = (nn.AvgPool2d if two else nn.AvgPool1d)(cfg["pool"], stride=cfg["stride"])
                modules.append(MaskedAvgPool(pool, pads) if any(pads) else pool)
        elif kind == "batchnorm":
            bn = (nn.BatchNorm2d if len(shape) == 3 else nn.BatchNorm1d)(
                shape[0], eps=cfg["eps"], momentum=cfg["momentum"]
            ).to(DTYPE)
            named[path] = {"gamma": bn.weight, "beta": bn.bias, "bn": bn}
            modules.append(bn)
        elif kind == "flatten":
            modules.append(nn.Flatten())
        elif kind == "global_avgpool":
            modules += [(nn.AdaptiveAvgPool2d if len(shape) == 3 else nn.AdaptiveAvgPool1d)(1), nn.Flatten()]
        elif kind == "dense":
            lin = nn.Linear(shape[0], cfg["units"]).to(DTYPE)
            named[path] = {"weight": lin.weight, "bias": lin.bias}
            act = cfg["activation"]["name"]
            # softmax is fused into cross_entropy below
            modules += [lin] + ([] if act == "softmax" else [ACTIVATIONS[act]()])
        else:
            raise ValueError(kind)
        # the engine's shape after this layer (shapes[0] is the input's)
        shape = list(net["shapes"][i + 1])
    with torch.no_grad():
        for path, tensors in named.items():
            for name, tensor in tensors.items():
                if name != "bn":
                    tensor.copy_(torch.tensor(params[f"{path}#{name}"], dtype=DTYPE).view_as(tensor))
    return nn.Sequential(*modules), named


def run(net):
    model, named = build(net, net["params"])
    model.train()
    x = torch.tensor(net["x"], dtype=DTYPE).view(net["batch"], *net["inputShape"])
    out = model(x)
    if net["loss"] == "crossentropy":
        loss = F.cross_entropy(out, torch.tensor(net["target"], dtype=torch.long))
    else:
        loss = F.mse_loss(out, torch.tensor(net["target"], dtype=DTYPE).view_as(out))
    loss.backward()
    grads, state = {}, {}
    for path, tensors in named.items():
        for name, tensor in tensors.items():
            if name == "bn":
                state[f"{path}#runningMean"] = tensor.running_mean.tolist()
                state[f"{path}#runningVar"] = tensor.running_var.tolist()
            else:
                grads[f"{path}#{name}"] = tensor.grad.flatten().tolist()
    return {"loss": loss.item(), "grads": grads, "state": state}


nets = json.load(open(sys.argv[1]))
json.dump([run(net) for net in nets], sys.stdout)
