#!/usr/bin/env bash
# `census serve` latency under wrk on loopback (docs/BENCHMARKS.md "census serve"):
# two censuses of the simulated web a day apart (simweb --day 0 and --day 1, 18 sites),
# then wrk against
#   - a page at a time:   /web/<ts>/<url>   (the forged_date site's column page, links
#                                            rewritten; /web/<ts>id_/<url> the bytes)
#   - the UI's view:      /view/<ts>/<url>  (version, changes since the day before, frame)
#   - a diff of two days: /diff/<ts0>/<ts1>/<url>
# and prints wrk's latency percentiles (p50, p99) and requests/s of each.
#
# Usage: scripts/bench-serve.sh [--build-dir DIR] [--duration 10s] [--connections 8]
#                               [--threads 2] [--serve-threads 4] [--keep DIR]
# Needs build/cmd/census and build/simweb/simweb (scripts/build.sh), and wrk
# (scripts/install-deps.sh --with wrk installs it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build"
duration=10s
connections=8
threads=2
serve_threads=4
keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --serve-threads) serve_threads="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    *) echo "bench-serve: unknown argument $1" >&2; exit 2 ;;
  esac
done
census="$build/cmd/census"
simweb="$build/simweb/simweb"
for bin in "$census" "$simweb"; do
  [ -x "$bin" ] || { echo "bench-serve: $bin missing (scripts/build.sh)" >&2; exit 1; }
done
command -v wrk >/dev/null || bash "$root/scripts/install-deps.sh" --with wrk

work=${keep:-$(mktemp -d /tmp/census-bench-serve.XXXXXX)}
mkdir -p "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "$keep" ] || rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# census DAY: simweb --day DAY, a census of its 18 sites into $work/data.
census_day() {
  local day=$1 truth="$work/truth-$1"
  mkdir -p "$truth"
  "$simweb" serve --truth-dir "$truth" --seed 1 --sites 18 --as-of 2026-11-20 --probes 2 \
    --day "$day" >"$work/simweb-$day.out" 2>"$work/simweb-$day.err" &
  local pid=$!
  for _ in $(seq 300); do grep -q '^listening ' "$work/simweb-$day.out" && break; sleep 0.05; done
  local as_of connect=()
  as_of=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["as_of"])' "$truth/truth.json")
  while read -r rule; do connect+=(--connect-to "$rule"); done < <(
    python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["connect_to"]))' \
      "$truth/truth.json")
  "$census" run --sites "$truth/sites.csv" --out "$work/day$day" --data "$work/data" \
    --as-of "$as_of" --probes 2 --probe-interval 50ms --probe-timeout 1s --page-timeout 3s \
    --host-delay 5ms --workers 2 --render off --quiet "${connect[@]}" >/dev/null
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

echo "bench-serve: two censuses of the simulated web (18 sites) in $work" >&2
census_day 0
census_day 1

port=$(free_port)
"$census" serve --data "$work/data" --listen "127.0.0.1:$port" --threads "$serve_threads" \
  >"$work/serve.out" 2>"$work/serve.err" &
pids+=($!)
for _ in $(seq 300); do grep -q '^serving ' "$work/serve.out" && break; sleep 0.05; done

# The forged_date site's column page: its evidence link in day 1's report lands on
# /view/<ts1>/<url>; the view page links the day before.
evidence=$(python3 - "$work/day1/report.json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
for site in report["sites"]:
    for e in site["evidence"]:
        if e["finding"] == "forged_date" and e["snapshot"]:
            print("/evidence/%s/%s" % (site["site_id"], e["snapshot"]))
            sys.exit(0)
sys.exit("no forged_date evidence in day 1's report")
EOF
)
view=$(curl -s -o /dev/null -w '%{redirect_url}' "http://127.0.0.1:$port$evidence")
view=${view#http://127.0.0.1:$port}
ts1=$(echo "$view" | cut -d/ -f3)
url=$(echo "$view" | cut -d/ -f4-)
ts0=$(curl -s "http://127.0.0.1:$port$view" | grep -o '/view/[0-9]\{14\}/[^"]*">← previous' |
  cut -d/ -f3)
[ -n "$ts0" ] && [ -n "$ts1" ] || { echo "bench-serve: no two versions of $url" >&2; exit 1; }

echo "| request | path | requests/s | p50 | p99 |"
echo "|---|---|---:|---:|---:|"
for spec in "page at T (links rewritten)|/web/$ts1/$url" "page at T (stored bytes)|/web/${ts1}id_/$url" \
            "view page (version + changes + frame)|/view/$ts1/$url" "diff of two days|/diff/$ts0/$ts1/$url"; do
  name=${spec%%|*}
  path=${spec#*|}
  status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$path")
  [ "$status" = 200 ] || { echo "bench-serve: $path answered $status" >&2; exit 1; }
  out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency "http://127.0.0.1:$port$path")
  echo "$out" >"$work/wrk-$(echo "$name" | tr -c 'a-z0-9' '_').txt"
  rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}')
  echo "| $name | \`${path:0:40}…\` | $rps | $p50 | $p99 |${errors:+ $errors}"
done
echo "wrk -t$threads -c$connections -d$duration --latency; census serve --threads $serve_threads" >&2
