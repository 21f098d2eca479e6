#!/usr/bin/env python3
"""Labels for VGNet's labelled benchmark, measured in PyTorch — never by VGNet's engine (issue 14).

Each spec was exported by `vgnet export --to pytorch` (bench/labelled/make-labels.ts). Here every program trains on
three seeds of PyTorch's own generator; each run is measured (measure()) and judged by the rules below (judge()); a
spec's label for a kind is what all three seeds show, and *ambiguous* when any seed falls in that rule's ambiguous
band or the seeds disagree (PyTorch itself has no single answer: the spec is seed-dependent); ambiguous kinds count
neither way in precision and recall.

Rules (the kinds and the ratio tests after AutoTrainer, ICSE'21, and DeepDiagnosis, ICSE'22; each threshold is
VGNet's documented one, with an ambiguous band around it — "yes" only beyond the band). Gradient ratios are judged
on the median over the recorded steps after step 0 (a one-step transient at initialisation is not a verdict);
unit fractions on a fixed probe set (256 samples evenly spaced over the data set — sample floor(i*n/256) — or all
when fewer; evaluation mode) after training.
  divergence   the loss or a gradient is non-finite at some step, or the mean of the last 10% of the losses is
               above 10x the first loss.                              yes above 20x, band 5x..20x
  vanishing    |dL/dW| of the first weighted layer / the output layer's below 1e-3, and that first-layer norm below
               1e-4.                                   yes below 3e-4 and 1e-4, band up to 3e-3 and 1e-3
  exploding    the largest hidden layer/output ratio above 70, and that layer's norm above 1 (a size condition:
               tiny nets have huge ratios of tiny numbers).           yes above 150 with norm > 1, band 30..150 or
                                                                      norm 0.1..1
  dead-relu    some hidden ReLU/ReLU6 layer has more than 70% of its units with z <= 0 for every probe sample.
                                                                      yes from 85%, band 50%..85%
  saturation   some hidden sigmoid/tanh/hard_sigmoid layer has more than 50% of its pre-activations beyond |z| > 5.
                                                                      yes from 65%, band 35%..65%
  output-saturation  the output layer's sigmoid/tanh/hard_sigmoid is not fused into the loss (e.g. under mse) and
               more than 50% of its pre-activations lie beyond |z| > 5.  yes from 65%, band 35%..65%

  python3 label.py jobs.json labels.json [shard count]     (jobs: [{"name", "program"}]; writes {name: {...}})
  python3 label.py --rejudge labels.json                   (the rules again over the stored measurements)
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
KINDS = ("divergence", "vanishing", "exploding", "dead-relu", "saturation", "output-saturation")


def measure(result, probe):
    """One run's numbers, from its record and the probe fractions."""
    m = {}
    losses = [v for v in result["loss"] if v is not None and math.isfinite(v)]
    first = result["loss"][0] if result["loss"] else None
    m["nonFinite"] = bool(result["stopped"] and result["stopped"]["reason"] == "non-finite") or not (
        first is not None and math.isfinite(first))
    m["growth"] = None
    m["endLoss"] = None
    if losses and first is not None and math.isfinite(first):
        tail = losses[-max(1, len(losses) // 10):]
        m["endLoss"] = sum(tail) / len(tail)
        m["firstLoss"] = first
        m["growth"] = m["endLoss"] / max(first, 1e-12)
    layers = result["layers"]
    weighted = [i for i, l in enumerate(layers) if l["hasWeights"] and l["parent"] == -1]
    steps = [k for k, s in enumerate(result["recordedSteps"]) if s >= 1] or [0]
    if result["stopped"] and result["stopped"]["reason"] == "non-finite" and len(steps) > 1:
        steps = steps[:-1]  # the step that went non-finite is not a gradient measurement
    m["vanishRatio"] = m["vanishNorm"] = m["explodeRatio"] = m["explodeNorm"] = None
    if len(weighted) >= 2:
        first_l, out_l = weighted[0], weighted[-1]
        ratios, norms, big, bignorm = [], [], [], []
        for k in steps:
            o = result["series"][out_l]["gradNorm"][k]
            f = result["series"][first_l]["gradNorm"][k]
            if o is None or f is None or not math.isfinite(o) or not math.isfinite(f):
                continue
            o = max(o, 1e-30)
            ratios.append(f / o)
            norms.append(f)
            hidden = [i for i, l in enumerate(layers) if l["hasWeights"] and i != out_l]
            best = max(hidden, key=lambda i: result["series"][i]["gradNorm"][k] or 0)
            g = result["series"][best]["gradNorm"][k] or 0
            big.append(g / o)
            bignorm.append(g)
        if ratios:
            m["vanishRatio"], m["vanishNorm"] = statistics.median(ratios), statistics.median(norms)
            m["explodeRatio"], m["explodeNorm"] = statistics.median(big), statistics.median(bignorm)
    m["dead"], m["saturated"], m["outputSaturated"], probe_loss = probe
    # The loss on the probe set in evaluation mode after training (dropout off, BatchNorm's running statistics), as
    # VGNet's fix judge measures it: the training loss of a net with dropout 0.8 is mostly the dropout's noise.
    m["probeEndLoss"] = probe_loss if math.isfinite(probe_loss) else None
    return m


def judge(m):
    """One run: {kind: "yes" | "no" | "ambiguous"}."""
    out = {}
    g = m["growth"]
    out["divergence"] = "yes" if m["nonFinite"] or g is None or g > 20 else "ambiguous" if g > 5 else "no"
    r, n = m["vanishRatio"], m["vanishNorm"]
    if r is None:
        out["vanishing"] = "no"
    else:
        out["vanishing"] = "yes" if r <= 3e-4 and n < 1e-4 else "ambiguous" if r < 3e-3 and n < 1e-3 else "no"
    b, bn = m["explodeRatio"], m["explodeNorm"]
    if b is None:
        out["exploding"] = "no"
    elif b >= 150 and bn > 1:
        out["exploding"] = "yes"
    else:
        out["exploding"] = "ambiguous" if (b > 30 and bn > 0.1) else "no"
    out["dead-relu"] = "yes" if m["dead"] >= 0.85 else "ambiguous" if m["dead"] > 0.5 else "no"
    out["saturation"] = "yes" if m["saturated"] >= 0.65 else "ambiguous" if m["saturated"] > 0.35 else "no"
    o = m["outputSaturated"]
    out["output-saturation"] = "yes" if o >= 0.65 else "ambiguous" if o > 0.35 else "no"
    return out


def probe_fractions(module, model, device="cpu"):
    """Dead (ReLU, ReLU6), saturated (sigmoid/tanh/hard_sigmoid) hidden and output fractions, on the probe set in
    evaluation mode."""
    x, y = module.load_data(device, torch.float32)
    count = min(256, x.shape[0])
    picked = torch.arange(count) * x.shape[0] // count  # evenly spaced over the data set, as VGNet's probe
    x, y = x[picked], y[picked]
    model.eval()
    with torch.no_grad():
        probe_loss = float(module.loss_of(model(x), y))
    dead, sat, out_sat = 0.0, 0.0, 0.0
    last = len(model.nodes) - 1
    for i, node in enumerate(model.nodes):
        if node.pre is None:
            continue
        z = node.pre.reshape(-1, node.pre.shape[-1])
        if i == last:
            if node.activation in module.SATURATING and not module.FUSED_OUTPUT:
                out_sat = float((~(z.abs() <= 5)).double().mean())
            continue
        if node.activation in module.RELU_FAMILY:
            dead = max(dead, float((~(z > 0)).all(dim=0).double().mean()))
        if node.activation in module.SATURATING:
            sat = max(sat, float((~(z.abs() <= 5)).double().mean()))
    return dead, sat, out_sat, probe_loss


def label_of(runs):
    label = {}
    for kind in KINDS:
        votes = [r[kind] for r in runs]
        # Clear only when the three seeds agree: a band on any seed, or seeds that split, is ambiguous — PyTorch
        # itself gives that spec no single answer (it is seed-dependent).
        label[kind] = votes[0] if votes[0] != "ambiguous" and all(v == votes[0] for v in votes) else "ambiguous"
    return label


def label_job(n, job):
    spec = importlib.util.spec_from_file_location("m%d" % n, job["program"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    measured = []
    for seed in SEEDS:
        module.SEED = seed
        recorder = module.train(module.STEPS)
        result = recorder.result()
        measured.append(measure(result, probe_fractions(module, recorder.model)))
    runs = [judge(m) for m in measured]
    return {"label": label_of(runs), "runs": runs, "measured": measured}


def main():
    if sys.argv[1] == "--rejudge":
        labels = json.load(open(sys.argv[2]))
        for entry in labels.values():
            entry["runs"] = [judge(m) for m in entry["measured"]]
            entry["label"] = label_of(entry["runs"])
        with open(sys.argv[2], "w") as f:
            f.write("{\n" + ",\n".join("%s: %s" % (json.dumps(k), json.dumps(labels[k], sort_keys=True))
                                        for k in sorted(labels)) + "\n}\n")
        return
    jobs = json.load(open(sys.argv[1]))
    if len(sys.argv) > 4:
        shard, count = int(sys.argv[3]), int(sys.argv[4])
        jobs = jobs[shard::count]
    labels = {}
    for n, job in enumerate(jobs):
        labels[job["name"]] = label_job(n, job)
        if n % 50 == 0:
            print("labelled %d of %d" % (n, len(jobs)), file=sys.stderr, flush=True)
    json.dump(labels, open(sys.argv[2], "w"), indent=0, sort_keys=True)


if __name__ == "__main__":
    main()
