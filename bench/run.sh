#!/usr/bin/env bash
# Benchmark: direct vs chaos-proxy vs HAProxy (TCP mode), all on loopback.
#
#   bench/run.sh                       # everything, ~4 minutes
#   DURATION=3 ROUNDS=1 bench/run.sh   # quick check
#   PATHS="direct haproxy" bench/run.sh   # skip chaos-proxy (no jar needed)
#   PATHS="chaos haproxy netty" bench/run.sh   # add the bare-Netty floor (bench/NettyFloorProxy.java)
#   JAVA_OPTS="-Xmx512m" bench/run.sh  # passed to the chaos-proxy JVM
#   CHAOS_ARGS="--transport epoll" bench/run.sh   # extra chaos-proxy flags (io_uring is the default where allowed)
#   BASE_JAR=/tmp/old.jar PATHS="chaos base haproxy" bench/run.sh   # this build against another one, same run
#   BASE_JAR=control-api/target/chaos-proxy.jar BASE_JAVA_OPTS="-XX:ActiveProcessorCount=1" PATHS="chaos base haproxy" \
#     bench/run.sh                     # the same build with other JVM options
#
# Prints the machine, the chaos-proxy transport, one line per measurement, then a
# Markdown table that is also written to bench/results/latest.md.
# Every process it starts is stopped on exit. Traffic goes only to 127.0.0.1.
set -euo pipefail

# ---------------------------------------------------------------- settings
DURATION="${DURATION:-5}"           # seconds per measurement (iperf3 and wrk)
ROUNDS="${ROUNDS:-5}"               # rounds over all paths (paths alternate within a round); the median round is reported
WARMUP="${WARMUP:-45}"              # at most this many seconds of warm-up through chaos-proxy (until the JIT is done)
CONNS="${CONNS:-32}"                # wrk connections
WRK_THREADS="${WRK_THREADS:-1}"     # wrk threads
HAPROXY_THREADS="${HAPROXY_THREADS:-2}"  # chaos-proxy runs one event loop per core (2 here)
PATHS="${PATHS:-direct chaos haproxy}"   # also: netty (the bare-Netty floor)
JAVA_OPTS="${JAVA_OPTS:-}"
CHAOS_ARGS="${CHAOS_ARGS:-}"        # extra chaos-proxy flags, e.g. --transport epoll
JAVA="${JAVA:-java}"

H=127.0.0.1
NGINX_PORT=18080
IPERF_PORT=5201
HAP_HTTP_PORT=18081
HAP_BULK_PORT=18082
CP_HTTP_PORT=18091
CP_BULK_PORT=18092
CP_API_PORT=18474
NETTY_HTTP_PORT=18093
NETTY_BULK_PORT=18094

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
JAR="${JAR:-$ROOT/control-api/target/chaos-proxy.jar}"   # the chaos-proxy build measured as "chaos"
BASE_JAR="${BASE_JAR:-}"    # another build (e.g. of an older commit), measured as "base" when PATHS has it
BASE_JAVA_OPTS="${BASE_JAVA_OPTS-$JAVA_OPTS}"   # the base's JVM options: BASE_JAR=<same jar> BASE_JAVA_OPTS=... compares flags
BASE_CHAOS_ARGS="${BASE_CHAOS_ARGS-$CHAOS_ARGS}"   # the base's chaos-proxy flags, likewise
BASE_LABEL="${BASE_LABEL:-chaos-proxy base build}"   # its column's title, e.g. "chaos-proxy --io-threads 1"
BASE_HTTP_PORT=18095
BASE_BULK_PORT=18096
BASE_API_PORT=18476   # not fidelity.sh's 18475: it runs at the end while this one still runs
RESULTS_DIR="$BENCH_DIR/results"

die() { echo "bench: error: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }

case "$DURATION$ROUNDS$WARMUP$CONNS$WRK_THREADS$HAPROXY_THREADS" in
  *[!0-9]*) die "DURATION, ROUNDS, WARMUP, CONNS, WRK_THREADS and HAPROXY_THREADS must be whole numbers" ;;
esac
if [ "$DURATION" -lt 1 ] || [ "$ROUNDS" -lt 1 ]; then die "DURATION and ROUNDS must be at least 1"; fi
for p in $PATHS; do
  case "$p" in direct|chaos|base|haproxy|netty) ;; *) die "unknown path '$p' in PATHS (use: direct chaos base haproxy netty)" ;; esac
