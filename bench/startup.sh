#!/usr/bin/env bash
# Start-up benchmark: how soon chaos-proxy answers its API, and how many new connections per second it forwards
# while its JIT is still cold. Loopback only; every process and container it starts is stopped on exit.
#
#   bench/startup.sh                     # everything, about 70 s
#   STARTS=3 CURVE=10 bench/startup.sh   # quicker
#   IMAGE= bench/startup.sh              # skip the Docker image
#   STARTUP=1 bench/run.sh               # run.sh calls this at its end (STARTUP=0 skips it)
#
# 1. jar: `java -jar chaos-proxy.jar` to GET /version answering, median of STARTS starts         target <= 300 ms
# 2. the same with a class-data archive made by `--cds-training` (README, "Start-up")           target <= 300 ms
# 3. image: `docker run -d IMAGE` to the API answering, median of STARTS starts                  target <= 0.5 s
# 4. new connections/s through chaos-proxy (wrk -H 'Connection: close' against nginx) in each of the first CURVE
#    seconds after its API answered, then the warmed rate (median of the curve's last 10 s and 3 runs of 2 s after it):
#    target: the first 10 s average >= 70 % of the warmed rate.
# Figures are medians because this 2-core machine is shared: each start waits (at most QUIET_WAIT s) for a quiet
# half second, and the cores busy just before it are printed beside it.
set -euo pipefail

STARTS="${STARTS:-5}"
CURVE="${CURVE:-30}"
CONNS="${CONNS:-32}"
IMAGE="${IMAGE-chaos-proxy:0.1.0-SNAPSHOT}"
JAVA="${JAVA:-java}"
JAVA_OPTS="${JAVA_OPTS:-}"
CHAOS_ARGS="${CHAOS_ARGS:---no-packet-engine}"   # an unprivileged user's start (as root the packet engine probes iptables)
DOCKER="${DOCKER:-/usr/bin/docker}"
QUIET_WAIT="${QUIET_WAIT:-2}"     # before each start, wait up to this many seconds for a quiet half second

H=127.0.0.1
NGINX_PORT=19480
PROXY_PORT=19491
API_PORT=19474
IMAGE_PORT=19476

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
JAR="$ROOT/control-api/target/chaos-proxy.jar"
RESULTS_DIR="$BENCH_DIR/results"

die() { echo "startup: error: $*" >&2; exit 1; }
log() { echo "startup: $*" >&2; }

case "$STARTS$CURVE$CONNS$QUIET_WAIT" in *[!0-9]*) die "STARTS, CURVE, CONNS and QUIET_WAIT must be whole numbers" ;; esac
[ "$STARTS" -ge 1 ] || die "STARTS must be at least 1"
[ "$CURVE" -ge 20 ] || die "CURVE must be at least 20 (the first 10 s are judged against the warmed rate, which the last 10 s are part of)"

