#!/usr/bin/env bash
# The whole test suite, from a fresh clone: set-up, a test database, build, then every package's tests
# (unit, integration against real PostgreSQL/Redis, golden values, deployment manifests, browser e2e).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh

export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/equilab_test}"
export DATABASE_URL="$TEST_DATABASE_URL"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export SIE_GOLDEN_DIR="${SIE_GOLDEN_DIR:-$(cd .. && pwd)/shared/golden}"

for tool in e2e/scripts/install-chromium.sh k8s/scripts/install-tools.sh; do
  [[ -f $tool ]] && bash "$tool"
done
[[ -f scripts/migrate.mjs ]] && node scripts/migrate.mjs reset --force

npx turbo run build

log=$(mktemp)
status=0
npx turbo run test --concurrency=1 --continue 2>&1 | tee "$log" || status=$?

# One closing line for the whole run, summed over every package's node:test summary.
passed=$(grep -Eo '# pass [0-9]+' "$log" | awk '{s += $3} END {print s + 0}')
failed=$(grep -Eo '# fail [0-9]+' "$log" | awk '{s += $3} END {print s + 0}')
skipped=$(grep -Eo '# skipped [0-9]+' "$log" | awk '{s += $3} END {print s + 0}')
rm -f "$log"
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [[ $status -ne 0 || $failed -ne 0 ]]; then exit 1; fi
