#!/usr/bin/env bash
# Fidelity benchmark: does a latency toxic add exactly its delay, does a bandwidth toxic deliver its rate?
#
#   bench/fidelity.sh                          # latency 100 and 10 ms downstream, 1,000 round trips each; bandwidth
#   ROUNDS=3 bench/fidelity.sh                 # median of 3 rounds per figure
#   STREAMS="downstream upstream" bench/fidelity.sh   # the upstream toxic too (another ~2 minutes)
#   CHAOS_ARGS="--transport epoll" bench/fidelity.sh  # extra chaos-proxy flags
#
# Starts chaos-proxy (control-api/target/chaos-proxy.jar, built if missing) with its API on 127.0.0.1:$API_PORT and
# runs bench/Fidelity.java against it: a loopback echo server, sequential round trips of small messages straight to
# it (the baseline) and through a proxy with a latency toxic, bulk transfers through a bandwidth toxic. Prints each
# figure beside its target, also written to bench/results/fidelity.md. Everything it starts is stopped on exit.
# The "machine floor" rows time a sleep in the measuring JVM followed by a direct round trip, taken between the
# proxy's round trips (same load): the wake-up and cold-cache cost of this machine, which no proxy's timer avoids.
# Every latency figure is taken after a warm-up (4,000 round trips through a 1 ms toxic) and a 1 s pause after each
# control request: on 2 cores, the proxy's JIT compiler threads otherwise hold the cores its event loop wakes on, for
# up to a 4 ms scheduler tick. The "cold" row (COLD round trips right after start) shows that phase on its own.
# About 6 minutes with the defaults (the floor doubles the latency figures' time).
set -euo pipefail

ROUND_TRIPS="${ROUND_TRIPS:-1000}"   # sequential round trips per latency figure
LATENCIES="${LATENCIES:-100 10}"     # ms
STREAMS="${STREAMS:-downstream}"     # downstream (Toxiproxy's default) and/or upstream
BANDWIDTH="${BANDWIDTH:-10000:20000000 100:300000}"   # rate KB/s : bytes (20 MB at 10 MB/s, 300 KB at 100 KB/s)
FLOOR="${FLOOR:-$ROUND_TRIPS}"      # samples of the machine's floor per latency, as many as the proxy's by default (0: none)
COLD="${COLD:-1000}"                 # round trips timed right after start, before the warm-up (0: none)
ROUNDS="${ROUNDS:-1}"                # the median of the rounds is reported
API_PORT="${API_PORT:-18475}"        # not bench/run.sh's 18474, so both can run
JAVA_OPTS="${JAVA_OPTS:-}"
CHAOS_ARGS="${CHAOS_ARGS:-}"
JAVA="${JAVA:-java}"

# Targets (issue #19): error of the added delay p99 <= 0.5 ms and max <= 2 ms; bandwidth within 1 % of the rate.
P99_TARGET_MS=0.5
MAX_TARGET_MS=2
RATE_TARGET_PCT=1

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
JAR="${JAR:-$ROOT/control-api/target/chaos-proxy.jar}"   # JAR=... to measure another build
RESULTS_DIR="$BENCH_DIR/results"

die() { echo "fidelity: error: $*" >&2; exit 1; }
log() { echo "fidelity: $*" >&2; }

case "$ROUND_TRIPS$ROUNDS$API_PORT$FLOOR$COLD${LATENCIES// /}" in
  *[!0-9]*) die "ROUND_TRIPS, ROUNDS, API_PORT, FLOOR, COLD and LATENCIES must be whole numbers" ;;
esac
[ "$ROUNDS" -ge 1 ] && [ "$ROUND_TRIPS" -ge 1 ] || die "ROUNDS and ROUND_TRIPS must be at least 1"
for s in $STREAMS; do
  case "$s" in downstream|upstream) ;; *) die "unknown stream '$s' in STREAMS (use: downstream upstream)" ;; esac
