#!/usr/bin/env bash
# `mem learn` on one long agent transcript (issue 22: a 2,000-turn
# transcript in ≤ 60 s on 2 cores without a generator). The transcript is
# the Claude Code files of fixtures/lessons/dev/ repeated (tool-call ids made
# unique per copy) until it has TURNS lines; it is learned RUNS times, each
# into a fresh tree with a cold embedding cache (the index caught up with the embedder at the end, as
# `mem learn` does), then once more into the same tree (everything known).
#
#   bash benches/learn.sh                  # 2,000 turns, 3 runs
#   TURNS=10000 RUNS=1 bash benches/learn.sh
#
# Environment: MEM_BIN, MEM_MODELS_DIR (the embedder; without one the index
# is lexical only), TURNS (2000), RUNS (3), MEM_THREADS (default 2).
# stdout: one JSON object; stderr: progress.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_bin learn.sh
bench_needs learn.sh python3 git
TURNS=${TURNS:-2000}
RUNS=${RUNS:-3}
export MEM_THREADS=${MEM_THREADS:-2}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mem-learn-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
python3 - "$ROOT/fixtures/lessons/dev" "$TURNS" "$WORK/long.jsonl" <<'EOF'
import json, sys, glob
src, turns, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
files = sorted(f for f in glob.glob(src + "/*.jsonl")
               if '"sessionId"' in open(f).readline())
lines, copy = [], 0
while len(lines) < turns:
    for f in files:
        for l in open(f):
            v = json.loads(l)
            for p in (v.get("message", {}).get("content") or []):
                if isinstance(p, dict):
                    if "id" in p: p["id"] = f"{p['id']}-{copy}"
                    if "tool_use_id" in p: p["tool_use_id"] = f"{p['tool_use_id']}-{copy}"
            v["sessionId"] = "long-session"
            lines.append(json.dumps(v))
        copy += 1
with open(out, "w") as fh:
    fh.write("\n".join(lines[:turns]) + "\n")
EOF
secs=()
for r in $(seq 1 "$RUNS"); do
  T="$WORK/tree-$r"
  "$BIN" init -q "$T" >/dev/null
  s=$(date +%s.%N)
  # A cold embedding cache each run: every lesson is embedded.
  MEM_CACHE_DIR="$WORK/cache-$r" "$BIN" --root "$T" --quiet learn "$WORK/long.jsonl" --json >"$WORK/out-$r.jsonl"
  e=$(date +%s.%N)
  secs+=("$(python3 -c "print(round($e - $s, 2))")")
  echo "[learn] run $r: ${secs[-1]} s" >&2
done
s=$(date +%s.%N)
MEM_CACHE_DIR="$WORK/cache-1" "$BIN" --root "$WORK/tree-1" --quiet learn "$WORK/long.jsonl" --json >"$WORK/again.jsonl"
e=$(date +%s.%N)
again=$(python3 -c "print(round($e - $s, 2))")
python3 - "$WORK" "$TURNS" "$again" "${secs[@]}" <<'EOF'
import json, sys, statistics
work, turns, again, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), [float(x) for x in sys.argv[4:]]
summary = [json.loads(l) for l in open(f"{work}/out-1.jsonl") if '"summary"' in l][0]["summary"]
again_s = [json.loads(l) for l in open(f"{work}/again.jsonl") if '"summary"' in l][0]["summary"]
print(json.dumps({"turns": turns, "runs": secs, "median_s": statistics.median(secs),
                  "lessons": summary["lessons"], "added": summary["added"],
                  "confirmed": summary["confirmed"], "relearn_s": again,
                  "relearn_added": again_s["added"]}))
EOF
