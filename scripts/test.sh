#!/usr/bin/env bash
# The whole test suite, as CI runs it: builds once (the test build also
# produces the mem binary), fetches the default models (cached,
# checksum-verified) and runs every test, including those on real models.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --locked --no-run
target="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import sys,json;print(json.load(sys.stdin)["target_directory"])')"
"$target/debug/mem" model pull
cargo test --locked --no-fail-fast -- --test-threads=2
# The tests on the real model files (ignored by a plain `cargo test`).
cargo test --locked --no-fail-fast --test models -- --ignored --test-threads=2
# A real MCP client: the official Python SDK (PyPI `mcp`, pinned) in a
# venv kept outside the clone, against `mem mcp`.
venv="${MEM_TEST_VENV:-/var/tmp/mem-ci/venv}"
if ! "$venv/bin/python" -c 'import mcp' >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'mcp==2.3.0'
fi
MEM_TEST_PYTHON="$venv/bin/python" cargo test --locked --no-fail-fast --test cli mcp_python -- --ignored --test-threads=2
# Short runs of the crash soak (SIGKILL during every write command) and of
# the watcher-churn / writers-under-load benchmark; the full sizes are run
# by hand (docs/safety.md). Each exits 1 when a check fails.
MEM_BIN="$target/debug/mem" TRIALS=2 bash benches/crash.sh >/dev/null
MEM_BIN="$target/debug/mem" ENTRIES=2000 CHANGED=200 SWITCHES=2 WRITERS=2 ADDS=10 bash benches/churn.sh >/dev/null
