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
