#!/usr/bin/env bash
# Crash soak over every write command (issue 23): each command is killed with
# SIGKILL at a random moment (a delay in [0, its median un-killed duration]),
# TRIALS times, on a synthetic tree (`mem eval synth`, every entry given a
# word of its own), then checked:
#   next     the next command of the same kind succeeds (mv/forget/restore/
#            edit: another target; ingest: the same file again);
#            `mem doctor` exits 0 (its warnings are recorded as notes)
#   fsck     `git fsck --strict` is clean (dangling objects allowed)
#   intact   every entry file committed before the kill is byte-identical,
#            unless the killed command was meant to change it: then it is
#            absent (moved/archived) or complete (`mem show --json` parses it)
#   partial  no partially written entry: every *.md in the tree has both
#            front-matter fences, every new or changed one `mem show`s, and
#            `mem doctor --json` reports no error (after the kill and after
#            the next command; after the kill, the errors that name what the
#            next command recovers are allowed: temp files, an uncommitted
#            write, a lock, an interrupted sync)
#   recall   `mem recall WORD --tier 1` finds the entry holding WORD on disk
#            (the killed command's word, its target's, an untouched entry's)
#            and returns no path that is not on disk
# plus per-command checks (the moved entry's relations, the ingested
# conversation whole, forget/restore leaving one copy, the two sync clones
# equal). See benches/README.md.
#
#   MEM_BIN=/path/to/mem bash benches/crash.sh                # every command, 50 trials each
#   TRIALS=2 bash benches/crash.sh                            # CI size
#   COMMANDS="add mv" TRIALS=10 bash benches/crash.sh
#
# Environment:
#   MEM_BIN         the binary (default target/release/mem, else $CARGO_TARGET_DIR/release/mem)
#   MEM_MODELS_DIR  the models (all-MiniLM-L6-v2 for the embedder, SmolLM2 for the
#                   generator; default the user's ~/.local/share/mem/models, read before HOME is replaced)
#   COMMANDS        which (default: add ingest distill mv mvtopic forget restore edit reindex sync mcp dream learn)
#   TRIALS          kill trials per command (default 50)
#   ENTRIES         synthetic tree size (default 300)
#   TURNS           turns of the bulk-ingest transcript (default 100)
#   SPOKES          entries relating to the moved entry (default 50)
#   SEED            seeds bash's $RANDOM (the kill delays) (default 1)
#   MEM_THREADS     model threads (default 1: the machine is shared)
#   BENCH_DIR       where the work folder goes (default $TMPDIR or /tmp)
#   KEEP            1: keep the work folder at the end (it is always kept when a
#                   trial failed; a failed trial's tree is copied to failed-CMD-K/)
#
# stdout: one JSON object (the summary); stderr: progress and a markdown table.
# Exit status 1 when a trial failed (the JSON says which and why).
# Needs git, python3 and jq.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
bench_bin crash.sh
bench_needs crash.sh git python3 jq
COMMANDS=${COMMANDS:-add ingest distill mv mvtopic forget restore edit reindex sync mcp dream learn}
TRIALS=${TRIALS:-50}
ENTRIES=${ENTRIES:-300}
TURNS=${TURNS:-100}
SPOKES=${SPOKES:-50}
SEED=${SEED:-1}
KEEP=${KEEP:-0}
export MEM_MODELS_DIR=${MEM_MODELS_DIR:-$HOME/.local/share/mem/models}
export MEM_THREADS=${MEM_THREADS:-1}

