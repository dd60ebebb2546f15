#!/usr/bin/env bash
# Installs Debian's chromium (headless) for the explorer's browser test, idempotently.
# Without root or apt the test is skipped with a message.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "chromium already installed: $(command -v chromium)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: needs root and apt-get; the explorer's browser test will be skipped" >&2
  exit 0
fi
if ! (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium) >/dev/null; then
  echo "install-chromium: apt-get install chromium failed; the explorer's browser test will be skipped" >&2
  exit 0
fi
echo "chromium installed: $(command -v chromium)"
