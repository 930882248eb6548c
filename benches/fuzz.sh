#!/usr/bin/env bash
# The fuzz targets of src/fuzz.rs (and the hook-payload target in
# src/cmd/hook.rs), each run for SECS seconds in a release test build, plus
# the MCP session fuzz (tests/cli/agents.rs) with ROUNDS random calls.
# Seeded: the same inputs every run for a given duration. See benches/README.md.
#
#   bash benches/fuzz.sh                 # 60 s per target
#   SECS=5 MCP_ROUNDS=300 bash benches/fuzz.sh
#
# Environment:
#   SECS        seconds per lib target (default 60)
#   MCP_ROUNDS  random tool calls in one `mem mcp` session (default 5000)
#   CARGO_TARGET_DIR  as for cargo
#
# stdout: one JSON object {targets: {name: inputs}, total, mcp_calls, failed};
# stderr: cargo's output and a markdown table. Exit 1 when a target failed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SECS=${SECS:-60}
MCP_ROUNDS=${MCP_ROUNDS:-5000}
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
failed=0
MEM_FUZZ_SECS=$SECS cargo test --release --lib -- fuzz:: hook::tests::any_payload \
  --test-threads 1 --nocapture 2>&1 | tee -a "$LOG" >&2 || failed=1
MEM_FUZZ_ROUNDS=$MCP_ROUNDS cargo test --release --test cli -- agents::mcp_answers_every_call \
  --nocapture 2>&1 | tee -a "$LOG" >&2 || failed=1
python3 - "$LOG" "$failed" "$SECS" <<'PY'
import json, re, sys
log, failed, secs = open(sys.argv[1]).read(), int(sys.argv[2]), sys.argv[3]
t = {m.group(1): int(m.group(2)) for m in re.finditer(r"fuzz (.+?): (\d+) inputs in", log)}
mcp = re.search(r"mcp fuzz: (\d+) calls in ([^:]+): (\d+) results, (\d+) tool errors, (\d+) protocol errors", log)
calls = int(mcp.group(1)) if mcp else 0
total = sum(t.values()) + calls
print(json.dumps({"secs_per_target": float(secs), "targets": t, "mcp_calls": calls, "total": total,
                  "panics_or_hangs": failed}))
rows = "\n".join(f"| {k} | {v:,} |" for k, v in sorted(t.items()))
sys.stderr.write(f"\n| target | inputs |\n|---|---:|\n{rows}\n| MCP session calls | {calls:,} |\n| **total** | **{total:,}** |\n")
PY
exit $failed
