#!/usr/bin/env python3
"""An independent PyTorch implementation of hffsim's convolutional networks (docs/hff.md,
"Convolutional HFF"), used as a measuring instrument: seconds per epoch on the same machine,
accuracy, and model-file interoperability both ways. PyTorch is not a dependency of hffsim.

    torch_cnn.py train --arch c32k3,p2,c64k3,p2,f1000 [--algorithm hff|backprop] [--epochs N]
                       [--data DIR] [--threads T] [--output MODEL.safetensors]
    torch_cnn.py eval MODEL.safetensors [--data DIR]
    torch_cnn.py fixture OUT.safetensors --expected OUT.json [--algorithm hff|backprop]

`train` trains on Fashion-MNIST's IDX files (DIR: Debian's /usr/share/datasets/fashion-mnist by
default), prints one line per epoch (loss, test accuracy, seconds of training) and writes the
model in hffsim's format (tensor names, PyTorch layouts and metadata of Sources/HFF/ModelFile.swift),
so `hffsim eval` can score it. `eval` loads an hffsim model file (written by hffsim or by this
script) into the PyTorch modules and prints its test accuracy, so the reverse holds too.
`fixture` writes a tiny random model (1 x 12 x 10 images, c3k3s2,p2, c4k2pad0,a1, f5, 3
classes; torch.manual_seed(0)) in hffsim's format and, as JSON, four input images with PyTorch's
class scores for them (HFF: the sum of each layer's log-softmax; backprop: the head's logits), so a
Swift test can check hffsim's forward pass against PyTorch's without Python.

The formulation: inputs scaled to [0, 1], standardised with one mean and std over every
training pixel. A conv block is Conv2d, ReLU, then its pooling layers; HFF scores the block's
output map flattened and length-normalised, z, by cosine against unit-norm prototypes
over tau (softmax cross-entropy; --conv-scoring average scores each channel's mean over positions
instead of the whole map); the block's output map (not z), scaled to unit root mean square
per image, goes to the next block, detached. A
dense HFF layer scores z = normalise(ReLU(x W + b)) and passes z on, detached. The read-out sums
every layer's log-softmax (`sum`) or takes the last layer's (`--readout last`). Backprop: the same layers end to end with a linear head. Adam
(lr 1e-3), batches of 128 from a seeded permutation, PyTorch's default initialisation (uniform in
+-1/sqrt(fan_in), as hffsim's), prototypes from N(0, 1).
"""

import argparse
import gzip
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file


def read_idx(path):
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(data_dir):
    def find(base):
        for name in (base + ".gz", base):
            if os.path.exists(os.path.join(data_dir, name)):
                return os.path.join(data_dir, name)
        sys.exit(f"{data_dir}: no {base}[.gz]")
    xs = [read_idx(find(b)).astype(np.float32) / 255 for b in ("train-images-idx3-ubyte", "t10k-images-idx3-ubyte")]
    ys = [read_idx(find(b)).astype(np.int64) for b in ("train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte")]
    return [torch.from_numpy(x).unsqueeze(1) for x in xs], [torch.from_numpy(y) for y in ys]


def parse_arch(text):
    convs, widths = [], []
    for tok in text.split(","):
        if tok[0] == "c":
            c, rest = tok[1:].split("k", 1)
            k = int("".join(ch for ch in rest.split("s")[0].split("pad")[0]))
            stride = int(rest.split("s")[1].split("pad")[0]) if "s" in rest else 1
            pad = int(rest.split("pad")[1]) if "pad" in rest else k // 2
            convs.append({"outChannels": int(c), "kernel": k, "stride": stride, "padding": pad, "pools": []})
        elif tok[0] in "pa":
            convs[-1]["pools"].append({"kind": "max" if tok[0] == "p" else "average", "size": int(tok[1:])})
        elif tok[0] == "f":
            widths.append(int(tok[1:]))
    return convs, widths