done
case " $PATHS " in *" base "*) [ -n "$BASE_JAR" ] && [ -f "$BASE_JAR" ] || die "PATHS has base: set BASE_JAR to a chaos-proxy jar" ;; esac
want() { case " $PATHS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# ---------------------------------------------------------------- cleanup
TMP=""
PIDS=()
POLICY_CREATED=0
cleanup() {
  local rc=$?
  set +e
  local pid i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid="${PIDS[$i]}"
    kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  if [ "$POLICY_CREATED" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
  if [ -n "$TMP" ] && [ -d "$TMP" ]; then
    if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept raw output in $TMP"; else rm -rf "$TMP"; fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- tools
ensure_tools() {
  # command -> Debian (bookworm) package
  local -a missing=()
  local pair cmd pkg
  for pair in iperf3:iperf3 wrk:wrk nginx:nginx-light haproxy:haproxy jq:jq curl:curl ss:iproute2; do
    cmd="${pair%%:*}" pkg="${pair#*:}"
    command -v "$cmd" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$cmd" >/dev/null 2>&1 \
      || missing+=("$pkg")
  done
  export PATH="$PATH:/usr/sbin:/sbin"
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]} (run as root, or: sudo apt-get install -y --no-install-recommends ${missing[*]})"
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get"
  log "installing: ${missing[*]}"
  # Keep Debian's maintainer scripts from starting nginx/haproxy on their default ports.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    POLICY_CREATED=1
  fi
  local p
  for p in "${missing[@]}"; do
    apt-cache show "$p" >/dev/null 2>&1 || { apt-get update -qq >&2; break; }
  done
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
    || die "apt-get install ${missing[*]} failed"
  if [ "$POLICY_CREATED" = 1 ]; then rm -f /usr/sbin/policy-rc.d; POLICY_CREATED=0; fi
}

# ---------------------------------------------------------------- helpers
port_busy() { [ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ]; }

check_ports_free() {
  local port busy=()
  for port in "$@"; do port_busy "$port" && busy+=("$port"); done
  if [ ${#busy[@]} -gt 0 ]; then
    ss -Htlnp 2>/dev/null | grep -E ":($(IFS='|'; echo "${busy[*]}"))\b" >&2 || true
    die "port(s) already in use on this machine: ${busy[*]} — stop whatever listens there and retry"
  fi
}

# wait_listen PORT PID NAME LOGFILE: bounded wait (20 s) until PORT listens; fail if PID dies.
wait_listen() {
  local port=$1 pid=$2 name=$3 logf=$4 i
  for i in $(seq 1 200); do
    port_busy "$port" && return 0
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$logf" >&2 || true; die "$name exited before listening on $port"; }
    sleep 0.1
  done
  tail -n 20 "$logf" >&2 || true
  die "$name did not listen on $port within 20 s"
}

# CPU seconds (user+system, all threads) used so far by PID, as ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
CLK_TCK="$(getconf CLK_TCK)"

# Noise check: CPU used during a measurement by user-space processes outside this benchmark's process group
# (e.g. someone's build or test run on the same machine). Kernel threads (softirq work of our own traffic) and
# everything this script started are not counted.
OUR_PGRP="$(awk '{ s = $0; sub(/^.*\) /, "", s); split(s, f, " "); print f[3] }' /proc/$$/stat)"
proc_snapshot() { # -> lines "pid ticks comm" of other user-space processes
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v me="$OUR_PGRP" '{
    s = $0; comm = s; sub(/^[0-9]+ \(/, "", comm); sub(/\) [^)]*$/, "", comm); gsub(/ /, "_", comm)
    sub(/^.*\) /, "", s); split(s, f, " ")
    if (f[3] != me && f[3] != 0) print $1, f[12] + f[13], comm }'
}
NOISE_MAX=0
NOISE_WHO=""
noise_begin() { proc_snapshot >"$NOISE_FILE"; NB_T="$(date +%s.%N)"; }
# noise_end: sets NOISE to the cores other processes used since noise_begin; keeps the maximum and its main user.
noise_end() {
  local t out v who
  t="$(date +%s.%N)"
  out="$(proc_snapshot | awk -v hz="$CLK_TCK" -v dt="$(awk -v a="$NB_T" -v b="$t" 'BEGIN { print b - a }')" '
    NR == FNR { before[$1] = $2; next }
    { d = $2 - (($1 in before) ? before[$1] : 0); if (d < 0) d = 0; sum += d; by[$3] += d }
    END { top = ""; for (c in by) if (top == "" || by[c] > by[top]) top = c
          printf "%.2f %s\n", sum / hz / dt, (top == "" ? "-" : top) }' "$NOISE_FILE" -)"
  v="${out%% *}" who="${out#* }"
  if awk -v a="$NOISE_MAX" -v b="$v" 'BEGIN { exit !(b > a) }'; then NOISE_MAX="$v" NOISE_WHO="$who"; fi
  NOISE="$v"
}

# The process that forwards for a path ("" for direct).
FWD_PID_chaos=""
FWD_PID_base=""
FWD_PID_haproxy=""
FWD_PID_netty=""
fwd_pid() { case "$1" in chaos) echo "$FWD_PID_chaos" ;; base) echo "$FWD_PID_base" ;; haproxy) echo "$FWD_PID_haproxy" ;; netty) echo "$FWD_PID_netty" ;; *) echo "" ;; esac; }
http_port() { case "$1" in direct) echo $NGINX_PORT ;; chaos) echo $CP_HTTP_PORT ;; base) echo $BASE_HTTP_PORT ;; haproxy) echo $HAP_HTTP_PORT ;; netty) echo $NETTY_HTTP_PORT ;; esac; }
bulk_port() { case "$1" in direct) echo $IPERF_PORT ;; chaos) echo $CP_BULK_PORT ;; base) echo $BASE_BULK_PORT ;; haproxy) echo $HAP_BULK_PORT ;; netty) echo $NETTY_BULK_PORT ;; esac; }

