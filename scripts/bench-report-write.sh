#!/usr/bin/env bash
# The whole report path at national scale (issue 14 item 3; figures in docs/BENCHMARKS.md
# "Writing the reports of 100,000 sites"): aggregation of N sites × 100 columns and every
# report file written (report.json, .jsonl, .csv, .html, regions/), as `census run` does
# after the crawl.
#
#   scripts/bench-report-write.sh [SIZES [DATA [OUT]]]
#     SIZES  comma list of site counts (default 10000,100000)
#     DATA   where the synthetic stores are kept (default /work/bench-data; the 100k
#            store needs ~4 GiB, building it the first time takes 15-25 minutes)
#     OUT    where the reports go (default /work/bench-out; ~10 GB at 100k)
#
# Builds bench/aggregate_benchmark into build/ (scripts/build.sh). For each size: removes the previous reports, syncs (so the last run's dirty pages are not
# written back during this one), prints the load, runs `aggregate_benchmark --write` and
# lists the files' sizes. Compare CPU seconds between loaded runs; wall time needs a
# quiet machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sizes=${1:-10000,100000}
data=${2:-/work/bench-data}
out=${3:-/work/bench-out}
# The benchmark from build/ (Release, as the census binary; the same allocator).
CENSUS_TARGETS=aggregate_benchmark bash "$root/scripts/build.sh" >&2
bench=$root/build/bench/aggregate_benchmark
"$bench" --dir "$data" --sites "$sizes" --build-only
IFS=, read -r -a each <<<"$sizes"
for n in "${each[@]}"; do
  rm -rf "$out/sites-$n"
  sync
  echo "== $n sites; $(uptime)"
  "$bench" --dir "$data" --sites "$n" --write "$out"
  echo "== after: $(uptime)"
  du -b "$out/sites-$n"/report.* | awk '{printf "%s %.0f MB\n", $2, $1 / 1e6}'
  du -sb "$out/sites-$n/regions" | awk '{printf "%s %.0f MB\n", $2, $1 / 1e6}'
done
