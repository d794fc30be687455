#!/usr/bin/env bash
# The main job, from a fresh clone: set-up, database migrations, a generated 3DIEBench-mini, then the API, one
# runner and the dashboard, a project, an API token and a small SIE-vs-VICReg sweep. Ctrl-C stops everything.
#   DEMO_EXIT_WHEN_DONE=1  exit once the demo sweep has finished (for scripted use)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh

export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/equilab}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export API_PORT="${API_PORT:-4000}" WEB_PORT="${WEB_PORT:-3000}"
export API_URL="http://127.0.0.1:${API_PORT}"
export ARTIFACT_DIR="${ARTIFACT_DIR:-$PWD/var/artifacts}" SPILL_DIR="${SPILL_DIR:-$PWD/var/spill}"
DATA_DIR="${DATA_DIR:-$PWD/data/mini}"
LOG_DIR="$PWD/var/log"
mkdir -p "$LOG_DIR" "$ARTIFACT_DIR"

npx turbo run build --output-logs=errors-only
equilab() { node apps/runner/dist/cli/main.js "$@"; }

if [[ ! -f "$DATA_DIR/val_labels.npy" ]]; then
  echo "demo: generating 3DIEBench-mini into $DATA_DIR"
  equilab data generate --out "$DATA_DIR"
fi
equilab data inspect "$DATA_DIR"

if [[ ! -f apps/api/dist/main.js || ! -f scripts/migrate.mjs ]]; then
  echo "demo: the platform (API, runner) is not built yet: stopping after the dataset."
  exit 0
fi

node scripts/migrate.mjs deploy
pids=()
cleanup() { for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_http() { # url seconds
  for ((i = 0; i < $2 * 5; i++)); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done
  echo "demo: $1 did not answer in $2 s (logs in $LOG_DIR)" >&2; return 1
}

DATA_ROOT="$DATA_DIR" setsid node apps/api/dist/main.js >"$LOG_DIR/api.log" 2>&1 & pids+=($!)
wait_http "$API_URL/api/health" 60
ADMIN_TOKEN=$(node apps/api/dist/cli/token.js create --name "demo-$(date +%s)" --scope admin | tail -n 1)
RUNNER_TOKEN=$(node apps/api/dist/cli/token.js create --name "demo-runner-$(date +%s)" --scope runner | tail -n 1)

API_TOKEN="$RUNNER_TOKEN" WORK_DIR="$PWD/var/work" setsid node apps/runner/dist/main.js >"$LOG_DIR/runner.log" 2>&1 & pids+=($!)
if [[ -f apps/web/.next/BUILD_ID ]]; then
  (cd apps/web && API_URL="$API_URL" NEXT_TELEMETRY_DISABLED=1 exec setsid npx next start -p "$WEB_PORT" -H 127.0.0.1 >"$LOG_DIR/web.log" 2>&1) & pids+=($!)
  wait_http "http://127.0.0.1:$WEB_PORT/" 60
fi

node scripts/demo-sweep.mjs --api "$API_URL" --token "$ADMIN_TOKEN" --data "$DATA_DIR" --web "http://127.0.0.1:$WEB_PORT"
if [[ "${DEMO_EXIT_WHEN_DONE:-0}" == 1 ]]; then exit 0; fi
echo "demo: running; Ctrl-C stops the API, runner and dashboard (logs in $LOG_DIR)"
wait
