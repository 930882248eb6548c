#!/usr/bin/env bash
# Latency of `mem add` with curation, as a user sees it: a fresh process per
# add (model loads, index catch-up, curation, commit) into a synthetic tree
# of a few hundred entries. Prints p50/p95 (seconds) and the load average.
#
#   bash benches/add.sh                      # target/release/mem, 300 entries, 15 adds
#   MEM_BIN=/path/to/mem N=20 ENTRIES=500 bash benches/add.sh
#
# Environment: MEM_BIN (default target/release/mem, else $CARGO_TARGET_DIR/release/mem),
# ENTRIES (tree size, default 300), N (adds, default 15, at least 15 for the
# README numbers), MEM_MODELS_DIR (where the default GGUFs are), EXTRA (extra
# flags for mem add, e.g. "--no-model").
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_bin add.sh
ENTRIES=${ENTRIES:-300}
N=${N:-15}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mem-add-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
"$BIN" eval synth --entries "$ENTRIES" "$WORK/tree" >/dev/null
cd "$WORK/tree"
"$BIN" reindex >/dev/null 2>&1 || true   # the first catch-up (embedding) is not part of an add
FACTS=(
  "Alice moved from Berlin to Paris in March."
  "The release build also needs protoc."
  "The staging database runs Postgres 16."
  "Bob prefers tabs over spaces in Go code."
  "The auth service listens on port 9443."
  "Deploys are frozen on Fridays after 3 pm."
  "The CI runners use Ubuntu 24.04 images."
  "Carol is the on-call lead for the payments team."
  "Nightly backups are kept for 30 days."
  "The search cluster has three nodes in eu-west-1."
  "Dave switched the team wiki to Markdown files in git."
  "The mobile app targets Android 14 and iOS 17."
  "Eve no longer works on the billing service."
  "Our coffee machine on floor 2 is broken again."
  "The llama.cpp build needs cmake and libclang."
  "Frank lives in Lisbon and works remotely."
  "Log retention was extended to 90 days."
  "The public API rate limit is 600 requests per minute."
  "Grace likes green tea in the afternoon."
  "The VPN certificate expires on 1 June."
)
times=()
for i in $(seq 0 $((N - 1))); do
  t0=$(date +%s.%N)
  # shellcheck disable=SC2086
  "$BIN" add ${EXTRA:-} --json "${FACTS[$((i % ${#FACTS[@]}))]} (note $i)" >/dev/null
  t1=$(date +%s.%N)
  times+=("$(echo "$t1 - $t0" | bc)")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
pick() { echo "$sorted" | awk -v q="$1" -v n="$N" 'NR==int((n-1)*q)+1{print; exit}'; }
echo "{\"adds\":$N,\"entries\":$ENTRIES,\"p50_s\":$(pick 0.5),\"p95_s\":$(pick 0.95),\"loadavg\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",\"bin\":\"$BIN\"}"
