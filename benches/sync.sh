#!/usr/bin/env bash
# `mem sync` between two clones of one bare remote, on a synthetic tree
# (`mem eval synth`): (a) the pull of CHANGED changed entries and the recall
# that catches the index up after it; (b) SIGKILL trials: `mem sync` killed
# at a random moment, then the next `mem sync` must finish the job with the
# repository, the tree and the remote intact. See benches/README.md.
#
#   MEM_BIN=/path/to/mem bash benches/sync.sh           # 10k entries, 1000 changed, 5 rounds, 20 trials
#   ENTRIES=1000 CHANGED=100 ROUNDS=3 TRIALS=5 bash benches/sync.sh
#
# Environment:
#   MEM_BIN    the binary (default target/release/mem, else $CARGO_TARGET_DIR/release/mem)
#   ENTRIES    tree size (default 10000)
#   CHANGED    entry files changed per pull round (default 1000); a kill trial changes CHANGED/10
#   ROUNDS     measured pull rounds (default 5)
#   TRIALS     kill trials (default 20; 0 skips them)
#   SEED       seeds bash's $RANDOM (the kill delays) and the choice of changed files (default 1)
#   BENCH_DIR  where the work folder goes (default $TMPDIR or /tmp)
#   KEEP       1: keep the work folder (the clones, the logs) at the end
#
# stdout: one JSON object (the summary); stderr: progress and a markdown table.
# Exit status 1 when a kill trial failed (the JSON says which and why).
# Needs git, python3 and jq.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_bin sync.sh
bench_needs sync.sh git python3 jq
ENTRIES=${ENTRIES:-10000}
CHANGED=${CHANGED:-1000}
ROUNDS=${ROUNDS:-5}
TRIALS=${TRIALS:-20}
SEED=${SEED:-1}
KEEP=${KEEP:-0}
KCHANGED=$((CHANGED / 10 > 0 ? CHANGED / 10 : 1))
((ROUNDS >= 1)) || { echo "benches/sync.sh: ROUNDS must be at least 1 (the kill delays come from the pull rounds)" >&2; exit 2; }

