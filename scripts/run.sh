#!/usr/bin/env bash
# One command for a new user: set up, build, and run a node with a live demo
# (blocks, signed transfers, balances). Ctrl-C stops it; run again to resume the same chain.
#   PROOFWORK_HOME (default ~/.proofwork-demo) holds keys, genesis and data.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# The whole workspace in one invocation and one profile, as the tests build it, so RocksDB's
# C++ is compiled once.
cargo build --release --workspace
exec ./target/release/proofwork demo --home "${PROOFWORK_HOME:-$HOME/.proofwork-demo}" "$@"