WORK=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/mem-crash-bench.XXXXXX")
RUN_PID= AUX_PID=
FAILED_ANY=0
cleanup() {
  for p in $RUN_PID $AUX_PID; do kill -KILL "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if [ "$KEEP" = 1 ] || [ "$FAILED_ANY" = 1 ]; then echo "[crash] kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# Hermetic: our own HOME (no user config) with a git identity; the models
# named explicitly.
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config XDG_DATA_HOME=$WORK/home/.local/share XDG_CACHE_HOME=$WORK/home/.cache
export MEM_AUTO_WATCH=0 NO_COLOR=1 GIT_CONFIG_NOSYSTEM=1
unset MEM_ROOT MEM_EMBEDDER MEM_GENERATOR
mkdir -p "$HOME"
cat >"$HOME/.gitconfig" <<'EOF'
[user]
	name = Crash Bench
	email = crash-bench@example.com
[init]
	defaultBranch = main
EOF

log() { echo "[crash] $*" >&2; }
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
FS=$(df -PT "$WORK" | awk 'NR==2{print $2}')
log "work folder $WORK ($FS), $(nproc) cpu(s), load average $LOAD0, binary $BIN, models $MEM_MODELS_DIR"
[ -f "$MEM_MODELS_DIR/all-MiniLM-L6-v2.Q8_0.gguf" ] || log "warning: no embedder in $MEM_MODELS_DIR (curation falls back to words only)"

# A word no entry has (consonants only: the stemmer leaves it alone).
word() { # PREFIX N
  local n=$2 s="" c=bcdfghjkmnpqrtvwxz
  while :; do s=${c:$((n % 18)):1}$s; n=$((n / 18)); ((n > 0)) || break; done
  echo "qz$1${s}k"
}
now() { echo "$EPOCHREALTIME"; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", (b - a) * 1000}'; }
mem_in() { local d=$1; shift; (cd "$d" && "$BIN" "$@"); }

# --- helpers in python --------------------------------------------------------
# marks.py TREE: appends "Marker WORD." (a word of its own) to every entry body.
cat >"$WORK/marks.py" <<'PY'
import os, sys
tree = sys.argv[1]
c = "bcdfghjkmnpqrtvwxz"
def word(n):
    s = ""
    while True:
        s = c[n % 18] + s; n //= 18
        if n == 0: break
    return "qzm" + s + "k"
files = []
for d, dirs, names in os.walk(tree):
    dirs[:] = sorted(x for x in dirs if not x.startswith((".", "_")))
    files += [os.path.join(d, n) for n in sorted(names) if n.endswith(".md")]
for i, p in enumerate(sorted(files)):
    with open(p, "rb") as fh: end = fh.read()[-1:]
    with open(p, "a") as fh: fh.write(("" if end == b"\n" else "\n") + f"Marker {word(i)}.\n")
PY
# spokes.py TREE HUBPATH HUBID FILES...: gives each file a `related` relation to the hub.
cat >"$WORK/spokes.py" <<'PY'
import sys
tree, hub, hid = sys.argv[1:4]
for p in sys.argv[4:]:
    t = open(p).read()
    assert t.startswith("---\n")
    end = t.index("\n---\n", 4)
    t = t[:end] + f"\nrelations:\n- rel: related\n  to: {hub}\n  id: {hid}" + t[end:]
    open(p, "w").write(t)
PY
# check.py TREE SNAPSHOT ALLOWED OUTJSON: the kill's state against the committed
# one. SNAPSHOT: `git ls-files -s` lines; ALLOWED: fnmatch patterns (entry paths
# with .md) the command may change, one a line. Prints the paths to `mem show`.
cat >"$WORK/check.py" <<'PY'
import fnmatch, hashlib, json, os, sys
tree, snap, allowed, out = sys.argv[1:5]
pats = [l.strip() for l in open(allowed) if l.strip()]
def ok_to_change(p): return any(fnmatch.fnmatchcase(p, x) for x in pats)
committed = {}
for l in open(snap):
    meta, path = l.rstrip("\n").split("\t", 1)
    if path.endswith(".md") and not path.startswith(".mem/") and not path.endswith("/_overview.md"):
        committed[path] = meta.split()[1]
problems, show, changed_allowed = [], [], 0
def blob(p):
    b = open(p, "rb").read()
    return hashlib.sha1(b"blob %d\0" % len(b) + b).hexdigest(), b
for path, sha in committed.items():
    full = os.path.join(tree, path)
    if not os.path.exists(full):
        if not ok_to_change(path): problems.append(f"committed entry missing: {path}")
        continue
    h, _ = blob(full)
    if h != sha:
        if ok_to_change(path): changed_allowed += 1; show.append(path)
        else: problems.append(f"committed entry changed: {path}")
ondisk, overviews = [], []
for d, dirs, names in os.walk(tree):
    dirs[:] = [x for x in dirs if x not in (".git", ".mem")]
    for n in names:
        if n == "_overview.md":
            overviews.append(os.path.relpath(os.path.join(d, n), tree))
        elif n.endswith(".md"):
            rel = os.path.relpath(os.path.join(d, n), tree)
            ondisk.append(rel)
            if rel not in committed: show.append(rel)
new = [p for p in ondisk if p not in committed]
# Overviews (`mem dream`) are not entries: whole when their last line is
# their key.
for rel in overviews:
    t = open(os.path.join(tree, rel), "rb").read().rstrip(b"\n")
    last = t.rsplit(b"\n", 1)[-1]
    if not last.startswith(b"<!-- mem dream: "):
        problems.append(f"partial overview: {rel} ({len(t)} bytes)")
for rel in ondisk:
    t = open(os.path.join(tree, rel), "rb").read()
    if not t.startswith(b"---\n") or b"\n---\n" not in t[3:] and not t.endswith(b"\n---"):
        problems.append(f"partial entry (front matter fences): {rel} ({len(t)} bytes)")
json.dump({"problems": problems, "changed_allowed": changed_allowed, "new_files": len(new)}, open(out, "w"))
print("\n".join(sorted(set(show))))
PY
# recall.py TREE WORD HITS.jsonl: the recall answers what is on disk (asked
# with --history: an entry a curated add or dream superseded is still there).
cat >"$WORK/recall.py" <<'PY'
import json, os, re, sys
tree, word, hits = sys.argv[1:4]
whole = re.compile(r"\b" + re.escape(word) + r"\b")
expect = set()
for d, dirs, names in os.walk(tree):
    dirs[:] = [x for x in dirs if x not in (".git", ".mem", "_archive")]
    for n in names:
        if n.endswith(".md") and n != "_overview.md":
            p = os.path.join(d, n)
            if whole.search(open(p, errors="replace").read()):
                expect.add(os.path.relpath(p, tree)[:-3])
got = []
for l in open(hits):
    l = l.strip()
    if l.startswith("{") and '"path"' in l:
        got.append(json.loads(l)["path"])
probs = [f"recall {word} returned {p}, not on disk" for p in got if not os.path.exists(os.path.join(tree, p + ".md"))]
if expect and not expect & set(got):
    probs.append(f"recall {word} did not find {sorted(expect)[:3]} (got {got[:3]})")
print("\n".join(probs))
PY
# mcp.py BIN PIDFILE TEXT: one MCP add over stdio (initialize, initialized,
# tools/call add), keeping stdin open until the answer came; exit 0 when the
# call succeeded, 3 when it succeeded but mem was killed before it exited.
# The typical duration of an MCP add is the time to its answer.
cat >"$WORK/mcp.py" <<'PY'
import json, subprocess, sys, time
binp, pidfile, text = sys.argv[1:4]
t0 = time.time()
p = subprocess.Popen([binp, "mcp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
open(pidfile + ".tmp", "w").write(str(p.pid))
import os; os.rename(pidfile + ".tmp", pidfile)
def send(o): p.stdin.write(json.dumps(o) + "\n"); p.stdin.flush()
send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "crash-bench", "version": "1"}}})
send({"jsonrpc": "2.0", "method": "notifications/initialized"})
send({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "add", "arguments": {"text": text}}})
ok = answered = False
for line in p.stdout:
    m = json.loads(line)
    if m.get("id") == 2:
        answered = True
        ok = "result" in m and not m["result"].get("isError")
        print(line.strip())
        print(f"answered_ms {(time.time() - t0) * 1000:.1f}", file=sys.stderr)
        break
