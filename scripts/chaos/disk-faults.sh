#!/usr/bin/env bash
# The disk-fault matrix of issue 19: on copies of a home with committed blocks, damage the
# newest WAL (cut in half / by 100 bytes, 64 garbage bytes at 50 % and 95 %, deleted), an
# SST, the MANIFEST, CURRENT (deleted, garbage) and data/ itself; start the node on each
# and print per case "refused: <message>" or "recovered to height H". Fails on any start
# at a lower height or any block that differs (a re-decided block).
#
#   scripts/chaos/disk-faults.sh          short form (the CI test; ~1 min)
#   scripts/chaos/disk-faults.sh --long   also garbage at and cuts to every 5 % of the WAL
# Blob-file damage is covered by the blob store's tests (`cargo test -p proofwork-node
# blobs::verify`): a damaged blob is quarantined and answered DATA_LOSS, never served.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
report="$(mktemp)"
trap 'rm -f "$report"' EXIT
if [[ "${1:-}" == "--long" ]]; then export PW_FAULT_LONG=1; fi
PW_FAULT_REPORT="$report" cargo test --release --workspace --test e2e \
  disk_fault_matrix -- --nocapture --test-threads 1 >/dev/null 2>"$report.log" || {
  cat "$report" "$report.log" >&2
  echo "disk-faults: FAILED (a case re-decided blocks or started below its committed height)" >&2
  exit 1
}
cat "$report"
echo "disk-faults: $(wc -l <"$report") cases, $(grep -c ': refused' "$report" || true) refused, $(grep -c 'recovered' "$report" || true) recovered, 0 re-decided"
rm -f "$report.log"