# ---------------------------------------------------------------- cleanup
TMP=""
PIDS=()
CIDS=()
cleanup() {
  local rc=$? pid cid i
  set +e
  for cid in "${CIDS[@]}"; do "$DOCKER" rm -f "$cid" >/dev/null 2>&1; done
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill -TERM "${PIDS[$i]}" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  if [ -n "$TMP" ] && [ -d "$TMP" ]; then
    if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept raw output in $TMP"; else rm -rf "$TMP"; fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- checks
export PATH="$PATH:/usr/sbin:/sbin"
for cmd in "$JAVA" curl wrk nginx ss awk; do
  command -v "$cmd" >/dev/null 2>&1 || die "$cmd not found (bench/run.sh installs wrk and nginx-light)"
done
[ -f "$JAR" ] || die "$JAR missing: build it with mvn -B -q -DskipTests package"
for port in $NGINX_PORT $PROXY_PORT $API_PORT $IMAGE_PORT; do
  [ -z "$(ss -Htln "sport = :$port" 2>/dev/null)" ] || die "port $port is already in use on this machine"
done
TMP="$(mktemp -d /tmp/chaos-startup.XXXXXX)"
chmod 755 "$TMP"   # nginx's worker runs as an unprivileged user and reads www/ from here

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
loadavg() { cut -d' ' -f1 /proc/loadavg; }

# busy_cores SECS: cores busy machine-wide (anyone's processes) over the next SECS seconds.
busy_cores() {
  local a b
  a="$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)"
  sleep "$1"
  b="$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)"
  awk -v a="$a" -v b="$b" -v n="$(nproc)" \
    'BEGIN { split(a, x, " "); split(b, y, " "); t = y[2] - x[2]; if (t <= 0) t = 1; printf "%.2f", n * (y[1] - x[1]) / t }'
}
# A start takes well under a second, so on a shared machine each waits (at most QUIET_WAIT s) for half a second in
# which the machine is nearly idle; sets BUSY to the cores busy in the last half second looked at.
await_quiet() {
  local i
  BUSY="$(busy_cores 0.5)"
  for ((i = 1; i < QUIET_WAIT * 2; i++)); do
    awk -v b="$BUSY" 'BEGIN { exit !(b < 0.3) }' && return 0
    BUSY="$(busy_cores 0.5)"
  done
}

# await_api PORT PID|"" : polls GET /version every 2 ms (at most 30 s); prints nothing, fails if PID dies. Starts no
# process per try: bash's /dev/tcp connects and a read with a timeout on a FIFO nobody writes waits. A poller that
# runs curl and sleep every 5 ms takes a few ms of CPU per try from the JVM it times on 2 cores: with it the jar's
# start read 360-430 ms where this one reads 280-330 ms (CDS archive, same machine, same minute).
await_api() {
  local port=$1 pid=$2 i line conn tick rc=1
  [ -p "$TMP/never" ] || mkfifo "$TMP/never"
  exec {tick}<>"$TMP/never"
  trap '' PIPE   # docker-proxy accepts and then drops a connection before the container listens: no SIGPIPE death
  for ((i = 0; i < 15000; i++)); do
    if { exec {conn}<>"/dev/tcp/$H/$port"; } 2>/dev/null; then
      printf 'GET /version HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$H" >&"$conn" 2>/dev/null || true
      line=""
      read -r -t 1 -u "$conn" line 2>/dev/null || true
      exec {conn}>&-
      case "$line" in "HTTP/1.1 200"*) rc=0; break ;; esac
    fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then break; fi
    read -r -t 0.002 -u "$tick" _ || true
  done
  exec {tick}>&-
  trap - PIPE
  return "$rc"
}

stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# jar_start [java options...]: one start of the jar to its API answering; sets MS (then stops it). Not run in a
# subshell, so that cleanup knows the JVM's pid and a failure stops the whole script.
jar_start() {
  local t0 t1 pid
  t0="$(now_ms)"
  # shellcheck disable=SC2086
  "$JAVA" $JAVA_OPTS "$@" -jar "$JAR" --host "$H" --port "$API_PORT" $CHAOS_ARGS >"$TMP/jar.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  await_api "$API_PORT" "$pid" || { tail -n 20 "$TMP/jar.log" >&2; die "chaos-proxy did not answer on $API_PORT"; }
  t1="$(now_ms)"
  if grep -q 'Unable to use shared archive' "$TMP/jar.log"; then
    tail -n 5 "$TMP/jar.log" >&2; die "the JVM refused the class-data archive"
  fi
  stop_pid "$pid"
  MS=$((t1 - t0))
}

