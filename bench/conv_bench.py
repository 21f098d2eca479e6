#!/usr/bin/env python3
"""PyTorch contender of the W5 conv benchmark (bench/conv-bench.ts), single-threaded.

Reads the shared start as JSON (argv[1]: x, y, params in the engine's order and PyTorch's layout, steps, rounds),
checks the first step's loss, then times rounds of steps (forward, loss, backward, per-layer gradient norms read back,
plain SGD lr 0.01) with time.perf_counter and prints {"loss0": ..., "msPerStep": [...]} as JSON.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.set_num_interop_threads(1)

start = json.load(open(sys.argv[1]))
model = nn.Sequential(
    nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
)
params = list(model.parameters())
with torch.no_grad():
    for p, values in zip(params, start["params"]):
        p.copy_(torch.tensor(values, dtype=torch.float32).view_as(p))
x = torch.tensor(start["x"], dtype=torch.float32).view(-1, 1, 28, 28)
y = torch.tensor(start["y"], dtype=torch.long)
lr = start["lr"]


def step():
    for p in params:
        p.grad = None
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    norms = torch.stack([p.grad.norm() for p in params]).tolist()
    with torch.no_grad():
        for p in params:
            p.sub_(lr * p.grad)
    return loss.item(), norms


loss0, _ = step()
for _ in range(3):
    step()
ms = []
for _ in range(start["rounds"]):
    t0 = time.perf_counter()
    for _ in range(start["steps"]):
        step()
    ms.append((time.perf_counter() - t0) * 1000 / start["steps"])
print(json.dumps({"loss0": loss0, "msPerStep": ms, "torch": torch.__version__}))
