#!/usr/bin/env python3
"""IBM aihwkit's PCM inference accuracy on an hffsim conv model (a measuring script, imported by nothing).

The conv counterpart of scripts/aihwkit_hff.py: loads a model written by `hffsim train --arch ...`
(docs/model-file.md) into the independent PyTorch implementation of scripts/torch_cnn.py, checks its
float accuracy, then converts every conv and linear layer to aihwkit's AnalogConv2d / AnalogLinear
(`convert_to_analog`) with the default InferenceRPUConfig (PCMLikeNoiseModel, GlobalDriftCompensation,
512 x 512 tiles, 7-bit DAC, 9-bit ADC, out_noise 0.06, noise management abs-max per input vector: every
patch of an unfolded convolution is one MVM) and measures test accuracy after programming and drift at
--time seconds, over seeds. Pooling, normalisation and the prototype read-out stay in float.

Install: as scripts/aihwkit_hff.py says (aihwkit 1.2.0 built from source).
Run:
    python3 scripts/aihwkit_cnn.py MODEL.safetensors [--bits 9] [--time 3600] [--seeds 3] [--samples 10000]
Output: float accuracy, then the mean +- sample std over seeds and the per-seed accuracies.
"""
import argparse
import os
import statistics
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_cnn as T  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--bits", type=int, default=9)
    ap.add_argument("--time", type=float, default=3600.0)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--samples", type=int, default=10000)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    (_, xte), (_, yte) = T.load(a.data)
    xte, yte = xte[:a.samples], yte[:a.samples]
    net, meta = T.load_hffsim(a.model)
    hp = meta.get("hyperparameters", {})
    n = meta["normalization"]
    mean, std, readout = n["mean"][0], n["std"][0], hp.get("readout", "sum")
    print(f"float: {100 * T.accuracy(net, xte, yte, mean, std, readout):.2f}%")

    import aihwkit
    from aihwkit.nn.conversion import convert_to_analog
    from aihwkit.simulator.configs import InferenceRPUConfig
    cfg = InferenceRPUConfig()
    cfg.forward.out_res = 1.0 / (2 ** a.bits - 2)
    accs = []
    for seed in range(1, a.seeds + 1):
        analog = convert_to_analog(net, cfg)
        analog.eval()
        # The converted modules lose the prototypes Net hangs on its conv and linear modules.
        if meta["algorithm"] == "hff":
            for mine, theirs in zip(list(analog.convs) + list(analog.layers), list(net.convs) + list(net.layers)):
                mine.prototypes = theirs.prototypes
        torch.manual_seed(seed)
        analog.program_analog_weights()
        analog.drift_analog_weights(a.time)
        acc = T.accuracy(analog, xte, yte, mean, std, readout)
        accs.append(acc)
        print(f"seed {seed}: {100 * acc:.2f}%", flush=True)
    m = statistics.mean(accs)
    s = statistics.stdev(accs) if len(accs) > 1 else 0.0
    print(f"aihwkit {aihwkit.__version__}, ADC {a.bits} bits, t = {a.time:g} s: {100 * m:.2f} +- {100 * s:.2f}% "
          f"over {a.seeds} seeds {[round(100 * x, 2) for x in accs]}")


if __name__ == "__main__":
    main()
