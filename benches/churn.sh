#!/usr/bin/env bash
# Two stress benchmarks for `mem watch` (issue 23). See benches/README.md.
#
# Part 1, the watcher under churn: `mem eval synth` makes a tree of ENTRIES
# entries (branch main, "A"); branch "b" changes CHANGED of its files (half
# edited, a quarter deleted, a quarter new entries). With `mem watch --json`
# running and a loop recalling through its socket, `git checkout` switches
# A <-> B SWITCHES times. After each switch: the time until the watcher's
# manifest matches the files (settle), then a full comparison:
#   - the manifest (.mem/index/manifest: path, size, mtime per file) against
#     a walk of the tree: the same path set, sizes and mtimes (ns), the same
#     count, no broken file;
#   - the text index: two recalls through the socket, one per side's marker
#     word (every changed file carries the marker of its side), must return
#     exactly the changed files of the branch checked out and nothing of the
#     other one, answered by the watcher ("daemon":true in --explain).
# The watcher's peak RSS (VmHWM), VmRSS, file descriptors and threads are
# read from /proc before the first switch and after the last.
#
# Part 2, writers under load: a fresh tree of SEED_ENTRIES entries with the
# embedder, `mem watch` running, WRITERS background loops each doing ADDS
# curated `mem add --json "<distinct fact>"` while a loop recalls (default
# tiers) through the socket. At the end: entries on disk vs added, every add
# exited 0, every recall answered, the watcher's manifest matches the files,
# `git fsck --strict` and `mem doctor` clean.
#
#   MEM_BIN=/path/to/mem bash benches/churn.sh                 # both parts, full size
#   PART=1 ENTRIES=2000 CHANGED=200 SWITCHES=2 bash benches/churn.sh
#   PART=2 WRITERS=2 ADDS=10 bash benches/churn.sh
#   ENTRIES=2000 CHANGED=200 SWITCHES=2 WRITERS=2 ADDS=10 bash benches/churn.sh   # CI size
#
# Environment:
#   MEM_BIN        the binary (default target/release/mem, else $CARGO_TARGET_DIR/release/mem)
#   PART           1, 2 or all (default all)
#   ENTRIES        part 1 tree size (default 100000)
#   CHANGED        files that differ between the two branches (default 10000)
#   SWITCHES       git checkouts (default 20)
#   EMBEDDER       part 1's embedder (default none: 100k embeddings take too long
#                  on a small machine; `minilm` or a GGUF path to include them)
#   SETTLE_TIMEOUT seconds to wait for the watcher after a switch (default 600)
#   RECALL_SLEEP   pause between two recalls of the recall loops (default 0.2 s)
#   SEED_ENTRIES   part 2 tree size before the adds (default 300)
#   WRITERS        part 2 concurrent writers (default 4)
#   ADDS           adds per writer (default 250)
#   MEM_MODELS_DIR where the models are (part 2 needs the default embedder)
#   SEED           the choice of changed files and the facts (default 1)
#   BENCH_DIR      where the work folder goes (default $TMPDIR or /tmp)
#   KEEP           1: keep the work folder; it is also kept when a check failed
#
# stdout: one JSON object (the summary); stderr: progress and markdown tables.
# Exit status 1 when a check failed (the JSON's "failures" say which).
# Needs git, python3 and jq.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_bin churn.sh
bench_needs churn.sh git python3 jq
PART=${PART:-all}
ENTRIES=${ENTRIES:-100000}
CHANGED=${CHANGED:-10000}
SWITCHES=${SWITCHES:-20}
EMBEDDER=${EMBEDDER:-none}
SETTLE_TIMEOUT=${SETTLE_TIMEOUT:-600}
RECALL_SLEEP=${RECALL_SLEEP:-0.2}
SEED_ENTRIES=${SEED_ENTRIES:-300}
WRITERS=${WRITERS:-4}
ADDS=${ADDS:-250}
SEED=${SEED:-1}
KEEP=${KEEP:-0}
case $PART in 1 | 2 | all) ;; *) echo "benches/churn.sh: PART must be 1, 2 or all" >&2; exit 2 ;; esac
((CHANGED >= 4)) || { echo "benches/churn.sh: CHANGED must be at least 4" >&2; exit 2; }

WORK=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/mem-churn-bench.XXXXXX")
FAILED=0
WATCH_PID=
BG_PIDS=()
cleanup() {
  local p
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "$WATCH_PID" ]; then kill -INT "$WATCH_PID" 2>/dev/null || true; wait "$WATCH_PID" 2>/dev/null || true; fi
  if [ "$KEEP" = 1 ] || [ "$FAILED" = 1 ]; then echo "[churn] kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# Hermetic: our own HOME (no user config) with a git identity; the models
# from MEM_MODELS_DIR (or the user's model folder).
REAL_DATA=${XDG_DATA_HOME:-$HOME/.local/share}
[ -n "${MEM_MODELS_DIR:-}" ] || export MEM_MODELS_DIR=$REAL_DATA/mem/models
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config XDG_DATA_HOME=$WORK/home/.local/share XDG_CACHE_HOME=$WORK/home/.cache
export MEM_AUTO_WATCH=0 NO_COLOR=1 GIT_CONFIG_NOSYSTEM=1
unset MEM_ROOT MEM_EMBEDDER
mkdir -p "$HOME"
cat >"$HOME/.gitconfig" <<'EOF'
[user]
	name = Churn Bench
	email = churn-bench@example.com
[init]
	defaultBranch = main
EOF

