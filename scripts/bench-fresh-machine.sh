#!/usr/bin/env bash
# Times a newcomer's first census on a fresh Debian 12 root (docs/BENCHMARKS.md, "From a
# fresh machine"): a minbase root made by debootstrap with only the compiler toolchain,
# git and CA certificates, in which the checkout is cloned and the README's commands run,
# package downloads and installs included.
#
#   scripts/bench-fresh-machine.sh [--root DIR] [--tests] [--keep]
#
#   --root DIR  where the fresh root is made (default /var/tmp/census-fresh-root); it is
#               removed first, and after the run unless --keep
#   --tests     also time scripts/test.sh from the same clone (the whole suite)
#
# Needs root (debootstrap, chroot, mounts) and Debian's package mirror; nothing else
# leaves the machine: the clone comes from this checkout, the census runs on loopback.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fresh=/var/tmp/census-fresh-root
tests=0
keep=0
usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --root) fresh=$2; shift 2 ;;
    --tests) tests=1; shift ;;
    --keep) keep=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bench-fresh-machine: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
if [ "$(id -u)" -ne 0 ]; then
  echo "bench-fresh-machine: run as root (debootstrap, chroot and mounts need it)" >&2
  exit 1
fi
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null

unmount() {
  for m in "$fresh/root/shared" "$fresh/src" "$fresh/dev" "$fresh/sys" "$fresh/proc"; do
    mountpoint -q "$m" && umount -R "$m"
  done
  return 0
}
cleanup() {
  unmount
  if [ "$keep" -eq 0 ]; then rm -rf "$fresh"; fi
}
unmount
rm -rf "$fresh"
trap cleanup EXIT

echo "bench-fresh-machine: debootstrap of a minbase Debian 12 root in $fresh" >&2
debootstrap --variant=minbase --include=build-essential,git,ca-certificates bookworm "$fresh" \
  http://deb.debian.org/debian >"$fresh.debootstrap.log" 2>&1
mount -t proc proc "$fresh/proc"
mount --rbind /sys "$fresh/sys"
mount --rbind /dev "$fresh/dev"
mkdir -p "$fresh/src"
mount --bind -o ro "$root" "$fresh/src"
# The extraction tests read the saved government pages beside the checkout
# (../shared/fixtures/real): the clone in /root/census finds them at /root/shared.
if [ -d "$root/../shared" ]; then
  mkdir -p "$fresh/root/shared"
  mount --bind -o ro "$root/../shared" "$fresh/root/shared"
fi
cp /etc/resolv.conf "$fresh/etc/resolv.conf"
# A machine whose HTTPS goes through a proxy with its own CA (NODE_EXTRA_CA_CERTS set, as
# on the machines this was measured on) gives npm inside the root that CA too; apt uses
# plain HTTP to Debian's mirror and needs nothing.
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  cp "$NODE_EXTRA_CA_CERTS" "$fresh/root/extra-ca.crt"
fi

# Inside the root: clone, then the README's census command, then (--tests) its test command.
cat >"$fresh/root/first-census.sh" <<'EOF'
#!/bin/bash
set -euo pipefail
git config --global --add safe.directory '*'
if [ -f /root/extra-ca.crt ]; then export NODE_EXTRA_CA_CERTS=/root/extra-ca.crt; fi
ms() { echo $(( $(date +%s%N) / 1000000 )); }
start=$(ms)
cd /root && git clone -q /src census && cd census
bash scripts/census.sh >/root/census.out 2>/root/census.err
echo "demo: $(( $(ms) - start )) ms from git clone to the summary line"
tail -1 /root/census.out
if [ "${RUN_TESTS:-0}" = 1 ]; then
  bash scripts/test.sh >/root/test.out 2>&1 || echo "test.sh failed (see /root/test.out)"
  echo "tests: $(( $(ms) - start )) ms from git clone to the end of scripts/test.sh"
  grep -E "tests passed|tests failed|Total Test time" /root/test.out || true
fi
EOF
chmod +x "$fresh/root/first-census.sh"
echo "bench-fresh-machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
RUN_TESTS=$tests chroot "$fresh" /root/first-census.sh
