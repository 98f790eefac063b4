#!/usr/bin/env bash
# The census command (README.md): installs what is missing, builds, and runs a census.
#
#   scripts/census.sh                     the bundled demo: 18 sample sites against the
#                                         simulated government web on loopback
#   scripts/census.sh --sites FILE [...]  your own list; every other flag is passed to
#                                         `census run` (see `build/census --help`)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# Only what a census needs: its packages, the census binary and the simulated web
# (scripts/test.sh installs and builds the rest).
CENSUS_DEPS=run CENSUS_TARGETS="census simweb" bash "$root/scripts/build.sh" >&2
census="$root/build/cmd/census"

if [ $# -gt 0 ]; then
  exec "$census" run "$@"
fi

# The demo: start the simulated web, run the census against it through --connect-to,
# stop the simulated web whatever happens.
out=${CENSUS_OUT:-census-out}
data=${CENSUS_DATA:-census-data}
as_of=2026-11-20
probes=24
# shellcheck source=scripts/simweb-serve.sh
source "$root/scripts/simweb-serve.sh"
serve_simweb "$out/simweb" --seed 1 --sites 18 --as-of "$as_of" --probes "$probes"
port=$simweb_port
echo "census.sh: simulated web on 127.0.0.1:$port (ground truth: $out/simweb/truth.json)" >&2
"$census" run --sites "$root/examples/sites.csv" --out "$out" --data "$data" --as-of "$as_of" \
  --probes "$probes" --probe-interval 100ms --probe-timeout 1s --page-timeout 3s \
  --recheck-delay 500ms --host-delay 10ms "${connect[@]}"
