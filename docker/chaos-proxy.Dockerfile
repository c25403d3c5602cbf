# chaos-proxy: copies the jar Maven built (no build inside the image).
#
#   mvn -B -DskipTests install
#   docker build -f docker/chaos-proxy.Dockerfile -t chaos-proxy:0.1.0-SNAPSHOT -t chaos-proxy:local control-api/target
#   docker run --rm -p 8474:8474 chaos-proxy:local                         # stream toxics, non-root
#   docker run --rm -p 8474:8474 --user 0 --cap-add NET_ADMIN chaos-proxy:local   # + packet toxics
#
# chaos-proxy:0.1.0-SNAPSHOT is the name ChaosProxyContainer uses by default; chaos-proxy:local is the lab's.
#
# The context is control-api/target (only chaos-proxy.jar is used). BASE_IMAGE selects another Java 17+ base
# (CI: chaos-proxy-base:bookworm, made offline by .ci/offline-images.sh, which already has iptables).
# Packet toxics (syn_drop, ...) need iptables and NFQUEUE inside the container's own network namespace: run as
# root with --cap-add NET_ADMIN. Without them the stream toxics all work, and GET /capabilities says why the packet
# engine is unavailable.
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}

# iptables for the packet engine, installed only when the base lacks it (an offline base must already have it).
RUN command -v iptables >/dev/null 2>&1 || command -v /usr/sbin/iptables >/dev/null 2>&1 \
    || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends iptables \
        && rm -rf /var/lib/apt/lists/*)
RUN (getent group chaos >/dev/null || groupadd --system --gid 10001 chaos) \
    && (id chaos >/dev/null 2>&1 || useradd --system --uid 10001 --gid chaos --home-dir /nonexistent \
        --no-create-home --shell /usr/sbin/nologin chaos)

COPY chaos-proxy.jar /opt/chaos-proxy/chaos-proxy.jar

# Memory bounds for a sidecar: a 256 MiB heap and 256 MiB of direct buffers, whatever the host has (without them
# the JVM takes a quarter of the machine, and garbage alone grew the heap past 1 GB under 200 stuck /events
# subscribers). GET /capabilities reports the heap in force. In a container with a memory limit, e.g.
# -e JAVA_OPTS="-XX:MaxRAMPercentage=50 -XX:MaxDirectMemorySize=128m" sizes the heap from that limit instead.
ENV JAVA_OPTS="-Xmx256m -XX:MaxDirectMemorySize=256m"

# Class-data sharing: a training run at build time (--cds-training: API calls, a proxy, connections through it)
# writes every class a start and a first minute load into an archive; each start then maps them instead of
# loading and verifying them from the jar (0.61x the start to the API answering: see the README, "Start-up"). Same
# JVM and flags as the ENTRYPOINT; an archive that does not fit (another JVM) is left unused, with a warning, and
# the start is as without it. -Xlog:cds=error: the dump lists each class it cannot keep (picocli's, built for Java 5).
RUN java $JAVA_OPTS -XX:+ExitOnOutOfMemoryError -Djna.tmpdir=/tmp -Xlog:cds=error \
        -XX:ArchiveClassesAtExit=/opt/chaos-proxy/chaos-proxy.jsa -jar /opt/chaos-proxy/chaos-proxy.jar --cds-training \
    && chmod 444 /opt/chaos-proxy/chaos-proxy.jsa

USER chaos
EXPOSE 8474
# Healthy once the API answers: 200, or 401 when it requires a token (CHAOS_PROXY_API_TOKEN).
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8474 && printf 'GET /version HTTP/1.0\\r\\n\\r\\n' >&3 && head -c 12 <&3 | grep -qE ' (200|401)'"]
ENTRYPOINT ["sh", "-c", "exec java -XX:SharedArchiveFile=/opt/chaos-proxy/chaos-proxy.jsa $JAVA_OPTS -XX:+ExitOnOutOfMemoryError -Djna.tmpdir=/tmp -jar /opt/chaos-proxy/chaos-proxy.jar \"$@\"", "chaos-proxy"]
CMD ["--host", "0.0.0.0"]
