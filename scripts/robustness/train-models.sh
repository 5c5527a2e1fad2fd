#!/usr/bin/env bash
# Trains the Fashion-MNIST 784-1000-1000-1000 models of docs/robustness.md, one after another on
# one thread (every other flag at its default):
#   ff-30ep       FF, 30 epochs (86.86% at seed 0, docs/results.md)
#   bp-10ep       backprop, 10 epochs (the full run)
#   bp-2ep        backprop, 2 epochs (clean accuracy near FF's)
#   hff-2ep       HFF, 2 epochs (clean accuracy near FF's)
#   hff-10ep      HFF, 10 epochs
# Usage: scripts/robustness/train-models.sh path/to/hffsim OUTDIR
# SEED=S (default 0) trains with --seed S and names the files NAME-sS (seed 0: NAME);
# MODELS="ff-30ep hff-2ep" trains only those. An existing file is kept.
# Writes OUTDIR/NAME.safetensors and OUTDIR/NAME.log (per-epoch lines and the wall time).
set -euo pipefail
bin=${1:?usage: $0 path/to/hffsim OUTDIR}
out=${2:?usage: $0 path/to/hffsim OUTDIR}
seed=${SEED:-0}
models=${MODELS:-ff-30ep bp-10ep bp-2ep hff-2ep hff-10ep}
mkdir -p "$out"
for model in $models; do
  case $model in
    ff-30ep) algorithm=ff; epochs=30 ;;
    bp-10ep) algorithm=backprop; epochs=10 ;;
    bp-2ep) algorithm=backprop; epochs=2 ;;
    hff-2ep) algorithm=hff; epochs=2 ;;
    hff-10ep) algorithm=hff; epochs=10 ;;
    *) echo "unknown model '$model'" >&2; exit 2 ;;
  esac
  name=$model; [ "$seed" = 0 ] || name=$model-s$seed
  [ -f "$out/$name.safetensors" ] && { echo "$name: exists, kept"; continue; }
  start=$(date +%s.%N)
  "$bin" train --algorithm "$algorithm" --dataset fashion-mnist --epochs "$epochs" --seed "$seed" --threads 1 \
    --output "$out/$name.safetensors" >"$out/$name.log" 2>&1
  seconds=$(echo "$(date +%s.%N) - $start" | bc)
  echo "wall ${seconds} s" >>"$out/$name.log"
  echo "$name: $(grep 'test accuracy' "$out/$name.log" | tail -n 1) wall ${seconds} s"
done
