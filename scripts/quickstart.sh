#!/usr/bin/env bash
# Quick start on a fresh machine: installs the build prerequisites if
# missing, builds mem, fetches the default local models (checksum-verified,
# cached) and runs a short demo in a throwaway tree.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prereqs.sh
cargo build --bins
target="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import sys,json;print(json.load(sys.stdin)["target_directory"])')"
mem="$target/debug/mem"
if "$mem" model pull; then :; else echo "quickstart: model pull failed; the demo runs lexical-only" >&2; fi
demo="$(mktemp -d)/memory"
echo "== mem init $demo"
"$mem" init "$demo"
cd "$demo"
echo "== mem add …"
"$mem" add "llama.cpp builds need cmake and libclang" --at engineering/build --tag rust,ci
"$mem" add "The CI runner has 2 cores and 24 GiB of memory" --at engineering/ci
"$mem" add "Alice prefers tea over coffee in the morning" --at people/alice --kind preference
"$mem" add "Release checklist: bump the version, tag, push, publish" --at engineering/releases --kind procedure
"$mem" add "llama.cpp builds need cmake and libclang" --at engineering/build
echo "== mem tree"
"$mem" tree
echo "== mem recall \"what does the build need\""
"$mem" recall "what does the build need" -k 3
echo "== mem recall \"hot drinks\" (semantic)"
"$mem" recall "hot drinks" -k 2 || true
echo "== mem log"
"$mem" log -n 3
echo "demo tree left in $demo"