p.stdin.close(); p.wait()
# 0: answered and exited 0; 3: answered, then killed (not mid-call); 1: no answer or an error
sys.exit(0 if ok and p.returncode == 0 else 3 if ok else 1)
PY
# edit.sh: the $EDITOR, rewrites the file in place (as an editor does).
cat >"$WORK/edit.sh" <<'SH'
#!/bin/sh
echo $$ >"$CRASH_EDITOR_PID"
python3 - "$1" <<'PY'
import os, sys
p = sys.argv[1]; w = os.environ["CRASH_WORD"]
t = open(p).read().splitlines(True)
t = [f"title: Edited {w}\n" if l.startswith("title:") else l for l in t]
open(p, "w").write("".join(t).rstrip("\n") + f"\nEdited by the crash bench: {w}.\n")
PY
rm -f "$CRASH_EDITOR_PID"
SH
chmod +x "$WORK/edit.sh"
export EDITOR=$WORK/edit.sh VISUAL=$WORK/edit.sh CRASH_EDITOR_PID=$WORK/editor.pid

# chat.py FILE TURNS WORD: a chat-jsonl transcript; WORD in the last turn.
cat >"$WORK/chat.py" <<'PY'
import json, sys
f, n, w = sys.argv[1], int(sys.argv[2]), sys.argv[3]
topics = ["the deploy pipeline", "the billing service", "the staging cluster", "the on-call rota", "the search index"]
with open(f, "w") as o:
    for i in range(n):
        role = "user" if i % 2 == 0 else "assistant"
        txt = f"Turn {i}: {topics[i % 5]} moved to port {9000 + i} on host h{i}."
        if i == n - 1: txt += f" Remember {w}."
        o.write(json.dumps({"role": role, "content": txt, "session": "s1", "time": f"2026-11-{1 + i % 28:02d}T10:00:00Z"}) + "\n")
PY
# distill.py FILE WORD: a few first-person facts (user turns), WORD in each.
cat >"$WORK/distill.py" <<'PY'
import json, sys
f, w = sys.argv[1], sys.argv[2]
facts = [f"My {w} laptop runs Debian and I back it up every Friday.",
         f"The {w} project deploys from the release branch at noon.",
         f"I moved the {w} team meeting to Thursday mornings.",
         f"Our {w} printer on floor three needs blue toner."]
with open(f, "w") as o:
    for i, t in enumerate(facts):
        o.write(json.dumps({"role": "user", "content": t, "session": "s1"}) + "\n")
        o.write(json.dumps({"role": "assistant", "content": "Noted.", "session": "s1"}) + "\n")
PY

# --- the template tree --------------------------------------------------------
TPL=$WORK/template
log "template: eval synth --entries $ENTRIES, a marker word per entry, a hub entry with $SPOKES related entries, reindex (embedder)"
t0=$(now)
"$BIN" eval synth --entries "$ENTRIES" "$TPL" >/dev/null || { log "eval synth failed"; exit 2; }
git -C "$TPL" branch -M main
python3 "$WORK/marks.py" "$TPL"
git -C "$TPL" commit -qam "crash bench: marker words"
mem_in "$TPL" add --raw --at hub/center --title "Hub entry qzhubk" "The hub entry qzhubk is what the spokes point at." >/dev/null
HUBPATH=hub/center/hub-entry-qzhubk
HUBID=$(mem_in "$TPL" show "$HUBPATH" --json | jq -r .id)
[ -n "$HUBID" ] && [ "$HUBID" != null ] || { log "no hub entry at $HUBPATH"; exit 2; }
python3 "$WORK/chat.py" "$WORK/spokes.jsonl" "$SPOKES" qzspokek
mem_in "$TPL" ingest "$WORK/spokes.jsonl" --at hub/spokes --no-index >/dev/null
python3 "$WORK/spokes.py" "$TPL" "$HUBPATH" "$HUBID" $(find "$TPL/hub/spokes" -name '*.md' | sort)
git -C "$TPL" commit -qam "crash bench: spokes relate to the hub"
mem_in "$TPL" reindex >/dev/null 2>&1 || { log "reindex of the template failed"; exit 2; }
mem_in "$TPL" doctor >/dev/null 2>&1 || log "warning: mem doctor on the template is not clean"
# Targets for forget/restore/edit: synthetic entries (not the hub, not spokes).
git -C "$TPL" ls-files -- '*.md' | grep -v '^hub/' | sed 's/\.md$//' >"$WORK/targets.txt"
NTARGETS=$(wc -l <"$WORK/targets.txt")
log "template ready in $(ms "$t0" "$(now)") ms: $(git -C "$TPL" ls-files -- '*.md' | wc -l) entries, $NTARGETS targets"
target() { sed -n "$(( ($1 % NTARGETS) + 1 ))p" "$WORK/targets.txt"; }
# Everything mem writes for an entry path P: P.md (and for forget/restore _archive/P.md).
marker_of() { grep -ho 'qzm[a-z]*k' "$1" 2>/dev/null | tail -n 1; }

# --- per-command definitions ----------------------------------------------------
# prep_CMD: once per fresh tree ($T; for sync also $A and $R).
# payload_CMD I: sets RUN (the killed command, argv after the binary, run in $T;
#   RUNDIR overrides the folder), ALLOWED (patterns), WORDS (recalled after),
#   NEXT (argv of the next command), and may set POST (a function name).
# MCP runs through mcp.py (RUN_KIND=mcp).
prep_default() { :; }
prep_restore() {
  # archive enough entries for every trial, its next command and 3 measurements
  local n=$((TRIALS * 2 + 8)) i args=()
  for ((i = 0; i < n; i++)); do args+=("$(target $((1000 + i)))"); done
  mem_in "$T" forget "${args[@]}" --reason "crash bench setup" >/dev/null 2>&1 || log "warning: setup forget failed"
}
prep_sync() {
  R=$TREEROOT/R.git A=$TREEROOT/A
  rm -rf "$R" "$A"
  git init -q --bare -b main "$R"
  git -C "$T" remote add origin "$R"
  mem_in "$T" sync >/dev/null 2>&1 || log "warning: first sync (push) failed"
  git clone -q "$R" "$A"
  (cd "$A" && "$BIN" sync >/dev/null 2>&1 && "$BIN" reindex >/dev/null 2>&1) || log "warning: clone A sync/reindex failed"
}

