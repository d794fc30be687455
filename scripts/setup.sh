#!/usr/bin/env bash
# Shared set-up of the two README commands: dependencies (npm ci when the lock file changed), PostgreSQL and
# Redis, and a build of every package. Sourced by demo.sh and test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# No telemetry calls from Next.js or Prisma (and none would get out of a closed network anyway).
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1 SCARF_ANALYTICS=false

stamp=node_modules/.equilab-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
  echo "$want" >"$stamp"
fi

bash scripts/services.sh
