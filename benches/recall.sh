#!/usr/bin/env bash
# Recall latency, reindex time and peak memory, ingest throughput, and
# mem vs ripgrep, on synthetic trees (`mem eval synth`). See benches/README.md.
#
#   bash benches/recall.sh                 # 10k and 100k trees
#   SIZES=10000 bash benches/recall.sh     # only 10k
#
# Environment:
#   SIZES       tree sizes (default "10000 100000")
#   ROUNDS      passes over the query list per measurement (default 3)
#   BENCH_DIR   where the trees go (default: a new folder under $TMPDIR or /tmp);
#               put it on the file system you care about (ingest is fsync-bound)
#   SKIP_BUILD  1: use target/release/mem as it is
#   MEM_BIN     another binary to measure
#   EMBEDDER    the embedder for the "default tiers" runs (default: minilm; a
#               GGUF path works too); skipped with a note when its model file
#               is not present, or when EMBEDDER=none
#
# stdout: one JSON object (the summary); stderr: progress and a markdown table.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZES=${SIZES:-"10000 100000"}
ROUNDS=${ROUNDS:-3}
EMBEDDER=${EMBEDDER:-minilm}
WORK=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/mem-bench.XXXXXX")}
mkdir -p "$WORK"

log() { echo "[bench] $*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "benches/recall.sh needs $1 ($2)" >&2; exit 2; }; }
need jq "apt-get install jq"
need awk "apt-get install gawk"
[ -x /usr/bin/time ] || { echo "benches/recall.sh needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
HAVE_RG=1; command -v rg >/dev/null 2>&1 || { HAVE_RG=0; log "ripgrep not installed (apt-get install ripgrep): mem vs rg skipped"; }

if [ -z "${MEM_BIN:-}" ]; then
  if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "cargo build --release"
    (cd "$ROOT" && cargo build --release --quiet)
  fi
  MEM_BIN=$ROOT/target/release/mem
fi
MEM=$MEM_BIN

# Hermetic: our own HOME (no user config), but the user's model folder so
# the embedder can be found when it was pulled.
REAL_DATA=${XDG_DATA_HOME:-$HOME/.local/share}
REAL_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config XDG_DATA_HOME=$REAL_DATA XDG_CACHE_HOME=$WORK/home/.cache
export MEM_GENERATOR=none NO_COLOR=1 GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"

FSTYPE=$(df -PT "$WORK" | awk 'NR==2{print $2}')
CPUS=$(nproc)
log "trees in $WORK ($FSTYPE), $CPUS cpu(s), binary $MEM"

# percentile P (0-100) of the numbers on stdin
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END{if(NR==0){print "null"; exit} i=int((NR-1)*p/100+0.5)+1; printf "%.2f\n", a[i]}'; }

# time_runs TREE UNCACHED CMD... : runs CMD "<query>" for every query, ROUNDS
# times; prints one duration in ms per run. UNCACHED=1 clears the tier-0
# cache before each run (not timed).
time_runs() {
  local tree=$1 uncached=$2; shift 2
  local r q t0 t1
  for ((r = 0; r < ROUNDS; r++)); do
    for q in "${QUERIES[@]}"; do
      [ "$uncached" = 1 ] && rm -f "$tree/.mem/state/recall-cache.json"
      t0=$EPOCHREALTIME
      "$@" "$q" >/dev/null 2>&1 || true    # exit 1 (nothing found) is fine
      t1=$EPOCHREALTIME
      echo "$t0 $t1"
    done
  done | awk '{printf "%.3f\n", ($2 - $1) * 1000}'
}

# stats NAME < samples  ->  {"name":…,"n":…,"p50":…,"p95":…,"mean":…}
stats() {
  local f; f=$(mktemp); cat >"$f"
  jq -n --arg name "$1" --argjson n "$(wc -l <"$f")" --argjson p50 "$(pct 50 <"$f")" --argjson p95 "$(pct 95 <"$f")" \
    --argjson mean "$(awk '{s+=$1} END{printf "%.2f", NR ? s/NR : 0}' "$f")" '{name:$name, n:$n, p50:$p50, p95:$p95, mean:$mean}'
  rm -f "$f"
}

# /usr/bin/time -v CMD… -> {"seconds":…,"max_rss_mb":…} (command output to $WORK/last.out)
measure() {
  local tv; tv=$(mktemp)
  /usr/bin/time -v -o "$tv" "$@" >"$WORK/last.out" 2>"$WORK/last.err" || { cat "$WORK/last.err" >&2; rm -f "$tv"; return 1; }
  jq -n --argjson rss "$(awk -F': ' '/Maximum resident set size/{print $2}' "$tv")" \
    --arg wall "$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$tv")" \
    '{seconds: ($wall | split(":") | map(tonumber) | reverse | [.[0], (.[1] // 0) * 60, (.[2] // 0) * 3600] | add), max_rss_mb: ($rss / 1024 | . * 10 | round / 10)}'
  rm -f "$tv"
}

embedder_ok() {
  [ "$EMBEDDER" = none ] && return 1
  # Probed in an empty tree (nothing to embed). The notice "semantic search
  # off" means the model file is missing.
  local probe=$WORK/probe out
  [ -d "$probe/.mem" ] || "$MEM" init "$probe" >/dev/null
  out=$(MEM_EMBEDDER=$EMBEDDER "$MEM" --root "$probe" recall zzzz --tier 2 2>&1 >/dev/null || true)
  ! grep -q "semantic search off" <<<"$out"
}

start_watch() { # TREE EMBEDDER -> sets WATCH_PID
  MEM_EMBEDDER=$2 "$MEM" --root "$1" watch --json >"$WORK/watch.out" 2>"$WORK/watch.err" &
  WATCH_PID=$!
  for _ in $(seq 1 600); do
    grep -q '"event":"ready"' "$WORK/watch.out" 2>/dev/null && return 0
    kill -0 "$WATCH_PID" 2>/dev/null || { cat "$WORK/watch.err" >&2; return 1; }
    sleep 0.2
  done
  return 1
}
stop_watch() {
  kill -INT "$WATCH_PID" 2>/dev/null || true
  wait "$WATCH_PID" 2>/dev/null || true
}

RESULTS='[]'
add_result() { RESULTS=$(jq -c --argjson r "$1" '. + [$r]' <<<"$RESULTS"); }

# A tree left by an earlier run is moved aside and deleted only at the end:
# ext4 without a journal (this machine's disk) skips inodes freed in the last
# 1-5 minutes when it allocates new ones, and that scan made file creation
# (the ingest measured below) 3-4x slower right after an `rm -rf` of a big tree.
OLD_TREES=()
trap '[ ${#OLD_TREES[@]} -eq 0 ] || rm -rf "${OLD_TREES[@]}"' EXIT
for N in $SIZES; do
  T=$WORK/t$N
  if [ -e "$T" ]; then
    mv "$T" "$WORK/old-t$N.$$"
    OLD_TREES+=("$WORK/old-t$N.$$")
  fi
  log "synthesizing $N entries (no model)"
  SYN=$(MEM_EMBEDDER=none "$MEM" eval synth --entries "$N" --json "$T")
  mapfile -t QUERIES < <(jq -r '.queries[]' <<<"$SYN")
  ROW=$(jq -c --argjson n "$N" '{entries: $n, ingest: {entries_per_s: (.entries_per_s | round), seconds: (.ingest_seconds * 100 | round / 100), commits: .commits}, needles: .needles}' <<<"$SYN")
  log "  $(jq -r '.ingest.entries_per_s' <<<"$ROW") entries/s"

  log "reindex without embeddings"
  M=$(MEM_EMBEDDER=none measure "$MEM" --root "$T" reindex --json)
  ROW=$(jq -c --argjson m "$M" '. + {reindex: $m}' <<<"$ROW")
  log "  $(jq -r '.seconds' <<<"$M") s, peak RSS $(jq -r '.max_rss_mb' <<<"$M") MB"

  log "recall --tier 1 (${#QUERIES[@]} queries x $ROUNDS)"
  S1=$(MEM_EMBEDDER=none time_runs "$T" 1 "$MEM" --root "$T" recall --tier 1 | stats tier1_uncached)
  S1c=$(MEM_EMBEDDER=none time_runs "$T" 0 "$MEM" --root "$T" recall --tier 1 | stats tier1_cached)
  M=$(MEM_EMBEDDER=none measure "$MEM" --root "$T" recall "${QUERIES[4]}" --tier 1 --no-daemon)
  ROW=$(jq -c --argjson a "$S1" --argjson b "$S1c" --argjson m "$M" '. + {recall_tier1: $a, recall_tier1_cached: $b, recall_tier1_rss_mb: $m.max_rss_mb}' <<<"$ROW")

  log "recall through mem watch"
  if start_watch "$T" none; then
    SW=$(MEM_EMBEDDER=none time_runs "$T" 1 "$MEM" --root "$T" recall --tier 1 | stats watch_tier1_uncached)
    SWd=$(MEM_EMBEDDER=none time_runs "$T" 1 "$MEM" --root "$T" recall | stats watch_default_uncached)
    stop_watch
    ROW=$(jq -c --argjson a "$SW" --argjson b "$SWd" '. + {recall_watch_tier1: $a, recall_watch_default_no_embedder: $b}' <<<"$ROW")
  else
    log "  mem watch did not start; skipped"
  fi

  if [ "$HAVE_RG" = 1 ]; then
    log "mem recall WORD --tier 1 vs rg -i -l WORD (interleaved)"
    mapfile -t WORDS < <(printf '%s\n' "${QUERIES[@]}" | awk '{print $1}' | awk '!seen[$0]++')
    SAVED=("${QUERIES[@]}"); QUERIES=("${WORDS[@]}")
    RG=$(time_runs "$T" 0 rg -i -l --no-messages "$T" -e | stats rg)
    MM=$(MEM_EMBEDDER=none time_runs "$T" 1 "$MEM" --root "$T" recall --tier 1 | stats mem_tier1_uncached)
    RG2=$(time_runs "$T" 0 rg -i -l --no-messages "$T" -e | stats rg_again)
    QUERIES=("${SAVED[@]}")
    ROW=$(jq -c --argjson a "$RG" --argjson b "$MM" --argjson c "$RG2" '. + {vs_rg: {rg: $a, mem_tier1: $b, rg_again: $c, words: ($a.n)}}' <<<"$ROW")
  fi

  if embedder_ok; then
    log "reindex with the embedder ($EMBEDDER)"
    M=$(MEM_EMBEDDER=$EMBEDDER measure "$MEM" --root "$T" reindex --json)
    ROW=$(jq -c --argjson m "$M" '. + {reindex_embedder: $m}' <<<"$ROW")
    log "  $(jq -r '.seconds' <<<"$M") s, peak RSS $(jq -r '.max_rss_mb' <<<"$M") MB"
    log "recall, default tiers, with the embedder"
    SE=$(MEM_EMBEDDER=$EMBEDDER time_runs "$T" 1 "$MEM" --root "$T" recall --no-daemon | stats default_embedder_uncached)
    ROW=$(jq -c --argjson a "$SE" '. + {recall_default_embedder: $a}' <<<"$ROW")
    if start_watch "$T" "$EMBEDDER"; then
      SWE=$(MEM_EMBEDDER=$EMBEDDER time_runs "$T" 1 "$MEM" --root "$T" recall | stats watch_default_embedder_uncached)
      stop_watch
      ROW=$(jq -c --argjson a "$SWE" '. + {recall_watch_default_embedder: $a}' <<<"$ROW")
    fi
  elif [ "$EMBEDDER" = none ]; then
    log "EMBEDDER=none: default-tier runs skipped"
    ROW=$(jq -c '. + {recall_default_embedder: null, note: "EMBEDDER=none; default-tier runs skipped"}' <<<"$ROW")
  else
    log "embedder $EMBEDDER not present (run \`mem model pull\`): default-tier runs skipped"
    ROW=$(jq -c '. + {recall_default_embedder: null, note: "embedder model not present; default-tier runs skipped"}' <<<"$ROW")
  fi
  add_result "$ROW"
done

SUMMARY=$(jq -n --argjson r "$RESULTS" --arg fs "$FSTYPE" --argjson cpus "$CPUS" --argjson rounds "$ROUNDS" \
  --arg version "$("$MEM" --version)" --arg dir "$WORK" \
  '{mem: $version, cpus: $cpus, fs: $fs, dir: $dir, rounds: $rounds, results: $r}')
echo "$SUMMARY"

{
  echo
  echo "| entries | metric | p50 ms | p95 ms |"
  echo "|---:|---|---:|---:|"
  jq -r '.results[] | .entries as $n |
    ([["recall --tier 1 (uncached)", .recall_tier1], ["recall --tier 1 (tier-0 cache hit)", .recall_tier1_cached],
      ["recall --tier 1 via mem watch", .recall_watch_tier1], ["recall default tiers, no embedder, via mem watch", .recall_watch_default_no_embedder],
      ["recall default tiers + embedder", .recall_default_embedder], ["recall default tiers + embedder via mem watch", .recall_watch_default_embedder],
      ["rg -i -l WORD", .vs_rg.rg], ["mem recall WORD --tier 1", .vs_rg.mem_tier1]][]
     | select(.[1] != null) | "| \($n) | \(.[0]) | \(.[1].p50) | \(.[1].p95) |")' <<<"$SUMMARY"
  echo
  echo "| entries | ingest entries/s | reindex s (no embedder) | reindex peak RSS MB | reindex s (embedder) | recall peak RSS MB |"
  echo "|---:|---:|---:|---:|---:|---:|"
  jq -r '.results[] | "| \(.entries) | \(.ingest.entries_per_s) | \(.reindex.seconds) | \(.reindex.max_rss_mb) | \(.reindex_embedder.seconds // "-") | \(.recall_tier1_rss_mb) |"' <<<"$SUMMARY"
  echo
  echo "($CPUS cpus, trees on $FSTYPE, $ROUNDS rounds; uncached = the tier-0 cache file removed before each run)"
} >&2
