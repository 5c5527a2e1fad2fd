#!/usr/bin/env bash
# Submits an hffsim sweep to Slurm: an N-task job array (one shard each) and a merge job that
# waits for it. Prints the two job ids.
#   scripts/slurm/submit.sh SPEC.json OUT TASKS [HFFSIM] [-- extra sbatch options]
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 SPEC.json OUT TASKS [HFFSIM] [-- sbatch options]" >&2; exit 64; }
spec=$(realpath "$1") out=$(realpath -m "$2") tasks=$3; shift 3
hffsim=hffsim
if [ $# -gt 0 ] && [ "$1" != "--" ]; then hffsim=$(realpath "$1"); shift; fi
[ "${1:-}" = "--" ] && shift
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
array=$(sbatch --parsable "$@" --chdir="$out" --array=0-$(( tasks - 1 )) "$here/sweep.sbatch" "$spec" "$out" "$hffsim")
merge=$(sbatch --parsable "$@" --chdir="$out" --dependency=afterok:"$array" --kill-on-invalid-dep=yes "$here/merge.sbatch" "$out" "$hffsim")
echo "array $array merge $merge"
