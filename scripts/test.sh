#!/usr/bin/env bash
# The test command (README.md; .ci/run calls exactly this): installs what is missing,
# builds, and runs the whole default test suite with ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-browser.sh"
bash "$root/scripts/install-warc-reader.sh"
bash "$root/scripts/install-k8s-tools.sh"
bash "$root/scripts/build.sh"
cd "$root/build"
ctest --output-on-failure -j"${CENSUS_JOBS:-$(nproc)}" --timeout 900 "$@"
