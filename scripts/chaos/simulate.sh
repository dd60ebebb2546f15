#!/usr/bin/env bash
# Deterministic simulation, long form (issue 19): random valid and invalid txs over every
# module, random block sizes, restarts and crash points on a real RocksDB store, invariants
# checked after every block (node/app/tests/simulation.rs; docs/reliability.md).
#
#   scripts/chaos/simulate.sh [SEEDS] [BLOCKS] [FIRST_SEED]   default 200 seeds x 1000 blocks
#   PW_SIM_SEED=N scripts/chaos/simulate.sh                    one seed (a failure prints it)
#
# The CI form is the plain test: 40 seeds x 256 blocks.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PW_SIM_SEEDS="${1:-${PW_SIM_SEEDS:-200}}"
export PW_SIM_BLOCKS="${2:-${PW_SIM_BLOCKS:-1000}}"
export PW_SIM_FIRST_SEED="${3:-${PW_SIM_FIRST_SEED:-0}}"
exec cargo test --release --workspace --test simulation -- --nocapture
