#!/usr/bin/env python3
"""PyTorch interoperability checks for hffsim's safetensors model files.

    torch_interop.py write OUT.safetensors [--expected OUT.json] [--framework pt|np]
    torch_interop.py read IN.safetensors [--framework pt|np]
    torch_interop.py write-dtypes OUT.safetensors --expected OUT.json

`write-dtypes` (torch only) saves the same values as F16, BF16 and F64 tensors ("f16", "bf16",
"f64"; special values first: 1, -2, the largest half, the smallest subnormal half, -0, +-inf, NaN,
then rounding cases) and writes the float32 bit patterns torch's `.float()` gives for each, so the
Swift reader's conversions can be checked against torch's.

`write` saves a tiny HFF model (two layers of width 3 over 4 inputs, 2 classes, one prototype
per class) with the tensor names and metadata hffsim documents (Sources/HFF/ModelFile.swift),
values from torch.manual_seed(0) randn, via safetensors.torch.save_file. With --expected it also
writes each tensor's shape, values and float32 bit patterns as JSON, so a Swift test can compare
without Python.

`read` loads a file twice, with safetensors' load_file and with safe_open, checks that both give
the same tensors and metadata, and prints one line per tensor (sorted by name):

    tensor NAME_AS_JSON shape=[3,4] dtype=float32 sum=<sum in float64, %.17g>

followed by `metadata METADATA_AS_JSON` (keys sorted, ASCII-escaped) and `ok`.

--framework pt (default) uses torch; when torch cannot be imported it falls back to numpy with a
notice on stderr. --framework np uses numpy only. With --framework np, `write` draws the values
from numpy's default_rng(0) instead, so they differ from the torch fixture.

Exit status: 0 success, 1 a check failed or the file was rejected, 2 bad command line,
77 neither the requested framework nor the numpy fallback is available (a test should skip).
"""

import argparse
import json
import math
import struct
import sys

EXIT_SKIP = 77

TINY_SHAPES = [
    ("layers.0.weight", [3, 4]),
    ("layers.0.bias", [3]),
    ("layers.0.prototypes", [2, 3]),
    ("layers.1.weight", [3, 3]),
    ("layers.1.bias", [3]),
    ("layers.1.prototypes", [2, 3]),
]

TINY_HFFSIM = {
    "formatVersion": 1,
    "algorithm": "hff",
    "inputSize": 4,
    "classCount": 2,
    "layers": [3, 3],
    "hyperparameters": {
        "tau": 0.1,
        "prototypesPerClass": 1,
        "margin": 0.0,
        "readout": "sum",
        "prototypeLearning": "gradient",
        "optimizer": "adam",
        "learningRate": 0.001,
        "batchSize": 128,
        "epochs": 1,
        "seed": 0,
    },
    "normalization": {"mean": [0.5], "std": [0.25]},
    "history": [],
}


def tiny_metadata():
    return {"format": "hffsim-model", "hffsim": json.dumps(TINY_HFFSIM)}


def select_framework(requested):
    """Returns "pt" or "np", or exits with EXIT_SKIP when nothing usable is installed."""
    try:
        import safetensors  # noqa: F401
    except ImportError as e:
        print(f"torch_interop: safetensors is not installed ({e})", file=sys.stderr)
        sys.exit(EXIT_SKIP)
    if requested == "pt":
        try:
            import torch  # noqa: F401
            import safetensors.torch  # noqa: F401
            return "pt"
        except ImportError as e:
            print(f"torch_interop: notice: torch unavailable ({e}); falling back to numpy", file=sys.stderr)
    try:
        import numpy  # noqa: F401
        import safetensors.numpy  # noqa: F401
        return "np"
    except ImportError as e:
        print(f"torch_interop: numpy unavailable ({e})", file=sys.stderr)
        sys.exit(EXIT_SKIP)


def tiny_tensors(framework):
    """The tiny model's tensors: float32, contiguous, in the documented shapes."""
    if framework == "pt":
        import torch
        torch.manual_seed(0)
        return {name: torch.randn(*shape, dtype=torch.float32).contiguous() for name, shape in TINY_SHAPES}
    import numpy as np
    rng = np.random.default_rng(0)
    return {name: rng.standard_normal(shape).astype(np.float32) for name, shape in TINY_SHAPES}


def as_float32_list(t):
    """Flat row-major list of the values as Python floats (the exact float32 values)."""
    return [float(v) for v in t.reshape(-1).tolist()]


