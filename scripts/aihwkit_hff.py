#!/usr/bin/env python3
"""IBM aihwkit's PCM inference accuracy on an hffsim HFF model (a measuring script, imported by nothing).

Loads a model written by `hffsim train --algorithm hff` (docs/model-file.md), checks a float PyTorch
reimplementation of HFF inference (docs/hff.md) against it, then replaces each hidden linear layer by
an aihwkit AnalogLinear with the default InferenceRPUConfig (PCMLikeNoiseModel, GlobalDriftCompensation,
512 x 512 tiles, 7-bit DAC, 9-bit ADC, out_noise 0.06, default weight handling: no weight scaling) and
the same weights and biases, and measures test accuracy after programming and drift, over seeds.
The prototype read-out (cosine similarity to the unit prototypes over tau, per-layer log-softmax summed
for readout "sum") stays in float: aihwkit has no model of it.

Install (aihwkit builds from source, ~6-15 minutes on 2 cores):
    apt-get install -y libopenblas-dev dataset-fashion-mnist
    pip install scikit-build cmake pybind11 ninja mypy torch safetensors   # CPU torch is enough
    pip install --no-build-isolation aihwkit==1.2.0
    (aihwkit's requirements pull torchvision, which may upgrade torch past the version aihwkit's C++
    extension was built against; if `import aihwkit.simulator.rpu_base` then fails, reinstall that
    torch with --no-deps.)
Run:
    python3 scripts/aihwkit_hff.py MODEL.safetensors [--data-dir /usr/share/datasets/fashion-mnist]
        [--bits 4,6,9] [--times 3600,31536000] [--seeds 5] [--t0] [--omega W] [--fold-input]
        [--threads 2] [--json OUT.json]
    --float-only     only the float check
    --t0             also t = 0 at the largest --bits: (a) program_analog_weights() alone (programming
                     noise, drift-compensation alpha = 1) and (b) drift_analog_weights(0) (t = t_0 =
                     20 s: no drift, 1/f read noise accumulated over t_0, alpha from noisy reads)
    --omega W        set rpu_config.mapping.weight_scaling_omega = W (default: aihwkit's, 0.0 = none)
    --fold-input     feed layer 0 the raw pixels (in [0, 1]) with the standardisation folded in as
                     hffsim map lowers it: W' = W diag(1/std), b' = b - W (mean/std) in the digital
                     bias (default: the standardised, signed image into the original W and b)
ADC bits b map to rpu_config.forward.out_res = 1 / (2**b - 2): aihwkit's convention (its default
1 / (2**9 - 2) = 1/510 is documented as 9 bits), 2**b - 2 steps over +-out_bound = +-12.
Seed s: torch.manual_seed(s) right before program_analog_weights(); one programming per seed is then
drifted to each --times value in turn (drift_analog_weights redraws from the programmed weights).
The seed fixes programming noise, drift exponents and 1/f noise (torch RNG); the ADC output noise
comes from each C++ tile's own generator, seeded from the clock (rpucuda/rng.cpp), so repeated runs
agree only statistically.
Output: one line per (bits, time) with mean +- sample std (ddof 1) over seeds, per-seed accuracies and
the mean drift-compensation alpha per layer; --json writes everything.
"""

import argparse
import gzip
import json
import os
import statistics
import struct
import sys
import time


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return dims, data[4 + 4 * ndim:]


def find(data_dir, stem):
    for name in (stem, stem + ".gz"):
        p = os.path.join(data_dir, name)
        if os.path.exists(p):
            return p
    sys.exit(f"aihwkit_hff: {stem}[.gz] not found in {data_dir}")


def load_test_split(torch, data_dir):
    dims, raw = read_idx(find(data_dir, "t10k-images-idx3-ubyte"))
    x = torch.frombuffer(bytearray(raw), dtype=torch.uint8).reshape(dims[0], -1).float() / 255
    _, lab = read_idx(find(data_dir, "t10k-labels-idx1-ubyte"))
    y = torch.frombuffer(bytearray(lab), dtype=torch.uint8).long()
    return x, y