class Net(torch.nn.Module):
    """Conv blocks `convs`, dense `layers`, and (hff) prototypes or (backprop) a head, with
    hffsim's tensor names."""

    def __init__(self, algorithm, convs, widths, shape, classes, scoring="map"):
        super().__init__()
        self.algorithm, self.specs, self.scoring = algorithm, convs, scoring
        self.convs = torch.nn.ModuleList()
        c, h, w = shape
        for s in convs:
            self.convs.append(torch.nn.Conv2d(c, s["outChannels"], s["kernel"], s["stride"], s["padding"]))
            c = s["outChannels"]
            h = (h + 2 * s["padding"] - s["kernel"]) // s["stride"] + 1
            w = (w + 2 * s["padding"] - s["kernel"]) // s["stride"] + 1
            for p in s["pools"]:
                h, w = h // p["size"], w // p["size"]
            self.convs[-1].scored = c if scoring == "average" else c * h * w
        self.layers = torch.nn.ModuleList()
        fan = c * h * w
        for width in widths:
            self.layers.append(torch.nn.Linear(fan, width))
            fan = width
        if algorithm == "hff":
            for m in list(self.convs) + list(self.layers):
                m.prototypes = torch.nn.Parameter(torch.randn(classes, m.scored if isinstance(m, torch.nn.Conv2d) else m.out_features))
        else:
            self.head = torch.nn.Linear(fan, classes)

    def block(self, i, x):
        y = F.relu(self.convs[i](x))
        for p in self.specs[i]["pools"]:
            y = F.max_pool2d(y, p["size"]) if p["kind"] == "max" else F.avg_pool2d(y, p["size"])
        return y

    def forward(self, x, tau=0.1):
        """hff: every layer's class logits (each layer's input detached); backprop: the head's."""
        logits = []
        for i in range(len(self.convs)):
            x = self.block(i, x)
            if self.algorithm == "hff":
                z = F.normalize(x.mean(dim=(2, 3)) if self.scoring == "average" else x.flatten(1), dim=1, eps=1e-6)
                logits.append(z @ F.normalize(self.convs[i].prototypes, dim=1, eps=1e-6).t() / tau)
                n = x[0].numel()
                x = (F.normalize(x.flatten(1), dim=1, eps=1e-6) * math.sqrt(n)).view_as(x).detach()
        x = x.flatten(1)
        for layer in self.layers:
            x = F.relu(layer(x))
            if self.algorithm == "hff":
                x = F.normalize(x, dim=1, eps=1e-6)
                logits.append(x @ F.normalize(layer.prototypes, dim=1, eps=1e-6).t() / tau)
                x = x.detach()
        return logits if self.algorithm == "hff" else [self.head(x)]

    def scores(self, x, readout="sum"):
        out = self.forward(x)
        if self.algorithm != "hff":
            return out[0]
        return sum(F.log_softmax(l, dim=1) for l in out) if readout == "sum" else out[-1]


def accuracy(net, x, y, mean, std, readout="sum"):
    net.eval()
    hits = 0
    with torch.no_grad():
        for i in range(0, len(y), 1000):
            hits += (net.scores((x[i:i + 1000] - mean) / std, readout).argmax(1) == y[i:i + 1000]).sum().item()
    net.train()
    return hits / len(y)


def load_hffsim(path):
    """A model file written by hffsim (or `save`) as a Net with its weights, and its metadata."""
    st = load_file(path)
    from safetensors import safe_open
    with safe_open(path, "pt") as f:
        meta = json.loads(f.metadata()["hffsim"])
    sh, hp = meta["inputShape"], meta.get("hyperparameters", {})
    net = Net(meta["algorithm"], meta["convs"], meta["layers"], (sh["channels"], sh["height"], sh["width"]), meta["classCount"],
              hp.get("convScoring", "map"))
    own = dict(net.named_parameters())
    for name, t in st.items():
        own[name].data.copy_(t)
    return net, meta


