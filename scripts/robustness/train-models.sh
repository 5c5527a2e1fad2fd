#!/usr/bin/env bash
# Trains the Fashion-MNIST 784-1000-1000-1000 models of docs/robustness.md, one after another on
# one thread (seed 0, every other flag at its default):
#   ff-30ep       FF, 30 epochs (86.86%, docs/results.md)
#   bp-10ep       backprop, 10 epochs (the full run)
#   bp-2ep        backprop, 2 epochs (clean accuracy near FF's)
#   hff-2ep       HFF, 2 epochs (clean accuracy near FF's)
#   hff-10ep      HFF, 10 epochs, unless HFF10=path/to/an/existing/model is given
# Usage: scripts/robustness/train-models.sh path/to/hffsim OUTDIR
# Writes OUTDIR/NAME.safetensors and OUTDIR/NAME.log (per-epoch lines and the wall time).
set -euo pipefail
bin=${1:?usage: $0 path/to/hffsim OUTDIR}
out=${2:?usage: $0 path/to/hffsim OUTDIR}
mkdir -p "$out"
runs=("ff 30 ff-30ep" "backprop 10 bp-10ep" "backprop 2 bp-2ep" "hff 2 hff-2ep")
[ -n "${HFF10:-}" ] || runs+=("hff 10 hff-10ep")
for run in "${runs[@]}"; do
  read -r algorithm epochs name <<<"$run"
  [ -f "$out/$name.safetensors" ] && { echo "$name: exists, kept"; continue; }
  start=$(date +%s.%N)
  "$bin" train --algorithm "$algorithm" --dataset fashion-mnist --epochs "$epochs" --threads 1 \
    --output "$out/$name.safetensors" >"$out/$name.log" 2>&1
  seconds=$(echo "$(date +%s.%N) - $start" | bc)
  echo "wall ${seconds} s" >>"$out/$name.log"
  echo "$name: $(grep 'test accuracy' "$out/$name.log" | tail -n 1) wall ${seconds} s"
done
