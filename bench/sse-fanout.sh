#!/usr/bin/env bash
# What /events subscribers cost the data plane: new-connection rate through chaos-proxy (wrk, Connection: close,
# to nginx on loopback) with 0 subscribers, 10 subscribers that read, and 200 subscribers that never read, and the
# chaos-proxy process RSS in each case. Targets (issue #14): 10 reading subscribers cost < 10 % of the rate with
# none; 200 stuck subscribers keep RSS < 400 MB.
#
#   bash bench/sse-fanout.sh                 # ~1.5 minutes; needs control-api/target/chaos-proxy.jar, wrk, nginx
#   DURATION=10 ROUNDS=3 bash bench/sse-fanout.sh
#   JAVA_OPTS="-Xmx256m -XX:MaxDirectMemorySize=256m" bash bench/sse-fanout.sh   # (the default: the image's bounds)
#
# Every process it starts is stopped on exit. Traffic goes only to 127.0.0.1.
set -euo pipefail

DURATION="${DURATION:-5}"
ROUNDS="${ROUNDS:-2}"
WARMUP="${WARMUP:-15}"
CONNS="${CONNS:-32}"
READERS="${READERS:-10}"
STUCK="${STUCK:-200}"
JAVA_OPTS="${JAVA_OPTS:--Xmx256m -XX:MaxDirectMemorySize=256m}"
JAVA="${JAVA:-java}"
H=127.0.0.1
NGINX_PORT=18180
API_PORT=18574
PROXY_PORT=18191

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
JAR="$ROOT/control-api/target/chaos-proxy.jar"
die() { echo "sse-fanout: error: $*" >&2; exit 1; }
[ -f "$JAR" ] || die "$JAR missing: build it with mvn -B -q package -DskipTests"
for t in wrk nginx curl python3; do command -v "$t" >/dev/null || die "$t is needed"; done

TMP="$(mktemp -d)"
PIDS=()
SUB_PIDS=()
cleanup() {
  for p in "${SUB_PIDS[@]}" "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

wait_listen() { # PORT
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/$H/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  die "nothing listens on $1"
}

start_nginx "$TMP" "$H" "$NGINX_PORT" || die "nginx did not start (its log is above)"

# shellcheck disable=SC2086
"$JAVA" $JAVA_OPTS -jar "$JAR" --port $API_PORT --no-packet-engine \
  --api-max-event-streams $((STUCK + READERS + 8)) >"$TMP/chaos.out" 2>&1 &
CHAOS_PID=$!
PIDS+=($CHAOS_PID)
wait_listen $API_PORT
curl -fsS -o /dev/null -X POST "http://$H:$API_PORT/proxies" \
  -d "{\"name\":\"web\",\"listen\":\"$H:$PROXY_PORT\",\"upstream\":\"$H:$NGINX_PORT\"}" || die "cannot create the proxy"

rss_mb() { awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$CHAOS_PID/status"; }
rate() { # best req/s of ROUNDS runs
  local best=0 r
  for _ in $(seq 1 "$ROUNDS"); do
    r="$(wrk -t1 -c"$CONNS" -d"${DURATION}s" -H 'Connection: close' "http://$H:$PROXY_PORT/bench.txt" \
      | awk '/^Requests\/sec/ {printf "%.0f", $2}')"
    [ "${r:-0}" -gt "$best" ] && best="$r"
  done
  echo "$best"
}

echo "sse-fanout: warm-up ${WARMUP}s (not measured)" >&2
wrk -t1 -c"$CONNS" -d"${WARMUP}s" -H 'Connection: close' "http://$H:$PROXY_PORT/bench.txt" >/dev/null

RATE0="$(rate)"; RSS0="$(rss_mb)"

for _ in $(seq 1 "$READERS"); do
  curl -sN "http://$H:$API_PORT/events" >/dev/null 2>&1 &
  SUB_PIDS+=($!)
done
sleep 1
RATE10="$(rate)"; RSS10="$(rss_mb)"
for p in "${SUB_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
SUB_PIDS=()

# Subscribers that never read: a small receive window, the request sent, then nothing read for the whole run.
python3 - "$H" "$API_PORT" "$STUCK" >"$TMP/stuck.out" 2>&1 <<'PY' &
import socket, sys, time
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
held = []
for _ in range(n):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((host, port))
    s.sendall(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    held.append(s)
print("held", len(held), flush=True)
time.sleep(3600)
PY
SUB_PIDS+=($!)
for _ in $(seq 1 100); do grep -q held "$TMP/stuck.out" 2>/dev/null && break; sleep 0.1; done
SUBSCRIBED="$(curl -fsS "http://$H:$API_PORT/metrics" | awk '/^chaosproxy_api_events_subscribers / {printf "%.0f", $2}')"
RATE200="$(rate)"; RSS200="$(rss_mb)"
METRICS="$(curl -fsS "http://$H:$API_PORT/metrics")"
DROPPED="$(echo "$METRICS" | awk '/^chaosproxy_api_events_dropped_total / {printf "%.0f", $2}')"
QUEUED="$(echo "$METRICS" | awk '/^chaosproxy_api_events_queued_bytes / {printf "%.0f", $2 / 1024}')"
HEAP_MAX="$(curl -fsS "http://$H:$API_PORT/capabilities" | python3 -c 'import json,sys; print(json.load(sys.stdin)["limits"]["max_heap_bytes"] // 1048576)')"

pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f %%", 100 * a / b; else print "-" }'; }
echo
echo "SSE fan-out cost, $(date -u +%F), $(nproc) cores, JVM: $JAVA_OPTS (max heap $HEAP_MAX MB); wrk -t1 -c$CONNS -d${DURATION}s Connection: close, best of $ROUNDS"
echo
echo "| /events subscribers | new connections (req/s) | share of none | chaos-proxy RSS (MB) |"
echo "|---|---:|---:|---:|"
echo "| none | $RATE0 | 100 % | $RSS0 |"
echo "| $READERS reading | $RATE10 | $(pct "$RATE10" "$RATE0") | $RSS10 |"
echo "| $STUCK never reading ($SUBSCRIBED subscribed) | $RATE200 | $(pct "$RATE200" "$RATE0") | $RSS200 |"
echo
echo "stuck subscribers: $DROPPED events dropped (reported to them when they read), ${QUEUED} KiB queued for all of them"
