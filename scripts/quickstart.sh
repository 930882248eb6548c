#!/usr/bin/env bash
# Quick start on a fresh machine: installs the build prerequisites if
# missing, installs an optimised mem into $MEM_INSTALL_ROOT/bin (default
# ~/.local/bin) with cargo install, fetches the default local models
# (checksum-verified, cached) and runs a short demo in a throwaway tree
# with the installed binary.
set -euo pipefail
root="${MEM_INSTALL_ROOT:-$HOME/.local}"
# A relative root means relative to where the script was started.
case "$root" in
  /*) ;;
  *) root="$PWD/$root" ;;
esac
cd "$(dirname "$0")/.."
bash scripts/prereqs.sh
cargo install --locked --path . --root "$root"
bindir="$root/bin"
mem="$bindir/mem"
echo "quickstart: installed $mem"
case ":$PATH:" in
  *":$bindir:"*) ;;
  *)
    echo "quickstart: $bindir is not on your PATH; add this line to your shell's startup file (e.g. ~/.bashrc):"
    echo "  export PATH=\"$bindir:\$PATH\""
    ;;
esac
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
echo "== mem ask \"what does the build need?\""
"$mem" ask "what does the build need?" || true
echo "== mem log"
"$mem" log -n 3
echo "demo tree left in $demo"
