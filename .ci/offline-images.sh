#!/usr/bin/env bash
# Prepares Docker for the docker-compose lab test (lab/src/test/java/io/chaosproxy/lab/LabIT.java) on a machine
# with no Docker engine and no image registry:
#   1. installs docker.io, docker-compose, debootstrap and iptables if missing;
#   2. starts dockerd if `docker info` does not answer (never a second one);
#   3. makes two base images without any registry, from Debian packages:
#        chaos-proxy-base:bookworm        Debian minbase + openjdk-17-jre-headless, iptables, iproute2
#        chaos-proxy-prometheus:bookworm  Debian minbase + Debian's prometheus package
#      Each root filesystem is built with debootstrap from the Debian mirror apt already uses, tarred into a cache
#      outside the clone ($CHAOS_PROXY_IMAGE_CACHE, default /var/cache/chaos-proxy) and `docker import`ed.
#      A later run only imports the cached tarball; an image already present (same recipe) is left alone.
# Idempotent; prints how long each step took. Environment: DEBIAN_MIRROR overrides the mirror,
# CHAOS_PROXY_IMAGE_CACHE the cache directory, REBUILD=1 ignores the cache.
set -euo pipefail

DOCKER=/usr/bin/docker
CACHE=${CHAOS_PROXY_IMAGE_CACHE:-/var/cache/chaos-proxy}
SUITE=bookworm
# Bump when a recipe below changes: cached tarballs and images with another recipe are rebuilt.
RECIPE=3
BASE_IMAGE=chaos-proxy-base:$SUITE
PROM_IMAGE=chaos-proxy-prometheus:$SUITE
BASE_PACKAGES=(openjdk-17-jre-headless iptables iproute2)
PROM_PACKAGES=(prometheus)
PATH_ENV='PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

T0=$(date +%s.%N)
step_start=$T0
log() { printf 'offline-images: %s\n' "$*"; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
done_step() { log "$1 ($(since "$step_start") s)"; step_start=$(date +%s.%N); }

# 1. Packages -------------------------------------------------------------------------------------------------
need=()
[ -x /usr/bin/docker ] && [ -x /usr/sbin/dockerd ] || need+=(docker.io)
[ -x /usr/bin/docker-compose ] || need+=(docker-compose)
[ -x /usr/sbin/debootstrap ] || need+=(debootstrap)
[ -x /usr/sbin/iptables ] || need+=(iptables)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # docker.io's postinst would try to start the daemon through init scripts; we start it ourselves below.
  had_policy=0; [ -e /usr/sbin/policy-rc.d ] && had_policy=1
  [ $had_policy = 1 ] || printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  [ $had_policy = 1 ] || rm -f /usr/sbin/policy-rc.d
  done_step "installed ${need[*]}"
fi

# 2. The Docker engine ----------------------------------------------------------------------------------------
if ! $DOCKER info >/dev/null 2>&1; then
  if { [ -f /var/run/docker.pid ] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; } \
     || pgrep -x dockerd >/dev/null 2>&1; then
    log "dockerd is running but not answering yet; waiting for it"
  else
    log "starting dockerd (log: /var/log/dockerd.log)"
    nohup /usr/sbin/dockerd >>/var/log/dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 120); do
    $DOCKER info >/dev/null 2>&1 && break
    sleep 0.5
  done
  $DOCKER info >/dev/null 2>&1 || { log "dockerd did not answer within 60 s; see /var/log/dockerd.log"; exit 1; }
  done_step "dockerd is up"
fi

# 3. Base images ----------------------------------------------------------------------------------------------
# The Debian mirror apt already uses (first source for the $SUITE suite itself), never a name written here.
mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local f m
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] || continue
    # deb822 stanzas: a URI whose Suites list holds exactly $SUITE.
    m=$(awk -v suite="$SUITE" '
      function flush() { if (!found && uris != "" && hit) { split(uris, u, " "); print u[1]; found = 1; exit }
                         uris = ""; hit = 0 }
      /^[[:space:]]*$/ { flush(); next }
      tolower($1) == "uris:" { uris = ""; for (i = 2; i <= NF; i++) uris = uris " " $i }
      tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == suite) hit = 1 }
      END { flush() }' "$f")
    [ -n "$m" ] && { echo "$m"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -e "$f" ] || continue
    m=$(awk -v suite="$SUITE" '$1 == "deb" {
          i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
          if ($(i + 1) == suite) { print $i; exit } }' "$f")
    [ -n "$m" ] && { echo "$m"; return; }
  done
  return 1
}

