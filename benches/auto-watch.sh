#!/usr/bin/env bash
# Whole-process recall with watch.auto on: the first recall (in-process; it
# starts `mem watch` in the background), then RUNS new queries that need the
# embedder and RUNS tier-1 queries, all answered by the started watcher.
# Stops the watcher at the end.
#
#   bash benches/auto-watch.sh TREE [RUNS]     # MEM_BIN, MEM_MODELS_DIR as for mem
set -euo pipefail
TREE=${1:?usage: benches/auto-watch.sh TREE [RUNS]}
RUNS=${2:-21}
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${MEM_BIN:-$(dirname "$HERE")/target/release/mem}
cd "$TREE"
export MEM_AUTO_WATCH=1 MEM_WATCH_IDLE_EXIT_S=120
out=$(mktemp)
trap 'rm -f "$out"; pkill -TERM -f "$BIN --quiet watch" 2>/dev/null || true' EXIT
t() { local s e; s=$(date +%s%N); "$BIN" "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
echo "FIRST $(t recall automobile upkeep "first-$$" -k 5)" >> "$out"
for _ in $(seq 1 100); do [ -S .mem/state/watch.sock ] && break; sleep 0.1; done
t recall warm up "$$" -k 5 >/dev/null   # waits for the watcher's first catch-up
for i in $(seq 1 "$RUNS"); do
  echo "NEW $(t recall automobile upkeep "v$i-$$" -k 5)" >> "$out"
  echo "T1 $(t recall deploy --tier 1 --since "$((2100 + i))-01-01" -k 5)" >> "$out"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$HERE/medians.py" "$out"
