#!/usr/bin/env bash
# The whole test suite, as CI runs it: fetches the default models (cached,
# checksum-verified) and runs every test, including those on real models.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --bins
if target_bin="$(cargo metadata --format-version 1 --no-deps 2>/dev/null | python3 -c 'import sys,json;print(json.load(sys.stdin)["target_directory"])')/debug/mem" && "$target_bin" model --help >/dev/null 2>&1; then
  "$target_bin" model pull
  export MEM_TEST_MODELS=1
fi
cargo test --locked --no-fail-fast -- --test-threads=2
