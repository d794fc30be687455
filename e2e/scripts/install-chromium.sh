#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (Playwright's own browser downloads are not reachable).
# Idempotent: does nothing when /usr/bin/chromium already runs.
set -euo pipefail
if [[ -x /usr/bin/chromium ]] && /usr/bin/chromium --version >/dev/null 2>&1; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q chromium
/usr/bin/chromium --version
