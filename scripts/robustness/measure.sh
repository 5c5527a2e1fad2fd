#!/usr/bin/env bash
# The robustness table of docs/robustness.md: for each model, accuracy on the full Fashion-MNIST
# test set (10,000 images) under Gaussian input noise, FGSM and PGD-10, all in the model's
# standardised input space, on one thread.
# Usage: scripts/robustness/measure.sh path/to/hffsim OUTDIR NAME=MODEL.safetensors ...
# Writes OUTDIR/NAME-noise-fgsm.json and OUTDIR/NAME-pgd.json (eval --json), OUTDIR/times.txt
# (wall seconds per call) and prints the tables (scripts/robustness/table.sh). SIGMAS, EPSILONS
# and DATASET override the lists and the data set.
set -euo pipefail
bin=${1:?usage: $0 path/to/hffsim OUTDIR NAME=MODEL ...}
out=${2:?usage: $0 path/to/hffsim OUTDIR NAME=MODEL ...}
shift 2
[ $# -ge 1 ] || { echo "usage: $0 path/to/hffsim OUTDIR NAME=MODEL ..." >&2; exit 2; }
sigmas=${SIGMAS:-0,0.1,0.25,0.5,1}
epsilons=${EPSILONS:-0,0.01,0.03,0.1,0.3}
dataset=${DATASET:-fashion-mnist}
mkdir -p "$out"
names=()
for pair in "$@"; do
  name=${pair%%=*}; model=${pair#*=}
  names+=("$name")
  for kind in noise-fgsm pgd; do
    if [ "$kind" = noise-fgsm ]; then flags=(--input-noise "$sigmas" --attack fgsm); else flags=(--attack pgd --pgd-steps 10); fi
    start=$(date +%s.%N)
    "$bin" eval "$model" --dataset "$dataset" --threads 1 --epsilon "$epsilons" "${flags[@]}" --json >"$out/$name-$kind.json"
    seconds=$(echo "$(date +%s.%N) - $start" | bc)
    echo "$name $kind wall ${seconds} s" | tee -a "$out/times.txt" >&2
  done
done
"$(dirname "$0")/table.sh" "$out" "${names[@]}"