is_jvm() { [ "$1" = chaos ] || [ "$1" = base ]; }   # a chaos-proxy build (JIT, allocation figures)
api_port() { case "$1" in chaos) echo $CP_API_PORT ;; base) echo $BASE_API_PORT ;; esac; }

declare -A R   # results: R[metric,path]

# jit_end PATH T0 T1: sets JIT to ", jit N" (cores the JIT compilers used during a chaos-proxy run) or "".
jit_end() {
  JIT=""
  is_jvm "$1" || return 0
  JIT=", jit $(awk -v a="$JIT0" -v b="$(jit_ticks "$(fwd_pid "$1")")" -v hz="$CLK_TCK" -v t0="$2" -v t1="$3" \
    'BEGIN { printf "%.2f", (b - a) / hz / (t1 - t0) }')"
}

# run_wrk PATH KIND SECONDS -> sets R[KIND_rps,PATH] R[KIND_p50,PATH] R[KIND_p99,PATH] R[KIND_err,PATH] R[KIND_cpu,PATH]
run_wrk() {
  local path=$1 kind=$2 secs=$3 port out pid t0 t1 c0 c1 a0 a1
  port="$(http_port "$path")"
  out="$TMP/wrk-$kind-$path.txt"
  local -a hdr=()
  [ "$kind" = close ] && hdr=(-H "Connection: close")
  pid="$(fwd_pid "$path")"
  a0=""; ! is_jvm "$path" || a0="$(allocated_bytes "$(api_port "$path")")"
  c0=0; [ -n "$pid" ] && c0="$(cpu_ticks "$pid")"
  noise_begin
  ! is_jvm "$path" || JIT0="$(jit_ticks "$pid")"
  t0="$(date +%s.%N)"
  timeout --foreground $((secs + 30)) wrk -t"$WRK_THREADS" -c"$CONNS" -d"${secs}s" --latency "${hdr[@]}" \
    -s "$TMP/report.lua" "http://$H:$port/bench.txt" >"$out" 2>&1 \
    || { cat "$out" >&2; die "wrk ($kind, $path) failed"; }
  t1="$(date +%s.%N)"
  c1=0; [ -n "$pid" ] && c1="$(cpu_ticks "$pid")"
  local line
  noise_end
  jit_end "$path" "$t0" "$t1"
  line="$(grep '^BENCH ' "$out")" || { cat "$out" >&2; die "wrk ($kind, $path): no result line"; }
  # BENCH requests=N duration_us=N p50_us=N p99_us=N errors=N non2xx=N
  local requests duration_us p50_us p99_us errors non2xx rps p50 p99 cpu=""
  read -r requests duration_us p50_us p99_us errors non2xx < <(sed -E 's/^BENCH //; s/[a-z0-9_]+=//g' <<<"$line")
  [[ "$requests$duration_us$p50_us$p99_us$errors$non2xx" =~ ^[0-9]+$ ]] || die "wrk ($kind, $path): bad result line: $line"
  [ "$requests" -gt 0 ] || { cat "$out" >&2; die "wrk ($kind, $path): no request completed"; }
  rps="$(awk -v r="$requests" -v d="$duration_us" 'BEGIN { printf "%.0f", r / (d / 1e6) }')"
  p50="$(awk -v v="$p50_us" 'BEGIN { printf "%.3f", v / 1000 }')"
  p99="$(awk -v v="$p99_us" 'BEGIN { printf "%.3f", v / 1000 }')"
  [ -z "$pid" ] || cpu="$(awk -v a="$c0" -v b="$c1" -v hz="$CLK_TCK" -v t0="$t0" -v t1="$t1" \
      'BEGIN { printf "%.2f", (b - a) / hz / (t1 - t0) }')"
  R[${kind}_err,$path]=$(( ${R[${kind}_err,$path]:-0} + errors ))
  R[${kind}_bad,$path]=$(( ${R[${kind}_bad,$path]:-0} + non2xx ))
  # Every round is kept; the table shows each figure's median over the rounds.
  R[${kind}_rps,$path]+=" $rps" R[${kind}_p50,$path]+=" $p50" R[${kind}_p99,$path]+=" $p99"
  local cost="" alloc="" allocnote=""
  if [ -n "$cpu" ]; then   # forwarder CPU per request, µs
    cost="$(awk -v c="$cpu" -v r="$rps" 'BEGIN { printf "%.1f", c / r * 1000000 }')"
    R[${kind}_cost,$path]+=" $cost"
  fi
  if is_jvm "$path" && [ -n "$a0" ]; then   # heap bytes chaos-proxy allocated per request
    a1="$(allocated_bytes "$(api_port "$path")")"
    if [ -n "$a1" ]; then
      alloc="$(awk -v a="$a0" -v b="$a1" -v n="$requests" 'BEGIN { printf "%.0f", (b - a) / n }')"
      R[${kind}_alloc,$path]+=" $alloc"
      allocnote=", ${alloc} B allocated per request"
    fi
  fi
  printf '  %-8s %-10s %9s req/s   p50 %7s ms   p99 %7s ms   errors %s, non-2xx %s   forwarder %4s cores%s, others %s\n' \
    "$path" "$kind" "$rps" "$p50" "$p99" "$errors" "$non2xx" "${cpu:-—}" "${cost:+ = $cost µs/req}$allocnote" "$NOISE$JIT"
}

