# Shared by the bench scripts: `. "$(dirname "$0")/lib.sh"; bench_bin NAME`
# sets ROOT (the repository) and BIN (an absolute path to the mem binary:
# $MEM_BIN, else target/release/mem, else $CARGO_TARGET_DIR/release/mem);
# `bench_needs NAME TOOL…` exits 2 naming the first tool that is missing.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_bin() {
  BIN=${MEM_BIN:-}
  if [ -z "$BIN" ]; then
    for c in "$ROOT/target/release/mem" "${CARGO_TARGET_DIR:-/nonexistent}/release/mem"; do
      [ -x "$c" ] && BIN=$c && break
    done
  fi
  [ -x "${BIN:-}" ] || { echo "benches/$1: no mem binary; cargo build --release or set MEM_BIN" >&2; exit 2; }
  BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
}
bench_needs() {
  local name=$1 t
  shift
  for t in "$@"; do
    command -v "$t" >/dev/null || { echo "benches/$name needs $t" >&2; exit 2; }
  done
}
