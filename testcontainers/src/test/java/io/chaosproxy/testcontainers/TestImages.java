package io.chaosproxy.testcontainers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * Makes sure the images these tests need exist, building them here (no registry is reachable): chaos-proxy from
 * {@code docker/chaos-proxy.Dockerfile} and the jar Maven just packaged (rebuilt when the jar is newer than the
 * image), and PostgreSQL from Debian's package ({@code src/test/docker/postgres}), both on the offline base image.
 * Without Docker or the base image, the test class is skipped with the reason. Registered for every test class of
 * this module (JUnit's extension autodetection), so the README's examples need no annotation of ours.
 */
public final class TestImages implements BeforeAllCallback {
    static final String CHAOS_PROXY = ChaosProxyContainer.DEFAULT_IMAGE;
    static final String POSTGRES = "chaos-proxy-test-postgres:bookworm";
    static final String BASE = System.getProperty("chaosproxy.baseImage", "chaos-proxy-base:bookworm");

    /**
     * The name the README's examples use for PostgreSQL (the public image). Here, with no registry, it is an alias
     * of {@link #POSTGRES} (Debian's PostgreSQL), made only when no such image exists, so the examples run as
     * written.
     */
    static final String README_POSTGRES = "postgres:16";

    private static String unavailable;
    private static boolean ready;

    @Override
    public void beforeAll(ExtensionContext context) {
        String why = ensure();
        Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
    }

    /** Null when everything is there, else why the Docker tests cannot run. */
    static synchronized String ensure() {
        if (ready || unavailable != null) {
            return unavailable;
        }
        unavailable = check();
        ready = unavailable == null;
        return unavailable;
    }

    private static String check() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return "Docker is not available to Testcontainers (is dockerd running?)";
        }
        DockerClient docker = DockerClientFactory.instance().client();
        if (inspect(docker, BASE) == null) {
            return "the offline base image " + BASE + " is missing (built by the CI's image script)";
        }
        Path root = Paths.get(System.getProperty("chaosproxy.projectRoot", "..")).toAbsolutePath().normalize();
        Path jar = root.resolve("control-api/target/chaos-proxy.jar");
        Path dockerfile = root.resolve("docker/chaos-proxy.Dockerfile");
        try {
            InspectImageResponse chaos = inspect(docker, CHAOS_PROXY);
            boolean stale = chaos == null;
            if (chaos != null && Files.exists(jar)) {
                Instant created = Instant.parse(chaos.getCreated());
                stale = Files.getLastModifiedTime(jar).toInstant().isAfter(created);
            }
            if (stale) {
                if (!Files.exists(jar) || !Files.exists(dockerfile)) {
                    return "image " + CHAOS_PROXY + " is missing and cannot be built: need " + jar + " (mvn package)"
                            + " and " + dockerfile;
                }
                long start = System.nanoTime();
                new ImageFromDockerfile(CHAOS_PROXY, false)
                        .withFileFromPath("Dockerfile", dockerfile)
                        .withFileFromPath("chaos-proxy.jar", jar)
                        .withBuildArg("BASE_IMAGE", BASE)
                        .get();
                System.out.printf("built %s in %d ms%n", CHAOS_PROXY, (System.nanoTime() - start) / 1_000_000);
            }
            if (inspect(docker, POSTGRES) == null) {
                Path pgDir = root.resolve("testcontainers/src/test/docker/postgres");
                long start = System.nanoTime();
                new ImageFromDockerfile(POSTGRES, false)
                        .withFileFromPath(".", pgDir)
                        .withBuildArg("BASE_IMAGE", BASE)
                        .get();
                System.out.printf("built %s in %d ms%n", POSTGRES, (System.nanoTime() - start) / 1_000_000);
            }
            if (inspect(docker, README_POSTGRES) == null) {
                docker.tagImageCmd(POSTGRES, "postgres", "16").exec();
            }
        } catch (Exception e) {
            return "could not build the test images: " + e;
        }
        return null;
    }

    private static InspectImageResponse inspect(DockerClient docker, String image) {
        try {
            return docker.inspectImageCmd(image).exec();
        } catch (NotFoundException e) {
            return null;
        }
    }

}
