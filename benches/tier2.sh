#!/usr/bin/env bash
# Whole-process recall on an existing tree, three kinds of query interleaved
# per round: a tier-1 query, a new query that escalates to tier 2 (model
# load + query embedding), and a repeated tier-2 query after its tier-0
# answer no longer applies (query vector from the embedding cache). Each
# query differs in a --since date so the tier-0 cache never answers.
#
#   bash benches/tier2.sh TREE [ROUNDS]      # MEM_BIN, MEM_MODELS_DIR as for mem
#
# AB="VAR=value ..." adds a fourth kind, NEW-B: a new query run with those
# variables set, interleaved with the others (a side-by-side comparison,
# e.g. AB=MEM_TOKENIZER=llama for llama.cpp's own vocabulary and tokenizer).
#
# Prints the median and all times (ms) per kind, and the load average.
set -euo pipefail
TREE=${1:?usage: benches/tier2.sh TREE [ROUNDS]}
ROUNDS=${2:-15}
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${MEM_BIN:-$(dirname "$HERE")/target/release/mem}
cd "$TREE"
"$BIN" recall automobile upkeep -k 5 >/dev/null 2>&1 || true   # embeds and caches the repeated query
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for i in $(seq 10 $((9 + ROUNDS))); do
  d=$(printf '%02d' $(( (i % 28) + 1 )))
  y=$(( 2000 + i / 28 ))
  kinds=(T1 NEW CACHED)
  [ -n "${AB:-}" ] && kinds+=(NEW-B)
  for kind in "${kinds[@]}"; do
    envs=()
    case $kind in
      T1) args=(deploy --tier 1 --since "$((y + 100))-01-$d") ;;
      NEW) args=(automobile upkeep "variant$i-$$") ;;
      NEW-B) args=(automobile upkeep "variant-b$i-$$"); read -r -a envs <<< "$AB" ;;
      CACHED) args=(automobile upkeep --since "$y-01-$d") ;;
    esac
    s=$(date +%s%N)
    env "${envs[@]}" "$BIN" recall "${args[@]}" -k 5 >/dev/null 2>&1 || true
    e=$(date +%s%N)
    echo "$kind $(( (e - s) / 1000 ))" >> "$out"
  done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$HERE/medians.py" "$out"
