#!/usr/bin/env bash
# Makes the cluster's CURVE keys for deploy/k8s (docs/PROTOCOL.md "Security") in
# deploy/k8s/base/keys/ (git-ignored), which the base's secretGenerator reads:
#   server.key, server.pub   the servers' pair (coordinator, stores)
#   client.key               the clients' pair (workers, aggregate, status)
#   authorized               the public keys the servers allow (client + server: the
#                            coordinator is a client of the stores with the server pair)
# Usage: deploy/k8s/keygen.sh [CENSUS_BINARY]   (default: census on PATH, else build/)
# Existing keys are kept (census keygen never overwrites): delete keys/ to rotate.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
census=${1:-$(command -v census || echo "$here/../../build/cmd/census")}
keys="$here/base/keys"
mkdir -p "$keys"
chmod 0700 "$keys"
for pair in server client; do
  [ -f "$keys/$pair.key" ] || "$census" keygen --out "$keys/$pair" >/dev/null
done
cat "$keys/client.pub" "$keys/server.pub" > "$keys/authorized"
echo "keys in $keys" >&2
