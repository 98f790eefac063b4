#!/usr/bin/env bash
# Installs what the browser test of report.html needs (tests/browser/): Debian's
# `chromium` (apt, only when missing) and, under tests/browser/, `npm ci` of
# playwright-core from the committed package-lock.json. No browser is downloaded by
# npm: the test drives /usr/bin/chromium. Idempotent. Needs root (or sudo) the first time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
# A CJK font, so that the screenshot the test leaves shows the Chinese text.
dpkg-query -W -f='${Status}' fonts-wqy-microhei 2>/dev/null | grep -q 'install ok installed' ||
  missing+=(fonts-wqy-microhei)
# node/npm may come from elsewhere (e.g. NodeSource, which bundles npm): only the
# commands matter.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-browser: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cd "$root/tests/browser"
if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