# Heap bytes a chaos-proxy (by API port) has allocated since it started (chaosproxy_jvm_allocated_bytes_total),
# or "" (a build from before that metric).
allocated_bytes() {
  # awk reads to the end: exiting early would fail curl's write (exit 23), and pipefail would stop the script.
  { curl -fsS -m 2 -H "Host: $H" "http://$H:$1/metrics" 2>/dev/null || true; } \
    | awk '/^chaosproxy_jvm_allocated_bytes_total / && !done { printf "%.0f", $2; done = 1 }'
}

# run_iperf PATH SECONDS -> sets R[bulk,PATH] (Gbit/s) R[bulk_cpu,PATH]
run_iperf() {
  local path=$1 secs=$2 port out pid t0 t1 c0 c1 bps
  port="$(bulk_port "$path")"
  out="$TMP/iperf-$path.json"
  pid="$(fwd_pid "$path")"
  c0=0; [ -n "$pid" ] && c0="$(cpu_ticks "$pid")"
  noise_begin
  ! is_jvm "$path" || JIT0="$(jit_ticks "$pid")"
  t0="$(date +%s.%N)"
  timeout --foreground $((secs + 30)) iperf3 -c "$H" -p "$port" -t "$secs" -O 1 -P 1 -J >"$out" 2>&1 \
    || { cat "$out" >&2; die "iperf3 ($path) failed"; }
  t1="$(date +%s.%N)"
  c1=0; [ -n "$pid" ] && c1="$(cpu_ticks "$pid")"
  noise_end
  jit_end "$path" "$t0" "$t1"
  bps="$(jq -r '.end.sum_received.bits_per_second // empty' "$out")"
  [ -n "$bps" ] || { cat "$out" >&2; die "iperf3 ($path): no result"; }
  local gbps cpu=""
  gbps="$(awk -v b="$bps" 'BEGIN { printf "%.2f", b / 1e9 }')"
  [ -z "$pid" ] || cpu="$(awk -v a="$c0" -v b="$c1" -v hz="$CLK_TCK" -v t0="$t0" -v t1="$t1" \
      'BEGIN { printf "%.2f", (b - a) / hz / (t1 - t0) }')"
  R[bulk,$path]+=" $gbps"
  local cost=""
  if [ -n "$cpu" ]; then   # forwarder CPU per GB, ms
    cost="$(awk -v c="$cpu" -v g="$gbps" 'BEGIN { printf "%.0f", c / g * 8000 }')"
    R[bulk_cost,$path]+=" $cost"
  fi
  printf '  %-8s %-10s %9s Gbit/s   forwarder %4s cores%s, others %s\n' "$path" "bulk" "$gbps" "${cpu:-—}" \
    "${cost:+ = $cost ms/GB}" "$NOISE$JIT"
}

# ---------------------------------------------------------------- start
ensure_tools
if want chaos || want base || want netty; then command -v "$JAVA" >/dev/null 2>&1 || die "java not found on PATH (JDK 17 needed)"; fi

ports=("$NGINX_PORT" "$IPERF_PORT")
if want chaos; then ports+=("$CP_HTTP_PORT" "$CP_BULK_PORT" "$CP_API_PORT"); fi
if want base; then ports+=("$BASE_HTTP_PORT" "$BASE_BULK_PORT" "$BASE_API_PORT"); fi
if want haproxy; then ports+=("$HAP_HTTP_PORT" "$HAP_BULK_PORT"); fi
if want netty; then ports+=("$NETTY_HTTP_PORT" "$NETTY_BULK_PORT"); fi
check_ports_free "${ports[@]}"

if { want chaos || want netty; } && [ ! -f "$JAR" ]; then
  log "$JAR missing: building (mvn -B -q -DskipTests package)"
  (cd "$ROOT" && mvn -B -q -DskipTests package) >&2 || die "maven build failed"
  [ -f "$JAR" ] || die "build finished but $JAR is not there"
fi

TMP="$(mktemp -d /tmp/chaos-bench.XXXXXX)"
NOISE_FILE="$TMP/noise.txt"
noise_begin; sleep 1; noise_end
NOISE_BEFORE="$NOISE"; NOISE_MAX=0; NOISE_WHO=""
if awk -v n="$NOISE_BEFORE" 'BEGIN { exit !(n > 0.15) }'; then
  log "warning: other processes use $NOISE_BEFORE cores right now; results will be noisy"
fi

cat >"$TMP/report.lua" <<'EOF'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
EOF

start_nginx "$TMP" "$H" "$NGINX_PORT" || die "nginx did not start (its log is above)"

iperf3 -s -B "$H" -p "$IPERF_PORT" >"$TMP/iperf3-server.log" 2>&1 &
PIDS+=($!)
wait_listen $IPERF_PORT $! "iperf3 -s" "$TMP/iperf3-server.log"

if want haproxy; then
  cat >"$TMP/haproxy.cfg" <<EOF
global
    nbthread $HAPROXY_THREADS
    maxconn 4000
defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend http_in
    bind $H:$HAP_HTTP_PORT
    default_backend nginx
backend nginx
    server nginx $H:$NGINX_PORT
frontend bulk_in
    bind $H:$HAP_BULK_PORT
    default_backend iperf3
