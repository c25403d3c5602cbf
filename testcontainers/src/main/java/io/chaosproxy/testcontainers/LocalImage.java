package io.chaosproxy.testcontainers;

import com.github.dockerjava.api.exception.NotFoundException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.utility.DockerImageName;

/** The check that a locally built chaos-proxy image is there before Testcontainers tries to pull it. */
final class LocalImage {
    /** The one command that builds the image under the tag the container uses by default. */
    static final String BUILD_COMMAND = "mvn -B -DskipTests install && docker build -f docker/chaos-proxy.Dockerfile"
            + " -t " + ChaosProxyContainer.DEFAULT_IMAGE + " -t chaos-proxy:local control-api/target";

    private LocalImage() {
    }

    static void requirePresent(DockerImageName image) {
        if (!isProjectImage(image)) {
            return; // another name: a registry may have it, Testcontainers pulls as usual
        }
        try {
            DockerClientFactory.lazyClient().inspectImageCmd(image.asCanonicalNameString()).exec();
        } catch (NotFoundException e) {
            throw new IllegalStateException("Docker has no image " + image.asCanonicalNameString()
                    + ", and no registry publishes it: build it in a chaos-proxy checkout with\n  " + BUILD_COMMAND
                    + "\n(or pass your own image name to ChaosProxyContainer)", e);
        }
    }

    /** {@code chaos-proxy:<tag>} with no registry: an image of this project, built locally. */
    static boolean isProjectImage(DockerImageName image) {
        return image.getRegistry().isEmpty() && image.getRepository().equals("chaos-proxy");
    }
}
