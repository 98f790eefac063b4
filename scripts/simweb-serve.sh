# Sourced by scripts/census.sh and scripts/score-census.sh: serve_simweb TRUTH_DIR ARGS...
# starts `simweb serve ARGS --truth-dir TRUTH_DIR` in the background, stops it when the
# calling script exits (trap), waits until it listens, and fills the array `connect`
# with the --connect-to flags of its truth.json. Needs $root (the checkout).
serve_simweb() {
  local truth_dir=$1
  shift
  mkdir -p "$truth_dir"
  "$root/build/simweb/simweb" serve "$@" --truth-dir "$truth_dir" >"$truth_dir/listen.txt" &
  simweb_pid=$!
  trap 'kill "$simweb_pid" 2>/dev/null || true; wait "$simweb_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    grep -q '^listening ' "$truth_dir/listen.txt" 2>/dev/null && break
    sleep 0.1
  done
  simweb_port=$(sed -n 's/^listening 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$truth_dir/listen.txt")
  if [ -z "$simweb_port" ]; then
    echo "the simulated web did not start (see $truth_dir/listen.txt)" >&2
    exit 1
  fi
  # truth.json's "connect_to": ["HOST:PORT:127.0.0.1:PORT", ...], read without a JSON tool
  # (the demo needs no Python): the rules hold no quotes, brackets or spaces.
  connect=()
  local rule
  for rule in $(tr -d '\n' <"$truth_dir/truth.json" | grep -o '"connect_to": *\[[^]]*\]' |
    grep -o '"[^"]*"' | sed 1d | tr -d '"'); do
    connect+=(--connect-to "$rule")
  done
}