backend iperf3
    server iperf3 $H:$IPERF_PORT
EOF
  haproxy -c -q -f "$TMP/haproxy.cfg" >"$TMP/haproxy.out" 2>&1 || { cat "$TMP/haproxy.out" >&2; die "haproxy config check failed"; }
  haproxy -db -f "$TMP/haproxy.cfg" >"$TMP/haproxy.out" 2>&1 &
  FWD_PID_haproxy=$!
  PIDS+=($!)
  wait_listen $HAP_HTTP_PORT $! haproxy "$TMP/haproxy.out"
  wait_listen $HAP_BULK_PORT $! haproxy "$TMP/haproxy.out"
fi

CP_TRANSPORT="n/a"
CP_THREADS="n/a"
# start_chaos NAME JAR HTTP_PORT BULK_PORT API_PORT: starts a chaos-proxy build in front of nginx and iperf3, sets
# STARTED_PID once its API and both listeners answer.
start_chaos() {
  local name=$1 jar=$2 http=$3 bulk=$4 api=$5 opts=$6 args=$7 ok=0 pid
  cat >"$TMP/$name.json" <<EOF
[{"name":"http","listen":"$H:$http","upstream":"$H:$NGINX_PORT"},
 {"name":"bulk","listen":"$H:$bulk","upstream":"$H:$IPERF_PORT"}]
EOF
  # shellcheck disable=SC2086
  "$JAVA" $opts -jar "$jar" --host "$H" --port "$api" --config "$TMP/$name.json" \
    $args >"$TMP/$name.log" 2>&1 &
  pid=$!
  PIDS+=($pid)
  for _ in $(seq 1 300); do   # 30 s
    if curl -fsS -m 1 -o /dev/null -H "Host: $H" "http://$H:$api/version" 2>/dev/null; then ok=1; break; fi
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$TMP/$name.log" >&2; die "chaos-proxy ($name) exited during start"; }
    sleep 0.1
  done
  [ "$ok" = 1 ] || { tail -n 30 "$TMP/$name.log" >&2; die "chaos-proxy ($name) API did not answer on $api within 30 s"; }
  wait_listen "$http" "$pid" "chaos-proxy ($name)" "$TMP/$name.log"
  wait_listen "$bulk" "$pid" "chaos-proxy ($name)" "$TMP/$name.log"
  curl -fsS -o /dev/null "http://$H:$http/bench.txt" || die "no HTTP answer through chaos-proxy ($name)"
  STARTED_PID=$pid
}
if want chaos; then
  start_chaos chaos "$JAR" "$CP_HTTP_PORT" "$CP_BULK_PORT" "$CP_API_PORT" "$JAVA_OPTS" "$CHAOS_ARGS"
  FWD_PID_chaos=$STARTED_PID
fi
if want base; then
  start_chaos base "$BASE_JAR" "$BASE_HTTP_PORT" "$BASE_BULK_PORT" "$BASE_API_PORT" "$BASE_JAVA_OPTS" "$BASE_CHAOS_ARGS"
  FWD_PID_base=$STARTED_PID
fi

if want netty; then
  # The bare-Netty floor, compiled in memory by the source launcher against the jar's Netty.
  # shellcheck disable=SC2086
  "$JAVA" $JAVA_OPTS -cp "$JAR" "$BENCH_DIR/NettyFloorProxy.java" "$NETTY_HTTP_PORT:$NGINX_PORT" \
    "$NETTY_BULK_PORT:$IPERF_PORT" >"$TMP/netty.log" 2>&1 &
  FWD_PID_netty=$!
  PIDS+=($!)
  wait_listen $NETTY_HTTP_PORT "$FWD_PID_netty" "netty floor" "$TMP/netty.log"
  wait_listen $NETTY_BULK_PORT "$FWD_PID_netty" "netty floor" "$TMP/netty.log"
  curl -fsS -o /dev/null "http://$H:$NETTY_HTTP_PORT/bench.txt" || die "no HTTP answer through the netty floor"
fi

# ---------------------------------------------------------------- machine
JAVA_VERSION="$("$JAVA" -version 2>&1 | head -n 1 || true)"
CPU_MODEL="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)"
echo "== machine"
echo "  nproc:   $(nproc)  ${CPU_MODEL:+($CPU_MODEL)}"
echo "  kernel:  $(uname -sr)"
echo "  java:    $JAVA_VERSION"
"$JAVA" -version 2>&1 | sed -n '2,$s/^/           /p' || true
echo "  tools:   $(wrk -v 2>&1 | head -n 1 | awk '{print $1, $2}'), $(iperf3 -v 2>&1 | head -n 1 | awk '{print $1, $2}'), $(nginx -v 2>&1 | sed 's/.*: //'), haproxy $(haproxy -v | awk 'NR==1 {print $3}')"
echo "  settings: ${DURATION}s per run, median of $ROUNDS rounds, wrk -t$WRK_THREADS -c$CONNS, nginx worker_processes 1, haproxy nbthread $HAPROXY_THREADS, 256-byte static file"

