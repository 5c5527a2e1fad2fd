#!/usr/bin/env python3
"""Prints the issue 16 table (markdown) from the r-*.json runs that run-table.sh writes.

Drop = the plain model's float accuracy minus the hardware accuracy (mean over 5 chips; for
chip-in-the-loop, the mean over 5 models, each on its own chip), so that the three trainings
are compared against one reference; the hardware-aware model's own float accuracy is listed too.
"""
import glob, json, os, statistics, sys

d = sys.argv[1] if len(sys.argv) > 1 else "."
def load(name):
    p = os.path.join(d, name + ".json")
    return json.load(open(p)) if os.path.exists(p) else None

rows = [("pcm-aihwkit", "pcm", b, t) for b in (4, 5, 6) for t in ("1h", "1y")] + [("rram-neurosim", "rram", b, None) for b in (3, 4)]
print("| preset | ADC bits | time | plain: hardware acc. (drop) | hardware-aware: float, hardware acc. (drop) | chip-in-the-loop: hardware acc. (drop), chips |")
print("|---|---|---|---|---|---|")
for preset, tag, b, t in rows:
    suffix = f"-{t}" if t else ""
    plain = load(f"r-plain-{tag}{b}{suffix}")
    if plain is None:
        continue
    ref = plain["floatAccuracy"] * 100
    def cell(acc, spread):
        return f"{acc:.2f}% ({ref - acc:.2f} +- {spread:.2f})"
    pa = [x * 100 for x in plain["hardwareAccuracyPerChip"]]
    out = [preset, str(b), t or "-", cell(statistics.mean(pa), statistics.pstdev(pa))]
    hwa = load(f"r-hwa-{tag}{b}{suffix}")
    if hwa:
        ha = [x * 100 for x in hwa["hardwareAccuracyPerChip"]]
        out.append(f"{hwa['floatAccuracy'] * 100:.2f}%, " + cell(statistics.mean(ha), statistics.pstdev(ha)))
    else:
        out.append("-")
    cil = [load(f"r-cil-{tag}{b}-chip{s}{suffix}") for s in range(1, 6)]
    cil = [c for c in cil if c]
    if cil:
        ca = [c["hardwareAccuracyPerChip"][0] * 100 for c in cil]
        out.append(cell(statistics.mean(ca), statistics.pstdev(ca)) + f", {len(cil)}")
    else:
        out.append("-")
    print("| " + " | ".join(out) + " |")