def load_model(torch, path):
    from safetensors import safe_open
    with safe_open(path, framework="pt") as f:
        meta = json.loads((f.metadata() or {})["hffsim"])
        tensors = {k: f.get_tensor(k).float() for k in f.keys()}
    if meta.get("algorithm") != "hff":
        sys.exit(f"aihwkit_hff: {path} is a {meta.get('algorithm')} model, not hff")
    hp = meta.get("hyperparameters", {})
    layers = [(tensors[f"layers.{i}.weight"], tensors[f"layers.{i}.bias"], tensors[f"layers.{i}.prototypes"])
              for i in range(len(meta["layers"]))]
    norm = meta["normalization"]
    mean = torch.tensor(norm["mean"], dtype=torch.float32)
    std = torch.tensor(norm["std"], dtype=torch.float32)
    return dict(layers=layers, mean=mean, std=std, tau=float(hp.get("tau", 0.1)),
                M=int(hp.get("prototypesPerClass", 1)), readout=hp.get("readout", "sum"),
                K=int(meta["classCount"]), meta=meta)


def fold_input(torch, model):
    """hffsim's lowering (Compiler/Lowering.swift): layer 0 on raw features, standardisation folded."""
    w, b, p = model["layers"][0]
    n = w.shape[1]
    mean = model["mean"].expand(n)
    std = model["std"].expand(n)
    folded = dict(model)
    folded["layers"] = [(w / std, b - w @ (mean / std), p)] + list(model["layers"][1:])
    folded["folded"] = True
    return folded


def hff_predict(torch, model, linears, x_raw):
    """docs/hff.md: x standardised; per layer z = ReLU(x W + b) / max(||.||, 1e-6); class logits
    c_k = LogSumExp_m (z . p^_{kM+m}) / tau; prediction argmax of sum_l log_softmax(c) ("sum") or
    of the last layer's c ("last")."""
    eps = 1e-6
    x = x_raw if model.get("folded") else (x_raw - model["mean"]) / model["std"]
    logits = []
    for (w, b, p), lin in zip(model["layers"], linears):
        a = torch.relu(lin(x))
        z = a / a.norm(dim=1, keepdim=True).clamp(min=eps)
        pu = p / p.norm(dim=1, keepdim=True).clamp(min=eps)
        s = (z @ pu.T) / model["tau"]
        c = torch.logsumexp(s.view(s.shape[0], model["K"], model["M"]), dim=2)
        logits.append(c)
        x = z
    if model["readout"] == "sum":
        score = sum(torch.log_softmax(c, dim=1) for c in logits)
    else:
        score = logits[-1]
    return score.argmax(dim=1)


def accuracy(torch, model, linears, x, y):
    with torch.no_grad():
        return (hff_predict(torch, model, linears, x) == y).double().mean().item()


def build_analog(torch, model, bits, omega):
    from aihwkit.nn import AnalogLinear
    from aihwkit.simulator.configs import InferenceRPUConfig
    cfg = InferenceRPUConfig()
    cfg.forward.out_res = 1.0 / (2 ** bits - 2)
    if omega is not None:
        cfg.mapping.weight_scaling_omega = omega
    linears = []
    for w, b, _ in model["layers"]:
        lin = AnalogLinear(w.shape[1], w.shape[0], bias=True, rpu_config=cfg)
        lin.set_weights(w, b)
        lin.eval()
        linears.append(lin)
    return cfg, linears


def alphas(lin):
    return [float(t.alpha.reshape(-1)[0]) for t in lin.analog_tiles()]


