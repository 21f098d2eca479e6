#!/usr/bin/env python3
"""Labels for VGNet's labelled benchmark, measured in PyTorch — never by VGNet's engine (issue 14).

Each spec was exported by `vgnet export --to pytorch` (bench/labelled/make-labels.ts). Here every program trains on
three seeds of PyTorch's own generator; each run is judged by the rules below; a spec's label is what a majority of
its seeds show, and a kind is *ambiguous* for a spec when any seed falls in that rule's ambiguous band (such kinds
count neither way in precision and recall).

Rules (the kinds and the ratio tests after AutoTrainer, ICSE'21, and DeepDiagnosis, ICSE'22; each threshold is
VGNet's documented one, with an ambiguous band around it — "yes" only beyond the band):
  divergence   the loss is non-finite at some step, or the mean of the last 10% of the losses is above 10x the
               first loss.                                           yes above 20x, band 5x..20x
  vanishing    the median over recorded steps >= 1 of |dL/dW| of the first weighted layer / the output layer's is
               below 1e-3, and that first-layer norm below 1e-4.     yes below 3e-4, band 3e-4..3e-3
  exploding    the median over recorded steps >= 1 of the largest layer/output ratio is above 70, and that layer's
               norm above 1 (a size condition: tiny nets have huge ratios of tiny numbers).  yes above 150, band 30..150
  dead-relu    after training, on a fixed probe set (the first 256 samples, eval mode), some hidden ReLU-family layer
               has more than 70% of its units with z <= 0 for every probe sample.  yes from 85%, band 50%..85%
  saturation   after training, on the probe set, some hidden sigmoid/tanh/hard_sigmoid layer has more than 50% of
               its pre-activations beyond |z| > 5.                   yes from 65%, band 35%..65%

  python3 label.py jobs.json labels.json        (jobs: [{"name", "program"}]; writes {name: {...}})
"""
import importlib.util
import json
import math
import statistics
import sys
import warnings

import torch

warnings.filterwarnings("ignore")
torch.set_num_threads(1)

SEEDS = (101, 202, 303)
KINDS = ("divergence", "vanishing", "exploding", "dead-relu", "saturation")


def judge(result, probe):
    """One run: {kind: "yes" | "no" | "ambiguous"}."""
    out = {}
    losses = [v for v in result["loss"] if v is not None]
    first = result["loss"][0] if result["loss"] else None
    stopped = result["stopped"] is not None and result["stopped"]["reason"] == "non-finite"
    if stopped or first is None or not math.isfinite(first):
        out["divergence"] = "yes"
    else:
        tail = losses[-max(1, len(losses) // 10):]
        growth = (sum(tail) / len(tail)) / max(first, 1e-12)
        out["divergence"] = "yes" if growth > 20 else "ambiguous" if growth > 5 else "no"
    layers = result["layers"]
    weighted = [i for i, l in enumerate(layers) if l["hasWeights"] and l["parent"] == -1]
    steps = [k for k, s in enumerate(result["recordedSteps"]) if s >= 1] or [0]
    if len(weighted) >= 2:
        first_l, out_l = weighted[0], weighted[-1]
        ratios, norms, big, bignorm = [], [], [], []
        for k in steps:
            o = result["series"][out_l]["gradNorm"][k]
            f = result["series"][first_l]["gradNorm"][k]
            if o is None or f is None or o <= 0:
                continue
            ratios.append(f / o)
            norms.append(f)
            best = max(weighted[:-1], key=lambda i: result["series"][i]["gradNorm"][k] or 0)
            g = result["series"][best]["gradNorm"][k] or 0
            big.append(g / o)
            bignorm.append(g)
        if ratios:
            r, n = statistics.median(ratios), statistics.median(norms)
            out["vanishing"] = "ambiguous" if 3e-4 < r < 3e-3 else "yes" if r <= 3e-4 and n < 1e-4 else "no"
            b, bn = statistics.median(big), statistics.median(bignorm)
            out["exploding"] = "ambiguous" if 30 < b < 150 and bn > 1 else "yes" if b >= 150 and bn > 1 else "no"
    for kind in ("vanishing", "exploding"):
        out.setdefault(kind, "no")
    dead, sat = probe
    out["dead-relu"] = "yes" if dead >= 0.85 else "ambiguous" if dead > 0.5 else "no"
    out["saturation"] = "yes" if sat >= 0.65 else "ambiguous" if sat > 0.35 else "no"
    return out


def probe_fractions(module, model, device="cpu"):
    """Dead (ReLU family) and saturated (sigmoid/tanh) fractions after training, on the first 256 samples."""
    x, _ = module.load_data(device, torch.float32)
    x = x[:256]
    model.eval()
    with torch.no_grad():
        model(x)
    dead, sat = 0.0, 0.0
    last = len(model.nodes) - 1
    for i, node in enumerate(model.nodes):
        if node.pre is None or i == last:
            continue
        z = node.pre.reshape(-1, node.pre.shape[-1])
        if node.activation in module.RELU_FAMILY:
            dead = max(dead, float((~(z > 0)).all(dim=0).double().mean()))
        if node.activation in module.SATURATING:
            sat = max(sat, float((z.abs() > 5).double().mean()))
    return dead, sat


def main():
    jobs = json.load(open(sys.argv[1]))
    labels = {}
    for n, job in enumerate(jobs):
        spec = importlib.util.spec_from_file_location("m%d" % n, job["program"])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        runs = []
        for seed in SEEDS:
            module.SEED = seed
            recorder = module.train(module.STEPS)
            result = recorder.result()
            runs.append(judge(result, probe_fractions(module, recorder.model)))
        label = {}
        for kind in KINDS:
            votes = [r[kind] for r in runs]
            # A band on any seed: ambiguous; otherwise the majority of the three seeds.
            label[kind] = "ambiguous" if "ambiguous" in votes else "yes" if votes.count("yes") >= 2 else "no"
        labels[job["name"]] = {"label": label, "runs": runs}
        if n % 50 == 0:
            print("labelled %d of %d" % (n, len(jobs)), file=sys.stderr, flush=True)
    json.dump(labels, open(sys.argv[2], "w"), indent=0, sort_keys=True)


if __name__ == "__main__":
    main()
