#!/usr/bin/env bash
# What a coding agent waits for: the prompt hook and the session-start hook
# (whole process: started, run, exited) and the MCP server's startup, on a
# synthetic tree (`mem eval synth` + `mem reindex`). Each in two modes:
# in-process (no watcher answers) and through a running `mem watch`.
# See benches/README.md.
#
#   MEM_BIN=/path/to/mem bash benches/hooks.sh          # 10k entries, 30 rounds
#   ENTRIES=1000 N=10 bash benches/hooks.sh
#
# Environment:
#   MEM_BIN     the binary (default target/release/mem, else $CARGO_TARGET_DIR/release/mem)
#   ENTRIES     tree size (default 10000)
#   N           measured rounds per kind and mode (default 30; one more, untimed, warms up)
#   EMBEDDER    MEM_EMBEDDER for the whole run (default none: tier 1 only, no model)
#   INTERLEAVE  1 (default): one watcher runs throughout; in-process rounds hide
#               its socket (renamed, so no client finds it) and alternate with
#               watcher rounds, A B / B A. 0: all in-process rounds with no
#               watcher process at all, then the watcher is started and the
#               watcher rounds run.
#   BENCH_DIR   where the work folder goes (default $TMPDIR or /tmp)
#
# stdout: one JSON object (the summary); stderr: progress and a markdown table.
# Needs python3 and jq.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_bin hooks.sh
bench_needs hooks.sh python3 jq
ENTRIES=${ENTRIES:-10000}
N=${N:-30}
INTERLEAVE=${INTERLEAVE:-1}
FIXTURES=$ROOT/fixtures/hooks/claude-code

