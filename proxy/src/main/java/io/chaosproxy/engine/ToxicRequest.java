package io.chaosproxy.engine;

import java.util.Map;

/** A toxic as a user describes it, before validation; null fields take Toxiproxy's defaults. */
public record ToxicRequest(String name, String type, String stream, Double toxicity, Map<String, Object> attributes) {
}
