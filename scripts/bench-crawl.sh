#!/usr/bin/env bash
# End-to-end crawl benchmark (issue 4, "Speed"; results in docs/BENCHMARKS.md).
#
#   scripts/bench-crawl.sh [--pages N] [--hosts H] [--skip-peers] [--article-bytes B]
#                          [--workdir DIR] [--build-dir DIR] [--scrapy-seconds S]
#                          [--workers "N ..."] [--census-arg ARG]...
#
# Generates a static simulated government web of at least N pages (default 40000,
# ~30 KB of HTML an article) over H host names (default 40), serves it with Debian's
# nginx on a free 127.0.0.1 port (started and stopped here), then measures on it:
#   wrk     the server's ceiling (req/s on one article, 2 threads, 64 connections)
#   census  `census run` end to end (fetch, charset, parse, extract, store, report)
#   wget    `wget --mirror` (one thread, links only), unless --skip-peers
#   scrapy  a minimal Scrapy CrawlSpider (bench/crawl/scrapy_spider.py), unless
#           --skip-peers; bounded by --scrapy-seconds (default 120) since it is slow
# and prints pages, wall seconds, pages/s, CPU-seconds per 1,000 pages and peak RSS
# for each, with the ratios census/wget and census/scrapy.
#
# --workers "2 4" runs the census once per value of its --workers (default "2", the
# census's own default); each is a row of the table. --build-dir DIR uses census and
# simweb already built in DIR (DIR/cmd/census, DIR/simweb/simweb) instead of running
# scripts/build.sh. --census-arg ARG appends ARG to the `census run` command line
# (repeat it: --census-arg --host-connections --census-arg 16). --census-wrap "CMD
# ARGS" runs the census under a profiler, e.g. --census-wrap "perf record -e
# cpu-clock -F 499 --call-graph dwarf -o /tmp/census.perf --". The generated web is
# kept in --workdir (default /tmp/census-bench-crawl) and reused while the sizes and
# the simweb binary are the same. Figures vary with the machine's load (printed).
# Traffic goes to 127.0.0.1 only. Needs root or sudo the first time (apt-get).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

pages=40000
hosts=40
article_bytes=30000
skip_peers=0
workdir=${TMPDIR:-/tmp}/census-bench-crawl
build_dir=""
scrapy_seconds=120
census_workers=2
census_extra=()
census_wrap=()
while [ $# -gt 0 ]; do
  case "$1" in
    --pages) pages=$2; shift 2 ;;
    --hosts) hosts=$2; shift 2 ;;
    --article-bytes) article_bytes=$2; shift 2 ;;
    --skip-peers) skip_peers=1; shift ;;
    --workdir) workdir=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --scrapy-seconds) scrapy_seconds=$2; shift 2 ;;
    --workers) census_workers=$2; shift 2 ;;
    --census-arg) census_extra+=("$2"); shift 2 ;;
    --census-wrap) read -r -a census_wrap <<<"$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "bench-crawl: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for w in $census_workers; do
  [[ $w =~ ^[1-9][0-9]*$ ]] || { echo "bench-crawl: --workers wants numbers >= 1" >&2; exit 2; }
done
for v in pages hosts article_bytes scrapy_seconds; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "bench-crawl: --${v//_/-} wants a number" >&2; exit 2; }
done
[ "$hosts" -ge 1 ] || { echo "bench-crawl: --hosts must be >= 1" >&2; exit 2; }

log() { echo "bench-crawl: $*" >&2; }

# ---- what it needs -------------------------------------------------------------
bash "$root/scripts/install-deps.sh" --with nginx --with wget --with python3-scrapy \
  --with wrk --with time --with curl
if [ -z "$build_dir" ]; then
  bash "$root/scripts/build.sh" >&2
  build_dir="$root/build"
fi
census="$build_dir/cmd/census"
simweb="$build_dir/simweb/simweb"
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
for b in "$census" "$simweb" "$nginx_bin"; do
  [ -x "$b" ] || { echo "bench-crawl: $b is missing" >&2; exit 1; }
done

mkdir -p "$workdir"
workdir=$(cd "$workdir" && pwd)
chmod 755 "$workdir"
run="$workdir/run"
rm -rf "$run"
mkdir -p "$run"