image_recipe() { $DOCKER image inspect -f '{{ index .Config.Labels "io.chaosproxy.recipe" }}' "$1" 2>/dev/null || true; }

# build_rootfs TARBALL POST PACKAGES...: debootstrap a minbase $SUITE, install the packages, run the shell
# command POST in it, trim, tar it.
build_rootfs() {
  local tarball=$1 post=$2; shift 2
  local url dir
  url=$(mirror) || { log "no Debian mirror for $SUITE found in /etc/apt/sources.list{,.d}; set DEBIAN_MIRROR"; exit 1; }
  dir=$(mktemp -d /var/tmp/chaos-proxy-rootfs.XXXXXX)
  # shellcheck disable=SC2064
  trap "umount '$dir/proc' 2>/dev/null || true; rm -rf '$dir'" EXIT
  log "debootstrap $SUITE from $url into $dir"
  debootstrap --variant=minbase "$SUITE" "$dir" "$url" >"$dir.log" 2>&1 \
    || { tail -20 "$dir.log"; exit 1; }
  rm -f "$dir.log"
  done_step "debootstrap done"
  printf '#!/bin/sh\nexit 101\n' > "$dir/usr/sbin/policy-rc.d"
  chmod +x "$dir/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  mount -t proc proc "$dir/proc"
  # Sandbox user root: the chroot's _apt user cannot read what debootstrap left; no /dev/pts for apt's log.
  chroot "$dir" /usr/bin/env DEBIAN_FRONTEND=noninteractive "$PATH_ENV" sh -c \
    "apt-get -o APT::Sandbox::User=root update -qq && apt-get -o APT::Sandbox::User=root install -y -qq \
       --no-install-recommends $* 2>&1 >/dev/null | grep -v -e 'apt-utils is not installed' -e '/dev/pts' || true; \
     dpkg -s $* >/dev/null && $post"
  umount "$dir/proc"
  done_step "installed $* in the root filesystem"
  chroot "$dir" /usr/bin/env "$PATH_ENV" apt-get clean
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/info/* \
         "$dir"/var/cache/debconf/*-old "$dir"/var/log/*.log "$dir"/tmp/*
  : > "$dir/etc/resolv.conf"
  mkdir -p "$(dirname "$tarball")"
  tar --numeric-owner -C "$dir" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  umount "$dir/proc" 2>/dev/null || true
  rm -rf "$dir"
  trap - EXIT
  done_step "cached $tarball ($(du -h "$tarball" | cut -f1))"
}

# ensure_image IMAGE TARBALL "PACKAGES" POST [--change ...]: import from the cache, building the cache if needed.
ensure_image() {
  local image=$1 tarball=$2 packages=$3 post=$4; shift 4
  if [ "${REBUILD:-0}" != 1 ] && [ "$(image_recipe "$image")" = "$RECIPE" ]; then
    log "$image is present (recipe $RECIPE)"
    return
  fi
  if [ "${REBUILD:-0}" = 1 ] || [ ! -s "$tarball" ]; then
    # shellcheck disable=SC2086
    build_rootfs "$tarball" "$post" $packages
  fi
  $DOCKER import --change "ENV $PATH_ENV" --change "LABEL io.chaosproxy.recipe=$RECIPE" "$@" \
    "$tarball" "$image" >/dev/null
  done_step "imported $image ($($DOCKER image inspect -f '{{ .Size }}' "$image" | awk '{ printf "%d MB", $1 / 1e6 }'))"
}

ensure_image "$BASE_IMAGE" "$CACHE/base-$SUITE-r$RECIPE.tar" "${BASE_PACKAGES[*]}" \
  'java -version 2>&1 | head -1 && iptables --version' --change 'CMD ["bash"]'

# Debian's package creates the prometheus user; the image runs as it, with its data in /prometheus.
ensure_image "$PROM_IMAGE" "$CACHE/prometheus-$SUITE-r$RECIPE.tar" "${PROM_PACKAGES[*]}" \
  'mkdir -p /prometheus && chown prometheus:prometheus /prometheus && prometheus --version 2>&1 | head -1' \
  --change 'USER prometheus' --change 'WORKDIR /prometheus' --change 'EXPOSE 9090' \
  --change 'ENTRYPOINT ["/usr/bin/prometheus"]' \
  --change 'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]'

log "ready: $BASE_IMAGE, $PROM_IMAGE (total $(since "$T0") s)"
