package io.chaosproxy.assertj;

import io.chaosproxy.client.ConnectionInfo;
import org.assertj.core.api.AbstractAssert;

/** Assertions on the TCP segments the packet engine recorded for one connection. */
public final class SegmentsAssert extends AbstractAssert<SegmentsAssert, ConnectionInfo> {
    private final ConnectionAssert connection;

    SegmentsAssert(ConnectionAssert connection, ConnectionInfo actual) {
        super(actual, SegmentsAssert.class);
        this.connection = connection;
    }

    /** Exactly {@code count} segments of this kind were dropped by a packet toxic. */
    public SegmentsAssert dropped(SegmentKind kind, int count) {
        return withVerdict(kind, "drop", count);
    }

    /** Exactly {@code count} segments of this kind were held back (delayed) by a packet toxic. */
    public SegmentsAssert delayed(SegmentKind kind, int count) {
        return withVerdict(kind, "delay", count);
    }

    private SegmentsAssert withVerdict(SegmentKind kind, String verdict, int count) {
        long seen = actual.segments().stream().filter(s -> kind.matches(s) && verdict.equals(s.verdict())).count();
        if (seen != count) {
            failWithMessage("expected %d %s segment(s) with verdict %s but saw %d:%n%s", count, kind, verdict, seen,
                    actual.timeline());
        }
        return this;
    }

    /** Back to the connection, for more assertions on it. */
    public ConnectionAssert and() {
        return connection;
    }
}