log() { echo "[churn] $*" >&2; }
now() { echo "$EPOCHREALTIME"; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", (b - a) * 1000}'; }
# percentile P (0-100) of the numbers on stdin
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END{if(NR==0){print "null"; exit} i=int((NR-1)*p/100+0.5)+1; printf "%.1f\n", a[i]}'; }
FAILURES='[]'
fail() { FAILED=1; FAILURES=$(jq -c --arg f "$*" '. + [$f]' <<<"$FAILURES"); log "FAILED: $*"; }
CPUS=$(nproc)
FSTYPE=$(df -PT "$WORK" | awk 'NR==2{print $2}')
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
log "work folder $WORK ($FSTYPE), $CPUS cpu(s), load average $LOAD0, binary $BIN"

# /proc numbers of a process: {"vmhwm_mb","vmrss_mb","fds","threads"}
procstat() {
  local p=$1
  jq -cn --argjson hwm "$(awk '/^VmHWM/{print $2}' "/proc/$p/status")" --argjson rss "$(awk '/^VmRSS/{print $2}' "/proc/$p/status")" \
    --argjson fds "$(find "/proc/$p/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)" --argjson th "$(awk '/^Threads/{print $2}' "/proc/$p/status")" \
    '{vmhwm_mb: ($hwm / 1024 | . * 10 | round / 10), vmrss_mb: ($rss / 1024 | . * 10 | round / 10), fds: $fds, threads: $th}'
}

start_watch() { # TREE NAME [EMBEDDER] -> sets WATCH_PID; waits for "ready"
  local t=$1 name=$2
  if [ -n "${3:-}" ]; then
    MEM_EMBEDDER=$3 "$BIN" --root "$t" watch --json >"$WORK/$name.out" 2>"$WORK/$name.err" &
  else
    "$BIN" --root "$t" watch --json >"$WORK/$name.out" 2>"$WORK/$name.err" &
  fi
  WATCH_PID=$!
  local i
  for ((i = 0; i < 3000; i++)); do
    grep -q '"event":"ready"' "$WORK/$name.out" 2>/dev/null && return 0
    kill -0 "$WATCH_PID" 2>/dev/null || { cat "$WORK/$name.err" >&2; WATCH_PID=; return 1; }
    sleep 0.2
  done
  return 1
}
stop_watch() { # -> sets WATCH_RC
  WATCH_RC=0
  kill -INT "$WATCH_PID" 2>/dev/null || true
  wait "$WATCH_PID" 2>/dev/null || WATCH_RC=$?
  WATCH_PID=
}

