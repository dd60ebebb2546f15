#!/usr/bin/env bash
# kill -9 loop under load on the embedded engine (issue 19): ROUNDS rounds of three
# clients streaming transfers, SIGKILL at a different instant each round, restart; after
# each restart every tx the node reported committed must be there at its height, and at
# the end `proofwork audit replay` must match every app hash.
#
#   scripts/chaos/kill9.sh [ROUNDS]    default 20 (the CI test runs 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
rounds="${1:-20}"
report="$(mktemp)"
trap 'rm -f "$report" "$report.log"' EXIT
PW_KILL9_ROUNDS="$rounds" PW_KILL9_REPORT="$report" cargo test --release --workspace \
  --test e2e kill9_loop -- --nocapture --test-threads 1 >/dev/null 2>"$report.log" || {
  cat "$report" "$report.log" >&2
  echo "kill9: FAILED" >&2
  exit 1
}
cat "$report"
echo "kill9: $rounds rounds, $(tail -1 "$report" | sed -n 's/.*all \([0-9]*\) committed.*/\1/p') committed txs, 0 lost, audit replay OK"
