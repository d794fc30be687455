#!/bin/sh
# Entrypoint of the GPU runner image: refuse to start a GPU-configured runner on a machine whose GPU is not visible
# (no `--gpus`, no `nvidia.com/gpu` request, missing NVIDIA container runtime or driver), instead of silently training
# on the CPU. libs/sie's backend selection makes the same check in-process; this one fails before Node starts.
set -eu

backend="${RUNNER_BACKEND:-tensorflow-gpu}"

if [ "$backend" = "tensorflow-gpu" ]; then
  if ! command -v nvidia-smi >/dev/null 2>&1; then
    echo "runner-gpu: RUNNER_BACKEND=tensorflow-gpu but no GPU is visible: nvidia-smi is not available in the" \
      "container (start it with a GPU: docker --gpus 1 / compose --profile gpu / k8s resources nvidia.com/gpu: 1," \
      "with the NVIDIA container toolkit installed), or set RUNNER_BACKEND=tensorflow to train on the CPU." >&2
    exit 1
  fi
  gpus="$(nvidia-smi -L 2>&1 || true)"
  count="$(printf '%s\n' "$gpus" | grep -c '^GPU [0-9]' || true)"
  if [ "${count:-0}" -eq 0 ]; then
    echo "runner-gpu: RUNNER_BACKEND=tensorflow-gpu but nvidia-smi -L lists no GPU (${gpus:-no output});" \
      "start the container with a GPU or set RUNNER_BACKEND=tensorflow to train on the CPU." >&2
    exit 1
  fi
  echo "runner-gpu: RUNNER_BACKEND=tensorflow-gpu, ${count} GPU(s) visible:" >&2
  printf '%s\n' "$gpus" | grep '^GPU [0-9]' >&2
fi

exec "$@"
