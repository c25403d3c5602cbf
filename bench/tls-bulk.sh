#!/usr/bin/env bash
# Bulk throughput over TLS through chaos-proxy with the TLS reader on (a tls_aware proxy) and off, and direct:
# a JDK TLS server and client on loopback, the paths alternating each round, the median of ROUNDS rounds (issue 18:
# the reader must stay within 5 % of the same proxy without it). The certificate is made here with keytool, in a
# temporary directory removed at exit.
# Also the proxy's CPU time per GB on each path (steadier than throughput on a shared machine).
# Usage: bench/tls-bulk.sh [MIB_PER_CONNECTION [ROUNDS [PROTOCOL]]]   e.g. bench/tls-bulk.sh 128 15 TLSv1.2
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JAR="$ROOT/control-api/target/chaos-proxy.jar"
PORT="${API_PORT:-18674}"
[ -f "$JAR" ] || (cd "$ROOT" && mvn -B -o -q package -DskipTests)
TMP="$(mktemp -d)"
java ${JAVA_OPTS:-} -jar "$JAR" --host 127.0.0.1 --port "$PORT" --no-packet-engine >"$TMP/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true; rm -rf "$TMP"' EXIT
keytool -genkeypair -alias bulk -keyalg EC -groupname secp256r1 -dname CN=localhost -validity 1 \
  -keystore "$TMP/bulk.p12" -storetype PKCS12 -storepass changeit -keypass changeit 2>/dev/null
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$PORT/version" >/dev/null 2>&1 && break
  sleep 0.1
done
echo "machine: $(nproc) cores, $(uname -r), $(java -version 2>&1 | head -1); chaos-proxy: $(curl -s "http://127.0.0.1:$PORT/capabilities" | tr -d '\n' | sed 's/.*"transport":"\([a-z_]*\)".*/\1/')"
java "$ROOT/bench/TlsBulk.java" "$TMP/bulk.p12" "$PORT" "${1:-128}" "${2:-15}" "${3:-TLSv1.3}" "$SERVER"
