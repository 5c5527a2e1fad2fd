#!/usr/bin/env python3
"""Write the class-balanced Fashion-MNIST subset committed in Sources/Datasets/Subset/.

Reads the full Fashion-MNIST (Debian package dataset-fashion-mnist, files under
/usr/share/datasets/fashion-mnist, or the directory given as the first argument) and keeps
the first 100 training images of each class (1,000 in all) and the first 50 test images of
each class (500 in all), in their original order. The output is four gzipped IDX files with
the standard names; gzip is written with mtime=0 and no file name, so the bytes are identical
on every run (given the same zlib).

Usage: python3 scripts/make-subset.py [SOURCE_DIR] [OUTPUT_DIR]

Only the Python standard library is used (gzip, struct).
"""
import gzip
import os
import struct
import sys

SOURCE = "/usr/share/datasets/fashion-mnist"
HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(HERE, "..", "Sources", "Datasets", "Subset")
CLASSES = 10
TRAIN_PER_CLASS = 100
TEST_PER_CLASS = 50


def read_idx(path):
    """Return (dims, payload bytes) of an unsigned-byte IDX file, raw or gzipped."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        sys.exit(f"{path}: not an IDX file (bad magic)")
    if data[2] != 0x08:
        sys.exit(f"{path}: element type 0x{data[2]:02x} is not unsigned byte (0x08)")
    ndims = data[3]
    dims = struct.unpack(">" + "I" * ndims, data[4:4 + 4 * ndims])
    payload = data[4 + 4 * ndims:]
    expected = 1
    for d in dims:
        expected *= d
    if len(payload) != expected:
        sys.exit(f"{path}: expected {expected} data bytes, got {len(payload)}")
    return dims, payload


def idx_bytes(dims, payload):
    return bytes([0, 0, 0x08, len(dims)]) + struct.pack(">" + "I" * len(dims), *dims) + payload


def write_gz(path, data):
    with open(path, "wb") as f:
        f.write(gzip.compress(data, compresslevel=9, mtime=0))


def subset(source, output, prefix, per_class):
    idims, images = read_idx(os.path.join(source, f"{prefix}-images-idx3-ubyte.gz"))
    ldims, labels = read_idx(os.path.join(source, f"{prefix}-labels-idx1-ubyte.gz"))
    n, rows, cols = idims
    if ldims[0] != n:
        sys.exit(f"{prefix}: {n} images but {ldims[0]} labels")
    size = rows * cols
    taken = [0] * CLASSES
    keep = []
    for i, label in enumerate(labels):
        if taken[label] < per_class:
            taken[label] += 1
            keep.append(i)
    if any(t != per_class for t in taken):
        sys.exit(f"{prefix}: not enough images per class: {taken}")
    out_images = b"".join(images[i * size:(i + 1) * size] for i in keep)
    out_labels = bytes(labels[i] for i in keep)
    write_gz(os.path.join(output, f"{prefix}-images-idx3-ubyte.gz"),
             idx_bytes((len(keep), rows, cols), out_images))
    write_gz(os.path.join(output, f"{prefix}-labels-idx1-ubyte.gz"),
             idx_bytes((len(keep),), out_labels))
    print(f"{prefix}: kept {len(keep)} of {n} images ({per_class} per class)")


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else SOURCE
    output = os.path.normpath(sys.argv[2] if len(sys.argv) > 2 else OUTPUT)
    os.makedirs(output, exist_ok=True)
    subset(source, output, "train", TRAIN_PER_CLASS)
    subset(source, output, "t10k", TEST_PER_CLASS)
    keep = os.path.join(output, ".keep")
    if os.path.exists(keep):
        os.remove(keep)


if __name__ == "__main__":
    main()
