package io.chaosproxy.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chaosproxy.api.ApiException;
import io.chaosproxy.api.ProxyRequests;
import io.chaosproxy.engine.ProxyException;
import io.chaosproxy.engine.ProxyRegistry;
import io.chaosproxy.engine.ProxySpec;
import io.chaosproxy.model.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads a config file at start: Toxiproxy's format (a JSON array of {@code {name, listen, upstream, enabled}}),
 * where each proxy may also list its {@code toxics} (which Toxiproxy ignores). All or nothing, like /populate.
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /** Applies the file; throws {@link ConfigException} with a message naming the file and the field. */
    public static int load(Path file, ProxyRegistry registry) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
        try {
            JsonNode array = ProxyRequests.proxyArray(new ObjectMapper().readTree(bytes));
            List<ProxySpec> specs = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                specs.add(ProxyRequests.proxySpec(array.get(i), "[" + i + "]."));
            }
            java.util.Map<String, Boolean> tlsAware = ProxyRequests.tlsAwareOf(array);
            List<io.chaosproxy.engine.Proxy> proxies = registry.populate(specs, ProxyRequests.toxicsOf(array));
            ProxyRequests.applyTlsAware(proxies, tlsAware);
            return proxies.size();
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        } catch (ApiException | ValidationException | ProxyException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }

    /** A config file that cannot be applied; nothing from it was applied. */
    public static final class ConfigException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ConfigException(String message) {
            super(message);
        }
    }
}
