#!/usr/bin/env bash
# One command for the whole test suite: set up, lint, build and run every test in the
# release profile (the same build the binary uses, so RocksDB is compiled once).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/install-grpcurl.sh
./scripts/install-schemathesis.sh
./scripts/install-chromium.sh
# CometBFT end-to-end tests skip (with a message) when the binary could not be installed.
if ! ./scripts/install-cometbft.sh; then
  echo "test.sh: CometBFT could not be installed (error above); its tests will be skipped" >&2
fi
cargo fmt --all -- --check
cargo clippy --release --workspace --all-targets -- -D warnings
cargo test --release --workspace
