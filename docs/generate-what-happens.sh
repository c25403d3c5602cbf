#!/bin/sh
# Regenerates docs/what-happens-at-each-stage.md from a real run of the scenario catalogue: every scenario,
# the packet ones included, in a network namespace of its own (so the packet engine's iptables rules never touch
# the host's) with the SYN retransmission settings pinned as the tests pin them. Needs root (unshare -n),
# iptables, and the jar: mvn -B -q package -DskipTests. Run from the repository's root.
set -e
JAR=control-api/target/chaos-proxy.jar
OUT=docs/what-happens-at-each-stage.md
[ -f "$JAR" ] || { echo "build the jar first: mvn -B -q package -DskipTests" >&2; exit 2; }
CMD="unshare -n sh -c 'ip link set lo up; sysctl -w net.ipv4.tcp_syn_retries=6 net.ipv4.tcp_synack_retries=5 net.ipv4.tcp_syn_linear_timeouts=4; java -jar $JAR scenario run --all --markdown $OUT'"
exec unshare -n sh -c "
  ip link set lo up
  sysctl -q -w net.ipv4.tcp_syn_retries=6 net.ipv4.tcp_synack_retries=5
  [ -e /proc/sys/net/ipv4/tcp_syn_linear_timeouts ] && sysctl -q -w net.ipv4.tcp_syn_linear_timeouts=4
  exec java -jar $JAR scenario run --all --markdown $OUT --generated-by \"docs/generate-what-happens.sh, that is: $(printf '%s' "$CMD" | sed 's/"/\\"/g')\"
"
