#!/usr/bin/env bash
# The Python SDK's tests (clients/python) against a real node.
#
# Creates (idempotently, under a lock) a virtualenv under target/tools/python-sdk, installs the
# SDK from clients/python, pytest and scikit-learn (for the digits example) into it, and runs
# pytest. The node binary is $PROOFWORK_BIN
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
mkdir -p target/tools
# One setup at a time: the e2e tests run this script from parallel tests on one venv.
if command -v flock >/dev/null 2>&1; then
  exec 9>target/tools/python-sdk.lock
  flock 9
fi
if [ ! -x "$PY" ]; then
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
# scikit-learn for the digits inference example (tests/test_digits.py), once; without it
# (no registry reachable) that test is skipped with a message.
if ! "$PY" -c 'import sklearn' 2>/dev/null; then
  if ! "$PY" -m pip install -q --disable-pip-version-check "scikit-learn>=1.3"; then
    echo "test-python: scikit-learn could not be installed; the digits inference example is skipped" >&2
  fi
fi
# Release the setup lock before the tests run (they may run in parallel).
if command -v flock >/dev/null 2>&1; then
  flock -u 9
  exec 9>&-
fi
export PROOFWORK_BIN="${PROOFWORK_BIN:-$ROOT/target/release/proofwork}"
cd clients/python
exec "$PY" -m pytest -q -rs "$@"
