#!/usr/bin/env bash
# Installs what the build needs, idempotently: a C/C++ toolchain and libclang (RocksDB's
# bindgen), and a Rust toolchain if none is present. protoc comes from a crate.
set -euo pipefail

need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
command -v c++ >/dev/null 2>&1 || need_apt+=(build-essential)
# Look for exactly what clang-sys (bindgen's loader) opens: libclang.so or libclang-N.so,
# possibly versioned. libclang-cpp.so.N (the C++ interface, often present on its own) is not it.
have_libclang() {
  local f
  for f in ${LIBCLANG_PATH:+"$LIBCLANG_PATH"/libclang*.so*} /usr/lib/llvm-*/lib/libclang*.so* \
           /usr/lib/*-linux-gnu/libclang*.so* /usr/lib64/libclang*.so* /usr/lib/libclang*.so*; do
    case "$(basename "$f")" in
      libclang-cpp*) ;;
      libclang.so | libclang.so.* | libclang-[0-9]*.so | libclang-[0-9]*.so.*) [ -e "$f" ] && return 0 ;;
    esac
  done
  return 1
}
have_libclang || need_apt+=(libclang-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "setup: Rust is not installed; install it with rustup (https://rustup.rs) and re-run" >&2
    exit 1
  fi
fi
echo "setup: ok ($(cargo --version))"