WORK=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/mem-hooks-bench.XXXXXX")
TREE=$WORK/tree
SOCK=$TREE/.mem/state/watch.sock
WATCH_PID=
cleanup() {
  [ -e "$SOCK.off" ] && mv -f "$SOCK.off" "$SOCK"
  if [ -n "$WATCH_PID" ]; then kill -INT "$WATCH_PID" 2>/dev/null || true; wait "$WATCH_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# Hermetic: our own HOME (no user config), but the user's model folder so
# EMBEDDER=minilm finds a pulled model.
REAL_DATA=${XDG_DATA_HOME:-$HOME/.local/share}
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config XDG_DATA_HOME=$REAL_DATA XDG_CACHE_HOME=$WORK/home/.cache
export MEM_EMBEDDER=${EMBEDDER:-none} MEM_GENERATOR=none MEM_AUTO_WATCH=0 NO_COLOR=1 GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"

log() { echo "[hooks] $*" >&2; }
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
log "work folder $WORK ($(df -PT "$WORK" | awk 'NR==2{print $2}')), $(nproc) cpu(s), load average $LOAD0, binary $BIN"

# --- the tree, and the payloads (one per run, all different: no run is a
# tier-0 cache hit of an earlier one) ---------------------------------------
log "eval synth --entries $ENTRIES, reindex (MEM_EMBEDDER=$MEM_EMBEDDER)"
"$BIN" eval synth --entries "$ENTRIES" --json --queries $((6 * N + 40)) "$TREE" >"$WORK/synth.json"
"$BIN" --root "$TREE" reindex >/dev/null 2>&1
mkdir -p "$WORK/p"
python3 - "$WORK/synth.json" "$FIXTURES" "$WORK/p" "$WORK/projects" "$((2 * (N + 1)))" <<'PY'
import json, sys
synth, fixtures, out, projects, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
s = json.loads(open(synth).read().splitlines()[-1])
needles = {n["query"] for n in s["needles"]}
words = [q for q in s["queries"] if q not in needles]  # the semantic needles share no word with the tree
templates = [
    "why does the {a} keep breaking the {b}?",
    "can you check how {a} is wired into {b} before we ship",
    "what did we decide about {a} and {b} last time?",
    "fix the {a} bug, it looks related to the {b} change",
    "summarise what we know about {a} vs {b}",
    "refactor {a} so that {b} stays fast",
]
prompt = json.load(open(f"{fixtures}/UserPromptSubmit.json"))
start = json.load(open(f"{fixtures}/SessionStart.json"))
firsts = list(dict.fromkeys(q.split()[0] for q in words))
for k in range(runs):
    a, b = words[(2 * k) % len(words)], words[(2 * k + 1) % len(words)]
    prompt["prompt"] = templates[k % len(templates)].format(a=a, b=b)
    json.dump(prompt, open(f"{out}/prompt-{k}.json", "w"))
    start["cwd"] = f"{projects}/{firsts[k % len(firsts)]}"
    json.dump(start, open(f"{out}/session-{k}.json", "w"))
    # MCP recall: a query the prompts do not use
    open(f"{out}/mcp-{k}.txt", "w").write(words[(2 * runs + k) % len(words)])
PY

# One MCP session: spawn, initialize, initialized, tools/call recall, close.
# Prints "INIT_MS FIRST_RECALL_MS STATUS" (times from the spawn; STATUS hits,
# nothing (a tool error: nothing found) or fail).
cat >"$WORK/mcp_once.py" <<'PY'
import json, selectors, subprocess, sys, time
bin_, tree, query, errf = sys.argv[1:5]
def msg(o): return (json.dumps(o) + "\n").encode()
t0 = time.perf_counter()
p = subprocess.Popen([bin_, "--root", tree, "mcp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=open(errf, "ab"), bufsize=0)
p.stdin.write(msg({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "mem-bench", "version": "1.0"}}}))
sel = selectors.DefaultSelector(); sel.register(p.stdout, selectors.EVENT_READ)
buf = b""
def response(want):
    global buf
    deadline = time.perf_counter() + 60
    while True:
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            try: o = json.loads(line)
            except ValueError: continue
            if o.get("id") == want: return o
        left = deadline - time.perf_counter()
        if left <= 0 or not sel.select(left): return None
        chunk = p.stdout.read(65536)
        if not chunk: return None
        buf += chunk
init = response(1)
t1 = time.perf_counter()
status, t2 = "fail", None
if init is not None and "result" in init:
    p.stdin.write(msg({"jsonrpc": "2.0", "method": "notifications/initialized"}))
    p.stdin.write(msg({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                       "params": {"name": "recall", "arguments": {"query": query}}}))
    r = response(2)
    t2 = time.perf_counter()
    if r is not None and "result" in r:
        status = "nothing" if r["result"].get("isError") else "hits"
p.stdin.close()
try: p.wait(10)
except subprocess.TimeoutExpired: p.kill(); p.wait()
ms = lambda t: "nan" if t is None else f"{(t - t0) * 1000:.3f}"
print(ms(t1 if init is not None else None), ms(t2), status)
PY

SAMPLES=$WORK/samples.txt   # KIND MODE MS OUTCOME
: >"$SAMPLES"
HOOKLOG=$TREE/.mem/state/hooks.log

# run_round K MODE RECORD: the three measurements with payload K; MODE
# in_process or watch (the socket is hidden or shown accordingly when a
# watcher runs); RECORD 0 for the warm-up round.
run_round() {
  local k=$1 mode=$2 rec=$3 t0 t1 before out
  if [ -n "$WATCH_PID" ]; then
    if [ "$mode" = in_process ]; then mv "$SOCK" "$SOCK.off"
    elif ! [ -S "$SOCK" ]; then echo "benches/hooks.sh: $SOCK is gone (mem watch ended?)" >&2; exit 2; fi
  fi
  before=0; [ -f "$HOOKLOG" ] && before=$(wc -l <"$HOOKLOG")
  t0=$EPOCHREALTIME
  "$BIN" --root "$TREE" hook run user-prompt --agent claude-code <"$WORK/p/prompt-$k.json" >"$WORK/out" 2>>"$WORK/hook.err"
  t1=$EPOCHREALTIME
  if [ -s "$WORK/out" ]; then out=context
  elif [ -f "$HOOKLOG" ] && tail -n +$((before + 1)) "$HOOKLOG" | grep -c "no answer within" >/dev/null; then out=timeout
  else out=empty; fi   # empty: the recall found nothing (or failed: see hooks.log)
  [ "$rec" = 1 ] && echo "prompt $mode $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b - a) * 1000}') $out" >>"$SAMPLES"

  t0=$EPOCHREALTIME
  "$BIN" --root "$TREE" hook run session-start --agent claude-code <"$WORK/p/session-$k.json" >"$WORK/out" 2>>"$WORK/hook.err"
  t1=$EPOCHREALTIME
  if [ -s "$WORK/out" ]; then out=context; else out=empty; fi
  [ "$rec" = 1 ] && echo "session $mode $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b - a) * 1000}') $out" >>"$SAMPLES"

  read -r a b st < <(python3 "$WORK/mcp_once.py" "$BIN" "$TREE" "$(cat "$WORK/p/mcp-$k.txt")" "$WORK/mcp.err") || { a=nan b=nan st=fail; }
  if [ "$rec" = 1 ]; then
    echo "mcp_init $mode $a $st" >>"$SAMPLES"
    echo "mcp_recall $mode $b $st" >>"$SAMPLES"
  fi
  if [ -n "$WATCH_PID" ] && [ "$mode" = in_process ]; then mv "$SOCK.off" "$SOCK"; fi
  return 0
}

start_watch() {
  "$BIN" --root "$TREE" watch --json >"$WORK/watch.out" 2>"$WORK/watch.err" &
  WATCH_PID=$!
  local q i
  q=$(jq -r '.needles[0].query' <(tail -n 1 "$WORK/synth.json"))
  for i in $(seq 1 600); do
    kill -0 "$WATCH_PID" 2>/dev/null || { cat "$WORK/watch.err" >&2; echo "benches/hooks.sh: mem watch ended" >&2; exit 2; }
    if [ -S "$SOCK" ] && "$BIN" --root "$TREE" recall "$q" --tier 1 --explain 2>&1 >/dev/null | grep -q '"daemon":true'; then
      log "mem watch answers (pid $WATCH_PID)"
      return 0
    fi
    sleep 0.2
  done
  echo "benches/hooks.sh: mem watch did not answer within 120 s" >&2; exit 2
}

if [ "$INTERLEAVE" = 1 ]; then
  start_watch
  log "1 warm-up + $N rounds, in-process and through mem watch interleaved (A B, B A, ...)"
  run_round 0 in_process 0
  run_round 1 watch 0
  for ((i = 1; i <= N; i++)); do
    if ((i % 2)); then run_round $((2 * i)) in_process 1; run_round $((2 * i + 1)) watch 1
    else run_round $((2 * i)) watch 1; run_round $((2 * i + 1)) in_process 1; fi
  done
else
  log "1 warm-up + $N rounds in-process (no watcher)"
  for ((i = 0; i <= N; i++)); do run_round $((2 * i)) in_process $((i > 0)); done
  start_watch
  log "1 warm-up + $N rounds through mem watch"
  for ((i = 0; i <= N; i++)); do run_round $((2 * i + 1)) watch $((i > 0)); done
fi
# Still answering at the end (the watcher rounds really went through it)?
WATCH_OK=false
q=$(jq -r '.needles[0].query' <(tail -n 1 "$WORK/synth.json"))
"$BIN" --root "$TREE" recall "$q" --tier 1 --explain 2>&1 >/dev/null | grep -c '"daemon":true' >/dev/null && WATCH_OK=true
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average at the end $LOAD1; mem watch still answering: $WATCH_OK"

ENTRIES=$ENTRIES N=$N INTERLEAVE=$INTERLEAVE LOAD0=$LOAD0 LOAD1=$LOAD1 BIN=$BIN WATCH_OK=$WATCH_OK CPUS=$(nproc) \
  python3 - "$SAMPLES" <<'PY'
import json, os, sys
e = os.environ
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
def pct(v, p):  # as benches/recall.sh: nearest rank, rounded
    v = sorted(v)
    return round(v[int((len(v) - 1) * p / 100 + 0.5)], 1) if v else None
def stats(kind, mode):
    r = [x for x in rows if x[0] == kind and x[1] == mode]
    ms = [float(x[2]) for x in r if x[2] != "nan"]
    out = {"n": len(r), "p50_ms": pct(ms, 50), "p95_ms": pct(ms, 95),
           "mean_ms": round(sum(ms) / len(ms), 1) if ms else None}
    for o in sorted({x[3] for x in r}):
        out[o] = sum(1 for x in r if x[3] == o)
    if kind in ("prompt", "session"):
        out["nonempty_fraction"] = round(out.get("context", 0) / len(r), 3) if r else None
    return out
modes = ["in_process", "watch"]
summary = {
    "bench": "hooks", "entries": int(e["ENTRIES"]), "rounds": int(e["N"]), "interleaved": e["INTERLEAVE"] == "1",
    "embedder": e["MEM_EMBEDDER"], "cpus": int(e["CPUS"]), "loadavg_start": e["LOAD0"], "loadavg_end": e["LOAD1"],
    "watch_answering_at_end": e["WATCH_OK"] == "true", "bin": e["BIN"],
    "prompt_hook": {m: stats("prompt", m) for m in modes},
    "session_start_hook": {m: stats("session", m) for m in modes},
    "mcp_initialize": {m: stats("mcp_init", m) for m in modes},
    "mcp_first_recall": {m: stats("mcp_recall", m) for m in modes},
}
print(json.dumps(summary))
t = sys.stderr
print(f"\n{summary['entries']} entries, {summary['rounds']} rounds, embedder {summary['embedder']}, "
      f"{'interleaved' if summary['interleaved'] else 'back to back'}; "
      f"load average {summary['loadavg_start']} -> {summary['loadavg_end']}\n", file=t)
print("| measurement | mode | p50 ms | p95 ms | outcomes |", file=t)
print("|---|---|---:|---:|---|", file=t)
names = [("prompt_hook", "prompt hook (user-prompt)"), ("session_start_hook", "session-start hook"),
         ("mcp_initialize", "MCP spawn -> initialize"), ("mcp_first_recall", "MCP spawn -> first recall")]
skip = ("n", "p50_ms", "p95_ms", "mean_ms", "nonempty_fraction")
for key, label in names:
    for m in modes:
        s = summary[key][m]
        oc = ", ".join(f"{k} {v}" for k, v in s.items() if k not in skip)
        if s.get("nonempty_fraction") is not None:
            oc += f" (non-empty {s['nonempty_fraction']:.0%})"
        print(f"| {label} | {m.replace('_', '-')} | {s['p50_ms']} | {s['p95_ms']} | {oc} |", file=t)
PY
