#!/usr/bin/env bash
# Fuzzes Census's parsers with libFuzzer for a bounded time (README.md "Fuzzing").
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 600; TARGETs are charset, extract, dates, csv,
# wire_to_coordinator, wire_from_coordinator, wire_to_store, wire_from_store (default: all;
# "fuzz_charset" etc. also accepted). Installs clang and libFuzzer (Debian 12:
# clang, libclang-rt-14-dev) when missing, builds the targets with
# -fsanitize=fuzzer,address,undefined into build-fuzz/, runs each one in turn for the given
# time, prints one summary line per target and exits non-zero if any target crashed.
# Crash inputs go to build-fuzz/artifacts/<target>/. Inputs the fuzzer finds interesting
# accumulate in build-fuzz/corpus/<target>/ (seeded from fuzz/corpus/<target>/ and, for
# charset and extract, ../shared/fixtures/real/*.html when present), so a second run
# continues where the first stopped.
#
# One fuzzing process at a time (no -jobs/-workers: the machine is shared).
# Environment: CENSUS_FUZZ_JOBS (build parallelism, default 2), CENSUS_FUZZ_BUILD (build
# dir, default build-fuzz), CENSUS_FUZZ_FLAGS (extra libFuzzer flags).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=600
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then seconds=$1; shift; fi
all_targets=(charset extract dates csv wire_to_coordinator wire_from_coordinator wire_to_store
  wire_from_store warc)
targets=()
for t in "$@"; do
  t=${t#fuzz_}
  case " ${all_targets[*]} " in
    *" $t "*) targets+=("$t") ;;
    *) echo "fuzz: unknown target '$t' (one of: ${all_targets[*]})" >&2; exit 2 ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

# Base build dependencies (shared script), then the compiler and libFuzzer.
bash "$root/scripts/install-deps.sh"
missing=()
for p in clang libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "fuzz: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

build=${CENSUS_FUZZ_BUILD:-$root/build-fuzz}
jobs=${CENSUS_FUZZ_JOBS:-2}
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCENSUS_FUZZ=ON \
  -DCMAKE_C_FLAGS="$sanitize -fno-omit-frame-pointer" \
  -DCMAKE_CXX_FLAGS="$sanitize -fno-omit-frame-pointer" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$build" -j"$jobs" --target $(printf 'fuzz_%s ' "${targets[@]}")

max_len_for() {
  case "$1" in
    charset) echo 16384 ;;
    extract) echo 32768 ;;
    dates) echo 256 ;;
    csv) echo 8192 ;;
    wire_*) echo 65536 ;;
  esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
summary=()
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  artifacts="$build/artifacts/$t"
  log="$build/logs/fuzz_$t.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  seeds=("$root/fuzz/corpus/$t")
  # Inputs that once failed are seeds too: the fuzzer starts from what broke before.
  [ -d "$root/fuzz/regressions/$t" ] && seeds+=("$root/fuzz/regressions/$t")
  if [ "$t" = charset ] || [ "$t" = extract ]; then
    real="$root/../shared/fixtures/real"
    if [ -d "$real" ]; then
      mkdir -p "$build/seeds-real"
      cp -u "$real"/*.html "$build/seeds-real/" 2>/dev/null || true
      seeds+=("$build/seeds-real")
    fi
  fi
  before=$(find "$artifacts" -type f | wc -l)
  echo "fuzz: $t for ${seconds}s (log $log)" >&2
  set +e
  "$build/fuzz/fuzz_$t" "$corpus" "${seeds[@]}" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=25 -max_len="$(max_len_for "$t")" \
    -print_final_stats=1 -artifact_prefix="$artifacts/" \
    ${CENSUS_FUZZ_FLAGS:-} >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1 || true)
  crashes=$(( $(find "$artifacts" -type f | wc -l) - before ))
  line=$(printf 'fuzz_%-8s %5ss  runs %-10s exec/s %-7s %-22s crashes %s' \
    "$t" "$seconds" "${runs:-?}" "${speed:-?}" "${cov:-cov ?}" "$crashes")
  if [ $rc -ne 0 ] || [ "$crashes" -gt 0 ]; then
    status=1
    line="$line  FAILED (exit $rc; see $log, artifacts in $artifacts/)"
    grep -m1 -E 'ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error|fuzz check failed' "$log" >&2 || true
  fi
  summary+=("$line")
  echo "$line" >&2
done
echo "---- fuzz summary (${seconds}s per target) ----"
printf '%s\n' "${summary[@]}"
exit $status
