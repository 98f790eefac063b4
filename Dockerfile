# syntax=docker/dockerfile:1
# The `census` image: one binary, every role (census coordinator|worker|store|aggregate|
# status|run|keygen ...).
# Build: `docker build -t census .` at the repository root (not run in this project's CI:
# its machines have no docker daemon and no registry to pull debian:12 from; the
# k8s_manifests_test lints this file instead). deploy/k8s/ runs it: docs/RUNBOOK.md.

# ---------------------------------------------------------------- build stage
FROM debian:12 AS build
# The project's own dependency script (the same Debian 12 packages developers and CI use).
COPY scripts/install-deps.sh /src/scripts/install-deps.sh
RUN bash /src/scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . /src
WORKDIR /src
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
 && cmake --build /build --target census -j"$(nproc)" \
 && install -m 0755 -s /build/cmd/census /usr/local/bin/census

# ---------------------------------------------------------------- runtime stage
FROM debian:12-slim
# The shared libraries `census` loads, as Debian packages. Derived on Debian 12 from the
# built binary (RocksDB is linked statically, so it is not here):
#   for l in $(ldd build/cmd/census | awk '/=>/{print $3}'); do dpkg -S "$l"; done \
#     | cut -d: -f1 | sort -u
# and kept to the packages of the binary's own NEEDED entries
# (objdump -p build/cmd/census | grep NEEDED); apt brings their dependencies (libsodium23,
# libpgm, libnorm, libgnutls30, libicu72, krb5 ...: the rest of the ldd list) by itself.
# libc6, libstdc++6, libgcc-s1, zlib1g, libbz2-1.0, liblzma5 are already in debian:12-slim.
# ca-certificates is no library but libcurl needs it for https:// sites. chromium is no
# library either: workers render column pages whose lists a script builds before any
# is called blank (docs/COLUMNS.md "Lists that scripts build"); without it those columns
# are unverified-blank. It runs as the non-root census user inside Chromium's own
# sandbox, which needs unprivileged user namespaces: where a cluster forbids them the
# renders fail and the report's render_detail says so (never a blank verdict).
# The last RUN step checks that nothing is missing (ldd prints "not found").
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libcurl4 \
      libuchardet0 \
      libxml2 \
      libhyperscan5 \
      libsnappy1v5 \
      zlib1g \
      libbz2-1.0 \
      liblz4-1 \
      libzstd1 \
      libzmq5 \
      libssl3 \
      libabsl20220623 \
      libprotobuf32 \
      libmicrohttpd12 \
      libstdc++6 \
      libgcc-s1 \
      libc6 \
      ca-certificates \
      chromium \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 census \
 && useradd --system --uid 10001 --gid census --home-dir /var/lib/census \
      --shell /usr/sbin/nologin census \
 && install -d -o census -g census -m 0750 /var/lib/census
COPY --from=build /usr/local/bin/census /usr/local/bin/census
RUN if ldd /usr/local/bin/census | grep 'not found'; then exit 1; fi \
 && census keygen --out /tmp/k >/dev/null && rm -f /tmp/k.key /tmp/k.pub

USER 10001:10001
WORKDIR /var/lib/census
# Every role's ops endpoint is --metrics HOST:PORT; deploy/k8s/ puts it on :9100 (the
# convention this check assumes: CENSUS_METRICS_PORT changes it). bash (essential in
# Debian, so in -slim) speaks HTTP/1.0 to /healthz; nothing extra is installed.
ENV CENSUS_METRICS_PORT=9100
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${CENSUS_METRICS_PORT} && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
EXPOSE 7000 9100
ENTRYPOINT ["/usr/local/bin/census"]
CMD ["--help"]
