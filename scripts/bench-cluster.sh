#!/usr/bin/env bash
# End-to-end cluster benchmark (issue 10, "Measured"; results in docs/BENCHMARKS.md).
#
#   scripts/bench-cluster.sh [--pages N] [--hosts H] [--article-bytes B] [--workdir DIR]
#                            [--build-dir DIR] [--workers "1 2 4"] [--shards "1 2"]
#                            [--run-workers W] [--worker-threads T] [--skip-run]
#                            [--probes N] [--limit SECONDS]
# --worker-threads T: each `census worker` runs T worker threads (--threads; default 1).
#
# On the static simulated web of scripts/bench-crawl.sh (generated or reused in
# --workdir, default /tmp/census-bench-crawl, and served by nginx on a free 127.0.0.1
# port: scripts/bench-web.sh), runs
#   1. `census run --workers W` (default 2, as bench-crawl.sh), unless --skip-run;
#   2. the tcp cluster on this one machine for every (shards, workers) pair of --shards
#      and --workers: `census store` × shards, one `census coordinator`, `census worker`
#      × workers, each its own process on 127.0.0.1 (--insecure-plaintext), the same
#      crawl flags as `census run` (--probes 1 --probe-interval 0s, --host-delay 0ms,
#      --host-connections 8, --no-robots, the same --max-pages-per-site);
#      then `census aggregate` of the run into the same three report files.
# Pages come from report.json (census run) and from the coordinator's completion line
# `census RUN complete: S sites, P pages fetched` (cluster). The cluster's crawl time
# runs from starting the stores to that line; aggregate is timed on its own; "total"
# is both, comparable to `census run`'s wall (which includes its own report). CPU is
# user + sys of every process (/usr/bin/time). Every wait is bounded (--limit, default
# 900 s a step); every process started here is stopped on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bench_name=bench-cluster

pages=40000
hosts=40
article_bytes=30000
workdir=${TMPDIR:-/tmp}/census-bench-crawl
build_dir=""
worker_counts="1 2 4"
shard_counts="1 2"
run_workers=2
worker_threads=1
skip_run=0
probes=1
limit=900
while [ $# -gt 0 ]; do
  case "$1" in
    --pages) pages=$2; shift 2 ;;
    --hosts) hosts=$2; shift 2 ;;
    --article-bytes) article_bytes=$2; shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --workers) worker_counts=$2; shift 2 ;;
    --shards) shard_counts=$2; shift 2 ;;
    --run-workers) run_workers=$2; shift 2 ;;
    --worker-threads) worker_threads=$2; shift 2 ;;
    --skip-run) skip_run=1; shift ;;
    --probes) probes=$2; shift 2 ;;
    --limit) limit=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "bench-cluster: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for w in $worker_counts $shard_counts $run_workers $worker_threads; do
  [[ $w =~ ^[1-9][0-9]*$ ]] || { echo "bench-cluster: --workers/--shards/--run-workers want numbers >= 1" >&2; exit 2; }
done
for v in pages hosts article_bytes probes limit; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "bench-cluster: --${v//_/-} wants a number" >&2; exit 2; }
done

log() { echo "bench-cluster: $*" >&2; }

# ---- what it needs -------------------------------------------------------------
bash "$root/scripts/install-deps.sh" --with nginx --with time --with curl
if [ -z "$build_dir" ]; then
  bash "$root/scripts/build.sh" >&2
  build_dir="$root/build"
fi
census="$build_dir/cmd/census"
simweb="$build_dir/simweb/simweb"
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
for b in "$census" "$simweb" "$nginx_bin"; do
  [ -x "$b" ] || { echo "bench-cluster: $b is missing" >&2; exit 1; }
done

mkdir -p "$workdir"
workdir=$(cd "$workdir" && pwd)
chmod 755 "$workdir"
run="$workdir/run-cluster"
rm -rf "$run"
mkdir -p "$run"

# Processes started here (the /usr/bin/time wrappers), stopped on exit with their child.
procs=()
stop_pid() {  # stop_pid PID: TERM the process under `time` and `time`, KILL after 10 s
  local p=$1 c
  for c in $(pgrep -P "$p" 2>/dev/null || true); do kill -TERM "$c" 2>/dev/null || true; done
  for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
  for c in $(pgrep -P "$p" 2>/dev/null || true); do kill -KILL "$c" 2>/dev/null || true; done
  kill -KILL "$p" 2>/dev/null || true
}
bench_extra_cleanup() {
  local p
  for p in "${procs[@]}"; do
    kill -0 "$p" 2>/dev/null && stop_pid "$p"
  done
  return 0
}
# ---- the web and nginx (scripts/bench-web.sh, shared with bench-crawl.sh) ----------
source "$root/scripts/bench-web.sh"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# CPU seconds (user + sys) of a `/usr/bin/time -f "%e %U %S %M"` output file.
time_cpu() { awk 'END {printf "%.2f", $2 + $3}' "$1" 2>/dev/null || echo 0; }
time_wall() { awk 'END {printf "%.2f", $1}' "$1" 2>/dev/null || echo 0; }
time_rss() { awk 'END {printf "%.0f", $4 / 1024}' "$1" 2>/dev/null || echo 0; }
now() { date +%s.%N; }
# wait_exit PID SECONDS: true when PID ended within SECONDS.
wait_exit() {
  local p=$1 n=$(( $2 * 10 ))
  for _ in $(seq 1 "$n"); do kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null || true; return 0; }; sleep 0.1; done
  return 1
}