done
command -v "$JAVA" >/dev/null 2>&1 || die "java not found on PATH (JDK 17 needed)"
command -v curl >/dev/null 2>&1 || die "curl not found"
if [ -n "$(ss -Htln "sport = :$API_PORT" 2>/dev/null)" ]; then
  die "port $API_PORT is in use; set API_PORT to a free one"
fi
if [ ! -f "$JAR" ]; then
  log "$JAR missing: building (mvn -B -q -DskipTests package)"
  (cd "$ROOT" && mvn -B -q -DskipTests package -pl control-api -am >&2)
  [ -f "$JAR" ] || die "build finished but $JAR is not there"
fi

TMP="$(mktemp -d /tmp/chaos-fidelity.XXXXXX)"
CP_PID=""
cleanup() {
  local rc=$?
  set +e
  if [ -n "$CP_PID" ]; then
    kill -TERM "$CP_PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$CP_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$CP_PID" 2>/dev/null
    wait "$CP_PID" 2>/dev/null
  fi
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept raw output in $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck disable=SC2086
"$JAVA" $JAVA_OPTS -jar "$JAR" --host 127.0.0.1 --port "$API_PORT" $CHAOS_ARGS >"$TMP/chaos.log" 2>&1 &
CP_PID=$!
ok=0
for _ in $(seq 1 300); do   # 30 s
  if curl -fsS -m 1 -o /dev/null -H 'Host: 127.0.0.1' "http://127.0.0.1:$API_PORT/version" 2>/dev/null; then
    ok=1; break
  fi
  kill -0 "$CP_PID" 2>/dev/null || { tail -n 30 "$TMP/chaos.log" >&2; die "chaos-proxy exited during start"; }
  sleep 0.1
done
[ "$ok" = 1 ] || { tail -n 30 "$TMP/chaos.log" >&2; die "chaos-proxy API did not answer on $API_PORT within 30 s"; }
TRANSPORT="$(grep -o 'transport: [a-z_]*' "$TMP/chaos.log" | head -n 1 | cut -d' ' -f2)"

LOAD_BEFORE="$(cut -d' ' -f1 /proc/loadavg)"
lat_csv="$(echo "$LATENCIES" | tr -s ' ' ',')"
str_csv="$(echo "$STREAMS" | tr -s ' ' ',')"
bw_csv="$(echo "$BANDWIDTH" | tr -s ' ' ',')"
# Compiled once and run with C1 only: the source launcher's javac and the measuring JVM's own C2 compiles would
# otherwise take the cores the measured round trips need (seen with perf sched on this 2-core machine).
mkdir -p "$TMP/classes"
"${JAVAC:-javac}" -d "$TMP/classes" "$BENCH_DIR/Fidelity.java" || die "javac bench/Fidelity.java failed"
for r in $(seq 1 "$ROUNDS"); do
  log "round $r of $ROUNDS: latency ${LATENCIES// /, } ms ($STREAMS), $ROUND_TRIPS round trips each; bandwidth"
  cold=0; [ "$r" = 1 ] && cold="$COLD"   # only the first round finds the proxy cold
  "$JAVA" -XX:TieredStopAtLevel=1 -cp "$TMP/classes" Fidelity --cold "$cold" --api "127.0.0.1:$API_PORT" --round-trips "$ROUND_TRIPS" \
    --latency "$lat_csv" --streams "$str_csv" --bandwidth "$bw_csv" --floor "$FLOOR" | tee -a "$TMP/raw.txt" >&2 \
    || die "bench/Fidelity.java failed (see above; chaos-proxy log: $(tail -n 5 "$TMP/chaos.log"))"
done
LOAD_AFTER="$(cut -d' ' -f1 /proc/loadavg)"

# The median over rounds of one field of the lines matching a pattern.
median() { # PATTERN FIELD
  grep -E "$1" "$TMP/raw.txt" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2 | sort -g \
    | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2];
                               else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
verdict() { # VALUE TARGET -> met / not met (value <= target)
  awk -v v="$1" -v t="$2" 'BEGIN { print (v != "n/a" && v + 0 <= t + 0) ? "met" : "**not met**" }'
}

TABLE="| figure | measured | target | |"$'\n'"|---|---|---|---|"
if [ "$COLD" -gt 0 ] && [ -n "$LATENCIES" ]; then
  pat="^latency ms=[0-9]* stream=cold "
  cold_ms="$(grep -E "$pat" "$TMP/raw.txt" | head -n 1 | sed -n 's/^latency ms=\([0-9]*\) .*/\1/p')"
  TABLE+=$'\n'"| latency ${cold_ms:-?} ms, cold: the first $COLD round trips after start, before any warm-up (JIT compiling): error p50 / p99 / max | $(median "$pat" err_p50_ms) / $(median "$pat" abs_p99_ms) / $(median "$pat" abs_max_ms) ms | - (information) | |"
fi
for lat in $LATENCIES; do
  if [ "$FLOOR" -gt 0 ]; then
    pat="^latency ms=$lat stream=floor "
    TABLE+=$'\n'"| latency $lat ms, machine floor (sleep $lat ms, then a direct round trip; $FLOOR times, between the proxy's round trips): error p50 / p99 / max | $(median "$pat" err_p50_ms) / $(median "$pat" abs_p99_ms) / $(median "$pat" abs_max_ms) ms | - | |"
  fi
  for s in $STREAMS; do
    pat="^latency ms=$lat stream=$s "
    p50="$(median "$pat" err_p50_ms)"; p99="$(median "$pat" abs_p99_ms)"; mx="$(median "$pat" abs_max_ms)"
    mn="$(median "$pat" err_min_ms)"
    TABLE+=$'\n'"| latency $lat ms ($s): error of the added delay, p50 | $p50 ms | - | |"
    TABLE+=$'\n'"| latency $lat ms ($s): error p99 | $p99 ms | <= $P99_TARGET_MS ms | $(verdict "$p99" "$P99_TARGET_MS") |"
    TABLE+=$'\n'"| latency $lat ms ($s): error max (earliest: $mn ms) | $mx ms | <= $MAX_TARGET_MS ms | $(verdict "$mx" "$MAX_TARGET_MS") |"
  done
done
for spec in $BANDWIDTH; do
  rate="${spec%%:*}" bytes="${spec#*:}"
  pat="^bandwidth rate_kb=$rate bytes=$bytes "
  got="$(median "$pat" measured_kb)"; err="$(median "$pat" error_pct)"
  abs="$(awk -v e="$err" 'BEGIN { if (e == "n/a") print e; else printf "%.3f", (e < 0 ? -e : e) }')"
  TABLE+=$'\n'"| bandwidth $rate KB/s, $((bytes / 1000)) KB: measured rate | $got KB/s ($err %) | within $RATE_TARGET_PCT % | $(verdict "$abs" "$RATE_TARGET_PCT") |"
done

REPORT="$(
  echo "Fidelity, $(date -u +%Y-%m-%d): $(nproc) cores, $(uname -sr), chaos-proxy transport ${TRANSPORT:-?};"
  echo "$ROUND_TRIPS sequential round trips of 64 bytes per latency figure (jitter 0), loopback echo server;"
  echo "error = round trip - latency - median direct round trip ($(median '^baseline ' direct_p50_us) us; through the proxy"
  echo "without a toxic $(median '^baseline ' proxy_p50_us) us); median of $ROUNDS round(s). Load average $LOAD_BEFORE before, $LOAD_AFTER after."
  if awk -v a="$LOAD_BEFORE" -v b="$LOAD_AFTER" 'BEGIN { exit !(a > 0.5 || b > 0.5) }'; then
    echo "**Warning: the machine was not idle; tail figures (p99, max) are noisy. Re-run on an idle machine.**"
  fi
  echo
  echo "$TABLE"
)"
mkdir -p "$RESULTS_DIR"
printf '%s\n' "$REPORT" >"$RESULTS_DIR/fidelity.md"
echo
echo "== fidelity (also in ${RESULTS_DIR#"$ROOT"/}/fidelity.md)"
echo
printf '%s\n' "$REPORT"
