#!/usr/bin/env bash
# One command for a 4-validator CometBFT network on this machine (127.0.0.1 only):
# set up, build, install CometBFT v0.38.25, lay out the homes and start all 8 processes.
#   NET_DIR (default /tmp/proofwork-net), VALIDATORS (default 4).
# Stop it with: scripts/localnet.sh stop "$NET_DIR"
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cargo build --release --workspace
./scripts/install-cometbft.sh
NET_DIR="${NET_DIR:-/tmp/proofwork-net}"
if [ ! -f "$NET_DIR/testnet.json" ]; then
  ./target/release/proofwork testnet --validators "${VALIDATORS:-4}" --out "$NET_DIR"
fi
./scripts/localnet.sh start "$NET_DIR"
./scripts/localnet.sh status "$NET_DIR"
echo "gRPC of node I: 127.0.0.1:$((26603))+10*I; e.g.: ./target/release/proofwork status --node http://127.0.0.1:26603"