payload_add() {
  local w; w=$(word a "$1"); local w2; w2=$(word b "$1")
  RUN=(add "The $w gateway in rack $1 needs a restart after the backup window.")
  NEXT=(add "The $w2 cron job on builder $1 rotates its logs at midnight.")
  ALLOWED=('*'); WORDS=("$w" "$w2")
}
payload_ingest() {
  local w; w=$(word i "$1")
  python3 "$WORK/chat.py" "$WORK/chat-$1.jsonl" "$TURNS" "$w"
  RUN=(ingest "$WORK/chat-$1.jsonl" --format chat-jsonl --name "crash-$1" --at "crash/ingest-$1")
  NEXT=("${RUN[@]}")
  ALLOWED=(); WORDS=("$w"); POST=post_ingest; INGEST_DIR=crash/ingest-$1
}
post_ingest() {
  local n; n=$(find "$T/$INGEST_DIR" -name '*.md' 2>/dev/null | wc -l)
  [ "$n" = "$TURNS" ] || problems+=("ingest after the next command: $n of $TURNS turns under $INGEST_DIR")
}
payload_distill() {
  local w; w=$(word d "$1")
  python3 "$WORK/distill.py" "$WORK/distill-$1.jsonl" "$w"
  RUN=(ingest "$WORK/distill-$1.jsonl" --format chat-jsonl --name "distill-$1" --distill)
  NEXT=("${RUN[@]}")
  ALLOWED=('*'); WORDS=("$w")
}
payload_mv() {
  RUN=(mv "$HUBID" "hub/k$1"); NEXT=(mv "$HUBID" "hub/n$1")
  ALLOWED=('hub/*'); WORDS=(qzhubk qzspokek); POST=post_mv
}
post_mv() {
  local hub n bad
  hub=$(grep -rl --include='*.md' --exclude-dir=.git --exclude-dir=.mem "^id: $HUBID\$" "$T" | sed "s|^$T/||")
  n=$(printf '%s' "$hub" | grep -c .)
  [ "$n" = 1 ] || { problems+=("mv: the moved entry is in $n places: $(echo $hub)"); return; }
  hub=${hub%.md}
  [ "$hub" = "hub/n$K/hub-entry-qzhubk" ] || problems+=("mv: the entry is at $hub, not where the next mv put it")
  bad=$(grep -rLE --include='*.md' "to: $hub([,} ]|\$)" "$T/hub/spokes" | wc -l)
  [ "$bad" = 0 ] || problems+=("mv: $bad spoke(s) do not point at $hub")
}
# `mem mv` of a whole topic (the spokes' topic: SPOKES entries) to a new
# one. The next write (an add) recovers what a kill left; the check then
# moves whatever is still at the old place and requires every spoke once.
payload_mvtopic() {
  MVFROM=$(grep -rl --include='*.md' "to: $HUBPATH" "$T/hub" 2>/dev/null | sed "s|^$T/||" | cut -d/ -f1-2 | sort | uniq -c | sort -rn | awk 'NR==1{print $2}')
  RUN=(mv "${MVFROM:-hub/spokes}" "hub/m$1")
  NEXT=(add --raw --at notes/crash "After topic move $1 the qzmvnext$1 note is written.")
  ALLOWED=('hub/*' 'notes/*'); WORDS=(qzspokek); POST=post_mvtopic
}
post_mvtopic() {
  local left ids uniq
  if [ -n "$MVFROM" ] && [ -n "$(find "$T/$MVFROM" -name '*.md' 2>/dev/null | head -1)" ]; then
    mem_in "$T" mv "$MVFROM" "hub/m$K" >/dev/null 2>&1 || problems+=("mvtopic: moving the rest of $MVFROM failed")
  fi
  ids=$(grep -rh --include='*.md' '^id: ' "$T/hub" | grep -c .)
  uniq=$(grep -rh --include='*.md' '^id: ' "$T/hub" | sort -u | grep -c .)
  [ "$ids" = "$uniq" ] || problems+=("mvtopic: $((ids - uniq)) entries are in two places")
  left=$(grep -rl --include='*.md' "to: $HUBPATH" "$T/hub" | grep -c .)
  [ "$left" = "$SPOKES" ] || problems+=("mvtopic: $left of $SPOKES spokes found")
}
payload_forget() {
  FT=$(target $((2 * $1))) FN=$(target $((2 * $1 + 1)))
  RUN=(forget "$FT" --reason "crash trial $1"); NEXT=(forget "$FN")
  ALLOWED=("$FT.md" "_archive/$FT.md" "$FN.md" "_archive/$FN.md")
  WORDS=("$(marker_of "$T/$FT.md")" "$(marker_of "$T/$FN.md")"); POST=post_one_copy
}
payload_restore() {
  FT=$(target $((1000 + 2 * $1))) FN=$(target $((1000 + 2 * $1 + 1)))
  RUN=(restore "$FT"); NEXT=(restore "$FN")
  ALLOWED=("$FT.md" "_archive/$FT.md" "$FN.md" "_archive/$FN.md")
  WORDS=("$(marker_of "$T/_archive/$FT.md")" "$(marker_of "$T/_archive/$FN.md")"); POST=post_one_copy
}
post_one_copy() {
  local p c
  for p in "$FT" "$FN"; do
    c=0; [ -f "$T/$p.md" ] && c=$((c + 1)); [ -f "$T/_archive/$p.md" ] && c=$((c + 1))
    [ "$c" = 1 ] || problems+=("$CMD: $p is in $c places (entry and _archive)")
  done
  [ "$CMD" = forget ] && [ -f "$T/$FN.md" ] && problems+=("forget: $FN not archived after the next forget")
  [ "$CMD" = restore ] && [ ! -f "$T/$FN.md" ] && problems+=("restore: $FN not back after the next restore")
}
payload_edit() {
  FT=$(target $((2 * $1 + 500))) FN=$(target $((2 * $1 + 501)))
  CRASH_WORD=$(word e "$1"); export CRASH_WORD
  RUN=(edit "$FT"); NEXT=(edit "$FN")
  ALLOWED=("$FT.md" "$FN.md"); WORDS=("$(marker_of "$T/$FT.md")" "$CRASH_WORD")
}
payload_reindex() {
  RUN=(reindex); NEXT=(reindex); ALLOWED=()
  WORDS=("$(marker_of "$T/$(target $((7 * $1))).md")" "$(marker_of "$T/$(target $((7 * $1 + 3))).md")" qzhubk)
}
# sync: A (the other clone) changes 5 entries and pushes; T adds an entry of its
# own (a local commit) and its `mem sync` (fetch, merge, push) is killed.
payload_sync() {
  local w w2 p i; w=$(word s "$1") w2=$(word u "$1")
  SYNCW=$w SYNCCH=()
  for ((i = 0; i < 5; i++)); do
    p=$(target $((11 * $1 + i)))
    [ -f "$A/$p.md" ] || continue
    printf 'Sync crash trial %s: %s noted.\n' "$1" "$w" >>"$A/$p.md"; SYNCCH+=("$p.md")
  done
  (cd "$A" && "$BIN" sync >/dev/null 2>&1) || log "warning: A's sync failed (trial $1)"
  mem_in "$T" add --raw --at crash/sync "Clone B note $1: $w2 stays local until the sync." >/dev/null 2>&1
  RUN=(sync); NEXT=(sync)
  ALLOWED=("${SYNCCH[@]}"); WORDS=("$w" "$w2"); POST=post_sync
}
post_sync() {
  (cd "$A" && "$BIN" sync >"$TD/a-sync.out" 2>&1) || problems+=("A's sync after the trial failed: $(tr '\n' ' ' <"$TD/a-sync.out" | head -c 300)")
  local ta tb; ta=$(git -C "$A" rev-parse 'HEAD^{tree}') tb=$(git -C "$T" rev-parse 'HEAD^{tree}')
  [ "$ta" = "$tb" ] || problems+=("sync: HEAD trees differ: A $ta, B $tb")
  [ -z "$(git -C "$T" status --porcelain)" ] || problems+=("sync: B's work tree not clean: $(git -C "$T" status --porcelain | head -n 3 | tr '\n' ' ')")
}
# dream: a fact and a later change written raw (curation never compared
# them); `mem dream` supersedes the one with the other, one commit per kind.
payload_dream() {
  local w; w=$(word d "$1")
  mem_in "$T" add --raw --at crash/dream --observed 2026-01-05 "Host $w$1 has 32 GB of RAM." >/dev/null 2>&1
  mem_in "$T" add --raw --at crash/dream --observed 2026-02-05 "Host $w$1 was upgraded to 64 GB of RAM." >/dev/null 2>&1
  RUN=(dream); NEXT=(dream)
  ALLOWED=('*'); WORDS=("$w"); POST=post_dream
}
post_dream() {
  grep -rqs "rel: supersedes" "$T/crash/dream" || problems+=("dream: the change was not superseded after the next dream")
}
# learn: an agent session (a fixture, its crate and library renamed after
# the trial's word, its session id the trial's) from which `mem learn`
# writes recovery lessons, curated: added, or confirming an earlier
# trial's lesson (maturity raised, the new evidence listed).
payload_learn() {
  local w; w=$(word l "$1")
  sed "s/librocksdb/$w/g; s/libclang/lib$w/g; s/32163ec4-d59e/$(printf %08x "$1")-d59e/g" \
    "$ROOT/fixtures/lessons/dev/01-libclang.jsonl" >"$WORK/learn-$1.jsonl"
  RUN=(learn "$WORK/learn-$1.jsonl"); NEXT=("${RUN[@]}")
  ALLOWED=('*'); WORDS=("$w"); POST=post_learn
}
post_learn() {
  # This trial's lesson, or an earlier trial's that curation took it for.
  grep -rlqs --include="*.md" "Unable to find lib" "$T/lessons" \
    || problems+=("learn: no lesson of the transcript after the next learn")
}
payload_mcp() {
  local w w2; w=$(word p "$1") w2=$(word q "$1")
  RUN_KIND=mcp RUN=("The $w relay in basement $1 restarts every night at three.")
  NEXT=("The $w2 badge reader at door $1 needs new batteries.")
  ALLOWED=('*'); WORDS=("$w" "$w2")
}