# recall_loop TREE LOG STOPFILE ARGS... : recalls through the socket until
# STOPFILE exists; one line per recall: "ms rc daemon word" (daemon: 1 when
# the watcher answered, per --explain's stats line). Failed ones' stderr goes
# to LOG.err.
recall_loop() {
  local t=$1 out=$2 stop=$3 i=0 w t0 t1 rc d
  shift 3
  local words=("${RECALL_WORDS[@]}")
  while [ ! -e "$stop" ]; do
    w=${words[$((i % ${#words[@]}))]}
    t0=$EPOCHREALTIME
    rc=0
    "$BIN" --root "$t" recall "$w" "$@" -k $((5 + i % 5)) --explain >/dev/null 2>"$out.tmp" || rc=$?
    t1=$EPOCHREALTIME
    d=0; grep -q '"daemon":true' "$out.tmp" && d=1
    echo "$(ms "$t0" "$t1") $rc $d $w" >>"$out"
    if [ "$d" != 1 ] || { [ "$rc" != 0 ] && [ "$rc" != 1 ]; }; then
      { echo "--- recall $w rc=$rc at $(date +%T.%N)"; cat "$out.tmp"; } >>"$out.err"
    fi
    i=$((i + 1))
    sleep "$RECALL_SLEEP"
  done
  rm -f "$out.tmp"
}
# recall_stats LOG -> {"n","answered","by_watcher","nothing_found","failed","p50_ms","p95_ms","max_ms"}
recall_stats() {
  local f=$1
  jq -cn --argjson n "$(wc -l <"$f")" --argjson ok "$(awk '$3 == 1 && ($2 == 0 || $2 == 1)' "$f" | wc -l)" \
    --argjson bw "$(awk '$3 == 1' "$f" | wc -l)" --argjson nf "$(awk '$2 == 1' "$f" | wc -l)" \
    --argjson p50 "$(awk '{print $1}' "$f" | pct 50)" --argjson p95 "$(awk '{print $1}' "$f" | pct 95)" \
    --argjson max "$(awk '{print $1}' "$f" | pct 100)" \
    '{n: $n, answered: $ok, by_watcher: $bw, nothing_found: $nf, failed: ($n - $ok), p50_ms: $p50, p95_ms: $p95, max_ms: $max}'
}

cat >"$WORK/churn.py" <<'PY'
"""Helpers of benches/churn.sh.

branch-a TREE CHANGED SEED LISTS : picks the files; marks side A's changed files
branch-b TREE LISTS              : makes side B (edits, deletions, new entries)
settle TREE T0 TIMEOUT           : waits until the manifest matches the files
tokens TREE BIN SIDE LISTS       : the marker words' recalls through the socket
facts N SEED                     : N distinct facts, one per line
found TREE BIN ADDS_JSONL        : every new entry of the adds found by its title through the socket
"""
import json, os, random, subprocess, sys, time

WORD_A, WORD_B = "zqvxkltrm", "jwpfbgdnc"  # consonant runs: no stem, no shared prefix
LINE_A = f"Churn bench side A: {WORD_A} marks this version."
LINE_B = f"Churn bench side B: {WORD_B} marks this version."

def entry_files(tree):
    out = []
    for d, dirs, names in os.walk(tree):
        rel = os.path.relpath(d, tree)
        if rel == ".":
            dirs[:] = [x for x in dirs if not x.startswith((".", "_"))]
        out += [os.path.normpath(os.path.join(rel, n)) for n in names if n.endswith(".md")]
    return sorted(out)

def ulid(rnd, ms):
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    n = (ms << 80) | rnd.getrandbits(80)
    return "".join(alphabet[(n >> (5 * i)) & 31] for i in range(25, -1, -1))

def wl(path, items):
    with open(path, "w") as f:
        f.writelines(x + "\n" for x in items)

def rl(path):
    with open(path) as f:
        return [x for x in f.read().split("\n") if x]

def branch_a(tree, changed, seed, lists):
    files = [f for f in entry_files(tree) if f.count("/") == 2]
    n_edit, n_add = changed // 2, changed // 4
    n_del = changed - n_edit - n_add
    pick = random.Random(f"churn-{seed}").sample(files, n_edit + n_del)
    edit, dele = sorted(pick[:n_edit]), sorted(pick[n_edit:])
    topics = sorted({os.path.dirname(f) for f in files})
    rnd = random.Random(f"churn-add-{seed}")
    add = []
    for i in range(n_add):
        add.append(f"{rnd.choice(topics)}/churn-added-{i}.md")
    for f in edit + dele:
        p = os.path.join(tree, f)
        with open(p, "rb") as fh:
            end = fh.read()[-1:]
        with open(p, "a") as fh:
            fh.write(("" if end == b"\n" else "\n") + LINE_A + "\n")
    os.makedirs(lists, exist_ok=True)
    wl(f"{lists}/edit.txt", edit)
    wl(f"{lists}/delete.txt", dele)
    wl(f"{lists}/add.txt", add)
    wl(f"{lists}/only_a.txt", sorted(x[:-3] for x in edit + dele))
    wl(f"{lists}/only_b.txt", sorted(x[:-3] for x in edit + add))

def branch_b(tree, lists):
    for f in rl(f"{lists}/edit.txt"):
        p = os.path.join(tree, f)
        with open(p) as fh:
            t = fh.read()
        assert LINE_A in t, f
        with open(p, "w") as fh:
            fh.write(t.replace(LINE_A, LINE_B))
    for f in rl(f"{lists}/delete.txt"):
        os.remove(os.path.join(tree, f))
    rnd = random.Random("churn-ids")
    ms = int(time.time() * 1000)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    for i, f in enumerate(rl(f"{lists}/add.txt")):
        with open(os.path.join(tree, f), "w") as fh:
            fh.write(f"""---
id: {ulid(rnd, ms + i)}
title: Churn added {i}
kind: fact
tags: [churn]
importance: 50
maturity: draft
created: {stamp}
updated: {stamp}
source:
  via: import
  trust: external
---
New entry {i} of the churn bench, only on branch b.
{LINE_B}
""")

def manifest(tree):
    try:
        with open(os.path.join(tree, ".mem/index/manifest")) as f:
            text = f.read()
    except FileNotFoundError:
        return None, {}
    head, _, body = text.partition("\n")
    h = json.loads(head)
    files = {}
    for line in body.split("\n"):
        if line:
            rel, size, mtime, _hash, _key, flags = line.split("\t")
            files[rel] = (int(size), int(mtime), flags)
    return h, files

def settle(tree, t0, timeout):
    disk = {}
    for f in entry_files(tree):
        st = os.stat(os.path.join(tree, f))
        disk[f] = (st.st_size, st.st_mtime_ns)
    man = os.path.join(tree, ".mem/index/manifest")
    deadline, last, checks, res = time.time() + timeout, None, 0, None
    while True:
        try:
            st = os.stat(man)
            sig = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            sig = None
        if sig is not None and sig != last:
            last = sig
            checks += 1
            h, files = manifest(tree)
            missing = sorted(set(disk) - set(files))
            extra = sorted(set(files) - set(disk))
            differ = sorted(f for f in set(disk) & set(files) if files[f][:2] != disk[f])
            broken = sorted(f for f, v in files.items() if "b" in v[2])
            ok = not (missing or extra or differ or broken) and h["count"] == len(disk)
            res = {"settled": ok, "settle_ms": round((h["stamp"] / 1e9 - t0) * 1000, 1),
                   "generation": h["generation"], "disk_files": len(disk), "manifest_count": h["count"],
                   "manifest_lines": len(files), "broken": h.get("broken", 0), "n_missing": len(missing),
                   "n_extra": len(extra), "n_differ": len(differ), "missing": missing[:5], "extra": extra[:5],
                   "differ": differ[:5], "broken_files": broken[:5], "manifest_reads": checks}
            if ok:
                break
        if time.time() > deadline:
            res = dict(res or {"settled": False, "disk_files": len(disk), "manifest": None}, settled=False, timed_out=True)
            break
        time.sleep(0.05)
    print(json.dumps(res))

def tokens(tree, binary, side, lists):
    want = {WORD_A: set(rl(f"{lists}/only_a.txt")) if side == "A" else set(),
            WORD_B: set(rl(f"{lists}/only_b.txt")) if side == "B" else set()}
    # `mem recall -k` takes at most 10000: enough while each side's set is smaller.
    k = min(10000, max(len(rl(f"{lists}/only_a.txt")), len(rl(f"{lists}/only_b.txt"))) + 10)
    out = {"ok": True}
    for word, exp in want.items():
        t = time.time()
        p = subprocess.run([binary, "--root", tree, "recall", word, "--tier", "1", "-k", str(k), "--quarantined", "--json", "--explain"],
                           capture_output=True, text=True)
        got = set()
        for line in p.stdout.splitlines():
            if line.strip():
                got.add(json.loads(line)["path"])
        daemon = '"daemon":true' in p.stderr
        r = {"expected": len(exp), "got": len(got), "missing": sorted(exp - got)[:5], "n_missing": len(exp - got),
             "extra": sorted(got - exp)[:5], "n_extra": len(got - exp), "rc": p.returncode, "daemon": daemon,
             "ms": round((time.time() - t) * 1000, 1)}
        if got != exp or not daemon or p.returncode not in (0, 1):
            out["ok"] = False
            r["stderr"] = p.stderr[-500:]
        out["side_a_word" if word == WORD_A else "side_b_word"] = r
    print(json.dumps(out))

def found(tree, binary, adds):
    new = []
    with open(adds) as f:
        for line in f:
            if line.strip():
                a = json.loads(line)
                if a.get("op") in ("added", "superseded") and a.get("path"):
                    new.append((a["path"], a.get("title") or a.get("statement") or ""))
    missing, not_daemon, t = [], 0, time.time()
    for path, title in new:
        # --history: an entry a later add superseded is hidden otherwise.
        p = subprocess.run([binary, "--root", tree, "recall", title, "--tier", "1", "-k", "10", "--history", "--quarantined", "--json", "--explain"],
                           capture_output=True, text=True)
        hits = [json.loads(l)["path"] for l in p.stdout.splitlines() if l.strip()]
        if '"daemon":true' not in p.stderr:
            not_daemon += 1
        if path not in hits:
            missing.append(path)
    print(json.dumps({"new": len(new), "found": len(new) - len(missing), "missing": missing[:10],
                      "not_by_watcher": not_daemon, "seconds": round(time.time() - t, 1)}))

SUBJ = ["Alice", "Bruno", "Chiara", "Dmitri", "Esther", "Farouk", "Greta", "Hiroshi", "Ines", "Jonas", "Kalani", "Ludmila",
        "Mateo", "Noor", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tamsin", "Ugo", "Valeria", "Wendell", "Ximena",
        "Yusuf", "Zofia"]
PROJ = ["Heron", "Basalt", "Marigold", "Tundra", "Copperline", "Nimbus", "Saffron", "Juniper", "Obsidian", "Wren",
        "Lantern", "Quarry", "Driftwood", "Sequoia", "Falcon", "Ember", "Glacier", "Pumice", "Verbena", "Kestrel"]
TOOL = ["Postgres", "Redis", "Kafka", "Terraform", "Grafana", "Nginx", "SQLite", "ClickHouse", "Envoy", "Bazel",
        "Ansible", "Prometheus", "RabbitMQ", "Elasticsearch", "MinIO", "Vault", "Consul", "Traefik", "Caddy", "Jenkins"]
CITY = ["Lisbon", "Oslo", "Nairobi", "Montreal", "Osaka", "Tallinn", "Valparaiso", "Tbilisi", "Porto", "Hanoi",
        "Reykjavik", "Dakar", "Ljubljana", "Cusco", "Tromso", "Kigali", "Bergen", "Cordoba", "Gdansk", "Perth"]
THING = ["espresso machine", "standing desk", "label printer", "soldering station", "3D printer", "drone",
         "kayak", "telescope", "sourdough starter", "bonsai tree", "mechanical keyboard", "e-bike", "synthesizer",
         "aquarium", "greenhouse", "sewing machine", "pottery wheel", "ham radio", "chess clock", "rowing machine"]
MONTH = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
         "November", "December"]
TEMPL = [
    "{s} moved the {p} {t} cluster to {c} in {m}.",
    "The {p} service listens on port {port} and stores sessions in {t}.",
    "{s} bought a second-hand {th} for {n}0 euros at a flea market in {c}.",
    "Invoice {code} for the {p} project was paid on {d} {m}, total {n}{n2} dollars.",
    "{s} is allergic to {food} and orders the {food2} at team lunches.",
    "The {p} nightly backup of {t} keeps {n} days and finishes by {h}:15.",
    "{s} runs a {dist} km trail race near {c} every {m}.",
    "Ticket {code}: {t} on the {p} hosts leaks file handles after {n} hours of uptime.",
    "{s}'s {th} broke in {m}; the repair shop in {c} quoted {n} weeks.",
    "We pinned {t} to version {n}.{n2} in the {p} repo because newer builds crash on ARM.",
    "{s} learned to play the {instr} during a sabbatical in {c}.",
    "The {p} dashboard alert for {t} fires when latency exceeds {n}{n2} ms for {n2} minutes.",
    "{s} hands the {p} on-call pager to {s2} every {day} at {h}:00.",
    "The office in {c} replaced its {th} with a quieter model in {m}.",
    "Budget code {code} covers {s}'s conference trip to {c} in {m}.",
    "{s} keeps the {p} release checklist in a notebook titled {codename}.",
]
FOOD = ["peanuts", "shellfish", "gluten", "sesame", "kiwi", "lactose", "mustard", "celery", "soy", "eggs"]
INSTR = ["cello", "banjo", "oud", "harmonium", "tabla", "ukulele", "bassoon", "theremin", "mandolin", "accordion"]
DAY = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]

def codename(r):
    cons, vow = "bdfgklmnprstvz", "aeiou"
    return "".join(r.choice(cons) + r.choice(vow) for _ in range(3)).capitalize()

def facts(n, seed):
    r = random.Random(f"facts-{seed}")
    seen = set()
    while len(seen) < n:
        s = r.choice(SUBJ)
        f = r.choice(TEMPL).format(
            s=s, s2=r.choice([x for x in SUBJ if x != s]), p=r.choice(PROJ), t=r.choice(TOOL), c=r.choice(CITY),
            m=r.choice(MONTH), n=r.randint(2, 9), n2=r.randint(0, 9), port=r.randint(1025, 65000),
            th=r.choice(THING), code=f"{r.choice('ABCDEFGHKMNPRT')}{r.randint(1000, 9999)}", d=r.randint(1, 28),
            food=r.choice(FOOD), food2=codename(r).lower() + " bowl", h=r.randint(6, 22), dist=r.choice([12, 21, 30, 42, 50, 80]),
            instr=r.choice(INSTR), day=r.choice(DAY), codename=codename(r))
        if f not in seen:
            seen.add(f)
            print(f)

cmd = sys.argv[1]
if cmd == "branch-a": branch_a(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
elif cmd == "branch-b": branch_b(sys.argv[2], sys.argv[3])
elif cmd == "settle": settle(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
elif cmd == "tokens": tokens(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
elif cmd == "facts": facts(int(sys.argv[2]), sys.argv[3])
elif cmd == "found": found(sys.argv[2], sys.argv[3], sys.argv[4])
PY
py() { python3 "$WORK/churn.py" "$@"; }

P1=null P2=null

# --- part 1: the watcher under churn ------------------------------------------
part1() {
  # Every process of part 1 (the watcher, the recall clients) uses one
  # embedder: a client whose embedder differs from the watcher's is refused
  # and recalls in-process.
  local -x MEM_EMBEDDER=$EMBEDDER
  local T=$WORK/churn L=$WORK/lists t0 t1 t2 syn
  log "part 1: eval synth --entries $ENTRIES (no model)"
  t0=$(now)
  syn=$(MEM_EMBEDDER=none "$BIN" eval synth --entries "$ENTRIES" --seed "$SEED" --json "$T")
  t1=$(now)
  mapfile -t RECALL_WORDS < <(jq -r '.queries[]' <<<"$syn" | awk 'NF == 1' | head -n 8)
  [ ${#RECALL_WORDS[@]} -gt 0 ] || RECALL_WORDS=(deploy release build)
  log "  $(ms "$t0" "$t1") ms; branch b: $((CHANGED / 2)) edited, $((CHANGED / 4)) added, $((CHANGED - CHANGED / 2 - CHANGED / 4)) deleted"
  git -C "$T" branch -M main
  py branch-a "$T" "$CHANGED" "$SEED" "$L"
  git -C "$T" add -A && git -C "$T" commit -q -m "churn: side A markers"
  git -C "$T" checkout -q -b b
  py branch-b "$T" "$L"
  git -C "$T" add -A && git -C "$T" commit -q -m "churn: side B"
  git -C "$T" checkout -q main
  local stat files_changed
  stat=$(git -C "$T" diff --shortstat main b)
  files_changed=$(awk '{print $1}' <<<"$stat")
  t2=$(now)
  log "  git diff --shortstat main b: $stat ($(ms "$t1" "$t2") ms)"

  log "reindex (embedder: $EMBEDDER)"
  t0=$(now)
  MEM_EMBEDDER=$EMBEDDER "$BIN" --root "$T" reindex --json >"$WORK/reindex.json"
  t1=$(now)
  local reindex_s; reindex_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b - a}')
  log "  $reindex_s s"
  start_watch "$T" watch1 "$EMBEDDER" || { fail "part 1: mem watch did not start"; return; }
  local s0; s0=$(py settle "$T" "$(now)" "$SETTLE_TIMEOUT")
  [ "$(jq -r .settled <<<"$s0")" = true ] || fail "part 1: the watcher's manifest does not match the files before the churn: $s0"
  sleep 1
  local before; before=$(procstat "$WATCH_PID")
  log "watcher pid $WATCH_PID caught up: $before"

  local RL=$WORK/recalls1.txt STOP=$WORK/stop1
  : >"$RL"; rm -f "$STOP"
  recall_loop "$T" "$RL" "$STOP" --tier 1 &
  BG_PIDS+=($!)
  local LOOP_PID=$!
  local ROWS=$WORK/switches.jsonl; : >"$ROWS"
  local i side br c0 c1 s tk ok
  for ((i = 1; i <= SWITCHES; i++)); do
    if ((i % 2)); then side=B br=b; else side=A br=main; fi
    c0=$(now)
    git -C "$T" checkout -q "$br"
    c1=$(now)
    s=$(py settle "$T" "$c0" "$SETTLE_TIMEOUT")
    tk=$(py tokens "$T" "$BIN" "$side" "$L")
    ok=true
    [ "$(jq -r .settled <<<"$s")" = true ] || { ok=false; fail "part 1 switch $i (to $side): manifest does not match the files: $(jq -c 'del(.missing, .extra, .differ) + {missing: .missing, extra: .extra, differ: .differ}' <<<"$s")"; }
    [ "$(jq -r .ok <<<"$tk")" = true ] || { ok=false; fail "part 1 switch $i (to $side): marker recalls: $tk"; }
    jq -cn --argjson i "$i" --arg side "$side" --argjson co "$(ms "$c0" "$c1")" --argjson s "$s" --argjson tk "$tk" --argjson ok "$ok" \
      --argjson ps "$(procstat "$WATCH_PID")" \
      '{switch: $i, to: $side, checkout_ms: $co, settle_ms: $s.settle_ms, watcher: $ps, manifest_reads: $s.manifest_reads, files: $s.disk_files,
        manifest_count: $s.manifest_count, ok: $ok, marker_recall_ms: [$tk.side_a_word.ms, $tk.side_b_word.ms],
        marker_hits: [$tk.side_a_word.got, $tk.side_b_word.got], settle: $s, tokens: $tk}' >>"$ROWS"
    log "switch $i -> $side: checkout $(ms "$c0" "$c1") ms, settled after $(jq -r .settle_ms <<<"$s") ms ($(jq -r .disk_files <<<"$s") files), markers $(jq -r '[.side_a_word.got, .side_b_word.got] | join("/")' <<<"$tk"), ok $ok, recalls so far $(wc -l <"$RL")"
  done
  touch "$STOP"
  wait "$LOOP_PID" 2>/dev/null || true
  sleep 2
  local after; after=$(procstat "$WATCH_PID")
  log "after the churn: $after"
  local rs; rs=$(recall_stats "$RL")
  [ "$(jq -r .failed <<<"$rs")" = 0 ] || fail "part 1: $(jq -r .failed <<<"$rs") recall(s) not answered by the watcher (see $RL.err): $(head -c 600 "$RL.err" 2>/dev/null | tr '\n' ' ')"
  (($(jq -r .fds <<<"$after") <= $(jq -r .fds <<<"$before"))) || fail "part 1: file descriptors grew: $before -> $after ($(ls -l "/proc/$WATCH_PID/fd" | tail -n +2 | awk '{print $NF}' | sed 's/\[.*//' | sort | uniq -c | tr '\n' ' '))"
  (($(jq -r .threads <<<"$after") <= $(jq -r .threads <<<"$before"))) || fail "part 1: threads grew: $before -> $after"
  stop_watch; local wrc=$WATCH_RC
  [ "$wrc" = 130 ] || fail "part 1: mem watch exited $wrc (expected 130 after SIGINT): $(tail -c 400 "$WORK/watch1.err")"
  local werr; werr=$(grep -ci 'error\|warning\|panic' "$WORK/watch1.err" || true)
  [ "$werr" = 0 ] || fail "part 1: mem watch printed $werr error/warning line(s): $(grep -i 'error\|warning\|panic' "$WORK/watch1.err" | head -n 3 | tr '\n' ' ')"
  local events; events=$(grep -c '"event":"reindexed"' "$WORK/watch1.out" || true)
  P1=$(jq -cn --argjson entries "$ENTRIES" --argjson changed "$CHANGED" --argjson files_changed "${files_changed:-0}" --arg shortstat "$stat" \
    --argjson switches "$SWITCHES" --arg embedder "$EMBEDDER" --argjson reindex_s "$reindex_s" --argjson before "$before" --argjson after "$after" \
    --argjson recalls "$rs" --argjson events "$events" --slurpfile rows "$ROWS" --arg watch_rc "$wrc" '
    ($rows | map(.settle_ms)) as $st | ($rows | map(.checkout_ms)) as $co |
    def p($a; $q): ($a | sort) as $s | if ($s | length) == 0 then null else $s[(((($s | length) - 1) * $q) + 0.5 | floor)] end;
    {entries: $entries, changed: $changed, files_changed: $files_changed, shortstat: $shortstat, switches: $switches, embedder: $embedder,
     reindex_s: $reindex_s, all_ok: ($rows | all(.ok)), settle_ms: {p50: p($st; 0.5), p95: p($st; 0.95), max: p($st; 1)},
     checkout_ms: {p50: p($co; 0.5), max: p($co; 1)},
     watcher_rss_mb_per_switch: ($rows | map(.watcher.vmrss_mb)), watcher_before: $before, watcher_after: $after, reindexed_events: $events,
     recalls: $recalls, watch_exit: $watch_rc, per_switch: ($rows | map(del(.settle, .tokens)))}')
}

# --- part 2: writers under load -------------------------------------------------
part2() {
  local T=$WORK/writers syn
  log "part 2: eval synth --entries $SEED_ENTRIES, reindex with the embedder"
  syn=$(MEM_EMBEDDER=none "$BIN" eval synth --entries "$SEED_ENTRIES" --seed "$SEED" --json "$T")
  mapfile -t RECALL_WORDS < <(jq -r '.queries[]' <<<"$syn" | head -n 12)
  "$BIN" --root "$T" reindex --json >"$WORK/reindex2.json" 2>"$WORK/reindex2.err" || { fail "part 2: reindex failed: $(tail -c 300 "$WORK/reindex2.err")"; return; }
  local vectors; vectors=$(jq -r '.vectors // 0' "$WORK/reindex2.json")
  [ "$vectors" -gt 0 ] || { fail "part 2: no vectors after reindex (embedder model not found in MEM_MODELS_DIR=$MEM_MODELS_DIR?)"; return; }
  local n_total=$((WRITERS * ADDS))
  py facts "$n_total" "$SEED" >"$WORK/facts.txt"
  start_watch "$T" watch2 || { fail "part 2: mem watch did not start"; return; }
  local before; before=$(procstat "$WATCH_PID")
  log "watcher pid $WATCH_PID ready ($vectors vectors): $before"
  local RL=$WORK/recalls2.txt STOP=$WORK/stop2
  : >"$RL"; rm -f "$STOP"
  recall_loop "$T" "$RL" "$STOP" &
  BG_PIDS+=($!)
  local LOOP_PID=$!
  log "$WRITERS writer(s) x $ADDS curated adds"
  local w t0 t1 wpids=()
  t0=$(now)
  for ((w = 0; w < WRITERS; w++)); do
    (
      j=0
      while IFS= read -r fact; do
        a0=$EPOCHREALTIME
        rc=0
        "$BIN" --root "$T" add --json "$fact" >"$WORK/add-$w.out" 2>"$WORK/add-$w.err" || rc=$?
        a1=$EPOCHREALTIME
        op=$(jq -r '.op // "none"' "$WORK/add-$w.out" 2>/dev/null | head -n 1)
        echo "$(ms "$a0" "$a1") $rc ${op:-none} $w $j" >>"$WORK/adds.txt"
        if [ "$rc" != 0 ]; then { echo "--- writer $w add $j rc=$rc: $fact"; cat "$WORK/add-$w.err"; } >>"$WORK/add-failures.txt"; fi
        if [ -s "$WORK/add-$w.err" ]; then { echo "--- writer $w add $j rc=$rc at $(date +%T.%N)"; cat "$WORK/add-$w.err"; } >>"$WORK/add-stderr.txt"; fi
        cat "$WORK/add-$w.out" >>"$WORK/adds.jsonl"
        j=$((j + 1))
      done < <(awk -v w="$w" -v n="$WRITERS" '(NR - 1) % n == w' "$WORK/facts.txt")
    ) &
    wpids+=($!)
  done
  for w in "${wpids[@]}"; do wait "$w"; done
  t1=$(now)
  touch "$STOP"
  wait "$LOOP_PID" 2>/dev/null || true
  local wall; wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b - a}')
  log "  adds done in $wall s; waiting for the watcher"
  local s; s=$(py settle "$T" "$t1" "$SETTLE_TIMEOUT")
  [ "$(jq -r .settled <<<"$s")" = true ] || fail "part 2: the watcher's manifest does not match the files: $s"
  # The text index, not only the manifest: every new entry is found by its
  # title (tier 1, top 10, --history) in the watcher's index.
  log "  looking up every new entry by its title through the socket"
  local fd; fd=$(py found "$T" "$BIN" "$WORK/adds.jsonl")
  [ "$(jq -r '.found == .new and .not_by_watcher == 0' <<<"$fd")" = true ] || fail "part 2: new entries not found by their titles in the watcher's index: $fd"
  local after; after=$(procstat "$WATCH_PID")
  stop_watch; local wrc=$WATCH_RC
  [ "$wrc" = 130 ] || fail "part 2: mem watch exited $wrc (expected 130 after SIGINT)"
  local werr; werr=$(grep -ci 'error\|panic' "$WORK/watch2.err" || true)
  [ "$werr" = 0 ] || fail "part 2: mem watch printed $werr error line(s): $(grep -i 'error\|panic' "$WORK/watch2.err" | head -n 3 | tr '\n' ' ')"

  local A=$WORK/adds.txt
  local n_adds n_fail ops added entries commits fsck_rc=0 doctor_rc=0 derr dwarn dirty
  n_adds=$(wc -l <"$A")
  n_fail=$(awk '$2 != 0' "$A" | wc -l)
  # One add can hold several statements (curation splits them): one JSON
  # line each. New files: "added" and "superseded" (the new version).
  ops=$(jq -s -c 'map(.op // "none") | group_by(.) | map({key: .[0], value: length}) | from_entries' "$WORK/adds.jsonl")
  added=$(jq -s '[.[] | select(.op == "added" or .op == "superseded")] | length' "$WORK/adds.jsonl")
  entries=$(git -C "$T" ls-files | grep -c '\.md$' || true)
  local on_disk; on_disk=$(jq -r .disk_files <<<"$s")
  commits=$(git -C "$T" rev-list --count HEAD)
  dirty=$(git -C "$T" status --porcelain | wc -l)
  git -C "$T" fsck --strict >"$WORK/fsck.txt" 2>&1 || fsck_rc=$?
  local fsck_bad; fsck_bad=$(grep -vcE '^(dangling|Checking|notice)' "$WORK/fsck.txt" || true)
  "$BIN" --root "$T" doctor --json >"$WORK/doctor.jsonl" 2>"$WORK/doctor.err" || doctor_rc=$?
  derr=$(jq -c 'select(.severity == "error")' "$WORK/doctor.jsonl" | wc -l)
  dwarn=$(jq -c 'select(.severity == "warning")' "$WORK/doctor.jsonl" | wc -l)
  [ "$n_adds" = "$n_total" ] || fail "part 2: $n_adds add(s) recorded, expected $n_total"
  local cfail; cfail=$(grep -c 'curation failed' "$WORK/add-stderr.txt" 2>/dev/null || true)
  [ "${cfail:-0}" = 0 ] || fail "part 2: ${cfail} add(s) exited 0 but warned \"curation failed (...); the input was written raw and flagged curation: pending\" (see $WORK/add-stderr.txt): $(grep -m 1 'curation failed' "$WORK/add-stderr.txt" | head -c 300)"
  [ "$n_fail" = 0 ] || fail "part 2: $n_fail add(s) failed (see $WORK/add-failures.txt): $(head -c 600 "$WORK/add-failures.txt" | tr '\n' ' ')"
  [ "$on_disk" = $((SEED_ENTRIES + added)) ] || fail "part 2: $on_disk entries on disk, expected $SEED_ENTRIES + $added new (added + superseded statements)"
  [ "$entries" = "$on_disk" ] || fail "part 2: $entries entries committed, $on_disk on disk"
  [ "$dirty" = 0 ] || fail "part 2: git status shows $dirty changed path(s) after the adds"
  [ "$fsck_rc" = 0 ] && [ "$fsck_bad" = 0 ] || fail "part 2: git fsck --strict exit $fsck_rc: $(grep -vE '^(dangling|Checking)' "$WORK/fsck.txt" | head -n 5 | tr '\n' ' ')"
  [ "$doctor_rc" = 0 ] && [ "$derr" = 0 ] || fail "part 2: mem doctor exit $doctor_rc, $derr error(s): $(jq -c 'select(.severity == "error")' "$WORK/doctor.jsonl" | head -n 3 | tr '\n' ' ')"
  local rs; rs=$(recall_stats "$RL")
  [ "$(jq -r .failed <<<"$rs")" = 0 ] || fail "part 2: $(jq -r .failed <<<"$rs") recall(s) not answered by the watcher (see $RL.err): $(head -c 600 "$RL.err" 2>/dev/null | tr '\n' ' ')"
  local lat; lat=$(awk '{print $1}' "$A")
  P2=$(jq -cn --argjson seed "$SEED_ENTRIES" --argjson writers "$WRITERS" --argjson per "$ADDS" --argjson n "$n_adds" --argjson failed "$n_fail" --argjson cfail "${cfail:-0}" \
    --argjson ops "$ops" --argjson added "$added" --argjson on_disk "$on_disk" --argjson committed "$entries" --argjson commits "$commits" \
    --argjson wall "$wall" --argjson p50 "$(pct 50 <<<"$lat")" --argjson p95 "$(pct 95 <<<"$lat")" --argjson max "$(pct 100 <<<"$lat")" \
    --argjson recalls "$rs" --argjson fsck_rc "$fsck_rc" --argjson fsck_bad "$fsck_bad" --argjson doctor_rc "$doctor_rc" \
    --argjson derr "$derr" --argjson dwarn "$dwarn" --argjson dirty "$dirty" --argjson s "$s" --argjson fd "$fd" --argjson before "$before" --argjson after "$after" \
    --arg decided "$(jq -r 'select(.decided_by) | .decided_by' "$WORK/adds.jsonl" | sort | uniq -c | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}')" '
    {seed_entries: $seed, writers: $writers, adds_per_writer: $per, adds: $n, adds_failed: $failed, curation_failed_warnings: $cfail, ops: $ops, decided_by: $decided,
     added: $added, entries_on_disk: $on_disk, entries_committed: $committed, commits: $commits, git_status_dirty: $dirty,
     wall_s: $wall, adds_per_s: (($n / $wall) * 100 | round / 100), add_ms: {p50: $p50, p95: $p95, max: $max},
     recalls: $recalls, watcher_settle_ms_after_last_add: $s.settle_ms, index_matches_files: $s.settled, new_found_by_title: $fd,
     fsck: {exit: $fsck_rc, problem_lines: $fsck_bad}, doctor: {exit: $doctor_rc, errors: $derr, warnings: $dwarn},
     watcher_before: $before, watcher_after: $after}')
}

T_ALL0=$(now)
case $PART in 1) part1 ;; 2) part2 ;; all) part1; part2 ;; esac
T_ALL1=$(now)

SUMMARY=$(jq -n --arg version "$("$BIN" --version)" --arg bin "$BIN" --argjson cpus "$CPUS" --arg fs "$FSTYPE" --arg load0 "$LOAD0" \
  --arg load1 "$(cut -d' ' -f1-3 /proc/loadavg)" --arg dir "$WORK" --argjson p1 "$P1" --argjson p2 "$P2" --argjson failures "$FAILURES" \
  --argjson wall "$(awk -v a="$T_ALL0" -v b="$T_ALL1" 'BEGIN{printf "%.1f", b - a}')" \
  '{mem: $version, bin: $bin, cpus: $cpus, fs: $fs, load_before: $load0, load_after: $load1, dir: $dir, wall_s: $wall,
    churn: $p1, writers: $p2, failures: $failures, ok: ($failures | length == 0)}')
echo "$SUMMARY"

{
  echo
  if [ "$P1" != null ]; then
    echo "**The watcher under churn** ($(jq -r '.churn | "\(.entries) entries, \(.files_changed) files differ (\(.shortstat | ltrimstr(" "))), \(.switches) switches, embedder \(.embedder)"' <<<"$SUMMARY"))"
    echo
    echo "| metric | value |"
    echo "|---|---:|"
    jq -r '.churn | "| every switch: manifest = files (path, size, mtime), count equal, marker recalls exact | \(if .all_ok then "yes" else "NO" end) |",
      "| settle after checkout p50 / p95 / max ms | \(.settle_ms.p50) / \(.settle_ms.p95) / \(.settle_ms.max) |",
      "| git checkout p50 / max ms | \(.checkout_ms.p50) / \(.checkout_ms.max) |",
      "| catch-ups (reindexed events) | \(.reindexed_events) |",
      "| watcher peak RSS (VmHWM) before / after MB | \(.watcher_before.vmhwm_mb) / \(.watcher_after.vmhwm_mb) |",
      "| watcher RSS before / after MB | \(.watcher_before.vmrss_mb) / \(.watcher_after.vmrss_mb) |",
      "| watcher RSS after switch 1 / \((.switches + 1) / 2 | floor) / \(.switches) MB (max over all) | \(.watcher_rss_mb_per_switch[0]) / \(.watcher_rss_mb_per_switch[((.switches + 1) / 2 | floor) - 1]) / \(.watcher_rss_mb_per_switch[-1]) (\(.watcher_rss_mb_per_switch | max)) |",
      "| file descriptors before / after | \(.watcher_before.fds) / \(.watcher_after.fds) |",
      "| threads before / after | \(.watcher_before.threads) / \(.watcher_after.threads) |",
      "| recalls through the socket: answered / total (nothing found) | \(.recalls.answered) / \(.recalls.n) (\(.recalls.nothing_found)) |",
      "| recall `--tier 1` p50 / p95 / max ms | \(.recalls.p50_ms) / \(.recalls.p95_ms) / \(.recalls.max_ms) |",
      "| reindex before the churn s | \(.reindex_s) |"' <<<"$SUMMARY"
    echo
  fi
  if [ "$P2" != null ]; then
    echo "**Writers under load** ($(jq -r '.writers | "\(.writers) writers x \(.adds_per_writer) curated adds into \(.seed_entries) entries, embedder on, recall loop"' <<<"$SUMMARY"))"
    echo
    echo "| metric | value |"
    echo "|---|---:|"
    jq -r '.writers | "| adds exited 0 / total | \(.adds - .adds_failed) / \(.adds) |",
      "| adds that warned \"curation failed\" (written raw, curation: pending) | \(.curation_failed_warnings) |",
      "| curation decisions | \(.ops | to_entries | map("\(.key) \(.value)") | join(", ")) (\(.decided_by)) |",
      "| entries on disk / committed / expected (seed + added/superseded) | \(.entries_on_disk) / \(.entries_committed) / \(.seed_entries) + \(.added) |",
      "| wall s, adds/s | \(.wall_s), \(.adds_per_s) |",
      "| add latency p50 / p95 / max ms | \(.add_ms.p50) / \(.add_ms.p95) / \(.add_ms.max) |",
      "| recalls through the socket: answered / total | \(.recalls.answered) / \(.recalls.n) |",
      "| recall (default tiers) p50 / p95 / max ms | \(.recalls.p50_ms) / \(.recalls.p95_ms) / \(.recalls.max_ms) |",
      "| watcher caught up after the last add (ms), manifest = files | \(.watcher_settle_ms_after_last_add), \(.index_matches_files) |",
      "| new entries found by their title in the watcher'"'"'s index (tier 1, top 10, --history) | \(.new_found_by_title.found) / \(.new_found_by_title.new) |",
      "| git fsck --strict | exit \(.fsck.exit), \(.fsck.problem_lines) problem lines |",
      "| mem doctor | exit \(.doctor.exit), \(.doctor.errors) errors, \(.doctor.warnings) warnings |",
      "| git status after | \(.git_status_dirty) changed paths |",
      "| watcher peak RSS / fds / threads before -> after | \(.watcher_before.vmhwm_mb) MB / \(.watcher_before.fds) / \(.watcher_before.threads) -> \(.watcher_after.vmhwm_mb) MB / \(.watcher_after.fds) / \(.watcher_after.threads) |"' <<<"$SUMMARY"
    echo
  fi
  echo "($CPUS cpus, $FSTYPE, load average $LOAD0 -> $(cut -d' ' -f1-3 /proc/loadavg), wall $(jq -r .wall_s <<<"$SUMMARY") s, $("$BIN" --version))"
  if [ "$FAILED" = 1 ]; then echo; echo "FAILURES:"; jq -r '.failures[]' <<<"$SUMMARY" | sed 's/^/- /'; fi
} >&2
[ "$FAILED" = 0 ]
