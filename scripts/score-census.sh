#!/usr/bin/env bash
# Scores the census against a simulated web (docs/SCORING.md): serves it, runs
# `census run` on its sites without --columns (discovery is part of what is measured),
# and prints `simweb score`'s table of precision and recall per finding and per CMS family.
#
#   scripts/score-census.sh                         120 sites of the six CMS families
#   scripts/score-census.sh --families classic --sites 18
#   scripts/score-census.sh --verbose               and every false positive / negative
#
# Flags: --families LIST|all (default all), --sites N (default 120), --seed N (default 1),
# --out DIR (default score-out), --verbose. Builds first (scripts/build.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
families=all sites=120 seed=1 out=score-out verbose=()
while [ $# -gt 0 ]; do
  case "$1" in
    --families) families=$2; shift 2 ;;
    --sites) sites=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --verbose) verbose=(--verbose); shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "score-census.sh: unknown flag $1 (see --help)" >&2; exit 2 ;;
  esac
done
bash "$root/scripts/build.sh" >&2
rm -rf "$out"
as_of=2026-11-20
# shellcheck source=scripts/simweb-serve.sh
source "$root/scripts/simweb-serve.sh"
serve_simweb "$out/truth" --seed "$seed" --sites "$sites" --families "$families" \
  --as-of "$as_of" --probes 2
"$root/build/cmd/census" run --sites "$out/truth/sites.csv" --out "$out/census" \
  --data "$out/data" --as-of "$as_of" --probes 2 --probe-interval 100ms --probe-timeout 1s \
  --page-timeout 3s --host-delay 5ms --quiet "${connect[@]}" >&2
"$root/build/simweb/simweb" score --truth "$out/truth/truth.json" \
  --report "$out/census/report.json" "${verbose[@]}"
