#!/usr/bin/env bash
# Installs the Debian 12 packages Census builds and tests with. Idempotent: a machine
# that already has them skips apt entirely. Needs root (or sudo) the first time.
set -euo pipefail

# What building and running the census and the simulated web needs (scripts/census.sh).
packages=(
  cmake g++ pkg-config
  libzmq3-dev cppzmq-dev
  libprotobuf-dev protobuf-compiler
  librocksdb-dev
  libcurl4-openssl-dev libssl-dev
  libabsl-dev
  libxml2-dev libuchardet-dev libzstd-dev libhyperscan-dev zlib1g-dev
  # worker/: RapidJSON (header-only) reads list data that scripts carry and speaks the
  # DevTools protocol to the renderer.
  rapidjson-dev
  # ops/: libmicrohttpd serves /metrics.
  libmicrohttpd-dev
  # scripts/build.sh builds with Ninja on a new build/: it starts an object file as soon as
  # its headers exist, where make waits for each library target's dependencies to link.
  ninja-build
  # The census binary's allocator (tcmalloc_minimal; CMakeLists.txt says why).
  libgoogle-perftools-dev
)
# What the tests, benchmarks and tools add (every run but `--for run`).
test_packages=(
  # tests/k8s, the benchmark scripts and scripts/score-census.sh are Python.
  python3
  libgtest-dev libgmock-dev libbenchmark-dev
  # promtool (ops_test) ships only in "prometheus", which on a systemd host also starts a
  # Prometheus server on :9090.
  prometheus
  python3-yaml
  # tests/e2e_warc_test.cc: wget writes the WARC that census import-warc reads.
  wget
)
for_what=all
# Optional extras (e.g. `--with nginx`) for benchmarks.
while [ $# -gt 0 ]; do
  case "$1" in
    --with) packages+=("$2"); shift 2 ;;
    --for)
      case "$2" in
        run | all) for_what=$2 ;;
        *) echo "install-deps: --for run|all, not '$2'" >&2; exit 2 ;;
      esac
      shift 2 ;;
    *) echo "install-deps: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [ "$for_what" = all ]; then packages+=("${test_packages[@]}"); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