# start_cmd OUT ARGV...: starts the command in the background in $T; sets
# RUN_PID (the mem process to kill) and AUX_PID (mcp.py, if any).
start_cmd() {
  local out=$1; shift
  AUX_PID=
  if [ "$RUN_KIND" = mcp ]; then
    rm -f "$WORK/mcp.pid"
    (cd "$T" && exec python3 "$WORK/mcp.py" "$BIN" "$WORK/mcp.pid" "$1" >"$out.out" 2>"$out.err") &
    AUX_PID=$!
    local i; for ((i = 0; i < 400; i++)); do [ -s "$WORK/mcp.pid" ] && break; sleep 0.005; done
    RUN_PID=$(cat "$WORK/mcp.pid" 2>/dev/null)
  else
    (cd "$T" && exec "$BIN" "$@" >"$out.out" 2>"$out.err" </dev/null) &
    RUN_PID=$!
  fi
}
# run_fg OUT ARGV...: runs the command to the end; its exit status.
run_fg() {
  local out=$1; shift
  if [ "$RUN_KIND" = mcp ]; then (cd "$T" && python3 "$WORK/mcp.py" "$BIN" "$WORK/mcp-fg.pid" "$1" >"$out.out" 2>"$out.err")
  else (cd "$T" && "$BIN" "$@" >"$out.out" 2>"$out.err" </dev/null); fi
}
wait_editor() { local i; for ((i = 0; i < 200; i++)); do [ -e "$CRASH_EDITOR_PID" ] || return 0; sleep 0.01; done; }

