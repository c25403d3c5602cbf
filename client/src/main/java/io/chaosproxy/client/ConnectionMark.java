package io.chaosproxy.client;

/**
 * A point in a test, taken with {@link ProxyHandle#mark()}: connections the proxy accepted after it are "since" the
 * mark. Connection ids grow by one per accepted client, so the mark is the highest id seen when it was taken.
 */
public record ConnectionMark(String proxy, long lastConnectionId) {
}
