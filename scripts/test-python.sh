#!/usr/bin/env bash
# The Python SDK's tests (clients/python) against a real node.
#
# Creates (idempotently) a virtualenv under target/tools/python-sdk, installs the SDK from
# clients/python and pytest into it, and runs pytest. The node binary is $PROOFWORK_BIN
# (default target/release/proofwork); without it the node tests are skipped and the offline
# ones still run. Extra arguments go to pytest.
#
# Exit status: pytest's; 0 with a message on stderr when python3 (or its venv module) is
# absent, so that a machine without Python skips rather than fails.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
VENV=target/tools/python-sdk
PY="$ROOT/$VENV/bin/python"
if ! command -v python3 >/dev/null 2>&1; then
  echo "test-python: python3 is not installed; the Python SDK tests are skipped" >&2
  exit 0
fi
if [ ! -x "$PY" ]; then
  mkdir -p target/tools
  if ! python3 -m venv "$VENV"; then
    echo "test-python: python3 -m venv failed (install python3-venv); the Python SDK tests are skipped" >&2
    rm -rf "$VENV"
    exit 0
  fi
fi
# Reinstall the SDK only when its sources changed since the last install.
stamp="$VENV/.sdk-stamp"
want="$(find clients/python/pyproject.toml clients/python/src -type f \( -name '*.py' -o -name '*.pyi' -o -name pyproject.toml \) | LC_ALL=C sort | xargs sha256sum | sha256sum)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! "$PY" -c 'import proofwork, pytest, grpc_tools' 2>/dev/null; then
  "$PY" -m pip install -q --disable-pip-version-check "./clients/python[test,regen]"
  echo "$want" >"$stamp"
fi
export PROOFWORK_BIN="${PROOFWORK_BIN:-$ROOT/target/release/proofwork}"
cd clients/python
exec "$PY" -m pytest -q -rs "$@"
