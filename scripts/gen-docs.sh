#!/usr/bin/env bash
# Regenerates completions/ and man/ from the clap definition.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --bin mem
bin="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import sys,json;print(json.load(sys.stdin)["target_directory"])')/debug/mem"
"$bin" completions bash > completions/mem.bash
"$bin" completions zsh > completions/_mem
"$bin" completions fish > completions/mem.fish
rm -f man/*.1
"$bin" man man
