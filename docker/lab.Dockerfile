# The lab's demo services (one image, two entrypoints): copies the jar Maven built (no build inside the image).
#
#   mvn -B -q package -DskipTests
#   docker build -f docker/lab.Dockerfile -t chaos-proxy-lab:local lab/target
#   docker run --rm chaos-proxy-lab:local server --help
#   docker run --rm chaos-proxy-lab:local client --help
#
# The context is lab/target (only chaos-proxy-lab.jar is used). BASE_IMAGE selects another Java 17+ base (CI:
# chaos-proxy-base:bookworm). Runs as a non-root user: the demo services need no privilege.
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}

RUN (getent group lab >/dev/null || groupadd --system --gid 10002 lab) \
    && (id lab >/dev/null 2>&1 || useradd --system --uid 10002 --gid lab --home-dir /nonexistent \
        --no-create-home --shell /usr/sbin/nologin lab)

COPY chaos-proxy-lab.jar /opt/chaos-proxy-lab/chaos-proxy-lab.jar

USER lab
# 8080 http, 9000 echo (server); 9100 metrics (both)
EXPOSE 8080 9000 9100
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9100 && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && head -c 12 <&3 | grep -q ' 200'"]
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-Xmx128m", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/chaos-proxy-lab/chaos-proxy-lab.jar"]
CMD ["--help"]
