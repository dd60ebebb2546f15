#!/usr/bin/env bash
# Checks the README's set-up from a clean Debian root, so that packages installed by hand
# on a developer's or CI's machine cannot hide a missing install step.
#
#   sudo ./scripts/check-clean-root.sh [DIR] [--full]
#
# DIR (default /var/tmp/proofwork-cleanroot) gets a debootstrap'd Debian bookworm with only
# what a new machine of this project's kind has before set-up (gcc/g++/make, git); the host's
# Rust toolchain (~/.rustup, ~/.cargo) and Go (/usr/local/go) are bind-mounted, since those
# come preinstalled there too. A clean clone of this repo's HEAD then runs scripts/setup.sh
# inside the root and builds RocksDB's bindings (the step that needs libclang). With --full it
# builds the whole workspace and runs ./scripts/test.sh instead (about 30 minutes on 2 cores).
# With --installers it also runs every installer that scripts/test.sh calls (grpcurl,
# schemathesis, chromium, CometBFT) and checks that each tool it installs answers.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
dir=/var/tmp/proofwork-cleanroot
full=0
installers=0
for a in "$@"; do
  case "$a" in
    --full) full=1 ;;
    --installers) installers=1 ;;
    *) dir=$a ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "check-clean-root: run as root (debootstrap, chroot, mount)" >&2; exit 1; }
command -v debootstrap >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }

if [ ! -x "$dir/bin/bash" ]; then
  echo "check-clean-root: debootstrap bookworm into $dir"
  debootstrap --variant=minbase bookworm "$dir" >/dev/null
fi
cp /etc/resolv.conf "$dir/etc/resolv.conf"
mounts=()
bind() { mkdir -p "$dir$2"; mount --bind "$1" "$dir$2"; mounts+=("$dir$2"); }
cleanup() { for ((i=${#mounts[@]}-1; i>=0; i--)); do umount -l "${mounts[$i]}" 2>/dev/null || true; done; }
trap cleanup EXIT
bind /proc /proc
bind /dev /dev
bind /dev/pts /dev/pts
bind /sys /sys
home=${SUDO_HOME:-$HOME}
bind "$home/.rustup" /root/.rustup
bind "$home/.cargo" /root/.cargo
[ -d /usr/local/go ] && bind /usr/local/go /usr/local/go

# The machine's CA settings (pip, requests and curl read their own bundles otherwise).
ca_env=()
for v in SSL_CERT_FILE PIP_CERT REQUESTS_CA_BUNDLE CURL_CA_BUNDLE; do
  [ -n "${!v:-}" ] && ca_env+=("$v=${!v}")
done
in_root() { chroot "$dir" /usr/bin/env -i HOME=/root TERM=dumb "${ca_env[@]}" \
  PATH=/root/.cargo/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  bash -c "$1"; }

# What a new machine has before set-up: a C/C++ toolchain, git and CPython (with venv), no
# libclang, no chromium.
in_root 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc g++ make git ca-certificates python3 python3-venv >/dev/null'
# The machine's own trust store (an egress proxy's CA, say) belongs to the machine, not to
# the project's set-up: carry it in, or every download but Debian's would fail on TLS.
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
  cp /usr/local/share/ca-certificates/*.crt "$dir/usr/local/share/ca-certificates/"
  in_root 'update-ca-certificates >/dev/null'
fi
if in_root 'ls /usr/lib/llvm-*/lib/libclang.so >/dev/null 2>&1'; then
  echo "check-clean-root: note: libclang is already in $dir (from an earlier run); setup.sh's install is not exercised" >&2
fi
rm -rf "$dir/root/proofwork"
git clone -q "$repo" "$dir/root/proofwork"
in_root 'cd /root/proofwork && ./scripts/setup.sh'
if [ "$installers" -eq 1 ]; then
  # The same installers, in the same order, as scripts/test.sh; each must leave its tool
  # answering (a skip with a message is a failure here: the root has what a new machine has).
  in_root 'set -e; cd /root/proofwork
    ./scripts/install-grpcurl.sh && "$(go env GOPATH)/bin/grpcurl" -version
    ./scripts/install-schemathesis.sh && target/tools/schemathesis/bin/schemathesis --version
    ./scripts/install-chromium.sh && chromium --version
    ./scripts/install-cometbft.sh && "$(go env GOPATH)/bin/cometbft" version'
  echo "check-clean-root: installers ok (grpcurl, schemathesis, chromium, CometBFT answer)"
fi
if [ "$full" -eq 1 ]; then
  in_root 'cd /root/proofwork && ./scripts/test.sh'
  echo "check-clean-root: ok (full test suite passed in a clean root)"
  exit 0
fi
# Quick form: RocksDB's build script runs bindgen (which loads libclang) before it compiles
# any C++, so once its bindings exist the set-up has done its job.
in_root 'cd /root/proofwork && export CARGO_TARGET_DIR=/root/target
  cargo build --release -p librocksdb-sys >/root/build.log 2>&1 & pid=$!
  for _ in $(seq 1 600); do
    if ls /root/target/release/build/librocksdb-sys-*/out/bindings.rs >/dev/null 2>&1; then
      kill $pid 2>/dev/null; wait $pid 2>/dev/null; echo "check-clean-root: ok (libclang found; RocksDB bindings generated)"; exit 0
    fi
    if ! kill -0 $pid 2>/dev/null; then wait $pid; rc=$?; tail -30 /root/build.log; echo "check-clean-root: build ended (rc $rc) before the bindings" >&2; exit 1; fi
    sleep 1
  done
  kill $pid; echo "check-clean-root: timed out waiting for the bindings" >&2; exit 1'