fresh_tree() { # CMD
  TREEROOT=$WORK/$1; rm -rf "$TREEROOT"; mkdir -p "$TREEROOT"
  T=$TREEROOT/B; cp -a "$TPL" "$T"
  if declare -F "prep_$1" >/dev/null; then "prep_$1"; fi
}

RANDOM=$SEED
TRIALLOG=$WORK/trials.jsonl
: >"$TRIALLOG"
DURLOG=$WORK/durations.jsonl
: >"$DURLOG"
T0=$(now)
for CMD in $COMMANDS; do
  declare -F "payload_$CMD" >/dev/null || { log "unknown command $CMD"; exit 2; }
  fresh_tree "$CMD"
  # Typical duration: median of 3 un-killed runs (with the same setup as a trial).
  durs=()
  for m in 1 2 3; do
    RUN_KIND=cmd POST=; "payload_$CMD" $((TRIALS + m))   # targets no trial uses
    [ "$CMD" = edit ] && rm -f "$CRASH_EDITOR_PID"
    t0=$(now); run_fg "$WORK/$CMD-measure-$m" "${RUN[@]}"; rc=$?; t1=$(now)
    [ "$rc" = 0 ] || log "warning: $CMD measurement run $m exited $rc: $(head -c 300 "$WORK/$CMD-measure-$m.err")"
    if [ "$RUN_KIND" = mcp ] && grep -q '^answered_ms ' "$WORK/$CMD-measure-$m.err"; then durs+=("$(sed -n 's/^answered_ms //p' "$WORK/$CMD-measure-$m.err")")
    else durs+=("$(ms "$t0" "$t1")"); fi
  done
  MED=$(printf '%s\n' "${durs[@]}" | sort -n | sed -n 2p)
  jq -cn --arg cmd "$CMD" --argjson med "$MED" --arg all "${durs[*]}" '{command: $cmd, median_ms: $med, runs_ms: ($all | split(" ") | map(tonumber))}' >>"$DURLOG"
  log "$CMD: un-killed runs ${durs[*]} ms, median $MED ms; $TRIALS trial(s)"
  for ((K = 1; K <= TRIALS; K++)); do
    TD=$WORK/$CMD-t$K; mkdir -p "$TD"
    RUN_KIND=cmd POST=; "payload_$CMD" "$K"
    printf '%s\n' "${ALLOWED[@]+"${ALLOWED[@]}"}" >"$TD/allowed.txt"
    git -C "$T" ls-files -s >"$TD/snapshot.txt"
    head0=$(git -C "$T" rev-parse HEAD)
    rnd=$RANDOM
    delay=$(awk -v r="$rnd" -v p="$MED" 'BEGIN{printf "%.3f", r / 32767 * p / 1000}')
    [ "$CMD" = edit ] && rm -f "$CRASH_EDITOR_PID"
    start_cmd "$TD/killed" "${RUN[@]}"
    sleep "$delay"
    killed=false
    kill -KILL "$RUN_PID" 2>/dev/null && killed=true
    if [ -n "$AUX_PID" ]; then
      wait "$AUX_PID" 2>/dev/null; rc=$?
      [ "$rc" = 1 ] || killed=false   # the answer had come before the kill
      AUX_PID=
    else
      wait "$RUN_PID" 2>/dev/null; rc=$?
      [ "$rc" = 137 ] || killed=false
    fi
    RUN_PID=
    [ "$CMD" = edit ] && wait_editor
    problems=() notes=()
    # (3) + (4) on the state the kill left.
    python3 "$WORK/check.py" "$T" "$TD/snapshot.txt" "$TD/allowed.txt" "$TD/check.json" >"$TD/show.txt"
    intact_ok=true partial_ok=true
    while IFS= read -r pr; do
      [ -n "$pr" ] || continue
      problems+=("after the kill: $pr")
      case $pr in committed*) intact_ok=false ;; *) partial_ok=false ;; esac
    done < <(jq -r '.problems[]' "$TD/check.json")
    nshow=0
    while IFS= read -r p; do
      [ -n "$p" ] || continue
      nshow=$((nshow + 1)); ((nshow <= 120)) || break
      e=${p%.md}; e=${e#_archive/}
      if ! mem_in "$T" show --archived "$e" --json >/dev/null 2>"$TD/show.err"; then
        # An entry changed by a curated write keeps its path; one that does not show is partial.
        problems+=("after the kill: mem show $e failed: $(head -c 200 "$TD/show.err" | tr '\n' ' ')"); partial_ok=false
      fi
    done <"$TD/show.txt"
    changed_allowed=$(jq .changed_allowed "$TD/check.json")
    new_files=$(jq .new_files "$TD/check.json")
    stage=finished
    if [ "$killed" = true ]; then
      if [ "$(git -C "$T" rev-parse HEAD)" != "$head0" ]; then stage=committed
      elif [ "$new_files" -gt 0 ] || [ "$changed_allowed" -gt 0 ] || [ -n "$(git -C "$T" status --porcelain -uall -- '*.md' 2>/dev/null | head -n 1)" ]; then stage=files_written
      else stage=nothing_written; fi
    fi
    drc=0; mem_in "$T" doctor --json >"$TD/doctor-kill.jsonl" 2>"$TD/doctor-kill.err" || drc=$?
    while IFS= read -r n; do [ -n "$n" ] && notes+=("after the kill, doctor: $n"); done < <(jq -r 'select(.severity) | "\(.severity): \(.problem | .[0:90])"' "$TD/doctor-kill.jsonl" 2>/dev/null | sort | uniq -c | sed 's/^ *//')
    if jq -e 'select(.severity == "error") | select(.problem | test("temp file|uncommitted|lock|sync` was interrupted") | not)' "$TD/doctor-kill.jsonl" >/dev/null 2>&1; then
      problems+=("after the kill: doctor errors: $(jq -c 'select(.severity == "error")' "$TD/doctor-kill.jsonl" | head -n 3 | tr '\n' ' ')"); partial_ok=false
    fi
    # (1) the next command.
    next_ok=true
    [ "$CMD" = edit ] && rm -f "$CRASH_EDITOR_PID"
    t0=$(now); run_fg "$TD/next" "${NEXT[@]}"; nrc=$?; t1=$(now)
    next_ms=$(ms "$t0" "$t1")
    if [ "$nrc" != 0 ]; then
      next_ok=false
      problems+=("next command (${NEXT[*]:0:3}…) exited $nrc: $(head -c 400 "$TD/next.err" | tr '\n' ' ')")
      (cd "$T" && "$BIN" doctor --fix >"$TD/fix.out" 2>&1) || true
      if run_fg "$TD/next-after-fix" "${NEXT[@]}"; then notes+=("the next command succeeded after doctor --fix")
      else notes+=("the next command still fails after doctor --fix: $(head -c 200 "$TD/next-after-fix.err" | tr '\n' ' ')"); fi
    fi
    grep -i '^warning' "$TD/next.err" 2>/dev/null | cut -c1-120 | sort | uniq -c | sed 's/^ *//' | while IFS= read -r n; do echo "$n"; done >"$TD/next-warnings.txt"
    while IFS= read -r n; do [ -n "$n" ] && notes+=("next command: $n"); done <"$TD/next-warnings.txt"
    cm=$(git -C "$T" log --format=%s "$head0"..HEAD 2>/dev/null | grep -m1 'left uncommitted by an interrupted write' || true)
    [ -n "$cm" ] && notes+=("next command committed the leftovers: ${cm:0:100}")
    # (2) fsck: exit 0 and nothing but dangling objects.
    fsck_ok=true
    frc=0; git -C "$T" fsck --strict >"$TD/fsck.txt" 2>&1 || frc=$?
    if [ "$frc" != 0 ] || grep -qvE '^(dangling|Checking|notice)' "$TD/fsck.txt"; then
      fsck_ok=false; problems+=("git fsck --strict (exit $frc): $(grep -vE '^(dangling|Checking)' "$TD/fsck.txt" | head -n 5 | tr '\n' ' ')")
    fi
    # doctor after the next command: exit 0, no errors.
    drc=0; mem_in "$T" doctor --json >"$TD/doctor.jsonl" 2>"$TD/doctor.err" || drc=$?
    if [ "$drc" != 0 ] || ! grep -q '"summary":true' "$TD/doctor.jsonl"; then
      next_ok=false; problems+=("mem doctor after the next command exited $drc: $(jq -c 'select(.severity == "error")' "$TD/doctor.jsonl" 2>/dev/null | head -n 3 | tr '\n' ' ')$(head -c 200 "$TD/doctor.err")")
    fi
    while IFS= read -r n; do [ -n "$n" ] && notes+=("after the next command, doctor: $n"); done < <(jq -r 'select(.severity) | "\(.severity): \(.problem | .[0:90])"' "$TD/doctor.jsonl" 2>/dev/null | sort | uniq -c | sed 's/^ *//')
    # (4) again, on the recovered tree: every entry parses.
    git -C "$T" ls-files -s >"$TD/snapshot2.txt"
    printf '*\n' >"$TD/any.txt"
    python3 "$WORK/check.py" "$T" "$TD/snapshot2.txt" "$TD/any.txt" "$TD/check2.json" >/dev/null
    while IFS= read -r pr; do [ -n "$pr" ] && { problems+=("after the next command: $pr"); partial_ok=false; }; done < <(jq -r '.problems[]' "$TD/check2.json")
    # per-command checks
    np=${#problems[@]} extra_ok=true
    if [ -n "$POST" ]; then "$POST"; fi
    ((${#problems[@]} == np)) || extra_ok=false
    # (5) recall answers what is on disk.
    recall_ok=true
    for w in "${WORDS[@]}" "$(marker_of "$T/$(target $((13 * K + 5))).md")"; do
      [ -n "$w" ] || continue
      mem_in "$T" recall "$w" --tier 1 --history --quarantined --json -k 5 >"$TD/recall-$w.jsonl" 2>"$TD/recall-$w.err"
      r=$(python3 "$WORK/recall.py" "$T" "$w" "$TD/recall-$w.jsonl")
      [ -n "$r" ] && { recall_ok=false; while IFS= read -r pr; do problems+=("$pr"); done <<<"$r"; }
    done
    ok=true; ((${#problems[@]} == 0)) || ok=false
    { printf '%s\n' "${problems[@]+"${problems[@]}"}" | jq -Rs 'split("\n") | map(select(length > 0))'
      printf '%s\n' "${notes[@]+"${notes[@]}"}" | jq -Rs 'split("\n") | map(select(length > 0))'; } |
      jq -sc --arg cmd "$CMD" --argjson trial "$K" --argjson delay_ms "$(awk -v d="$delay" 'BEGIN{print d * 1000}')" \
        --argjson killed "$killed" --argjson rc "$rc" --arg stage "$stage" --argjson ok "$ok" --argjson next_ok "$next_ok" \
        --argjson fsck_ok "$fsck_ok" --argjson intact_ok "$intact_ok" --argjson partial_ok "$partial_ok" --argjson recall_ok "$recall_ok" --argjson extra_ok "$extra_ok" \
        --argjson changed_allowed "$changed_allowed" --argjson new_files "$new_files" --argjson next_ms "$next_ms" \
        '{command: $cmd, trial: $trial, delay_ms: $delay_ms, killed: $killed, exit: $rc, stage: $stage, ok: $ok,
          next_ok: $next_ok, fsck_ok: $fsck_ok, intact_ok: $intact_ok, partial_ok: $partial_ok, recall_ok: $recall_ok, command_check_ok: $extra_ok,
          changed_by_kill: $changed_allowed, new_files_after_kill: $new_files, next_ms: $next_ms,
          problems: .[0], notes: .[1]}' >>"$TRIALLOG"
    log "$CMD trial $K: delay $delay s, $([ "$killed" = true ] && echo "killed mid-run ($stage)" || echo "had finished (exit $rc)"), $([ "$ok" = true ] && echo ok || echo "FAILED: ${problems[*]}")"
    if [ "$ok" = true ]; then rm -rf "$TD"
    else
      FAILED_ANY=1
      log "$CMD trial $K: keeping the tree as $WORK/failed-$CMD-$K (trial files in $TD); starting $CMD over on a fresh tree"
      mv "$TREEROOT" "$WORK/failed-$CMD-$K"
      fresh_tree "$CMD"
    fi
  done
done
WALL_S=$(awk -v a="$T0" -v b="$(now)" 'BEGIN{printf "%.0f", b - a}')
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average at the end $LOAD1; trials took $WALL_S s"

TRIALS=$TRIALS ENTRIES=$ENTRIES TURNS=$TURNS SPOKES=$SPOKES SEED=$SEED LOAD0=$LOAD0 LOAD1=$LOAD1 BIN=$BIN CPUS=$(nproc) FS=$FS \
  WALL_S=$WALL_S COMMANDS=$COMMANDS WORK=$WORK FAILED_ANY=$FAILED_ANY \
  python3 - "$DURLOG" "$TRIALLOG" <<'PY'
import json, os, re, sys
from collections import Counter
e = os.environ
durs = {d["command"]: d for d in map(json.loads, open(sys.argv[1])) if d}
trials = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
label = {"add": "`mem add` (curated)", "ingest": f"`mem ingest` (bulk, {e['TURNS']} turns)", "distill": "`mem ingest --distill`",
         "mv": f"`mem mv` (entry with {e['SPOKES']} related entries)", "mvtopic": f"`mem mv` of a topic ({e['SPOKES']} entries)", "forget": "`mem forget`", "restore": "`mem restore`",
         "edit": "`mem edit`", "reindex": "`mem reindex`", "sync": "`mem sync`", "mcp": "MCP `add` (`mem mcp`)"}
checks = ["next_ok", "fsck_ok", "intact_ok", "partial_ok", "recall_ok"]
per = {}
for cmd in e["COMMANDS"].split():
    ts = [t for t in trials if t["command"] == cmd]
    notes = Counter()
    for t in ts:
        for n in t["notes"]:
            notes[re.sub(r"^\d+ ", "", n)] += 1
    per[cmd] = {
        "trials": len(ts), "killed_mid_run": sum(t["killed"] for t in ts),
        "median_ms": durs.get(cmd, {}).get("median_ms"), "unkilled_runs_ms": durs.get(cmd, {}).get("runs_ms"),
        **{c: sum(t[c] for t in ts) for c in checks + ["command_check_ok"]},
        "failures": sum(not t["ok"] for t in ts),
        "killed_at_stage": dict(Counter(t["stage"] for t in ts)),
        "notes": dict(notes.most_common()),
        "failure_details": [t for t in ts if not t["ok"]],
    }
summary = {"bench": "crash", "trials_per_command": int(e["TRIALS"]), "entries": int(e["ENTRIES"]), "seed": int(e["SEED"]),
           "cpus": int(e["CPUS"]), "fs": e["FS"], "loadavg_start": e["LOAD0"], "loadavg_end": e["LOAD1"], "bin": e["BIN"],
           "wall_s": int(e["WALL_S"]), "work": e["WORK"] if e["FAILED_ANY"] == "1" else None,
           "failures": sum(p["failures"] for p in per.values()), "commands": per}
print(json.dumps(summary))
o = sys.stderr
print(f"\n{summary['entries']} synthetic entries, {summary['trials_per_command']} trial(s) per command, seed {summary['seed']}, "
      f"{summary['cpus']} cpu(s), {summary['fs']}; load average {summary['loadavg_start']} -> {summary['loadavg_end']}; {summary['wall_s']} s\n", file=o)
print("| command | trials | killed mid-run | next command ok | fsck clean | committed entries intact | no partial entry | recall consistent | notes |", file=o)
print("|---|---:|---:|---:|---:|---:|---:|---:|---|", file=o)
for cmd, p in per.items():
    st = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(p["killed_at_stage"].items()))
    ns = "; ".join(f"{n} ({c}×)" for n, c in list(p["notes"].items())[:4])
    cc = f"**its own check failed {p['trials'] - p['command_check_ok']}×**; " if p["command_check_ok"] < p["trials"] else ""
    print(f"| {label.get(cmd, cmd)} | {p['trials']} | {p['killed_mid_run']} | {p['next_ok']} | {p['fsck_ok']} | {p['intact_ok']} | "
          f"{p['partial_ok']} | {p['recall_ok']} | {cc}median {p['median_ms']} ms; {st}{'; ' + ns if ns else ''} |", file=o)
for cmd, p in per.items():
    for f in p["failure_details"]:
        print(f"\nFAILED {cmd} trial {f['trial']} (delay {f['delay_ms']} ms, killed {f['killed']}, {f['stage']}): " + "; ".join(f["problems"]), file=o)
PY
[ "$FAILED_ANY" = 0 ]