def summary(values):
    m = statistics.mean(values)
    s = statistics.stdev(values) if len(values) > 1 else 0.0
    return m, s


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--bits", default="4,6,9")
    ap.add_argument("--times", default="3600,31536000")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--t0", action="store_true")
    ap.add_argument("--omega", type=float, default=None)
    ap.add_argument("--fold-input", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--float-only", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args(argv)

    import torch
    torch.set_num_threads(args.threads)
    model = load_model(torch, args.model)
    x, y = load_test_split(torch, args.data_dir)
    if args.fold_input:
        model = fold_input(torch, model)
    sizes = [model["layers"][0][0].shape[1]] + [w.shape[0] for w, _, _ in model["layers"]]

    float_linears = [lambda v, w=w, b=b: v @ w.T + b for w, b, _ in model["layers"]]
    float_acc = accuracy(torch, model, float_linears, x, y)
    hist = model["meta"].get("history") or [{}]
    print(f"model {args.model}: hff {'-'.join(map(str, sizes))}, tau {model['tau']}, readout {model['readout']}; "
          f"{len(y)} test samples")
    print(f"float (PyTorch reimplementation): {100 * float_acc:.2f}%   "
          f"(hffsim's stored final test accuracy: {100 * hist[-1].get('testAccuracy', float('nan')):.2f}%)")
    result = {"model": args.model, "floatAccuracy": float_acc, "samples": len(y), "runs": []}
    if args.float_only:
        if args.json:
            with open(args.json, "w") as f:
                json.dump(result, f, indent=1)
        return 0

    import aihwkit
    result.update(aihwkit=aihwkit.__version__, torch=torch.__version__, omega=args.omega,
                  foldInput=args.fold_input)
    bits_list = [int(b) for b in args.bits.split(",")]
    times = [float(t) for t in args.times.split(",")]
    for bits in bits_list:
        cfg, linears = build_analog(torch, model, bits, args.omega)
        if bits == bits_list[0]:
            f = cfg.forward
            print(f"aihwkit {aihwkit.__version__}, torch {torch.__version__}: tiles per layer "
                  f"{[len(list(l.analog_tiles())) for l in linears]}; mapping.weight_scaling_omega "
                  f"{cfg.mapping.weight_scaling_omega}, inp_res {f.inp_res:.6g}, inp_bound {f.inp_bound}, "
                  f"out_bound {f.out_bound}, out_noise {f.out_noise}, w_noise {f.w_noise}, "
                  f"noise_management {f.noise_management.name}, bound_management {f.bound_management.name}, "
                  f"drift_compensation {type(cfg.drift_compensation).__name__}")
        cases = [(t, "drift") for t in times]
        if args.t0 and bits == max(bits_list):
            cases = [(0.0, "program-only"), (0.0, "drift")] + cases
        per_case = {c: [] for c in cases}
        per_alpha = {c: [] for c in cases}
        t_start = time.time()
        for seed in range(1, args.seeds + 1):
            torch.manual_seed(seed)
            for lin in linears:
                lin.program_analog_weights()
            for case in cases:
                t, kind = case
                if kind == "drift":
                    for lin in linears:
                        lin.drift_analog_weights(t)
                else:
                    # program_analog_weights() does not reset the compensation scale a previous
                    # drift_analog_weights() call left in each tile; a fresh tile has alpha = 1.
                    for lin in linears:
                        for tile in lin.analog_tiles():
                            tile.alpha = torch.ones_like(tile.alpha)
                per_case[case].append(accuracy(torch, model, linears, x, y))
                per_alpha[case].append([statistics.mean(alphas(l)) for l in linears])
        for case in cases:
            t, kind = case
            accs = per_case[case]
            m, s = summary(accs)
            mean_alpha = [statistics.mean(a[i] for a in per_alpha[case]) for i in range(len(linears))]
            label = f"t={t:g}s" + (" (program only, no drift call)" if kind == "program-only" else "")
            print(f"ADC {bits} bits (out_res 1/{2 ** bits - 2}), {label}: {100 * m:.2f} +- {100 * s:.2f}% "
                  f"(drop {100 * (float_acc - m):.2f} points) over {len(accs)} seeds "
                  f"{[round(100 * a, 2) for a in accs]}; mean alpha per layer {[round(a, 4) for a in mean_alpha]}")
            result["runs"].append(dict(bits=bits, outRes=1.0 / (2 ** bits - 2), tSeconds=t, kind=kind,
                                       accuracyPerSeed=accs, mean=m, std=s, drop=float_acc - m,
                                       meanAlphaPerLayer=mean_alpha))
        print(f"  ({time.time() - t_start:.1f} s for {args.seeds} seeds)", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