# ---------------------------------------------------------------- warm-up
# CPU ticks of the JVM's JIT compiler threads: on 2 cores a busy C2 thread takes half the machine, so the
# JVM path is measured only once the compilers have gone quiet.
jit_ticks() { # PID
  local f t=0 line
  for f in /proc/"$1"/task/*/stat; do
    { read -r line <"$f"; } 2>/dev/null || continue
    case "$line" in *"(C1 Compiler"*|*"(C2 Compiler"*)
      t=$((t + $(awk '{ s = $0; sub(/^.*\) /, "", s); split(s, f, " "); print f[12] + f[13] }' <<<"$line"))) ;;
    esac
  done
  echo "$t"
}
JIT_NOTE="n/a"
# warm_up NAME: rounds of traffic through that chaos-proxy build until its JIT compilers go quiet; sets JIT_NOTE.
warm_up() {
  local name=$1 pid http bulk w_start=$SECONDS w_round=0 j0 j1 wt0 wt1 jit
  pid="$(fwd_pid "$name")" http="$(http_port "$name")" bulk="$(bulk_port "$name")"
  echo "== warm-up chaos-proxy ($name) (rounds of 2 s keep-alive, 2 s new connections, 1 s bulk until the JIT is quiet; at most ${WARMUP}s; not measured)"
  while :; do
    w_round=$((w_round + 1))
    j0="$(jit_ticks "$pid")"; wt0="$(date +%s.%N)"
    timeout --foreground 40 wrk -t"$WRK_THREADS" -c"$CONNS" -d2s "http://$H:$http/bench.txt" >/dev/null 2>&1 \
      || die "warm-up wrk failed"
    timeout --foreground 40 wrk -t"$WRK_THREADS" -c"$CONNS" -d2s -H "Connection: close" "http://$H:$http/bench.txt" >/dev/null 2>&1 \
      || die "warm-up wrk (close) failed"
    timeout --foreground 40 iperf3 -c "$H" -p "$bulk" -t 1 >/dev/null 2>&1 || die "warm-up iperf3 failed"
    j1="$(jit_ticks "$pid")"; wt1="$(date +%s.%N)"
    jit="$(awk -v a="$j0" -v b="$j1" -v hz="$CLK_TCK" -v t0="$wt0" -v t1="$wt1" 'BEGIN { printf "%.2f", (b - a) / hz / (t1 - t0) }')"
    echo "  round $w_round: JIT compiler threads busy $jit cores"
    if [ "$w_round" -ge 2 ] && awk -v j="$jit" 'BEGIN { exit !(j < 0.05) }'; then
      JIT_NOTE="JIT quiet after $((SECONDS - w_start)) s of warm-up"
      break
    fi
    if [ $((SECONDS - w_start)) -ge "$WARMUP" ]; then
      JIT_NOTE="JIT still busy ($jit cores) after $((SECONDS - w_start)) s of warm-up"
      log "warning: $JIT_NOTE ($name); its figures may be low"
      break
    fi
  done
}
if want base; then warm_up base; fi
if want chaos; then
  warm_up chaos
  # The transport shows in the mapped native library; the loop threads by name.
  if grep -q 'netty_transport_native_io_uring' "/proc/$FWD_PID_chaos/maps" 2>/dev/null; then CP_TRANSPORT="io_uring (native)"
  elif grep -q 'netty_transport_native_epoll' "/proc/$FWD_PID_chaos/maps" 2>/dev/null; then CP_TRANSPORT="epoll (native)"
  else CP_TRANSPORT="nio"; fi
  CP_THREADS="$(cat /proc/"$FWD_PID_chaos"/task/*/comm 2>/dev/null | grep -c '^chaos-io' || true)"
  echo "  chaos-proxy transport: $CP_TRANSPORT, event-loop threads: $CP_THREADS, JAVA_OPTS: '${JAVA_OPTS}', flags: '${CHAOS_ARGS}'"
  sleep 1
fi

if want netty; then
  # Same traffic as chaos-proxy's warm-up, fixed length: the floor's JIT has less to compile.
  echo "== warm-up netty floor (4 rounds of 2 s keep-alive, 2 s new connections, 1 s bulk; not measured)"
  for _ in 1 2 3 4; do
    timeout --foreground 40 wrk -t"$WRK_THREADS" -c"$CONNS" -d2s "http://$H:$NETTY_HTTP_PORT/bench.txt" >/dev/null 2>&1 \
      || die "warm-up wrk (netty) failed"
    timeout --foreground 40 wrk -t"$WRK_THREADS" -c"$CONNS" -d2s -H "Connection: close" "http://$H:$NETTY_HTTP_PORT/bench.txt" \
      >/dev/null 2>&1 || die "warm-up wrk (close, netty) failed"
    timeout --foreground 40 iperf3 -c "$H" -p "$NETTY_BULK_PORT" -t 1 >/dev/null 2>&1 || die "warm-up iperf3 (netty) failed"
  done
  echo "  $(head -n 1 "$TMP/netty.log")"
  sleep 1
fi

