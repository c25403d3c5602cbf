#!/usr/bin/env bash
# The console's live list under load (issue 17): prints connections made, events the page received and dropped,
# and the list's render times. Needs Debian's chromium and chromium-driver. Usage: bench/console-live.sh [RATE [SECONDS]]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f control-api/target/chaos-proxy.jar ] || mvn -B -q -o package -DskipTests
mvn -B -q -o dependency:build-classpath -pl control-api -Dmdep.includeScope=test -Dmdep.outputFile=target/console-bench.cp >/dev/null
exec java -cp "control-api/target/chaos-proxy.jar:$(cat control-api/target/console-bench.cp)" bench/ConsoleLiveLoad.java "$@"