results="$run/results.tsv"
: >"$results"
max_per_site=$(( site_files * 2 / hosts + 1000 ))
crawl_flags_coord=(--as-of 2026-11-20 --probes "$probes" --probe-interval 0s
  --max-pages-per-site "$max_per_site" --no-robots)
crawl_flags_worker=(--connect-to "::127.0.0.1:$port" --host-delay 0ms --host-connections 8
  --page-timeout 30s)

# ---- 1. census run -----------------------------------------------------------------
if [ "$skip_run" -eq 0 ]; then
  tag="run-w$run_workers"
  mkdir -p "$run/$tag"
  cmd=("$census" run --sites "$web/truth/sites.csv" --workers "$run_workers"
    "${crawl_flags_coord[@]}" "${crawl_flags_worker[@]}"
    --data "$run/$tag/data" --out "$run/$tag/out")
  printf '%q ' "${cmd[@]}" >"$run/$tag/command.txt"
  log "census run: $(cat "$run/$tag/command.txt")"
  sync
  cpu0=$(nginx_cpu)
  /usr/bin/time -f "%e %U %S %M" -o "$run/$tag/time.txt" \
    timeout --signal=TERM --kill-after=10 "$limit" "${cmd[@]}" \
    >"$run/$tag/stdout.txt" 2>"$run/$tag/stderr.txt" || {
    echo "bench-cluster: census run failed (see $run/$tag/stderr.txt)" >&2; tail -5 "$run/$tag/stderr.txt" >&2; exit 1; }
  cpu1=$(nginx_cpu)
  p=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["census"]["pages_fetched"])' \
    "$run/$tag/out/report.json")
  w=$(time_wall "$run/$tag/time.txt")
  printf 'census run --workers %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run_workers" "$p" "$w" "" "$w" \
    "$(time_cpu "$run/$tag/time.txt")" "$(python3 -c "print(f'{$cpu1-$cpu0:.1f}')")" \
    "peak RSS $(time_rss "$run/$tag/time.txt") MB" >>"$results"
  log "census run: $p pages in $w s"
  rm -rf "$run/$tag/data"
fi

