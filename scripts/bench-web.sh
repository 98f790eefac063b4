# Sourced by scripts/bench-crawl.sh and scripts/bench-cluster.sh: generates (or reuses)
# the static simulated web in $workdir/web and serves it with nginx on a free 127.0.0.1
# port. Needs: root, workdir, run, pages, hosts, article_bytes, simweb, nginx_bin and
# log(); optionally web_gen_extra (more `simweb generate` flags). Sets: web, ppc,
# web_files, web_html, web_bytes, site_hosts, site_files, first_host, port, ngx,
# nginx_pid, nginx_cpu(). Its EXIT trap stops nginx after calling bench_extra_cleanup
# when the sourcing script defines one.

# ---- the web: at least $pages files over $hosts host names ----------------------
count_files() { find "$1" -type f | wc -l; }
gen() {  # gen DIR PAGES_PER_COLUMN ARTICLE_BYTES
  rm -rf "$1"
  "$simweb" generate --seed 1 --sites "$hosts" --as-of 2026-11-20 --probes 1 \
    --pages-per-column "$2" --article-bytes "$3" --pages-dir "$1/pages" --truth-dir "$1/truth" \
    "${web_gen_extra[@]}" >&2
}
web="$workdir/web"
web_gen_extra=("${web_gen_extra[@]}")
stamp="pages=$pages hosts=$hosts article_bytes=$article_bytes ${web_gen_extra[*]} simweb=$(md5sum <"$simweb" | cut -c1-16)"
if [ -f "$web/stamp" ] && [ "$(cat "$web/stamp")" = "$stamp" ]; then
  log "reusing the web in $web ($(count_files "$web/pages") files)"
else
  # Size the columns: two small probes give files = a + b * pages_per_column.
  gen "$workdir/probe" 20 0
  f20=$(count_files "$workdir/probe/pages")
  gen "$workdir/probe" 40 0
  f40=$(count_files "$workdir/probe/pages")
  rm -rf "$workdir/probe"
  slope=$(( (f40 - f20) / 20 ))
  [ "$slope" -ge 1 ] || slope=1
  ppc=$(( 20 + (pages - f20 + slope - 1) / slope ))
  [ "$ppc" -ge 8 ] || ppc=8
  for _ in 1 2 3 4 5 6; do
    log "generating the web: $hosts hosts, $ppc pages per column, $article_bytes-byte articles"
    gen "$web" "$ppc" "$article_bytes"
    files=$(count_files "$web/pages")
    [ "$files" -ge "$pages" ] && break
    ppc=$(( ppc + (pages - files + slope - 1) / slope ))
  done
  files=$(count_files "$web/pages")
  if [ "$files" -lt "$pages" ]; then
    echo "${bench_name:-bench-crawl}: the generated web has $files files, fewer than $pages" >&2
    exit 1
  fi
  echo "$ppc" >"$web/pages-per-column"
  echo "$stamp" >"$web/stamp"
fi
chmod -R a+rX "$web"
ppc=$(cat "$web/pages-per-column")
web_files=$(count_files "$web/pages")
web_html=$(find "$web/pages" -type f -name '*.html' | wc -l)
web_bytes=$(du -sb "$web/pages" | cut -f1)
site_hosts=$(python3 -c '
import csv, sys, urllib.parse
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")):
    print(urllib.parse.urlsplit(r["url"]).hostname)' "$web/truth/sites.csv")
site_files=0
for h in $site_hosts; do site_files=$(( site_files + $(count_files "$web/pages/$h") )); done
log "web: $web_files files ($web_html HTML, $site_files on the $hosts site hosts), $((web_bytes / 1048576)) MB"

# ---- nginx on a free loopback port -----------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ngx="$run/nginx"
mkdir -p "$ngx/logs" "$ngx/tmp"
user_line=""
# Every connection and every cached open file is a descriptor: raise the limit.
nofile=$(ulimit -Hn)
[ "$nofile" = unlimited ] && nofile=65536
[ "$nofile" -gt 65536 ] && nofile=65536
ulimit -n "$nofile" 2>/dev/null || true
[ "$(id -u)" -eq 0 ] && user_line="user root;"
sed -e "s|@PORT@|$port|g" -e "s|@ROOT@|$web/pages|g" -e "s|@PREFIX@|$ngx|g" \
  -e "s|@USER@|$user_line|g" \
  -e "s|@NOFILE@|$nofile|g" -e "s|@FILECACHE@|$(( nofile / 4 ))|g" "$root/bench/crawl/nginx.conf.in" >"$ngx/nginx.conf"

nginx_pid=""
cleanup() {
  local rc=$?
  if declare -F bench_extra_cleanup >/dev/null; then bench_extra_cleanup || true; fi
  if [ -n "$nginx_pid" ] && kill -0 "$nginx_pid" 2>/dev/null; then
    kill -QUIT "$nginx_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$nginx_pid" 2>/dev/null || true
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$nginx_bin" -p "$ngx" -c "$ngx/nginx.conf" -g 'daemon off;' 2>"$ngx/logs/stderr.log" &
nginx_pid=$!
first_host=${site_hosts%%$'\n'*}
served=0
for _ in $(seq 1 50); do
  if curl -sf -o /dev/null --max-time 2 -H "Host: $first_host" "http://127.0.0.1:$port/"; then
    served=1
    break
  fi
  kill -0 "$nginx_pid" 2>/dev/null || break
  sleep 0.1
done
if [ "$served" -ne 1 ]; then
  echo "${bench_name:-bench-crawl}: nginx did not serve http://$first_host/ on 127.0.0.1:$port" >&2
  cat "$ngx/logs/stderr.log" "$ngx/logs/error.log" >&2 2>/dev/null || true
  exit 1
fi
log "nginx $("$nginx_bin" -v 2>&1 | sed 's/.*\///') on 127.0.0.1:$port (pid $nginx_pid)"

# CPU seconds used so far by nginx (master and workers).
nginx_cpu() {
  local total=0 p
  for p in $nginx_pid $(pgrep -P "$nginx_pid" || true); do
    total=$(( total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0) ))
  done
  python3 -c "import os,sys; print(int(sys.argv[1]) / os.sysconf('SC_CLK_TCK'))" "$total"
}
