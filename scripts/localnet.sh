#!/usr/bin/env bash
# Starts, stops or shows a loopback network laid out by `proofwork testnet`.
#
#   proofwork testnet --validators 4 --out /tmp/pw-net
#   scripts/localnet.sh start  /tmp/pw-net     # 2 processes per node: proofwork + cometbft
#   scripts/localnet.sh status /tmp/pw-net
#   scripts/localnet.sh stop   /tmp/pw-net
#
# Logs: DIR/nodeI/{proofwork,cometbft}.log; pids: DIR/nodeI/{proofwork,cometbft}.pid.
# Binaries: $PROOFWORK_BIN (default: target/release/proofwork, then PATH) and
# $PROOFWORK_COMETBFT (default: PATH, then "$(go env GOPATH)/bin/cometbft").
set -euo pipefail

cmd="${1:-}"
dir="${2:-}"
if [ -z "$cmd" ] || [ -z "$dir" ] || [ ! -f "$dir/testnet.json" ]; then
    echo "usage: $0 start|stop|status DIR   (DIR laid out by \`proofwork testnet\`)" >&2
    exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"

find_proofwork() {
    if [ -n "${PROOFWORK_BIN:-}" ]; then echo "$PROOFWORK_BIN"; return; fi
    for c in "${CARGO_TARGET_DIR:-$root/target}/release/proofwork" "$root/target/release/proofwork"; do
        if [ -x "$c" ]; then echo "$c"; return; fi
    done
    command -v proofwork || { echo "proofwork binary not found (cargo build --release)" >&2; exit 1; }
}

find_cometbft() {
    if [ -n "${PROOFWORK_COMETBFT:-}" ]; then echo "$PROOFWORK_COMETBFT"; return; fi
    if command -v cometbft >/dev/null 2>&1; then command -v cometbft; return; fi
    if command -v go >/dev/null 2>&1 && [ -x "$(go env GOPATH)/bin/cometbft" ]; then
        echo "$(go env GOPATH)/bin/cometbft"; return
    fi
    echo "cometbft not found: run scripts/install-cometbft.sh" >&2
    exit 1
}

nodes() { find "$dir" -maxdepth 1 -type d -name 'node*' | sort -V; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

case "$cmd" in
start)
    pw="$(find_proofwork)"
    cmt="$(find_cometbft)"
    for n in $(nodes); do
        if alive "$n/proofwork.pid" || alive "$n/cometbft.pid"; then
            echo "$(basename "$n"): already running"; continue
        fi
        "$pw" start --abci --home "$n/proofwork" >>"$n/proofwork.log" 2>&1 &
        echo $! >"$n/proofwork.pid"
    done
    sleep 1
    for n in $(nodes); do
        if alive "$n/cometbft.pid"; then continue; fi
        "$cmt" start --home "$n/cometbft" >>"$n/cometbft.log" 2>&1 &
        echo $! >"$n/cometbft.pid"
        echo "$(basename "$n"): proofwork pid $(cat "$n/proofwork.pid"), cometbft pid $(cat "$n/cometbft.pid")"
    done
    ;;
stop)
    for n in $(nodes); do
        for p in cometbft proofwork; do
            if alive "$n/$p.pid"; then
                kill "$(cat "$n/$p.pid")" 2>/dev/null || true
            fi
        done
    done
    # Wait (bounded) for them to exit, then force.
    for _ in $(seq 1 50); do
        running=0
        for n in $(nodes); do
            for p in cometbft proofwork; do alive "$n/$p.pid" && running=1; done
        done
        [ "$running" = 0 ] && break
        sleep 0.1
    done
    for n in $(nodes); do
        for p in cometbft proofwork; do
            if alive "$n/$p.pid"; then kill -9 "$(cat "$n/$p.pid")" 2>/dev/null || true; fi
            rm -f "$n/$p.pid"
        done
    done
    echo "stopped"
    ;;
status)
    python3 - "$dir" <<'PY' 2>/dev/null || true
import json, sys, urllib.request
layout = json.load(open(sys.argv[1] + "/testnet.json"))
for n in layout["nodes"]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{n['rpc_port']}/status", timeout=2) as r:
            s = json.load(r)["result"]["sync_info"]
            print(f"{n['name']}: height {s['latest_block_height']} app_hash {s['latest_app_hash'][:16]} catching_up {s['catching_up']}")
    except Exception as e:
        print(f"{n['name']}: down ({e})")
PY
    for n in $(nodes); do
        for p in proofwork cometbft; do
            if alive "$n/$p.pid"; then echo "$(basename "$n") $p: running (pid $(cat "$n/$p.pid"))";
            else echo "$(basename "$n") $p: stopped"; fi
        done
    done
    ;;
*)
    echo "usage: $0 start|stop|status DIR" >&2
    exit 2
    ;;
esac
