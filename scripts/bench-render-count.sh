#!/usr/bin/env bash
# How many column pages of the simulated web need the rendered look (issue 12; figures in
# docs/BENCHMARKS.md "Rendered looks").
#
#   scripts/bench-render-count.sh FAMILIES SITES [WORKDIR]
#     FAMILIES  simweb --families value: classic | all | scripts | a comma list
#     SITES     how many sites
#
# Serves the simulated web on a free loopback port (stopped on exit), runs `census run`
# on it with the renderer on (Chromium must be installed: scripts/install-browser.sh),
# and prints the census's render line, its wall time and peak RSS, and the columns by
# verdict_source and page from report.json. Uses build/ (scripts/build.sh builds it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -lt 2 ]; then
  sed -n '2,12p' "$0" >&2
  exit 2
fi
families=$1
sites=$2
out=${3:-${TMPDIR:-/tmp}/census-render-count-$families}
rm -rf "$out"
mkdir -p "$out"
# shellcheck source=scripts/simweb-serve.sh
source "$root/scripts/simweb-serve.sh"
serve_simweb "$out/simweb" --seed 1 --sites "$sites" --families "$families" \
  --as-of 2026-11-20 --probes 2
/usr/bin/time -f "wall %e s, census peak RSS %M KB" "$root/build/cmd/census" run \
  --sites "$out/simweb/sites.csv" --out "$out/out" --data "$out/data" --as-of 2026-11-20 \
  --probes 2 --probe-interval 100ms --probe-timeout 1s --page-timeout 3s --host-delay 10ms \
  "${connect[@]}" 2>&1 | grep -E "rendered in|^census 20|^wall" || true
python3 - "$out/out/report.json" <<'PY'
import collections, json, sys
report = json.load(open(sys.argv[1]))
by = collections.Counter()
columns = 0
for site in report["sites"]:
    for column in site["columns"]:
        columns += 1
        by[(column.get("verdict_source", ""), column.get("page", ""))] += 1
print("columns", columns)
for (source, page), n in sorted(by.items()):
    print(f"  verdict_source={source or '-'} page={page or '-'}: {n}")
PY
