#!/usr/bin/env bash
# Installs the pinned CometBFT binary (v0.38.x line; ABCI 2.0, what tendermint-abci 0.41 speaks).
# Idempotent: does nothing if the pinned version is already installed.
# Never use @latest: it resolves to v1.x, whose ABCI package (ABCI 2.1) differs.
#
# The binary ends up in "$(go env GOPATH)/bin/cometbft"; if /usr/local/bin is writable it is also
# copied there. Tests look for it via $PROOFWORK_COMETBFT, then PATH, then "$(go env GOPATH)/bin".
set -euo pipefail

VERSION="${COMETBFT_VERSION:-v0.38.25}"
WANT="${VERSION#v}"

find_cometbft() {
    if [ -n "${PROOFWORK_COMETBFT:-}" ] && [ -x "${PROOFWORK_COMETBFT}" ]; then
        echo "${PROOFWORK_COMETBFT}"; return
    fi
    if command -v cometbft >/dev/null 2>&1; then
        command -v cometbft; return
    fi
    if command -v go >/dev/null 2>&1; then
        local gp
        gp="$(go env GOPATH)/bin/cometbft"
        if [ -x "$gp" ]; then echo "$gp"; return; fi
    fi
}

existing="$(find_cometbft || true)"
if [ -n "$existing" ]; then
    have="$("$existing" version 2>/dev/null | head -n1 | tr -d '[:space:]')"
    if [ "$have" = "$WANT" ]; then
        echo "cometbft $have already installed at $existing"
        exit 0
    fi
    echo "found cometbft '$have' at $existing, want $WANT; installing"
fi

if ! command -v go >/dev/null 2>&1; then
    echo "error: the Go toolchain (>= 1.22.11) is needed to install cometbft" >&2
    exit 1
fi

echo "go install github.com/cometbft/cometbft/cmd/cometbft@${VERSION}"
go install "github.com/cometbft/cometbft/cmd/cometbft@${VERSION}"

bin="$(go env GOPATH)/bin/cometbft"
have="$("$bin" version | head -n1 | tr -d '[:space:]')"
if [ "$have" != "$WANT" ]; then
    echo "error: installed cometbft reports version '$have', expected $WANT" >&2
    exit 1
fi
if [ -w /usr/local/bin ]; then
    cp "$bin" /usr/local/bin/cometbft
    echo "copied to /usr/local/bin/cometbft"
fi
echo "cometbft $have installed at $bin"
