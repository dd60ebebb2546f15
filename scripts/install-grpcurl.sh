#!/usr/bin/env bash
# Installs grpcurl (pinned) with `go install`, idempotently; the API tests use it to check
# that reflection and health work for a client with no .proto files.
set -euo pipefail
VERSION=v1.9.3
BIN="$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin/grpcurl"
# `go install` builds report "dev build" as their version, so presence is the check.
if [ -x "$BIN" ]; then
  echo "grpcurl already installed at $BIN"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "install-grpcurl: Go is not installed; the grpcurl test will be skipped" >&2
  exit 0
fi
if ! go install "github.com/fullstorydev/grpcurl/cmd/grpcurl@${VERSION}"; then
  echo "install-grpcurl: go install failed (see above); the grpcurl test will be skipped" >&2
  exit 0
fi
echo "grpcurl ${VERSION} installed at $BIN"