declare -A RESULT TARGET OK
# record KEY VALUE TARGET_TEXT PASS(0/1)
record() { RESULT[$1]="$2"; TARGET[$1]="$3"; OK[$1]="$4"; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

JAVA_VERSION="$("$JAVA" -version 2>&1 | head -n 1)"
echo "== start-up: $(nproc) cores, $(uname -sr), $JAVA_VERSION; load average $(loadavg) at the start"

# ---------------------------------------------------------------- 1. the jar
echo "== 1. java -jar chaos-proxy.jar $CHAOS_ARGS to GET /version answering, $STARTS starts (target <= 300 ms)"
"$JAVA" $JAVA_OPTS -jar "$JAR" --version >/dev/null 2>&1 || true   # page the jar and the JDK in once, unmeasured
runs=()
for i in $(seq 1 "$STARTS"); do
  await_quiet; jar_start; runs+=("$MS")
  echo "  start $i: $MS ms   (machine busy $BUSY cores just before)"
done
JAR_MS="$(printf '%s\n' "${runs[@]}" | median)"
record jar "$JAR_MS ms" "<= 300 ms" "$(le "$JAR_MS" 300 && echo 1 || echo 0)"

# ---------------------------------------------------------------- 2. the jar with a class-data archive
ARCHIVE="$TMP/chaos-proxy.jsa"
echo "== 2. the same with a class-data archive (java -XX:ArchiveClassesAtExit=... -jar chaos-proxy.jar --cds-training)"
t0="$(now_ms)"
# shellcheck disable=SC2086
"$JAVA" $JAVA_OPTS -Xlog:cds=error -XX:ArchiveClassesAtExit="$ARCHIVE" -jar "$JAR" --cds-training $CHAOS_ARGS \
  >"$TMP/training.log" 2>&1 || { cat "$TMP/training.log" >&2; die "the training run failed"; }
[ -s "$ARCHIVE" ] || die "the training run wrote no archive"
echo "  training run and archive: $(( $(now_ms) - t0 )) ms, $(( $(stat -c %s "$ARCHIVE") / 1048576 )) MiB"
runs=()
for i in $(seq 1 "$STARTS"); do
  await_quiet; jar_start -XX:SharedArchiveFile="$ARCHIVE"; runs+=("$MS")
  echo "  start $i: $MS ms   (machine busy $BUSY cores just before)"
done
CDS_MS="$(printf '%s\n' "${runs[@]}" | median)"
record cds "$CDS_MS ms" "<= 300 ms" "$(le "$CDS_MS" 300 && echo 1 || echo 0)"

# ---------------------------------------------------------------- 3. the image
IMAGE_NOTE=""
if [ -z "$IMAGE" ]; then
  IMAGE_NOTE="skipped (IMAGE empty)"
elif ! "$DOCKER" info >/dev/null 2>&1; then
  IMAGE_NOTE="skipped (no Docker engine answering; .ci/offline-images.sh starts one)"
elif ! "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1; then
  IMAGE_NOTE="skipped (no image $IMAGE: docker build -f docker/chaos-proxy.Dockerfile -t $IMAGE control-api/target)"
fi
if [ -z "$IMAGE_NOTE" ]; then
  echo "== 3. docker run -d $IMAGE to the API answering, $STARTS starts (target <= 0.5 s)"
  t0="$(now_ms)"; "$DOCKER" run --rm --entrypoint true "$IMAGE" >/dev/null 2>&1 || true
  echo "  docker's own share: a container running 'true' takes $(( $(now_ms) - t0 )) ms from run to exit"
  runs=()
  for i in $(seq 1 "$STARTS"); do
    await_quiet
    t0="$(now_ms)"
    cid="$("$DOCKER" run -d --rm -p "$H:$IMAGE_PORT:8474" "$IMAGE")" || die "docker run $IMAGE failed"
    CIDS+=("$cid")
    await_api "$IMAGE_PORT" "" || { "$DOCKER" logs "$cid" >&2 || true; die "the container's API did not answer"; }
    t1="$(now_ms)"
    if "$DOCKER" logs "$cid" 2>&1 | grep -q 'Unable to use shared archive'; then
      "$DOCKER" logs "$cid" >&2; die "the container's JVM refused its class-data archive"
    fi
    "$DOCKER" rm -f "$cid" >/dev/null 2>&1 || true
    runs+=($((t1 - t0)))
    echo "  start $i: $((t1 - t0)) ms   (machine busy $BUSY cores just before)"
  done
  IMG_MS="$(printf '%s\n' "${runs[@]}" | median)"
  record image "$(awk -v m="$IMG_MS" 'BEGIN { printf "%.2f s", m / 1000 }')" "<= 0.5 s" \
    "$(le "$IMG_MS" 500 && echo 1 || echo 0)"
else
  echo "== 3. image: $IMAGE_NOTE"
  record image "—" "<= 0.5 s" "-"
fi

# ---------------------------------------------------------------- 4. the first seconds' new-connection rate
echo "== 4. new connections/s through chaos-proxy (with the archive) in each of the first $CURVE s after its API"
echo "     answered: wrk -t1 -c$CONNS -d1s -H 'Connection: close' against nginx, one run per second"
start_nginx "$TMP" "$H" "$NGINX_PORT" || die "nginx did not start (its log is above)"
cat >"$TMP/chaos.json" <<EOF
[{"name":"http","listen":"$H:$PROXY_PORT","upstream":"$H:$NGINX_PORT"}]
EOF
# shellcheck disable=SC2086
"$JAVA" $JAVA_OPTS -XX:SharedArchiveFile="$ARCHIVE" -jar "$JAR" --host "$H" --port "$API_PORT" \
  --config "$TMP/chaos.json" $CHAOS_ARGS >"$TMP/curve.log" 2>&1 &
CP_PID=$!
PIDS+=("$CP_PID")
await_api "$API_PORT" "$CP_PID" || { tail -n 20 "$TMP/curve.log" >&2; die "chaos-proxy did not answer"; }
rate_1s() { # wrk for $1 seconds -> new connections/s (0 when wrk reports nothing)
  timeout --foreground $(($1 + 20)) wrk -t1 -c"$CONNS" -d"${1}s" -H 'Connection: close' \
    "http://$H:$PROXY_PORT/bench.txt" 2>/dev/null | awk '/^Requests\/sec:/ { printf "%.0f\n", $2; found = 1 } END { if (!found) print 0 }'
}
# CPU ticks of the JVM's JIT compiler threads: what the cold seconds spend compiling instead of forwarding.
jit_ticks() {
  local f t=0 line
  for f in /proc/"$CP_PID"/task/*/stat; do
    { read -r line <"$f"; } 2>/dev/null || continue
    case "$line" in *"(C1 Compiler"*|*"(C2 Compiler"*)
      t=$((t + $(awk '{ s = $0; sub(/^.*\) /, "", s); split(s, f, " "); print f[12] + f[13] }' <<<"$line"))) ;;
    esac
  done
  echo "$t"
}
CLK_TCK="$(getconf CLK_TCK)"
curve=()
line=""
jline=""
for s in $(seq 1 "$CURVE"); do
  j0="$(jit_ticks)"; t0="$(now_ms)"
  r="$(rate_1s 1)"; curve+=("$r")
  j1="$(jit_ticks)"; t1="$(now_ms)"
  line+="$(printf '%6s' "$r")"
  jline+="$(awk -v a="$j0" -v b="$j1" -v hz="$CLK_TCK" -v ms=$((t1 - t0)) 'BEGIN { printf "%6.2f", (b - a) / hz / (ms / 1000) }')"
  if [ $((s % 10)) = 0 ] || [ "$s" = "$CURVE" ]; then
    echo "  s $(printf '%2d' $((s - (s - 1) % 10)))-$(printf '%2d' "$s"):$line /s   (load $(loadavg))"
    echo "    JIT cores:$jline"
    line=""; jline=""
  fi
done
warm=()
for _ in 1 2 3; do warm+=("$(rate_1s 2)"); done
# The warmed rate: the median of the curve's last 10 s and the 3 runs after it (13 samples once the JIT is quiet),
# so that a burst of someone else's load in either does not decide the ratio.
WARM="$(printf '%s\n' "${curve[@]:$((CURVE - 10)):10}" "${warm[@]}" | median)"
FIRST10="$(printf '%s\n' "${curve[@]:0:10}" | awk '{ s += $1 } END { printf "%.0f", s / NR }')"
PCT="$(awk -v a="$FIRST10" -v b="$WARM" 'BEGIN { if (b > 0) printf "%.0f", 100 * a / b; else print 0 }')"
echo "  warmed: $WARM/s (median of the last 10 s above and 3 runs of 2 s after them: ${warm[*]})"
stop_pid "$CP_PID"
record first10 "$FIRST10/s = $PCT % of warmed $WARM/s" ">= 70 %" "$( [ "$PCT" -ge 70 ] && echo 1 || echo 0)"

# ---------------------------------------------------------------- report
mark() { case "$1" in 1) echo "met" ;; 0) echo "**not met**" ;; *) echo "—" ;; esac; }
REPORT="$(
  echo "Start-up, $(date -u +%Y-%m-%d): $(nproc) cores, $(uname -sr), $JAVA_VERSION; chaos-proxy flags '$CHAOS_ARGS';"
  echo "medians of $STARTS starts; load average $(loadavg) at the end (other work on this machine inflates these)."
  echo
  echo "| figure | measured | target | |"
  echo "|---|---:|---:|---|"
  echo "| \`java -jar chaos-proxy.jar\` to the API answering | ${RESULT[jar]} | ${TARGET[jar]} | $(mark "${OK[jar]}") |"
  echo "| the same with the class-data archive (\`--cds-training\`) | ${RESULT[cds]} | ${TARGET[cds]} | $(mark "${OK[cds]}") |"
  echo "| image (\`docker run -d\`) to the API answering | ${RESULT[image]} | ${TARGET[image]} | $(mark "${OK[image]}") |"
  echo "| new connections/s, first 10 s after the API answered | ${RESULT[first10]} | ${TARGET[first10]} | $(mark "${OK[first10]}") |"
  echo
  echo "New connections/s in each of the first $CURVE s: ${curve[*]}"
)"
mkdir -p "$RESULTS_DIR"
printf '%s\n' "$REPORT" >"$RESULTS_DIR/startup.md"
echo
echo "== start-up results (also in ${RESULTS_DIR#"$ROOT"/}/startup.md)"
echo
printf '%s\n' "$REPORT"
