package io.chaosproxy.client;

import java.util.LinkedHashMap;
import java.util.Map;

/** One toxic on one proxy: read, change (attributes, toxicity) or remove it. */
public final class ToxicHandle {
    private final ChaosProxyClient client;
    private final ProxyHandle proxy;
    private final String name;
    private volatile ToxicInfo info;

    ToxicHandle(ChaosProxyClient client, ProxyHandle proxy, ToxicInfo info) {
        this.client = client;
        this.proxy = proxy;
        this.name = info.name();
        this.info = info;
    }

    public String name() {
        return name;
    }

    public ProxyHandle proxy() {
        return proxy;
    }

    /** The state last seen. */
    public ToxicInfo info() {
        return info;
    }

    /** Asks the server again (a schedule's state changes from {@code pending} to {@code active}, say). */
    public ToxicInfo refresh() {
        info = client.call("GET", path(), null, ToxicInfo.class);
        return info;
    }

    /** Changes one attribute, e.g. {@code setAttribute("latency", 500)}; the change reaches open connections too. */
    public ToxicHandle setAttribute(String attribute, Object value) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put(attribute, value);
        return update(attrs, null);
    }

    /** Changes attributes and/or toxicity (null leaves them as they are). */
    public ToxicHandle update(Map<String, Object> attributes, Double toxicity) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (attributes != null && !attributes.isEmpty()) {
            body.put("attributes", attributes);
        }
        if (toxicity != null) {
            body.put("toxicity", toxicity);
        }
        info = client.call("POST", path(), body, ToxicInfo.class);
        return this;
    }

    public ToxicHandle setToxicity(double toxicity) {
        return update((java.util.Map<String, Object>) null, toxicity);
    }

    /** Removes the toxic; bytes it held are passed on, in order. */
    public void remove() {
        client.call("DELETE", path(), null, Void.class);
    }

    private String path() {
        return proxy.path() + "/toxics/" + ChaosProxyClient.encode(name);
    }

    @Override
    public String toString() {
        return "ToxicHandle[" + proxy.name() + "/" + name + " " + info.type() + " " + info.stream() + "]";
    }
}