# ---- the web and nginx (shared with scripts/bench-cluster.sh) -------------------------
source "$root/scripts/bench-web.sh"

results="$run/results.tsv"
: >"$results"
# record TOOL PAGES TIMEFILE SERVER_CPU NOTE
record() {
  python3 - "$@" >>"$results" <<'EOF'
import sys
tool, pages, timefile, server_cpu, note = sys.argv[1:6]
t = {}
for line in open(timefile):
    k, _, v = line.strip().rpartition(": ")
    t[k] = v
wall = t.get("Elapsed (wall clock) time (h:mm:ss or m:ss)", "0:0")
secs = 0.0
for part in wall.split(":"):
    secs = secs * 60 + float(part)
cpu = float(t.get("User time (seconds)", 0)) + float(t.get("System time (seconds)", 0))
rss = int(t.get("Maximum resident set size (kbytes)", 0)) / 1024
print("\t".join([tool, pages, f"{secs:.2f}", f"{cpu:.2f}", f"{rss:.0f}", server_cpu, note]))
EOF
}
timed() {  # timed TIMEFILE LIMIT_SECONDS CMD...: /usr/bin/time -v, bounded by timeout
  local tf=$1 limit=$2
  shift 2
  /usr/bin/time -v -o "$tf" timeout --signal=TERM --kill-after=10 "$limit" "$@"
}

# ---- a. wrk: the server's ceiling ------------------------------------------------
article=$(cd "$web/pages/$first_host" && find col -type f -name '*.html' -size +20k | sort | sed -n 1p)
log "wrk: http://$first_host/$article"
wrk -t2 -c64 -d10s -H "Host: $first_host" "http://127.0.0.1:$port/$article" >"$run/wrk.txt" 2>&1 || true
wrk_rps=$(awk '/^Requests\/sec:/ {print $2}' "$run/wrk.txt")
wrk_rps=${wrk_rps:-0}
log "wrk: $wrk_rps req/s"

# ---- b. census: once per --workers value ----------------------------------------------
max_per_site=$(( site_files * 2 / hosts + 1000 ))
no_robots=()
if { "$census" 2>&1 || true; } | grep -q -- '--no-robots'; then no_robots=(--no-robots); fi
for w in $census_workers; do
  tag="census-w$w"
  census_cmd=("${census_wrap[@]}" "$census" run --sites "$web/truth/sites.csv" --as-of 2026-11-20
    --connect-to "::127.0.0.1:$port" --probes 1 --probe-interval 0s
    --host-delay 0ms --host-connections 8 --max-pages-per-site "$max_per_site"
    --page-timeout 30s --workers "$w" --data "$run/$tag/data" --out "$run/$tag/out"
    "${no_robots[@]}" "${census_extra[@]}")
  mkdir -p "$run/$tag"
  printf '%q ' "${census_cmd[@]}" >"$run/$tag/command.txt"
  log "census: $(cat "$run/$tag/command.txt")"
  sync
  cpu0=$(nginx_cpu)
  if ! timed "$run/$tag/time.txt" 1800 "${census_cmd[@]}" >"$run/$tag/stdout.txt" 2>"$run/$tag/stderr.txt"; then
    echo "bench-crawl: census run failed (see $run/$tag/stderr.txt):" >&2
    tail -5 "$run/$tag/stderr.txt" >&2
    exit 1
  fi
  cpu1=$(nginx_cpu)
  census_pages=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["census"]["pages_fetched"])' \
    "$run/$tag/out/report.json")
  record "census --workers $w" "$census_pages" "$run/$tag/time.txt" \
    "$(python3 -c "print(f'{$cpu1-$cpu0:.1f}')")" "fetch+charset+parse+extract+store+report"
  log "census --workers $w: $census_pages pages; $(tail -1 "$run/$tag/stdout.txt")"
  rm -rf "$run/$tag/data"
done

