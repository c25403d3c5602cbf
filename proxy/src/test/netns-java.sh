#!/bin/sh
# Runs the packet-engine tests' JVM in a network namespace of its own, so their iptables rules and NFQUEUE
# never touch the host's. Pins SYN retransmission settings there so timings are predictable. When a namespace
# cannot be made (not root, no unshare), runs java plainly and tells the tests why, so they skip.
# The real java: surefire passes the one running Maven as CHAOS_REAL_JAVA (never JAVA_HOME, which surefire points
# at the wrapper's own directory).
JAVA="${CHAOS_REAL_JAVA:-}"
WRAPPER_DIR="$(cd "$(dirname "$0")" && pwd)"
case "$JAVA" in ""|"$WRAPPER_DIR"/*) JAVA="" ;; esac
if [ -z "$JAVA" ] || [ ! -x "$JAVA" ]; then
  JAVA="$(command -v java)"
  case "$(readlink -f "$JAVA")" in "$WRAPPER_DIR"/*) JAVA=/usr/bin/java ;; esac
fi
if [ -z "$CHAOS_NETNS_INSIDE" ]; then
  if command -v unshare >/dev/null 2>&1 && unshare -n true >/dev/null 2>&1; then
    CHAOS_NETNS_INSIDE=1 exec unshare -n "$0" "$@"
  fi
  CHAOS_NETNS_UNAVAILABLE="unshare -n failed (needs root or CAP_SYS_ADMIN, and the unshare binary)" \
    exec "$JAVA" "$@"
fi
# Inside the new namespace.
export CHAOS_NETNS=1
if command -v ip >/dev/null 2>&1; then ip link set lo up; else ifconfig lo up 2>/dev/null; fi
sysctl -q -w net.ipv4.tcp_syn_retries=6 >/dev/null 2>&1
sysctl -q -w net.ipv4.tcp_synack_retries=5 >/dev/null 2>&1
[ -e /proc/sys/net/ipv4/tcp_syn_linear_timeouts ] && sysctl -q -w net.ipv4.tcp_syn_linear_timeouts=4 >/dev/null 2>&1
exec "$JAVA" "$@"
