#!/usr/bin/env bash
# Storage benchmark (issue 13, "Measured"; results in docs/BENCHMARKS.md "Storage").
#
#   scripts/bench-storage.sh [--days 30] [--pages 10000] [--hosts 20] [--change-rate R]
#                            [--article-bytes 30000] [--workdir DIR] [--data-dir DIR]
#                            [--build-dir DIR]
#
# Thirty simulated days (--days) of a static simulated web of at least --pages files
# over --hosts host names (simweb's classic web; news columns gain items every day, and
# each article is revised on a day with probability --change-rate, default 0.023: with
# the news, about 3 % of the pages change a day; the measured share is printed). Each
# day the web of that day (`simweb generate --day D --change-rate R`) is served by
# Debian's nginx on a free 127.0.0.1 port (scripts/bench-web.sh) and crawled twice:
#   census  `census run` into one --data directory kept across the days (its store
#           grows by the day: deduplicated bodies, zstd keyframes and deltas)
#   wget    `wget --mirror --warc-file DAY` (one WARC.gz a day, as an archivist would)
# census run keeps the bodies of the pages it reads (homepages, column lists, articles
# with findings) and a fetch record of every page; to hold the same thirty days of every
# page in the census's storage format, the WARC.gz files are then imported
# (`census import-warc`, in day order) into a store of their own. It prints, per day
# and in total: bytes on disk of both stores (as written, and compacted with LZ4 or
# zstd records: bench/storage_bench --lz4-copy/--zstd-copy), of the WARC.gz files and
# of the raw pages, and the ratios; the ingest rate (import-warc: raw MB/s); and
# version rebuild latency (Store::GetBody of every stored version twice: p50, p90,
# p99, max).
#
# Bounded: each crawl has a timeout; nginx is stopped by a trap on any exit; traffic
# goes to 127.0.0.1 only. Figures vary with the machine's load (printed). The web of the
# day (rewritten in place), nginx and wget's scratch copy live in WORKDIR (default
# /tmp/census-bench-storage; a tmpfs such as /dev/shm/x spares the disk ~2 × 300 MB of
# writes a day); the census store, the WARC.gz files, logs and tables in --data-dir
# (default WORKDIR/run), which should be a real disk: its bytes are the figures.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