if [ "$skip_peers" -eq 0 ]; then
  # ---- c. wget --mirror: one thread, all homepages in one invocation ----------------
  urls=()
  for h in $site_hosts; do urls+=("http://$h/"); done
  rm -rf "$run/wget"
  sync
  cpu0=$(nginx_cpu)
  timed "$run/wget-time.txt" 1800 env -u no_proxy -u NO_PROXY \
    wget --mirror -nv --no-parent -e robots=off -e use_proxy=yes \
    -e "http_proxy=http://127.0.0.1:$port/" -P "$run/wget" -o "$run/wget.log" "${urls[@]}" || true
  cpu1=$(nginx_cpu)
  wget_pages=$(grep -c ' URL:' "$run/wget.log" || true)
  record wget "$wget_pages" "$run/wget-time.txt" "$(python3 -c "print(f'{$cpu1-$cpu0:.1f}')")" \
    "wget --mirror, 1 thread, saves files, follows links"
  log "wget: $wget_pages pages; $(grep 'Downloaded:' "$run/wget.log" || true)"
  rm -rf "$run/wget"

  # ---- d. Scrapy: CrawlSpider, 64 concurrent requests, bounded ----------------------
  sync
  cpu0=$(nginx_cpu)
  timed "$run/scrapy-time.txt" $(( scrapy_seconds + 120 )) env -u no_proxy -u NO_PROXY \
    http_proxy="http://127.0.0.1:$port" \
    /usr/bin/python3 -m scrapy runspider "$root/bench/crawl/scrapy_spider.py" \
    -a sites="$web/truth/sites.csv" -a stats_out="$run/scrapy-stats.json" \
    -s CLOSESPIDER_PAGECOUNT="$pages" -s CLOSESPIDER_TIMEOUT="$scrapy_seconds" \
    -s CONCURRENT_REQUESTS=64 -s LOG_LEVEL=INFO >"$run/scrapy.log" 2>&1 || true
  cpu1=$(nginx_cpu)
  scrapy_pages=$(python3 -c '
import json, sys
try:
    print(json.load(open(sys.argv[1])).get("response_received_count", 0))
except OSError:
    print(0)' "$run/scrapy-stats.json")
  record scrapy "$scrapy_pages" "$run/scrapy-time.txt" "$(python3 -c "print(f'{$cpu1-$cpu0:.1f}')")" \
    "CrawlSpider, CONCURRENT_REQUESTS 64, stopped after ${scrapy_seconds}s or $pages pages"
  log "scrapy: $scrapy_pages pages"
fi

nginx_errors=$(grep -c '\[\(crit\|alert\|emerg\)\]' "$ngx/logs/error.log" 2>/dev/null || true)
if [ "${nginx_errors:-0}" -gt 0 ]; then
  log "WARNING: nginx logged $nginx_errors errors ($ngx/logs/error.log); the figures are suspect"
fi

# ---- e. the table -------------------------------------------------------------------
python3 - "$results" "$wrk_rps" "$web_files" "$web_html" "$web_bytes" "$hosts" "$ppc" \
  "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'EOF' | tee "$run/table.md"
import sys
path, wrk, files, html, nbytes, hosts, ppc, ncpu, load = sys.argv[1:10]
rows = [l.rstrip("\n").split("\t") for l in open(path) if l.strip()]
print(f"web: {files} files ({html} HTML), {int(nbytes) / 2**20:.0f} MB, {hosts} hosts, "
      f"{ppc} pages per column; machine: {ncpu} cores, load {load} (after the run)")
print()
print("| tool | pages | wall s | pages/s | CPU-s / 1,000 pages | peak RSS MB | nginx CPU-s |")
print("|---|---:|---:|---:|---:|---:|---:|")
rate = {}
for tool, pages, wall, cpu, rss, server, note in rows:
    p, w, c = int(pages), float(wall), float(cpu)
    rate[tool] = p / w if w > 0 else 0.0
    per_k = c / p * 1000 if p else 0.0
    print(f"| {tool} | {p} | {w:.1f} | {rate[tool]:.0f} | {per_k:.2f} | {rss} | {server} |")
print(f"| wrk (server ceiling, 1 article) | | 10.0 | {float(wrk):.0f} req/s | | | |")
print()
for tool in rate:
    if not tool.startswith("census"):
        continue
    for peer in ("wget", "scrapy"):
        if rate.get(peer):
            print(f"{tool} / {peer}: {rate[tool] / rate[peer]:.2f}x pages/s")
    if float(wrk) > 0:
        print(f"{tool} / wrk ceiling: {rate[tool] / float(wrk):.3f}")
EOF
log "logs and the table are in $run"
