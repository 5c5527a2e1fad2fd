#!/usr/bin/env python3
"""Float sensitivity of an hffsim conv model to weight noise, layer by layer (a measuring script,
imported by nothing; PyTorch is a measuring instrument here).

Loads MODEL.safetensors into scripts/torch_cnn.py's independent implementation and, for each weight
tensor in turn, adds Gaussian noise of F x max|w| of that tensor (torch.manual_seed(0)) and reports
the test accuracy on the first N images of Fashion-MNIST. The other layers stay exact.

    python3 scripts/torch_cnn_noise.py MODEL.safetensors [--fractions 0.01,0.03] [--samples 2000]
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_cnn as T  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--fractions", default="0.01,0.03")
    ap.add_argument("--samples", type=int, default=2000)
    a = ap.parse_args()
    torch.manual_seed(0)
    (_, xte), (_, yte) = T.load(a.data)
    xte, yte = xte[:a.samples], yte[:a.samples]
    _, meta = T.load_hffsim(a.model)
    hp, n = meta.get("hyperparameters", {}), meta["normalization"]
    weights = [k for k, _ in T.load_hffsim(a.model)[0].named_parameters() if k.endswith(".weight")]

    def make():
        return T.load_hffsim(a.model)[0]

    def acc(net):
        return T.accuracy(net, xte, yte, n["mean"][0], n["std"][0], hp.get("readout", "sum"))

    print(f"clean {100 * acc(make()):.2f}%")
    for name in weights:
        for f in [float(x) for x in a.fractions.split(",")]:
            net = make()
            p = dict(net.named_parameters())[name]
            p.data += torch.randn_like(p) * f * p.abs().max()
            print(f"{name} noise {f:g} x max|w|: {100 * acc(net):.2f}%")


if __name__ == "__main__":
    main()