# ---------------------------------------------------------------- measure
# Paths alternate within each round, so a burst of outside load hits them alike; each figure is the median over the rounds.
echo "== 1. bulk throughput, one stream (iperf3 -t $DURATION -O 1), $ROUNDS rounds"
for ((r = 1; r <= ROUNDS; r++)); do for p in $PATHS; do run_iperf "$p" "$DURATION"; sleep 0.5; done; done
echo "== 2. keep-alive HTTP (wrk -t$WRK_THREADS -c$CONNS -d${DURATION}s --latency), $ROUNDS rounds"
for ((r = 1; r <= ROUNDS; r++)); do for p in $PATHS; do run_wrk "$p" keepalive "$DURATION"; sleep 0.5; done; done
echo "== 3. new connection per request (same, with Connection: close), $ROUNDS rounds"
for ((r = 1; r <= ROUNDS; r++)); do for p in $PATHS; do run_wrk "$p" close "$DURATION"; sleep 0.5; done; done

# ---------------------------------------------------------------- table
med() { # median of a space-separated list of numbers ("" if empty), with as many decimals as the inputs have
  # shellcheck disable=SC2086
  printf '%s\n' $1 | sort -g | awk '{ v[NR] = $1; d = index($1, ".") ? length($1) - index($1, ".") : 0; if (d > dec) dec = d }
    END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2];
          else printf "%.*f\n", dec, (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
cell() { local v; v="$(med "${R[$1,$2]:-}")"; echo "${v:-—}"; }
added() { # added p99 vs direct, ms
  local d v
  d="$(med "${R[$1,direct]:-}")" v="$(med "${R[$1,$2]:-}")"
  if [ -z "$d" ] || [ -z "$v" ] || [ "$2" = direct ]; then echo "—"; return; fi
  awk -v a="$v" -v b="$d" 'BEGIN { printf "%+.3f", a - b }'
}
ratio() { # value as % of direct
  local d v
  d="$(med "${R[$1,direct]:-}")" v="$(med "${R[$1,$2]:-}")"
  if [ -z "$d" ] || [ -z "$v" ] || [ "$2" = direct ]; then echo ""; return; fi
  awk -v a="$v" -v b="$d" 'BEGIN { if (b > 0) printf " (%.0f%%)", 100 * a / b }'
}
errs() { local e="${R[${1}_err,$2]:-0}" b="${R[${1}_bad,$2]:-0}"; [ "$e$b" = 00 ] || echo " ⚠ ${e} socket err, ${b} non-2xx"; }
row() { # label metric [ratio]
  local label=$1 m=$2 withratio=${3:-}
  local line="| $label |" p
  for p in $COLUMNS; do
    if [ -n "$withratio" ]; then line+=" $(cell "$m" "$p")$(ratio "$m" "$p") |"; else line+=" $(cell "$m" "$p") |"; fi
  done
  echo "$line"
}
addrow() {
  local label=$1 m=$2 line p
  line="| $label |"
  for p in $COLUMNS; do line+=" $(added "$m" "$p") |"; done
  echo "$line"
}

costrow() { # label cost-metric: the median of the per-round costs
  local label=$1 c=$2 line p
  line="| $label |"
  for p in $COLUMNS; do line+=" $(cell "$c" "$p") |"; done
  echo "$line"
}
COLUMNS="direct chaos haproxy"
HEADER="| metric | direct | chaos-proxy | haproxy |"
RULE="|---|---:|---:|---:|"
if want base; then COLUMNS+=" base"; HEADER+=" $BASE_LABEL |"; RULE+="---:|"; fi
if want netty; then COLUMNS+=" netty"; HEADER+=" bare Netty (floor) |"; RULE+="---:|"; fi
TABLE="$(
  echo "$HEADER"
  echo "$RULE"
  row "bulk throughput, 1 stream (Gbit/s)" bulk ratio
  row "keep-alive HTTP, $CONNS conns (req/s)" keepalive_rps ratio
  row "keep-alive p50 (ms)" keepalive_p50
  row "keep-alive p99 (ms)" keepalive_p99
  addrow "keep-alive added p99 vs direct (ms)" keepalive_p99
  row "new connection per request (req/s)" close_rps ratio
  row "new-connection p99 (ms)" close_p99
  addrow "new-connection added p99 vs direct (ms)" close_p99
  costrow "forwarder CPU per GB, bulk (ms)" bulk_cost
  costrow "forwarder CPU per request, keep-alive (µs)" keepalive_cost
  costrow "forwarder CPU per connection, new conns (µs)" close_cost
  costrow "heap allocated per connection, new conns (bytes)" close_alloc
  costrow "heap allocated per request, keep-alive (bytes)" keepalive_alloc
)"