# ---- 2. the tcp cluster ------------------------------------------------------------
for shards in $shard_counts; do
  for workers in $worker_counts; do
    tag="cluster-s$shards-w$workers"
    d="$run/$tag"
    mkdir -p "$d"
    procs=()
    store_list=()
    for i in $(seq 0 $(( shards - 1 ))); do store_list+=("tcp://127.0.0.1:$(free_port)"); done
    stores=$(IFS=,; echo "${store_list[*]}")
    coord="tcp://127.0.0.1:$(free_port)"
    log "$tag: stores $stores, coordinator $coord"
    sync
    cpu0=$(nginx_cpu)
    t0=$(now)
    for i in $(seq 0 $(( shards - 1 ))); do
      cmd=("$census" store --listen "${store_list[$i]}" --data "$d/store-$i" --shard "$i/$shards"
        --insecure-plaintext)
      printf '%q ' "${cmd[@]}" >>"$d/commands.txt"; echo >>"$d/commands.txt"
      /usr/bin/time -f "%e %U %S %M" -o "$d/time-store-$i.txt" "${cmd[@]}" \
        >"$d/store-$i.out" 2>"$d/store-$i.err" &
      procs+=($!)
    done
    cmd=("$census" coordinator --listen "$coord" --data "$d/coord" --sites "$web/truth/sites.csv"
      --stores "$stores" "${crawl_flags_coord[@]}" --linger 2s --insecure-plaintext)
    printf '%q ' "${cmd[@]}" >>"$d/commands.txt"; echo >>"$d/commands.txt"
    /usr/bin/time -f "%e %U %S %M" -o "$d/time-coordinator.txt" "${cmd[@]}" \
      >"$d/coordinator.out" 2>"$d/coordinator.err" &
    coord_pid=$!
    procs+=("$coord_pid")
    worker_pids=()
    for i in $(seq 1 "$workers"); do
      cmd=("$census" worker --coordinator "$coord" --stores "$stores" --id "w$i"
        --threads "$worker_threads" "${crawl_flags_worker[@]}" --insecure-plaintext)
      printf '%q ' "${cmd[@]}" >>"$d/commands.txt"; echo >>"$d/commands.txt"
      /usr/bin/time -f "%e %U %S %M" -o "$d/time-worker-$i.txt" "${cmd[@]}" \
        >"$d/worker-$i.out" 2>"$d/worker-$i.err" &
      worker_pids+=($!)
      procs+=($!)
    done
    # The completion line, bounded.
    done_line=""
    deadline=$(( $(date +%s) + limit ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
      done_line=$(grep -m1 ' complete: ' "$d/coordinator.out" 2>/dev/null || true)
      [ -n "$done_line" ] && break
      kill -0 "$coord_pid" 2>/dev/null || break
      sleep 0.1
    done
    t1=$(now)
    if [ -z "$done_line" ]; then
      echo "bench-cluster: $tag did not complete within ${limit}s (logs in $d)" >&2
      tail -3 "$d/coordinator.err" >&2
      exit 1
    fi
    crawl=$(python3 -c "print(f'{$t1-$t0:.2f}')")
    run_id=$(awk '/ complete: / {print $2; exit}' "$d/coordinator.out")
    p=$(sed -E 's/.* ([0-9]+) pages fetched.*/\1/' <<<"$done_line")
    # The coordinator lingers 2 s answering Shutdown; the workers exit on it.
    wait_exit "$coord_pid" 60 || log "$tag: coordinator still running after 60 s"
    for wp in "${worker_pids[@]}"; do wait_exit "$wp" 60 || log "$tag: a worker still running after 60 s"; done
    cpu1=$(nginx_cpu)
    # The report from the stores.
    cmd=("$census" aggregate --stores "$stores" --run "$run_id" --out "$d/out" --timeout 10m
      --insecure-plaintext)
    printf '%q ' "${cmd[@]}" >>"$d/commands.txt"; echo >>"$d/commands.txt"
    ta=$(now)
    /usr/bin/time -f "%e %U %S %M" -o "$d/time-aggregate.txt" \
      timeout --signal=TERM --kill-after=10 "$limit" "${cmd[@]}" \
      >"$d/aggregate.out" 2>"$d/aggregate.err" || {
      echo "bench-cluster: census aggregate failed (see $d/aggregate.err)" >&2; tail -3 "$d/aggregate.err" >&2; exit 1; }
    tb=$(now)
    agg=$(python3 -c "print(f'{$tb-$ta:.2f}')")
    for sp in "${procs[@]}"; do kill -0 "$sp" 2>/dev/null && stop_pid "$sp"; done
    procs=()
    report_pages=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["census"]["pages_fetched"])' \
      "$d/out/report.json" 2>/dev/null || echo "?")
    cpu_all=0
    roles=""
    for f in "$d"/time-*.txt; do
      c=$(time_cpu "$f")
      cpu_all=$(python3 -c "print(f'{$cpu_all+$c:.2f}')")
      r=$(basename "$f" .txt); r=${r#time-}
      roles="$roles $r=$c"
    done
    total=$(python3 -c "print(f'{$crawl+$agg:.2f}')")
    resent=$(grep -ho '[0-9]* resent' "$d"/worker-*.err | awk '{s += $1} END {print s + 0}')
    printf 'cluster %s shard(s), %s worker(s) x %s thread(s)\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$shards" "$workers" "$worker_threads" \
      "$p" "$crawl" "$agg" "$total" "$cpu_all" "$(python3 -c "print(f'{$cpu1-$cpu0:.1f}')")" \
      "report pages $report_pages; store resends $resent; CPU-s:$roles" >>"$results"
    log "$tag: $p pages, crawl ${crawl}s, aggregate ${agg}s"
    rm -rf "$d/store-"*/ "$d/coord"
  done
done

# ---- 3. the table ------------------------------------------------------------------
python3 - "$results" "$web_files" "$hosts" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'EOF' | tee "$run/table.md"
import sys
path, files, hosts, ncpu, load = sys.argv[1:6]
rows = [l.rstrip("\n").split("\t") for l in open(path) if l.strip()]
print(f"web: {files} files, {hosts} hosts; machine: {ncpu} cores, load {load} (after the run)")
print()
print("| configuration | pages | crawl s | pages/s (crawl) | aggregate s | total s | pages/s (total) | CPU-s | nginx CPU-s | notes |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
base = None
for name, pages, crawl, agg, total, cpu, ngx, note in rows:
    p, c, t = int(pages), float(crawl), float(total)
    rate_t = p / t if t else 0
    if name.startswith("census run"):
        base = rate_t
        print(f"| {name} | {p} | {c:.1f} (with report) | {p / c:.0f} | (in run) | {t:.1f} | {rate_t:.0f} | {cpu} | {ngx} | {note} |")
    else:
        print(f"| {name} | {p} | {c:.1f} | {p / c:.0f} | {float(agg):.1f} | {t:.1f} | {rate_t:.0f} | {cpu} | {ngx} | {note} |")
if base:
    print()
    for name, pages, crawl, agg, total, cpu, ngx, note in rows:
        if name.startswith("cluster"):
            p = int(pages)
            print(f"{name}: total pages/s {p / float(total) / base:.2f}x census run; "
                  f"crawl-only pages/s {p / float(crawl) / base:.2f}x")
EOF
log "logs and the table are in $run"