days=30
pages=10000
hosts=20
change_rate=0.023
article_bytes=30000
workdir=${TMPDIR:-/tmp}/census-bench-storage
data_dir=""
build_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --days) days=$2; shift 2 ;;
    --pages) pages=$2; shift 2 ;;
    --hosts) hosts=$2; shift 2 ;;
    --change-rate) change_rate=$2; shift 2 ;;
    --article-bytes) article_bytes=$2; shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    --data-dir) data_dir=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "bench-storage: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for v in days pages hosts article_bytes; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "bench-storage: --${v//_/-} wants a number" >&2; exit 2; }
done
[[ $change_rate =~ ^(0|1)?(\.[0-9]+)?$ ]] || { echo "bench-storage: --change-rate wants 0..1" >&2; exit 2; }
[ "$days" -ge 1 ] && [ "$hosts" -ge 1 ] || { echo "bench-storage: --days and --hosts >= 1" >&2; exit 2; }

log() { echo "bench-storage: $*" >&2; }
bench_name=bench-storage

bash "$root/scripts/install-deps.sh" --with nginx --with wget --with time --with curl
if [ -z "$build_dir" ]; then
  CENSUS_TARGETS="census simweb storage_bench" bash "$root/scripts/build.sh" >&2
  build_dir="$root/build"
fi
census="$build_dir/cmd/census"
simweb="$build_dir/simweb/simweb"
storage_bench="$build_dir/bench/storage_bench"
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
for b in "$census" "$simweb" "$nginx_bin"; do
  [ -x "$b" ] || { echo "bench-storage: $b is missing" >&2; exit 1; }
done

mkdir -p "$workdir"
workdir=$(cd "$workdir" && pwd)
chmod 755 "$workdir"
run="$workdir/run"  # scratch: nginx, wget's copy
rm -rf "$run"
mkdir -p "$run"
keep=${data_dir:-$run}  # the figures: store, WARC.gz files, logs, tables
mkdir -p "$keep"
keep=$(cd "$keep" && pwd)
rm -rf "$keep/census-data" "$keep/warc" "$keep"/day-* "$keep/days.tsv"
mkdir -p "$keep/warc"

# Day 0's web, sized to >= $pages files, and nginx (shared with bench-crawl).
web_gen_extra=(--day 0 --change-rate "$change_rate")
source "$root/scripts/bench-web.sh"
rm -f "$web/stamp"  # rewritten day by day below: never reused as day 0

timed() {  # timed TIMEFILE LIMIT_SECONDS CMD...
  local tf=$1 limit=$2
  shift 2
  /usr/bin/time -v -o "$tf" timeout --signal=TERM --kill-after=10 "$limit" "$@"
}
wall_of() {  # seconds of a /usr/bin/time -v file
  python3 - "$1" <<'EOF'
import sys
for line in open(sys.argv[1]):
    k, _, v = line.strip().rpartition(": ")
    if k.startswith("Elapsed (wall clock)"):
        s = 0.0
        for part in v.split(":"):
            s = s * 60 + float(part)
        print(f"{s:.2f}")
EOF
}
serve_check() {
  for _ in $(seq 1 50); do
    curl -sf -o /dev/null --max-time 2 -H "Host: $first_host" "http://127.0.0.1:$port/" && return 0
    sleep 0.1
  done
  echo "bench-storage: nginx stopped serving" >&2
  exit 1
}
fingerprints() {  # path<TAB>md5 of every file of the web, sorted
  (cd "$web/pages" && find . -type f -print0 | xargs -0 md5sum | awk '{print $2 "\t" $1}' | sort)
}

max_per_site=$(( site_files * 3 / hosts + 1000 ))
no_robots=()
if { "$census" 2>&1 || true; } | grep -q -- '--no-robots'; then no_robots=(--no-robots); fi
urls=()
for h in $site_hosts; do urls+=("http://$h/"); done
data="$keep/census-data"
results="$keep/days.tsv"
printf 'day\tfiles\tchanged\tnew\traw_bytes\tcensus_pages\tcensus_wall_s\twget_wall_s\tstore_bytes\twarc_bytes\n' >"$results"
fingerprints >"$run/prev.md5"

for (( d = 0; d < days; d++ )); do
  as_of=$(date -u -d "2026-11-20 + $d days" +%F)
  if [ "$d" -gt 0 ]; then
    rm -rf "$web/pages" "$web/truth"
    "$simweb" generate --seed 1 --sites "$hosts" --as-of 2026-11-20 --probes 1 \
      --pages-per-column "$ppc" --article-bytes "$article_bytes" --day "$d" \
      --change-rate "$change_rate" --pages-dir "$web/pages" --truth-dir "$web/truth" 2>/dev/null
    chmod -R a+rX "$web"
    kill -HUP "$nginx_pid"  # new workers: no descriptor of yesterday's files cached
    sleep 0.5
    serve_check
  fi
  fingerprints >"$run/today.md5"
  read -r files changed new < <(python3 - "$run/prev.md5" "$run/today.md5" <<'EOF'
import sys
def load(p):
    return dict(line.rstrip("\n").split("\t") for line in open(p) if line.strip())
prev, today = load(sys.argv[1]), load(sys.argv[2])
changed = sum(1 for k, v in today.items() if k in prev and prev[k] != v)
new = sum(1 for k in today if k not in prev)
print(len(today), changed, new)
EOF
)
  mv "$run/today.md5" "$run/prev.md5"
  raw=$(du -sb "$web/pages" | cut -f1)

  # census: one run a day into the same store.
  mkdir -p "$keep/day-$d"
  census_cmd=("$census" run --sites "$web/truth/sites.csv" --as-of "$as_of"
    --connect-to "::127.0.0.1:$port" --probes 1 --probe-interval 0s --ipv6-probes 0
    --https-check off --host-delay 0ms --host-connections 8
    --max-pages-per-site "$max_per_site" --page-timeout 30s --render off
    --data "$data" --out "$keep/day-$d/out" --quiet "${no_robots[@]}")
  printf '%q ' "${census_cmd[@]}" >"$keep/day-$d/census-command.txt"
  if ! timed "$keep/day-$d/census-time.txt" 1800 "${census_cmd[@]}" \
      >"$keep/day-$d/census-stdout.txt" 2>"$keep/day-$d/census-stderr.txt"; then
    echo "bench-storage: census run failed on day $d (see $keep/day-$d/census-stderr.txt):" >&2
    tail -5 "$keep/day-$d/census-stderr.txt" >&2
    exit 1
  fi
  census_pages=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["census"]["pages_fetched"])' \
    "$keep/day-$d/out/report.json")
  rm -rf "$keep/day-$d/out"

  # wget: the same pages as a WARC.gz of the day.
  rm -rf "$run/wget"
  timed "$keep/day-$d/wget-time.txt" 1800 env -u no_proxy -u NO_PROXY \
    wget --mirror -nv --no-parent -e robots=off -e use_proxy=yes \
    -e "http_proxy=http://127.0.0.1:$port/" --warc-file="$keep/warc/day-$d" --warc-tempdir="$run" \
    -P "$run/wget" -o "$keep/day-$d/wget.log" "${urls[@]}" || true
  rm -rf "$run/wget"
  [ -s "$keep/warc/day-$d.warc.gz" ] || { echo "bench-storage: wget wrote no WARC on day $d" >&2; exit 1; }

  store_bytes=$(du -sb "$data/store-0" | cut -f1)
  warc_bytes=$(du -cb "$keep"/warc/*.warc.gz | tail -1 | cut -f1)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$d" "$files" "$changed" "$new" "$raw" \
    "$census_pages" "$(wall_of "$keep/day-$d/census-time.txt")" "$(wall_of "$keep/day-$d/wget-time.txt")" \
    "$store_bytes" "$warc_bytes" >>"$results"
  log "day $d ($as_of): $files files, $changed changed, $new new; census $census_pages pages;" \
    "store $((store_bytes / 1048576)) MB, WARC.gz $((warc_bytes / 1048576)) MB (load $(cut -d' ' -f1-3 /proc/loadavg))"
done

# The same thirty days in the census's storage format: every WARC.gz imported into a
# store of its own (census import-warc: every response body deduplicated by hash, zstd
# keyframes and deltas), in day order. Its wall time gives the format's ingest rate.
[ -x "$storage_bench" ] || { echo "bench-storage: $storage_bench is missing" >&2; exit 1; }
warcs=()
for (( d = 0; d < days; d++ )); do warcs+=("$keep/warc/day-$d.warc.gz"); done
rm -rf "$keep/import"
log "census import-warc of the $days WARC.gz files"
timed "$keep/import-time.txt" 3600 "$census" import-warc --data "$keep/import" \
  --sites "$web/truth/sites.csv" --quiet "${warcs[@]}" >"$keep/import.txt" 2>&1
import_wall=$(wall_of "$keep/import-time.txt")
import_bytes=$(du -sb "$keep/import/store-0" | cut -f1)

# Bytes on disk as each store is left, and compacted (one sorted run a family: LZ4
# records as the census keeps them, or zstd as a cold archive could), and rebuilds.
settle() {  # settle NAME STORE: NAME-lz4 and NAME-zstd copies measured, then removed
  local name=$1 store=$2 c
  for c in lz4 zstd; do
    rm -rf "$keep/$name-$c"
    timeout 3600 "$storage_bench" --store "$store" --"$c"-copy "$keep/$name-$c" --repeat 2 \
      >"$keep/bench-$name-$c.tsv"
    printf '%s_%s_bytes\t%s\n' "$name" "$c" "$(du -sb "$keep/$name-$c" | cut -f1)" >>"$keep/sizes.tsv"
    rm -rf "$keep/$name-$c"
  done
}
: >"$keep/sizes.tsv"
printf 'census_bytes\t%s\nimport_bytes\t%s\nimport_wall_s\t%s\n' \
  "$(du -sb "$data/store-0" | cut -f1)" "$import_bytes" "$import_wall" >>"$keep/sizes.tsv"
log "storage_bench over the census store and the imported store"
settle census "$data/store-0"
settle import "$keep/import/store-0"
rm -rf "$keep/import"

python3 - "$results" "$keep/sizes.tsv" "$keep/bench-import-zstd.tsv" "$keep/bench-census-lz4.tsv" \
  "$ppc" "$hosts" "$change_rate" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
kv = lambda p: dict(l.rstrip("\n").split("\t", 1) for l in open(p) if "\t" in l)
size, imp, cen = kv(sys.argv[2]), kv(sys.argv[3]), kv(sys.argv[4])
ppc, hosts, rate = sys.argv[5:8]
mb = lambda b: f"{int(b) / 1e6:,.1f}"
print(f"{len(rows)} days, {hosts} hosts, {ppc} pages per column, change rate {rate}")
print("| day | files | changed | new | changed+new % | census pages | census s | wget s | census store MB | WARC.gz MB (sum) |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    share = 100.0 * (int(r["changed"]) + int(r["new"])) / int(r["files"])
    print(f"| {r['day']} | {r['files']} | {r['changed']} | {r['new']} | {share:.2f} | {r['census_pages']} | "
          f"{r['census_wall_s']} | {r['wget_wall_s']} | {mb(r['store_bytes'])} | {mb(r['warc_bytes'])} |")
raw = sum(int(r["raw_bytes"]) for r in rows)
warc = int(rows[-1]["warc_bytes"])
later = rows[1:]
if later:
    share = sum((int(r["changed"]) + int(r["new"])) / int(r["files"]) for r in later) / len(later)
    print(f"\npages changed or new a day (days 1..): {100 * share:.2f} % on average")
print(f"raw bytes served over {len(rows)} days: {mb(raw)} MB; wget's WARC.gz files: {mb(warc)} MB (1/{raw / warc:.1f} of raw)")
def line(what, b):
    b = int(b)
    print(f"{what}: {mb(b)} MB = 1/{warc / b:.1f} of the WARC.gz, 1/{raw / b:.1f} of raw")
line("every page in the census format (import-warc of the WARC.gz files), as written", size["import_bytes"])
line("  the same, compacted (LZ4 records)", size["import_lz4_bytes"])
line("  the same, compacted (zstd records)", size["import_zstd_bytes"])
line("census run's own store (bodies of the pages it reads, records of all)", size["census_bytes"])
line("  the same, compacted (LZ4 records)", size["census_lz4_bytes"])
line("  the same, compacted (zstd records)", size["census_zstd_bytes"])
print(f"ingest (import-warc: gunzip, parse, SHA-256, dedup, zstd, RocksDB): "
      f"{raw / 1e6 / float(size['import_wall_s']):.1f} MB/s raw ({size['import_wall_s']} s)")
census_s = sum(float(r["census_wall_s"]) for r in rows)
print(f"census run end to end (fetch, parse, store, report): {raw / 1e6 / census_s:.1f} MB/s raw ({census_s:.0f} s)")
for name, b in (("import", imp), ("census", cen)):
    print(f"{name} store: {b.get('bodies')} bodies ({b.get('keyframes')} keyframes, {b.get('deltas')} deltas), "
          f"{mb(b.get('raw_bytes', 0))} MB raw in {mb(b.get('stored_bytes', 0))} MB; rebuild of "
          f"{b.get('versions_stored')} versions x 2: p50 {b.get('rebuild_p50_ms')} ms, p90 {b.get('rebuild_p90_ms')} ms, "
          f"p99 {b.get('rebuild_p99_ms')} ms, max {b.get('rebuild_max_ms')} ms")
EOF