# ---------------------------------------------------------------- targets (issue #19), judged on the medians
# Reference figures from before the work on them (commit fc88a8f, this machine): allocation per new connection
# measured with async-profiler's allocation total; the keep-alive and bulk cost ratios to HAProxy of that commit's
# runs (14.5 vs 14.4 µs per request; 432-500 vs 661-700 ms per GB).
ALLOC_BEFORE=8300
KEEPALIVE_RATIO_BEFORE=1.01
BULK_RATIO_BEFORE=0.76
judge() { # label value target-text ok(0/1)
  echo "| $1 | $2 | $3 | $([ "$4" = 1 ] && echo met || echo "**not met**") |"
}
vs_haproxy() { # metric -> chaos median / haproxy median, or ""
  local c h
  c="$(med "${R[$1,chaos]:-}")" h="$(med "${R[$1,haproxy]:-}")"
  [ -n "$c" ] && [ -n "$h" ] || { echo ""; return; }
  awk -v c="$c" -v h="$h" 'BEGIN { if (h > 0) printf "%.2f", c / h }'
}
at_most() { awk -v v="$1" -v t="$2" 'BEGIN { print (v != "" && v + 0 <= t + 0) ? 1 : 0 }'; }
at_least() { awk -v v="$1" -v t="$2" 'BEGIN { print (v != "" && v + 0 >= t + 0) ? 1 : 0 }'; }
TARGETS=""
if want chaos && want haproxy; then
  r_rate="$(vs_haproxy close_rps)" r_cost="$(vs_haproxy close_cost)" r_p99="$(vs_haproxy close_p99)"
  r_ka="$(vs_haproxy keepalive_cost)" r_bulk="$(vs_haproxy bulk_cost)"
  alloc="$(med "${R[close_alloc,chaos]:-}")"
  TARGETS="$(
    echo "| target (median of $ROUNDS rounds) | chaos-proxy | target | |"
    echo "|---|---:|---|---|"
    judge "new connections/s, vs HAProxy" "${r_rate:-—}x" ">= 1.00x" "$(at_least "$r_rate" 1.00)"
    judge "CPU per new connection, vs HAProxy" "${r_cost:-—}x" "<= 1.05x" "$(at_most "$r_cost" 1.05)"
    judge "new-connection p99, vs HAProxy" "${r_p99:-—}x" "<= 1.20x" "$(at_most "$r_p99" 1.20)"
    judge "heap allocated per new connection" "${alloc:-—} B" "<= $((ALLOC_BEFORE / 2)) B (half of $ALLOC_BEFORE)" \
      "$(at_most "$alloc" $((ALLOC_BEFORE / 2)))"
    judge "keep-alive CPU per request, vs HAProxy" "${r_ka:-—}x" "no worse than before (${KEEPALIVE_RATIO_BEFORE}x, +5 %)" \
      "$(at_most "$r_ka" "$(awk -v b=$KEEPALIVE_RATIO_BEFORE 'BEGIN { print b * 1.05 }')")"
    judge "bulk CPU per GB, vs HAProxy" "${r_bulk:-—}x" "no worse than before (${BULK_RATIO_BEFORE}x, +5 %)" \
      "$(at_most "$r_bulk" "$(awk -v b=$BULK_RATIO_BEFORE 'BEGIN { print b * 1.05 }')")"
  )"
fi
WARN=""
for k in keepalive close; do for p in $PATHS; do
  w="$(errs "$k" "$p")"; [ -z "$w" ] || WARN+="- $k via $p:$w"$'\n'
done; done

REPORT="$(
  echo "Loopback benchmark, $(date -u +%Y-%m-%d): $(nproc) cores ($CPU_MODEL), $(uname -sr), $JAVA_VERSION."
  echo "chaos-proxy transport $CP_TRANSPORT, $CP_THREADS event-loop threads, $JIT_NOTE; haproxy $(haproxy -v | awk 'NR==1 {print $3}') \`mode tcp\`, nbthread $HAPROXY_THREADS;"
  echo "nginx 1 worker serving a 256-byte file; wrk -t$WRK_THREADS -c$CONNS -d${DURATION}s; iperf3 -t $DURATION -O 1, one stream;"
  if want netty; then
    echo "bare Netty = bench/NettyFloorProxy.java: the plainest Netty forwarder (no events, metrics or half-close; same transport and loops as chaos-proxy), a floor for any Netty proxy;"
  fi
  echo "median of $ROUNDS rounds per path and figure (paths alternate within a round). Client, server and forwarder share the same $(nproc) cores. (%) = share of direct."
  echo "Other processes used up to $NOISE_MAX cores during a measurement${NOISE_WHO:+ (mostly $NOISE_WHO)}, $NOISE_BEFORE before the start."
  if awk -v n="$NOISE_MAX" -v b="$NOISE_BEFORE" 'BEGIN { exit !(n > 0.15 || b > 0.15) }'; then
    echo "**Warning: the machine was not quiet; these figures are noisy. Re-run on an idle machine.**"
  fi
  echo
  echo "$TABLE"
  if [ -n "$TARGETS" ]; then echo; echo "$TARGETS"; fi
  if [ -n "$WARN" ]; then echo; echo "Errors reported by wrk:"; printf '%s' "$WARN"; fi
)"

mkdir -p "$RESULTS_DIR"
find "$RESULTS_DIR" -mindepth 1 -maxdepth 1 ! -name '*.md' -exec rm -rf {} +   # startup.sh and fidelity.sh keep theirs here too
printf '%s\n' "$REPORT" >"$RESULTS_DIR/latest.md"

echo
echo "== results (also in ${RESULTS_DIR#"$ROOT"/}/latest.md)"
echo
printf '%s\n' "$REPORT"

# Start-up section (bench/startup.sh: start to API answering, jar and image; the first 30 s's new-connection rate; about a minute). STARTUP=0 skips it.
if [ "${STARTUP:-1}" = 1 ]; then echo; "$BENCH_DIR/startup.sh"; fi
[ "${FIDELITY:-0}" = 0 ] || bash "$BENCH_DIR/fidelity.sh"   # latency/bandwidth fidelity (~6 min): FIDELITY=1 bench/run.sh
