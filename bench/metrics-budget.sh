#!/usr/bin/env bash
# /metrics with 1,000 used proxies: size, series count and scrape time, then what is left after deleting them.
# Usage: bash bench/metrics-budget.sh [PROXIES]   (builds control-api/target/chaos-proxy.jar if missing)
#   JAVA_OPTS="-Xmx512m" bash bench/metrics-budget.sh   # passed to the chaos-proxy JVM
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JAR="$ROOT/control-api/target/chaos-proxy.jar"
PROXIES="${1:-1000}"
PORT="${API_PORT:-18574}"
[ -f "$JAR" ] || (cd "$ROOT" && mvn -B -o -q package -DskipTests)
ulimit -n 8192 2>/dev/null || true
java ${JAVA_OPTS:-} -jar "$JAR" --host 127.0.0.1 --port "$PORT" >"${TMPDIR:-/tmp}/metrics-budget-server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$PORT/version" >/dev/null 2>&1 && break
  sleep 0.1
done
java "$ROOT/bench/MetricsBudget.java" "$PORT" "$PROXIES"
