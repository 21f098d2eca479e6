#!/usr/bin/env python3
"""PyTorch contender of VGNet's benchmark (`npm run bench`), single-threaded.

Two modes:
  serve (default)     a persistent child of bench.ts: reads one JSON command per line on stdin, answers one JSON
                      line on stdout, so PyTorch's rounds interleave with the JavaScript contenders' rounds.
                        {"cmd": "setup", "id": "W1", "spec": {...}, "init": "/tmp/file.bin"}  -> {"check": {...}, "ms": 5.1}
                        {"cmd": "measure", "id": "W1", "steps": 20}                           -> {"ms": 123.4}
                        {"cmd": "drop", "id": "W1"}                                           -> {"ok": true}
  --standalone        times every workload itself (random init, median of rounds) and prints one JSON object.

A step is what the engine does: forward, loss, backward, per-layer gradient norms (read back with .tolist(), as
the JavaScript side reads its norms), plain SGD (lr 0.01, no momentum). Timing: time.perf_counter around the steps.
The init file is little-endian float32: x (batch*input), y (batch*targetWidth), then per dense layer
W (out*in, PyTorch's own layout) and b (out).
"""
import json
import statistics
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)
torch.set_num_interop_threads(1)

ACTIVATIONS = {"sigmoid": torch.nn.Sigmoid, "relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}


def dense_shapes(spec):
    shapes, width = [], spec["input"]
    for _ in range(spec["hiddenLayers"]):
        shapes.append((width, spec["hiddenUnits"]))
        width = spec["hiddenUnits"]
    shapes.append((width, spec["outputs"]))
    return shapes


class Contender:
    def __init__(self, spec, init_path=None, lr=0.01):
        self.spec = spec
        modules = []
        linears = []
        for index, (fan_in, fan_out) in enumerate(dense_shapes(spec)):
            linear = torch.nn.Linear(fan_in, fan_out)
            linears.append(linear)
            modules.append(linear)
            if index < spec["hiddenLayers"]:
                modules.append(ACTIVATIONS[spec["hiddenActivation"]]())
        self.model = torch.nn.Sequential(*modules)
        self.linears = linears
        batch = spec["batch"]
        self.x = torch.randn(batch, spec["input"])
        if spec["loss"] == "mse":
            self.y = torch.randn(batch, spec["outputs"])
            self.loss_fn = torch.nn.MSELoss()
        else:
            self.y = torch.randint(0, spec["outputs"], (batch,))
            self.loss_fn = torch.nn.CrossEntropyLoss()  # takes logits: softmax fused
        if init_path is not None:
            self.load(init_path)
        self.parameters = list(self.model.parameters())
        self.optimizer = torch.optim.SGD(self.parameters, lr=lr, momentum=0)

    def load(self, init_path):
        flat = np.fromfile(init_path, dtype="<f4")
        offset = 0

        def take(count):
            nonlocal offset
            chunk = torch.from_numpy(flat[offset:offset + count].copy())
            offset += count
            return chunk

        spec = self.spec
        self.x = take(spec["batch"] * spec["input"]).reshape(spec["batch"], spec["input"])
        if spec["loss"] == "mse":
            self.y = take(spec["batch"] * spec["outputs"]).reshape(spec["batch"], spec["outputs"])
        else:
            self.y = take(spec["batch"]).long()
        with torch.no_grad():
            for linear in self.linears:
                linear.weight.copy_(take(linear.weight.numel()).reshape(linear.weight.shape))
                linear.bias.copy_(take(linear.bias.numel()))
        if offset != flat.size:
            raise ValueError(f"init file has {flat.size} floats, expected {offset}")

    def step(self):
        self.optimizer.zero_grad(set_to_none=True)
        loss = self.loss_fn(self.model(self.x), self.y)
        loss.backward()
        norms = torch.stack([torch.linalg.vector_norm(p.grad) for p in self.parameters]).tolist()
        self.optimizer.step()
        return loss.item(), norms

    def check(self):
        loss, norms = self.step()
        weight_norms = [norms[2 * i] for i in range(len(self.linears))]  # parameters alternate weight, bias
        return {"loss": loss, "firstGradNorm": weight_norms[0], "lastGradNorm": weight_norms[-1]}

    def measure(self, steps):
        start = time.perf_counter()
        for _ in range(steps):
            self.step()
        return (time.perf_counter() - start) * 1000.0


def serve():
    contenders = {}
    reply({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()})
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            reply(handle(contenders, request))
        except Exception as error:  # report to the JavaScript side instead of dying silently
            reply({"error": f"{type(error).__name__}: {error}"})


def handle(contenders, request):
    cmd = request["cmd"]
    if cmd == "setup":
        contender = Contender(request["spec"], request.get("init"), request.get("lr", 0.01))
        contenders[request["id"]] = contender
        start = time.perf_counter()
        check = contender.check()
        return {"check": check, "ms": (time.perf_counter() - start) * 1000.0}
    if cmd == "measure":
        return {"ms": contenders[request["id"]].measure(int(request["steps"]))}
    if cmd == "drop":
        contenders.pop(request["id"], None)
        return {"ok": True}
    raise ValueError(f"unknown command {cmd}")


def reply(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


STANDALONE_WORKLOADS = [
    {"name": "W1", "input": 32, "hiddenLayers": 30, "hiddenUnits": 64, "hiddenActivation": "sigmoid", "outputs": 1, "loss": "mse", "batch": 128},
    {"name": "W2", "input": 64, "hiddenLayers": 10, "hiddenUnits": 256, "hiddenActivation": "relu", "outputs": 10, "loss": "crossentropy", "batch": 256},
    {"name": "W3", "input": 784, "hiddenLayers": 3, "hiddenUnits": 1024, "hiddenActivation": "relu", "outputs": 10, "loss": "crossentropy", "batch": 512},
    {"name": "W4", "input": 2, "hiddenLayers": 8, "hiddenUnits": 16, "hiddenActivation": "tanh", "outputs": 1, "loss": "mse", "batch": 32},
]


def standalone(quick):
    rounds, target_ms = (2, 150.0) if quick else (5, 700.0)
    results = {}
    for spec in STANDALONE_WORKLOADS:
        contender = Contender(spec)
        warm_ms = contender.measure(3)
        steps = max(1, round(target_ms / (warm_ms / 3)))
        samples = [contender.measure(steps) / steps for _ in range(rounds)]
        results[spec["name"]] = {"msPerStep": statistics.median(samples), "samples": samples, "stepsPerRound": steps}
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    if "--standalone" in sys.argv:
        standalone("--quick" in sys.argv)
    else:
        serve()
