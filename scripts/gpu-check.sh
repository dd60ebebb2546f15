#!/usr/bin/env bash
# Runs the kernels' CUDA tests and the GPU profile (custom kernels vs cuBLASLt) on a machine
# with an NVIDIA GPU. Two ways to use it:
#   ./scripts/gpu-check.sh                # builds the test and profile binaries with cargo
#   BIN_DIR=.gpu ./scripts/gpu-check.sh   # runs binaries built elsewhere (a GPU host without
#                                         # Rust): copy `cargo test --release -p
#                                         # proofwork-kernels --no-run` outputs and
#                                         # target/release/examples/gpu_profile into BIN_DIR
# The CUDA libraries are loaded at run time; this finds libnvrtc and libcublasLt wherever the
# CUDA toolkit or its Python wheels put them and links them under their plain names.
set -uo pipefail
cd "$(dirname "$0")/.."
LOG=${OUT:-/tmp}/gpu-check.log
: >"$LOG"
say() { echo "$@" | tee -a "$LOG"; }

nvidia-smi -L 2>&1 | tee -a "$LOG" || { say "no nvidia-smi: not a GPU machine"; exit 0; }

libs=/tmp/proofwork-cuda-libs
mkdir -p "$libs"
for name in nvrtc cublasLt; do
    f=$(find /usr/local /opt /usr/lib -name "lib$name.so*" ! -path "*/stubs/*" ! -name "*alt*" ! -name "*builtins*" 2>/dev/null | sort -V | tail -1)
    if [ -n "$f" ]; then
        ln -sf "$f" "$libs/lib$name.so"
        export LD_LIBRARY_PATH="$libs:$(dirname "$f"):${LD_LIBRARY_PATH:-}"
        say "lib$name: $f"
    else
        say "lib$name: not found"
    fi
done

if [ -z "${BIN_DIR:-}" ]; then
    BIN_DIR=target/gpu-check
    mkdir -p "$BIN_DIR"
    cargo test --release -p proofwork-kernels --no-run 2>&1 | grep -o '(target[^)]*)' | tr -d '()' |
        while read -r f; do cp "$f" "$BIN_DIR/"; done
    cargo build --release -p proofwork-kernels --example gpu_profile && cp target/release/examples/gpu_profile "$BIN_DIR/"
fi

# Every step has a time limit (STEP_TIMEOUT seconds, TMA_STEP_TIMEOUT for the TMA tests,
# which take seconds when they work): a kernel that hangs is killed and reported instead of
# eating the device session. The TMA builds (tma, tma-mc) run in their
# own test steps first; the profile then leaves out each one that failed or hung (--skip
# NAME), so the other kernels' numbers still come back.
step=${STEP_TIMEOUT:-180}
rc=0
skip=()
tma_tests=(tma tma_mc tma_hash)
for build in "${tma_tests[@]}"; do
    for t in "$BIN_DIR"/proofwork_kernels-*; do
        say "== $(basename "$t") ${build}_matches_cpu_when_present"
        timeout "${TMA_STEP_TIMEOUT:-60}" "$t" "${build}_matches_cpu_when_present" --nocapture 2>&1 | tee -a "$LOG" | grep -E "skipped|test result|FAILED|panicked|mismatch|error"
        [ "${PIPESTATUS[0]}" -eq 0 ] || { skip+=(--skip "${build//_/-}"); rc=1; say "$build test failed or timed out"; }
    done
done
for t in "$BIN_DIR"/proofwork_kernels-* "$BIN_DIR"/it-*; do
    say "== $(basename "$t")"
    timeout "$step" "$t" --test-threads 4 $(printf -- '--skip %s_matches_cpu_when_present ' "${tma_tests[@]}") 2>&1 | tee -a "$LOG" | grep -E "skipped|test result|FAILED|panicked|cuda device present|error"
    [ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
done
say "== profile ${skip[*]}"
timeout "$step" "$BIN_DIR/gpu_profile" ${PROFILE_ARGS:-} "${skip[@]}" 2>&1 | tee -a "$LOG"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
# compute-sanitizer's memcheck over the hashing build's test on its small shapes
# (PROOFWORK_GPU_QUICK), when the toolkit has it.
sanitizer=$(command -v compute-sanitizer || find /usr/local /opt -name compute-sanitizer -type f 2>/dev/null | head -1)
if [ -n "$sanitizer" ] && [ -z "${NO_SANITIZER:-}" ]; then
    for t in "$BIN_DIR"/proofwork_kernels-*; do
        say "== memcheck $(basename "$t") tma_hash_matches_cpu_when_present"
        PROOFWORK_GPU_QUICK=1 timeout "${SANITIZER_TIMEOUT:-180}" "$sanitizer" --tool memcheck "$t" tma_hash_matches_cpu_when_present --nocapture 2>&1 | tee -a "$LOG" | grep -E "ERROR SUMMARY|test result|FAILED|panicked|skipped"
        [ "${PIPESTATUS[0]}" -eq 0 ] || { rc=1; say "memcheck failed or timed out"; }
    done
else
    say "compute-sanitizer: not found (or NO_SANITIZER set)"
fi
exit $rc
