#!/usr/bin/env bash
# Markdown tables from the JSON that scripts/robustness/measure.sh wrote: accuracy (%) of each
# model (columns) against sigma, and against epsilon under FGSM and PGD (rows).
# Usage: scripts/robustness/table.sh OUTDIR NAME ...
set -euo pipefail
out=${1:?usage: $0 OUTDIR NAME ...}
shift
[ $# -ge 1 ] || { echo "usage: $0 OUTDIR NAME ..." >&2; exit 2; }
# table TITLE FILE-SUFFIX JQ-PATH-TO-TABLE VALUE-KEY
table() {
  local title=$1 suffix=$2 path=$3 key=$4
  local files=() name
  for name in "${@:5}"; do files+=("$out/$name-$suffix.json"); done
  echo
  echo "$title"
  echo
  printf '| %s (std units) | %s (raw [0, 1] units) |' "${key%StandardizedUnits}" "${key%StandardizedUnits}"
  for name in "${@:5}"; do printf ' %s |' "$name"; done; echo
  printf '|---|---|'; for _ in "${@:5}"; do printf -- '---|'; done; echo
  jq -r -s --arg key "$key" --arg raw "${key%StandardizedUnits}RawUnits" "
    [ .[] | $path.results ] as \$t
    | range(0; \$t[0] | length) as \$i
    | \"| \(\$t[0][\$i][\$key]) | \(\$t[0][\$i][\$raw] * 10000 | round / 10000) | \"
      + ([ \$t[] | .[\$i].accuracy | $percent ] | join(\" | \")) + \" |\"
  " "${files[@]}"
  echo
  printf 'clean accuracy:'; for f in "${files[@]}"; do printf ' %s' "$(jq -r ".testAccuracy | $percent" "$f")"; done; echo
}
# A fraction as a percentage with two decimals (jq has no printf).
percent='(. * 10000 | round) as $v | "\($v / 100 | floor).\($v % 100 | tostring | if length == 1 then "0" + . else . end)%"'
table "Gaussian input noise N(0, sigma^2) on the standardised input (noise seed 0)" noise-fgsm .inputNoise sigmaStandardizedUnits "$@"
table "FGSM, L-infinity, standardised input space" noise-fgsm .attack epsilonStandardizedUnits "$@"
table "PGD-10 (step 2.5 eps / 10, no random start), L-infinity, standardised input space" pgd .attack epsilonStandardizedUnits "$@"
