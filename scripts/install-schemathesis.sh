#!/usr/bin/env bash
# Installs schemathesis (pinned, from PyPI) into a virtualenv under target/tools,
# idempotently; the REST gateway's e2e test runs it against a live node (every route,
# generated inputs: no 5xx, every answer matching /openapi.json). Without Python or the
# package index the test is skipped with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=4.32.5
VENV=target/tools/schemathesis
BIN="$VENV/bin/schemathesis"
if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q "$VERSION"; then
  echo "schemathesis $VERSION already installed at $BIN"
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "install-schemathesis: python3 is not installed; the schemathesis test will be skipped" >&2
  exit 0
fi
rm -rf "$VENV"
mkdir -p target/tools
if ! python3 -m venv "$VENV" || ! "$VENV/bin/pip" install -q "schemathesis==$VERSION"; then
  echo "install-schemathesis: could not install schemathesis $VERSION (above); its test will be skipped" >&2
  rm -rf "$VENV"
  exit 0
fi
echo "schemathesis $VERSION installed at $BIN"
