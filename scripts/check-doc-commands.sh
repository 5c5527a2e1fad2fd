#!/usr/bin/env bash
# Every hffsim command written in README.md and docs/*.md (code blocks and indented lines), parsed
# by the real argument parser (HFFSIM_CHECK_ARGS=1: valid flags and arity, no work done), so a
# renamed or removed flag cannot stay in the docs. The user guide's commands also run in full
# (.ci/run). Usage: scripts/check-doc-commands.sh path/to/hffsim
set -euo pipefail
bin=${1:?usage: $0 path/to/hffsim}
cd "$(dirname "$0")/.."
count=0; failed=0
while IFS= read -r line; do
  # Split '&&' chains; keep the part from 'hffsim ' on, drop trailing comments and prompts.
  while IFS= read -r part; do
    cmd=$(echo "$part" | sed -E 's/^.*\bhffsim //; s/[[:space:]]+#.*$//')
    [ -z "$cmd" ] && continue
    count=$((count + 1))
    # shellcheck disable=SC2086
    if ! out=$(cd "$(mktemp -d)" && HFFSIM_CHECK_ARGS=1 eval "\"$bin\" $cmd" 2>&1); then
      echo "stale command in the docs: hffsim $cmd"; echo "  $out"; failed=$((failed + 1))
    fi
  done < <(echo "$line" | sed 's/ && /\n/g' | grep -E '(^|[ /])hffsim ')
done < <(cat README.md docs/*.md Traces/README.md \
         | grep -E '^(\$ |[[:space:]]*)?(swift run -c release |\.build/release/)?hffsim (train|eval|map|run|compare|sweep|check|bench|hardware)( |$)' \
         | grep -v 'hffsim hardware config:' || true)
echo "doc commands: $count parsed, $failed stale"
[ "$failed" -eq 0 ]
