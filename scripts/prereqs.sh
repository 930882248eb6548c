#!/usr/bin/env bash
# Installs the system packages mem's build needs on Debian/Ubuntu:
# cmake (llama.cpp), libclang + clang (bindgen), a C/C++ compiler, git,
# python3 with venv (the MCP client test).
# Skips apt entirely when everything is already there.
set -euo pipefail
missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v clang >/dev/null 2>&1 || missing+=(clang)
ls /usr/lib/llvm-*/lib/libclang*.so* >/dev/null 2>&1 || ls /usr/lib/x86_64-linux-gnu/libclang*.so* >/dev/null 2>&1 || missing+=(libclang-dev)
command -v c++ >/dev/null 2>&1 || missing+=(g++)
command -v git >/dev/null 2>&1 || missing+=(git)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
# git2's https and ssh transports (mem sync): OpenSSL's headers.
{ pkg-config --exists openssl 2>/dev/null || [ -f /usr/include/openssl/ssl.h ]; } || missing+=(libssl-dev)
# The MCP client test runs the official Python SDK from PyPI in a venv.
command -v python3 >/dev/null 2>&1 || missing+=(python3)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
# The short crash-soak and churn runs (benches/crash.sh, benches/churn.sh).
command -v jq >/dev/null 2>&1 || missing+=(jq)
if [ ${#missing[@]} -gt 0 ]; then
  echo "prereqs: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v cargo >/dev/null 2>&1 || { echo "prereqs: cargo not found; install Rust from rustup first" >&2; exit 2; }
