#!/usr/bin/env python3
"""Prints the issue 16 table (markdown) from the r-*.json runs that run-table.sh writes.

Drop = the plain model's float accuracy minus the hardware accuracy (mean over 5 chips; for
chip-in-the-loop, the mean over 5 models, each on its own chip), so that the three trainings
are compared against one reference; the hardware-aware model's own float accuracy is listed too.
Mixed = hardware-aware with half the batches in float (--hardware-fraction 0.5). Own layer =
chip-in-the-loop with each layer's own product on the chip too (--chip-own-layer).
"""
import glob, json, os, statistics, sys

d = sys.argv[1] if len(sys.argv) > 1 else "."
def load(name):
    p = os.path.join(d, name + ".json")
    try:
        return json.load(open(p))
    except (OSError, ValueError):  # missing, or still being written
        return None

rows = [("pcm-aihwkit", "pcm", b, t) for b in (4, 5, 6) for t in ("1h", "1y")] + [("rram-neurosim", "rram", b, None) for b in (3, 4)]
print("Drops in points: against the plain model's float accuracy / against the model's own float accuracy; +- the spread over chips.\n")
print("| preset | ADC bits | time | plain: hardware (drop +- sd) | hardware-aware: float, hardware (drops +- sd) | mixed (f 0.5): float, hardware (drops +- sd) | chip-in-the-loop: float, hardware (drops +- sd), models | own layer on the chip: float, hardware (drops +- sd), models |")
print("|---|---|---|---|---|---|---|---|")
for preset, tag, b, t in rows:
    suffix = f"-{t}" if t else ""
    plain = load(f"r-plain-{tag}{b}{suffix}")
    if plain is None:
        continue
    ref = plain["floatAccuracy"] * 100
    def cell(own, accs):
        m = statistics.mean(accs)
        return f"{own:.2f}%, {m:.2f}% ({ref - m:.2f} / {own - m:.2f} +- {statistics.pstdev(accs):.2f})"
    pa = [x * 100 for x in plain["hardwareAccuracyPerChip"]]
    out = [preset, str(b), t or "-", f"{statistics.mean(pa):.2f}% ({ref - statistics.mean(pa):.2f} +- {statistics.pstdev(pa):.2f})"]
    hwa = load(f"r-hwa-{tag}{b}{suffix}")
    out.append(cell(hwa["floatAccuracy"] * 100, [x * 100 for x in hwa["hardwareAccuracyPerChip"]]) if hwa else "-")
    mix = load(f"r-mix-{tag}{b}{suffix}")
    out.append(cell(mix["floatAccuracy"] * 100, [x * 100 for x in mix["hardwareAccuracyPerChip"]]) if mix else "-")
    for prefix in ("cil", "cilo"):
        cil = [c for c in (load(f"r-{prefix}-{tag}{b}-chip{s}{suffix or '-1h'}") for s in range(1, 6)) if c]  # run-table.sh names them -1h
        if cil:
            own = statistics.mean(c["floatAccuracy"] * 100 for c in cil)
            out.append(cell(own, [c["hardwareAccuracyPerChip"][0] * 100 for c in cil]) + f", {len(cil)}")
        else:
            out.append("-")
    print("| " + " | ".join(out) + " |")
