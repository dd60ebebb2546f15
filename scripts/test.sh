#!/usr/bin/env bash
# One command for the whole test suite: set up, lint, build and run every test in the
# release profile (the same build the binary uses, so RocksDB is compiled once).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/install-grpcurl.sh
if [ -x scripts/install-cometbft.sh ]; then
  ./scripts/install-cometbft.sh
fi
cargo fmt --all -- --check
cargo clippy --release --workspace --all-targets -- -D warnings
cargo test --release --workspace
