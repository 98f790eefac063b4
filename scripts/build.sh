#!/usr/bin/env bash
# Installs what is missing (Debian packages) and builds Census into build/.
# Usage: scripts/build.sh [extra cmake args]
# CENSUS_TARGETS="census simweb" builds only those targets (scripts/census.sh: the run
# needs the binary and the simulated web, not the tests, benchmarks and fuzz harnesses).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# CENSUS_DEPS=run installs only what the census needs (scripts/census.sh), not the tests'.
bash "$root/scripts/install-deps.sh" --for "${CENSUS_DEPS:-all}"
jobs=${CENSUS_JOBS:-$(nproc)}
# A new build/ is made with Ninja (install-deps.sh says why); an existing one keeps the
# generator it was made with (CMake refuses to switch).
generator=()
if [ ! -f "$root/build/CMakeCache.txt" ] && command -v ninja >/dev/null; then
  generator=(-G Ninja)
fi
cmake -S "$root" -B "$root/build" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE="${CENSUS_BUILD_TYPE:-Release}" "$@" >/dev/null
targets=()
for t in ${CENSUS_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$root/build" -j"$jobs" "${targets[@]}"
