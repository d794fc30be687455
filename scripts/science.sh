#!/usr/bin/env bash
# Science check (README): SIE vs VICReg for the same short CPU budget on a generated 3DIEBench-mini
# (10 classes × 40 objects × 50 views, 64 px), then the online evaluator's rotation R² and top-1.
#   bash scripts/science.sh                # defaults below; ~10–15 min per method on 2 cores (wasm)
#   EPOCHS=30 WIDTH=0.5 bash scripts/science.sh
#   CONTROL=1 bash scripts/science.sh       # + SimCLR+AugSelf (supervised rotation head) as a control
# Re-running resumes unfinished runs (the trainer resumes from OUT/<method>/checkpoint.safetensors).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-data/mini}
OUT=${OUT:-data/science}
EPOCHS=${EPOCHS:-15}
WIDTH=${WIDTH:-0.25}
MLP=${MLP:-512-512-512}
BACKEND=${BACKEND:-wasm}
WORKERS=${WORKERS:-1}
CLI="node apps/runner/dist/cli/main.js"

[ -f apps/runner/dist/cli/main.js ] || npx tsc -b apps/runner
if [ ! -f "$DATA/train_images.npy" ]; then
  $CLI data generate --out "$DATA"
fi
# Representation width 512·WIDTH; SIE keeps the reference's half/half split (equi = 256 of 512).
EQUI=$(node -e "console.log(Math.round(256 * ${WIDTH}))")
COMMON=(--data "$DATA" --backend "$BACKEND" --workers "$WORKERS" --metrics-every 1
  --set "width=${WIDTH}" --set "mlp=${MLP}" --set "epochs=${EPOCHS}" --set seed=1)
$CLI train --method SIE --out "$OUT/SIE" "${COMMON[@]}" --set "equi=${EQUI}"
$CLI train --method VICReg --out "$OUT/VICReg" "${COMMON[@]}"
# CONTROL=1: also SimCLR+AugSelf, whose loss regresses z from (h_x, h_y) directly: an upper-bound check of how
# much rotation information this budget can put into any backbone.
if [ "${CONTROL:-0}" = 1 ]; then
  $CLI train --method SimCLRAugSelf --out "$OUT/SimCLRAugSelf" "${COMMON[@]}"
fi
node scripts/science-summary.mjs "$OUT"
