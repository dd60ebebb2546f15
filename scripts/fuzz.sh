#!/usr/bin/env bash
# Fuzzes every target (or those named) for a bounded time each and prints the executions
# per target and in total, and any crash found.
#
#   scripts/fuzz.sh [seconds-per-target] [target...]
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). CI does not run
# this: it replays the committed corpus on stable (`cargo test --release --workspace --test replay`).
# New inputs go to fuzz/work/<target> (ignored), crashes to fuzz/artifacts/<target>; a
# crash is fixed in its owning crate and its input copied to fuzz/regressions/<target>/.
# To fold new coverage into the committed corpus (keep it small):
#   cd fuzz && cargo +nightly fuzz cmin -a <target> corpus/<target> -- work/<target>
#
# Env: FUZZ_JOBS (parallel libFuzzer processes per target, default 1), FUZZ_SANITIZER
# (address by default; `none` runs ~2x faster), ROCKSDB_LIB_DIR (a directory with a
# pre-built librocksdb.a: found automatically in ../target of a stable release build, so
# the fuzz build does not compile RocksDB's C++ again).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs="${1:-60}"
shift || true
sanitizer="${FUZZ_SANITIZER:-address}"
jobs="${FUZZ_JOBS:-1}"

if [[ -z "${ROCKSDB_LIB_DIR:-}" ]]; then
  lib=$(ls -t ../target/release/build/librocksdb-sys-*/out/librocksdb.a 2>/dev/null | head -1 || true)
  if [[ -n "$lib" ]]; then
    export ROCKSDB_LIB_DIR="$(cd "$(dirname "$lib")" && pwd)" ROCKSDB_STATIC=1
    echo "fuzz.sh: linking the pre-built RocksDB in $ROCKSDB_LIB_DIR"
  fi
fi
# The app, state_proof and blobs targets write temp stores: keep them in memory when we can.
if [[ -z "${TMPDIR:-}" && -d /dev/shm && -w /dev/shm ]]; then
  export TMPDIR=/dev/shm
fi

if [[ $# -gt 0 ]]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi

# -a: debug assertions, and with them overflow checks: an unchecked overflow is a bug here.
cargo +nightly fuzz build -a -s "$sanitizer"

mkdir -p logs
par=()
if [[ "$jobs" -gt 1 ]]; then par=(-jobs="$jobs" -workers="$jobs"); fi
total=0
crashed=()
printf '%-12s %14s %10s %8s\n' target executions exec/s crashes
for t in "${targets[@]}"; do
  mkdir -p "work/$t" "corpus/$t" "artifacts/$t"
  log="logs/$t.log"
  # The committed corpus is read-only input; new finds (and the seeds) go to work/.
  PROOFWORK_FUZZ_SEED_DIR="work/$t" \
    cargo +nightly fuzz run -a -s "$sanitizer" "$t" "work/$t" "corpus/$t" -- \
    -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=4096 -timeout=30 \
    "${par[@]}" >"$log" 2>&1 || true
  if [[ "$jobs" -gt 1 ]]; then cat fuzz-*.log >>"$log" 2>/dev/null && rm -f fuzz-*.log; fi
  n=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' \
    | awk '{s+=$1} END {print s+0}')
  rate=$(( n / (secs > 0 ? secs : 1) ))
  c=$(find "artifacts/$t" -type f | wc -l)
  printf '%-12s %14d %10d %8d\n' "$t" "$n" "$rate" "$c"
  total=$(( total + n ))
  if [[ "$c" -gt 0 ]]; then crashed+=("$t"); fi
done
printf '%-12s %14d\n' total "$total"
if [[ ${#crashed[@]} -gt 0 ]]; then
  echo "fuzz.sh: crashes in: ${crashed[*]} (inputs in fuzz/artifacts/, logs in fuzz/logs/)" >&2
  exit 1
fi
