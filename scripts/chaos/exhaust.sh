#!/usr/bin/env bash
# Resource-exhaustion clients, long form (issue 19): a fresh node on 127.0.0.1:39190 under a
# 1,024 file limit, then node/examples/exhaust.rs (idle, slow loris, half-sent Stat,
# never-reading streams on a large block, trickling uploads), printing Status latency and
# node RSS per attack. Results: docs/reliability.md, "## Network".
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT=${PORT:-39190}
# --workspace, not -p: one crate alone unifies features differently and rebuilds RocksDB.
cargo build --release --workspace --bin proofwork --example exhaust
BIN=${CARGO_TARGET_DIR:-target}/release
DIR=$(mktemp -d)
trap 'kill "$NODE" 2>/dev/null || true; rm -rf "$DIR"' EXIT
"$BIN/proofwork" init --home "$DIR/home" --chain-id pw-exhaust >/dev/null
( ulimit -n 1024; exec "$BIN/proofwork" start --home "$DIR/home" --grpc "127.0.0.1:$PORT" \
    --metrics "" --block-ms 1000 ) 2>"$DIR/node.log" &
NODE=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
"$BIN/examples/exhaust" "127.0.0.1:$PORT" "$NODE" "$DIR/home"
kill -0 "$NODE" && echo "node still running (pid $NODE)"