WORK=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/mem-sync-bench.XXXXXX")
A=$WORK/A B=$WORK/B R=$WORK/R.git
SYNC_PID=
cleanup() {
  if [ -n "$SYNC_PID" ]; then kill -KILL "$SYNC_PID" 2>/dev/null || true; wait "$SYNC_PID" 2>/dev/null || true; fi
  if [ "$KEEP" = 1 ]; then echo "[sync] kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# Hermetic: our own HOME (no user config) with a git identity.
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config XDG_DATA_HOME=$WORK/home/.local/share XDG_CACHE_HOME=$WORK/home/.cache
export MEM_EMBEDDER=none MEM_GENERATOR=none MEM_AUTO_WATCH=0 NO_COLOR=1 GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
cat >"$HOME/.gitconfig" <<'EOF'
[user]
	name = Sync Bench
	email = sync-bench@example.com
[init]
	defaultBranch = main
EOF

log() { echo "[sync] $*" >&2; }
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
log "work folder $WORK ($(df -PT "$WORK" | awk 'NR==2{print $2}')), $(nproc) cpu(s), load average $LOAD0, binary $BIN"

# A word no synthetic entry has, one per round / trial (consonants only, so
# the stemmer leaves it alone and no two of them share a stem).
word() { # PREFIX N
  local n=$2 s="" c=bcdfghjkmnpqrtvwxz
  while :; do s=${c:$((n % 18)):1}$s; n=$((n / 18)); ((n > 0)) || break; done
  echo "qz$1${s}k"
}

# change TREE COUNT KEY WORD LIST: appends a distinct line naming WORD to the
# body of COUNT entry files chosen by KEY (the same KEY, the same files);
# writes their entry paths (no .md) to LIST.
cat >"$WORK/change.py" <<'PY'
import os, random, sys
tree, count, key, word, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
files = []
for d, dirs, names in os.walk(tree):
    dirs[:] = sorted(x for x in dirs if not x.startswith((".", "_")))
    rel = os.path.relpath(d, tree)
    if rel.count(os.sep) >= 1:  # domain/topic/slug.md
        files += [os.path.join(rel, n) for n in sorted(names) if n.endswith(".md")]
files.sort()
pick = random.Random(key).sample(files, min(count, len(files)))
with open(out, "w") as o:
    for i, f in enumerate(pick):
        p = os.path.join(tree, f)
        with open(p, "rb") as fh:
            end = fh.read()[-1:]
        with open(p, "a") as fh:
            fh.write(("" if end == b"\n" else "\n") + f"Sync bench {key}, change {i}: {word} noted here.\n")
        o.write(f[:-3] + "\n")
PY
change() { python3 "$WORK/change.py" "$@"; }
now() { echo "$EPOCHREALTIME"; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", (b - a) * 1000}'; }

# --- setup: A, the bare remote, B -------------------------------------------
log "eval synth --entries $ENTRIES A; bare remote; A syncs (pushes); clone B, sync, reindex"
t0=$(now)
"$BIN" eval synth --entries "$ENTRIES" "$A" >/dev/null
t1=$(now)
git init -q --bare -b main "$R"
git -C "$A" branch -M main
git -C "$A" remote add origin "$R"   # absolute: libgit2 does not resolve a bare relative path
(cd "$A" && "$BIN" sync >/dev/null)
git clone -q "$R" "$B"
(cd "$B" && "$BIN" sync >/dev/null && "$BIN" reindex >/dev/null 2>&1)
t2=$(now)
log "synth $(ms "$t0" "$t1") ms, push + clone + sync + reindex $(ms "$t1" "$t2") ms"

SAMPLES=$WORK/samples.txt   # KIND MS
: >"$SAMPLES"
ROUNDLOG=$WORK/rounds.jsonl
: >"$ROUNDLOG"

# --- (a) pull rounds --------------------------------------------------------
log "$ROUNDS round(s): A changes $CHANGED entries and syncs; B: mem sync, then mem recall WORD --tier 1"
for ((r = 1; r <= ROUNDS; r++)); do
  w=$(word r "$r")
  change "$A" "$CHANGED" "round-$SEED-$r" "$w" "$WORK/changed-r$r.txt"
  (cd "$A" && "$BIN" sync >/dev/null 2>&1)
  t0=$(now)
  (cd "$B" && "$BIN" sync --json >"$WORK/sync-r$r.json")
  t1=$(now)
  (cd "$B" && "$BIN" recall "$w" --tier 1 --quarantined --json -k 1 >"$WORK/recall-r$r.json" 2>"$WORK/recall-r$r.err") || true
  t2=$(now)
  s=$(ms "$t0" "$t1") c=$(ms "$t1" "$t2")
  echo "sync $s" >>"$SAMPLES"; echo "recall $c" >>"$SAMPLES"
  echo "sum $(awk -v a="$s" -v b="$c" 'BEGIN{printf "%.1f", a + b}')" >>"$SAMPLES"
  updated=$(jq -r '.came_in.updated | length' <"$WORK/sync-r$r.json")
  hit=$(jq -r '.path // empty' <"$WORK/recall-r$r.json" | head -n 1)
  same=false; [ "$(git -C "$A" rev-parse 'HEAD^{tree}')" = "$(git -C "$B" rev-parse 'HEAD^{tree}')" ] && same=true
  found=false
  [ -n "$hit" ] && grep -qxF "$hit" "$WORK/changed-r$r.txt" && found=true
  jq -cn --argjson round "$r" --arg word "$w" --argjson sync_ms "$s" --argjson recall_ms "$c" \
    --argjson updated "$updated" --arg hit "$hit" --argjson found "$found" --argjson same "$same" \
    '{round: $round, word: $word, sync_ms: $sync_ms, recall_ms: $recall_ms, updated: $updated, hit: $hit, found: $found, trees_equal: $same}' >>"$ROUNDLOG"
  log "round $r: sync $s ms ($updated updated), recall $c ms, top hit changed this round: $found"
done
SYNC_P50_MS=$(awk '$1=="sync"{print $2}' "$SAMPLES" | sort -n | awk '{v[NR]=$1} END{print v[int((NR-1)*0.5+0.5)+1]}')

# --- (b) kill trials --------------------------------------------------------
RANDOM=$SEED
TRIALLOG=$WORK/trials.jsonl
: >"$TRIALLOG"
((TRIALS > 0)) && log "$TRIALS kill trial(s): A changes $KCHANGED entries and syncs; B: mem sync killed (SIGKILL) after 0-$SYNC_P50_MS ms, then mem sync again"
for ((k = 1; k <= TRIALS; k++)); do
  w=$(word t "$k")
  change "$A" "$KCHANGED" "trial-$SEED-$k" "$w" "$WORK/changed-t$k.txt"
  (cd "$A" && "$BIN" sync >/dev/null 2>&1)
  pushed=$(git -C "$A" rev-parse 'HEAD^{tree}') apushed=$(git -C "$A" rev-parse HEAD)   # B changes nothing itself: its sync must end with exactly this
  rnd=$RANDOM   # here, not in a command substitution: a subshell's $RANDOM does not advance ours
  delay=$(awk -v r="$rnd" -v p="$SYNC_P50_MS" 'BEGIN{printf "%.3f", r / 32767 * p / 1000}')
  head0=$(git -C "$B" rev-parse HEAD) fetched0=$(git -C "$B" rev-parse refs/remotes/origin/main)
  (cd "$B" && exec "$BIN" sync >"$WORK/kill-t$k.out" 2>"$WORK/kill-t$k.err") &
  SYNC_PID=$!
  sleep "$delay"
  kill -KILL "$SYNC_PID" 2>/dev/null || true
  rc=0; { wait "$SYNC_PID"; } 2>/dev/null || rc=$?
  SYNC_PID=
  killed=false; [ "$rc" = 137 ] && killed=true
  # How far the killed sync got: nothing fetched yet / fetched (remote-tracking
  # ref moved) / work tree changed but HEAD not moved yet / HEAD moved.
  dirty=$(git -C "$B" --no-optional-locks status --porcelain | wc -l)   # no index refresh: B stays as the kill left it
  empty=$(git -C "$B" --no-optional-locks diff --name-only | while read -r f; do [ -s "$B/$f" ] || echo "$f"; done)
  if [ "$(git -C "$B" rev-parse HEAD)" != "$head0" ]; then stage=head_moved
  elif [ "$dirty" -gt 0 ]; then stage=work_tree_changed
  elif [ "$(git -C "$B" rev-parse refs/remotes/origin/main)" != "$fetched0" ]; then stage=fetched
  else stage=not_fetched; fi
  [ "$killed" = true ] || stage=finished
  problems=()
  recovered=next_sync
  nrc=0; (cd "$B" && "$BIN" sync >"$WORK/next-t$k.out" 2>"$WORK/next-t$k.err") || nrc=$?
  # Did it commit the killed checkout's files as "pending" hand edits? (B's
  # own commits: not A's, not B's before the trial; said even when it failed.)
  pending=$(git -C "$B" log --format=%s HEAD --not "$apushed" "$head0" | sed -n 's/^mem: sync: commit \([0-9]*\) pending.*/\1/p' | head -n 1)
  if [ "$nrc" != 0 ]; then
    recovered=doctor
    (cd "$B" && "$BIN" doctor --fix >"$WORK/fix-t$k.out" 2>&1) || true
    if ! (cd "$B" && "$BIN" sync >"$WORK/after-fix-t$k.out" 2>"$WORK/after-fix-t$k.err"); then
      recovered=no
      problems+=("the next sync failed: $(tr '\n' ' ' <"$WORK/next-t$k.err"); after doctor --fix: $(tr '\n' ' ' <"$WORK/after-fix-t$k.err")")
    fi
  fi
  # fsck: exit 0 and nothing but dangling objects (what a killed fetch leaves) is clean.
  frc=0; git -C "$B" fsck --strict >"$WORK/fsck-t$k.txt" 2>&1 || frc=$?
  if [ "$frc" != 0 ] || grep -qvE '^(dangling|Checking|notice)' "$WORK/fsck-t$k.txt"; then
    problems+=("git fsck --strict (exit $frc): $(grep -vE '^(dangling|Checking)' "$WORK/fsck-t$k.txt" | head -n 5 | tr '\n' ' ')")
  fi
  (cd "$B" && "$BIN" doctor --json >"$WORK/doctor-t$k.jsonl" 2>"$WORK/doctor-t$k.err") || true
  derr=$(jq -c 'select(.severity == "error")' <"$WORK/doctor-t$k.jsonl" | head -n 5) || true
  [ -n "$derr" ] && problems+=("mem doctor errors: $derr")
  grep -q '"summary":true' "$WORK/doctor-t$k.jsonl" || problems+=("mem doctor --json gave no summary: $(head -c 300 "$WORK/doctor-t$k.err")")
  st=$(git -C "$B" status --porcelain)
  echo "$st" | grep -qE '^(UU|AA|DD|AU|UA|DU|UD) ' && problems+=("unmerged paths: $(echo "$st" | head -n 5 | tr '\n' ' ')")
  [ -n "$st" ] && ! echo "$st" | grep -qE '^(UU|AA|DD|AU|UA|DU|UD) ' && problems+=("work tree not clean after sync: $(echo "$st" | head -n 5 | tr '\n' ' ')")
  markers=$(grep -rl --include='*.md' --exclude-dir=.git --exclude-dir=.mem '^<<<<<<<' "$B" | head -n 5 || true)
  [ -n "$markers" ] && problems+=("conflict markers in: $(echo "$markers" | tr '\n' ' ')")
  (cd "$A" && "$BIN" sync >"$WORK/a-t$k.out" 2>&1) || problems+=("A's sync after the trial failed: $(tr '\n' ' ' <"$WORK/a-t$k.out")")
  ta=$(git -C "$A" rev-parse 'HEAD^{tree}') tb=$(git -C "$B" rev-parse 'HEAD^{tree}')
  [ "$ta" = "$tb" ] || problems+=("HEAD trees differ: A $ta, B $tb")
  # A fast-forwards to whatever B pushed, so equal trees alone do not show
  # that nothing was damaged: B's tree must be the one A pushed for this trial.
  [ "$tb" = "$pushed" ] || problems+=("B's tree is not the one A pushed (B's recovery changed content, and A has it now): $(git -C "$B" diff --stat "$pushed" 'HEAD^{tree}' | tail -n 4 | tr '\n' ' ')")
  # Not a failure criterion of the trial, reported beside it: the recall in B
  # sees what this trial's sync brought.
  hit=$( (cd "$B" && "$BIN" recall "$w" --tier 1 --json -k 1 2>/dev/null) | jq -r '.path // empty' | head -n 1) || true
  found=false
  [ -n "$hit" ] && grep -qxF "$hit" "$WORK/changed-t$k.txt" && found=true
  ok=true; ((${#problems[@]} == 0)) || ok=false
  printf '%s\n' "${problems[@]+"${problems[@]}"}" | jq -Rsc --argjson trial "$k" --argjson delay_ms "$(awk -v d="$delay" 'BEGIN{print d * 1000}')" \
    --argjson killed "$killed" --argjson rc "$rc" --arg stage "$stage" --argjson dirty "$dirty" --arg empty "$empty" --arg recovered "$recovered" --argjson ok "$ok" \
    --argjson recall_found "$found" --arg next_err "$( [ "$recovered" = next_sync ] || head -c 600 "$WORK/next-t$k.err")" --argjson pending "${pending:-0}" \
    '{trial: $trial, delay_ms: $delay_ms, killed: $killed, exit: $rc, stage: $stage, dirty_files_after_kill: $dirty, emptied_files_after_kill: ($empty | split("\n") | map(select(length > 0))), recovered: $recovered, ok: $ok,
      committed_pending_by_next_sync: $pending, recall_found: $recall_found, next_sync_error: $next_err,
      problems: (split("\n") | map(select(length > 0)))}' >>"$TRIALLOG"
  log "trial $k: delay $delay s, $([ "$killed" = true ] && echo "killed while running ($stage, $dirty dirty, $(printf '%s' "$empty" | grep -c . || true) emptied)" || echo "had finished (exit $rc)"), recovered: $recovered, $([ "$ok" = true ] && echo ok || echo "FAILED: ${problems[*]}")"
  if [ "$ok" != true ] && [ "$recovered" = no ]; then
    # Keep the later trials meaningful: start B over from a fresh clone.
    log "trial $k: B is stuck; moving it to B-failed-$k and cloning a fresh B"
    mv "$B" "$WORK/B-failed-$k"
    git clone -q "$R" "$B"
    (cd "$B" && "$BIN" sync >/dev/null && "$BIN" reindex >/dev/null 2>&1)
  fi
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average at the end $LOAD1"

ENTRIES=$ENTRIES CHANGED=$CHANGED KCHANGED=$KCHANGED ROUNDS=$ROUNDS TRIALS=$TRIALS SEED=$SEED LOAD0=$LOAD0 LOAD1=$LOAD1 \
  BIN=$BIN CPUS=$(nproc) FS=$(df -PT "$WORK" | awk 'NR==2{print $2}') SYNC_P50_MS=$SYNC_P50_MS \
  python3 - "$SAMPLES" "$ROUNDLOG" "$TRIALLOG" <<'PY'
import json, os, sys
e = os.environ
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
rounds = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
trials = [json.loads(l) for l in open(sys.argv[3]) if l.strip()]
def pct(v, p):  # as benches/recall.sh: nearest rank, rounded
    v = sorted(v)
    return round(v[int((len(v) - 1) * p / 100 + 0.5)], 1) if v else None
def stats(kind):
    ms = [float(x[1]) for x in rows if x[0] == kind]
    return {"n": len(ms), "p50_ms": pct(ms, 50), "p95_ms": pct(ms, 95), "all_ms": ms}
pull = {"sync": stats("sync"), "recall_catch_up": stats("recall"), "sum": stats("sum")}
failures = [t for t in trials if not t["ok"]]
summary = {
    "bench": "sync", "entries": int(e["ENTRIES"]), "changed": int(e["CHANGED"]), "rounds": int(e["ROUNDS"]),
    "seed": int(e["SEED"]), "cpus": int(e["CPUS"]), "fs": e["FS"], "loadavg_start": e["LOAD0"], "loadavg_end": e["LOAD1"],
    "bin": e["BIN"],
    "pull": pull,
    "pull_goal_sum_p50_le_5s": pull["sum"]["p50_ms"] is not None and pull["sum"]["p50_ms"] <= 5000,
    "pull_rounds_all_updated": all(r["updated"] == int(e["CHANGED"]) for r in rounds),
    "pull_rounds_recall_found": sum(r["found"] for r in rounds),
    "pull_rounds_trees_equal": sum(r["trees_equal"] for r in rounds),
    "rounds_detail": rounds,
    "kill": {
        "trials": len(trials), "changed_per_trial": int(e["KCHANGED"]),
        "max_delay_ms": float(e["SYNC_P50_MS"]),
        "killed_before_finishing": sum(t["killed"] for t in trials),
        "recovered_by_next_sync": sum(t["recovered"] == "next_sync" and t["ok"] for t in trials),
        "recovered_via_doctor": sum(t["recovered"] == "doctor" and t["ok"] for t in trials),
        "next_sync_failed": sum(t["recovered"] != "next_sync" for t in trials),
        "sync_succeeded_after_doctor": sum(t["recovered"] == "doctor" for t in trials),
        "sync_still_failing": sum(t["recovered"] == "no" for t in trials),
        "failures": len(failures),
        "killed_at_stage": {s: sum(t["stage"] == s for t in trials if t["killed"])
                            for s in ("not_fetched", "fetched", "work_tree_changed", "head_moved")},
        "recall_found_after_trial": sum(t["recall_found"] for t in trials),
        "next_sync_committed_pending": sum(1 for t in trials if t["committed_pending_by_next_sync"] > 0),
        "kill_left_an_emptied_entry": sum(1 for t in trials if t["emptied_files_after_kill"]),
        "failure_details": failures,
        "trials_detail": trials,
    },
}
print(json.dumps(summary))
t = sys.stderr
k = summary["kill"]
print(f"\n{summary['entries']} entries, {summary['changed']} changed per round, {summary['rounds']} rounds, "
      f"{summary['cpus']} cpu(s), {summary['fs']}; load average {summary['loadavg_start']} -> {summary['loadavg_end']}\n", file=t)
print("| pull (B) | p50 ms | p95 ms |", file=t)
print("|---|---:|---:|", file=t)
for key, label in [("sync", "`mem sync`"), ("recall_catch_up", "`mem recall WORD --tier 1` (index catch-up)"), ("sum", "sum")]:
    print(f"| {label} | {pull[key]['p50_ms']} | {pull[key]['p95_ms']} |", file=t)
print(f"\nsum p50 <= 5 s: {summary['pull_goal_sum_p50_le_5s']}; every round's sync updated {summary['changed']} entries: "
      f"{summary['pull_rounds_all_updated']}; recall's top hit was changed in that round: "
      f"{summary['pull_rounds_recall_found']}/{len(rounds)}; B's tree = A's after the round: "
      f"{summary['pull_rounds_trees_equal']}/{len(rounds)}", file=t)
if k["trials"]:
    print(f"\n| kill trials ({k['changed_per_trial']} changed, delay 0-{k['max_delay_ms']} ms) | count |", file=t)
    print("|---|---:|", file=t)
    for key, label in [("trials", "trials"), ("killed_before_finishing", "killed before finishing"),
                       ("recovered_by_next_sync", "recovered by the next sync"), ("recovered_via_doctor", "recovered via doctor --fix"),
                       ("next_sync_failed", "next sync failed"), ("sync_succeeded_after_doctor", "sync succeeded after doctor --fix"),
                       ("sync_still_failing", "sync still failing after doctor --fix"), ("failures", "failures (any check failed)"), ("next_sync_committed_pending", "next sync committed the killed checkout's files as 'pending'"),
                       ("kill_left_an_emptied_entry", "the kill left an entry file emptied (0 bytes)"),
                       ("recall_found_after_trial", "recall found the trial's change")]:
        print(f"| {label} | {k[key]} |", file=t)
    print("\nkilled at: " + ", ".join(f"{s} {n}" for s, n in k["killed_at_stage"].items()), file=t)
    for f in failures:
        print(f"\nFAILED trial {f['trial']} (delay {f['delay_ms']} ms, killed {f['killed']}): " + "; ".join(f["problems"]), file=t)
PY
[ "$(jq -s '[.[] | select(.ok | not)] | length' "$TRIALLOG")" = 0 ]