def cmd_write(args, framework):
    tensors = tiny_tensors(framework)
    meta = tiny_metadata()
    if framework == "pt":
        from safetensors.torch import save_file
    else:
        from safetensors.numpy import save_file
        print("torch_interop: notice: numpy values differ from the torch fixture", file=sys.stderr)
    save_file(tensors, args.file, metadata=meta)
    if args.expected:
        expected = {"framework": framework, "metadata": meta, "tensors": {}}
        for name, _ in TINY_SHAPES:
            values = as_float32_list(tensors[name])
            expected["tensors"][name] = {
                "shape": list(tensors[name].shape),
                "values": values,
                "bits": [struct.unpack("<I", struct.pack("<f", v))[0] for v in values],
            }
        with open(args.expected, "w", encoding="utf-8") as f:
            json.dump(expected, f, indent=1, sort_keys=True)
            f.write("\n")
    print(f"wrote {args.file} ({framework})")
    return 0


DTYPE_VALUES = [1.0, -2.0, 65504.0, 2.0 ** -24, -0.0, float("inf"), float("-inf"), float("nan"),
                1.0 / 3.0, 1e-5, -3.14159265358979, 6.1e-5, 1e-40, 70000.0, 1e300, -1e-300, 0.1, 257.0]


def cmd_write_dtypes(args, framework):
    if framework != "pt":
        print("torch_interop: write-dtypes needs torch", file=sys.stderr)
        return EXIT_SKIP
    import torch
    from safetensors.torch import save_file
    base = torch.tensor(DTYPE_VALUES, dtype=torch.float64)
    tensors = {"f16": base.to(torch.float16), "bf16": base.to(torch.bfloat16), "f64": base.clone()}
    save_file(tensors, args.file, metadata={"source": "torch " + torch.__version__})
    expected = {"tensors": {}}
    for name, t in tensors.items():
        as32 = t.float().contiguous()
        expected["tensors"][name] = {
            "dtype": str(t.dtype).replace("torch.", ""),
            "shape": list(t.shape),
            "bits": [int(b) & 0xFFFFFFFF for b in as32.view(torch.int32).tolist()],
        }
    with open(args.expected, "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {args.file}")
    return 0


def cmd_read(args, framework):
    from safetensors import safe_open
    if framework == "pt":
        import torch
        from safetensors.torch import load_file

        def summary(t):
            return list(t.shape), str(t.dtype).replace("torch.", ""), t.double().sum().item()

        def same(a, b):
            # Bitwise, so NaN payloads compare equal.
            def raw(t):
                return t.contiguous().reshape(-1).view(torch.uint8)
            return a.dtype == b.dtype and a.shape == b.shape and torch.equal(raw(a), raw(b))
    else:
        import numpy as np
        from safetensors.numpy import load_file

        def summary(t):
            return list(t.shape), str(t.dtype), float(np.asarray(t, dtype=np.float64).sum())

        def same(a, b):
            return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()

    try:
        loaded = load_file(args.file)
        with safe_open(args.file, framework=framework) as f:
            metadata = f.metadata() or {}
            opened = {name: f.get_tensor(name) for name in f.keys()}
    except Exception as e:  # safetensors raises SafetensorError, OSError, ...
        print(f"torch_interop: {args.file}: rejected: {type(e).__name__}: {e}", file=sys.stderr)
        return 1

    status = 0
    if sorted(loaded) != sorted(opened):
        print(f"torch_interop: load_file and safe_open disagree on names: {sorted(loaded)} vs {sorted(opened)}",
              file=sys.stderr)
        status = 1
    for name in sorted(loaded):
        t = loaded[name]
        if name in opened and not same(t, opened[name]):
            print(f"torch_interop: tensor {name!r}: load_file and safe_open disagree", file=sys.stderr)
            status = 1
        shape, dtype, total = summary(t)
        shown = "%.17g" % total if math.isfinite(total) else str(total)
        print(f"tensor {json.dumps(name)} shape={json.dumps(shape, separators=(',', ':'))} dtype={dtype} sum={shown}")
    print("metadata " + json.dumps(metadata, sort_keys=True, ensure_ascii=True))
    if status == 0:
        print("ok")
    return status


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write", help="write the tiny HFF model with safetensors.torch.save_file")
    w.add_argument("file")
    w.add_argument("--expected", help="also write shapes, values and bit patterns as JSON here")
    w.add_argument("--framework", choices=["pt", "np"], default="pt")
    r = sub.add_parser("read", help="load a file with load_file and safe_open and print a summary")
    r.add_argument("file")
    r.add_argument("--framework", choices=["pt", "np"], default="pt")
    d = sub.add_parser("write-dtypes", help="write F16, BF16 and F64 tensors and torch's float32 conversions")
    d.add_argument("file")
    d.add_argument("--expected", required=True, help="where to write the expected float32 bit patterns")
    args = parser.parse_args(argv)
    framework = select_framework(getattr(args, "framework", "pt"))
    if args.command == "write":
        return cmd_write(args, framework)
    if args.command == "write-dtypes":
        return cmd_write_dtypes(args, framework)
    return cmd_read(args, framework)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
