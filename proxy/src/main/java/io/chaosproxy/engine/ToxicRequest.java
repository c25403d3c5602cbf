package io.chaosproxy.engine;

import java.util.Map;

/**
 * A toxic as a user describes it, before validation; null fields take Toxiproxy's defaults. {@code selector},
 * {@code schedule} and {@code seed} are our extensions, which Toxiproxy clients simply do not send.
 */
public record ToxicRequest(String name, String type, String stream, Double toxicity, Map<String, Object> attributes,
        Map<String, Object> selector, Map<String, Object> schedule, Long seed) {

    public ToxicRequest(String name, String type, String stream, Double toxicity, Map<String, Object> attributes) {
        this(name, type, stream, toxicity, attributes, null, null, null);
    }
}
