#!/usr/bin/env bash
# Write the Markdown plan diff of SCENARIO... between two git revisions (a pull request's base and head).
# Usage: plan-diff.sh BASE_REV HEAD_REV OUT.md SCENARIO.aqs...
# Each scenario is compiled at both revisions (imports are read at the same revision) and compared with
# `aquadsl diff --format md`. Exit 0 when OUT.md was written (changes or not), 1 when a side fails to
# compile (its diagnostics are in OUT.md too, so the comment explains the failure).
set -uo pipefail
base="$1"; head="$2"; out="$3"; shift 3
status=0
: > "$out"
for scenario in "$@"; do
  {
    echo "<!-- aquadsl plan diff: $scenario -->"
    echo "**\`$scenario\`** ($base → $head)"
    echo
  } >> "$out"
  aquadsl diff "$base:$scenario" "$head:$scenario" --format md >> "$out" 2> "$out.err"
  code=$?
  if [ "$code" -ne 0 ] && [ "$code" -ne 2 ]; then     # 0 same, 2 changes, anything else an error
    { echo '```'; cat "$out.err"; echo '```'; } >> "$out"
    status=1
  fi
  echo >> "$out"
done
rm -f "$out.err"
exit "$status"