def save(net, path, convs, widths, mean, std, classes, shape, algorithm, readout="sum"):
    tensors = {}
    for i, c in enumerate(net.convs):
        tensors[f"convs.{i}.weight"] = c.weight.detach().contiguous()
        tensors[f"convs.{i}.bias"] = c.bias.detach().contiguous()
        if algorithm == "hff":
            tensors[f"convs.{i}.prototypes"] = c.prototypes.detach().contiguous()
    for i, l in enumerate(net.layers):
        tensors[f"layers.{i}.weight"] = l.weight.detach().contiguous()
        tensors[f"layers.{i}.bias"] = l.bias.detach().contiguous()
        if algorithm == "hff":
            tensors[f"layers.{i}.prototypes"] = l.prototypes.detach().contiguous()
    if algorithm == "backprop":
        tensors["head.weight"] = net.head.weight.detach().contiguous()
        tensors["head.bias"] = net.head.bias.detach().contiguous()
    meta = {"formatVersion": 1, "algorithm": algorithm, "inputSize": shape[0] * shape[1] * shape[2], "classCount": classes,
            "layers": widths, "hyperparameters": {"tau": 0.1, "readout": readout, "convScoring": net.scoring},
            "normalization": {"mean": [mean], "std": [std]}, "convs": convs,
            "inputShape": {"channels": shape[0], "height": shape[1], "width": shape[2]}}
    save_file(tensors, path, metadata={"format": "hffsim-model", "hffsim": json.dumps(meta, sort_keys=True)})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["train", "eval", "fixture"])
    ap.add_argument("--expected")
    ap.add_argument("model", nargs="?")
    ap.add_argument("--arch", default="c32k3,p2,c64k3,p2,f1000")
    ap.add_argument("--algorithm", default="hff", choices=["hff", "backprop"])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--output")
    ap.add_argument("--conv-scoring", default="map", choices=["average", "map"])
    ap.add_argument("--readout", default="sum", choices=["sum", "last"])
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    if a.command == "fixture":
        convs = [{"outChannels": 3, "kernel": 3, "stride": 2, "padding": 1, "pools": [{"kind": "max", "size": 2}]},
                 {"outChannels": 4, "kernel": 2, "stride": 1, "padding": 0, "pools": [{"kind": "average", "size": 1}]}]
        shape = (1, 12, 10)
        net = Net(a.algorithm, convs, [5], shape, 3, a.conv_scoring)
        with torch.no_grad():
            for p in net.parameters():
                p.add_(0.1 * torch.randn_like(p))  # away from the initialisation, positive and negative
            x = torch.randn(4, *shape)
            scores = net.scores(x, a.readout)
        save(net, a.model, convs, [5], 0.0, 1.0, 3, shape, a.algorithm, a.readout)
        with open(a.expected, "w") as f:
            json.dump({"inputs": x.flatten(1).tolist(), "scores": scores.tolist(), "predictions": scores.argmax(1).tolist()}, f)
        return
    (xtr, xte), (ytr, yte) = load(a.data)
    mean, std = xtr.mean().item(), xtr.std().item()
    if a.command == "eval":
        net, meta = load_hffsim(a.model)
        hp = meta.get("hyperparameters", {})
        n = meta["normalization"]
        acc = accuracy(net, xte, yte, n['mean'][0], n['std'][0], hp.get("readout", "sum"))
        print(f"pytorch eval {a.model}: accuracy {acc * 100:.2f}%")
        return
    convs, widths = parse_arch(a.arch)
    net = Net(a.algorithm, convs, widths, (1, 28, 28), 10, a.conv_scoring)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(a.seed)
    for epoch in range(1, a.epochs + 1):
        start = time.time()
        total = 0.0
        for idx in torch.randperm(len(ytr), generator=g).split(128):
            x, y = (xtr[idx] - mean) / std, ytr[idx]
            loss = sum(F.cross_entropy(l, y) for l in net(x))
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(y)
        seconds = time.time() - start
        print(f"epoch {epoch}/{a.epochs}  loss {total / len(ytr):.4f}  test {accuracy(net, xte, yte, mean, std, a.readout) * 100:.2f}%  {seconds:.2f} s", flush=True)
    if a.output:
        save(net, a.output, convs, widths, mean, std, 10, (1, 28, 28), a.algorithm, a.readout)


if __name__ == "__main__":
    main()
