package io.chaosproxy.packet;

import io.chaosproxy.model.SegmentRecord;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/** The last segments the packet engine saw for one proxy: a bounded ring, readable as a list or a pcap file. */
public final class SegmentLog {
    /** pcap's LINKTYPE_RAW: each record is a bare IPv4 or IPv6 packet. */
    static final int LINKTYPE_RAW = 101;

    private final SegmentRecord[] ring;
    private long written;

    SegmentLog(int capacity) {
        this.ring = new SegmentRecord[capacity];
    }

    synchronized void add(SegmentRecord record) {
        ring[(int) (written % ring.length)] = record;
        written++;
    }

    /** Oldest first. */
    public synchronized List<SegmentRecord> snapshot() {
        int n = (int) Math.min(written, ring.length);
        List<SegmentRecord> out = new ArrayList<>(n);
        for (long i = written - n; i < written; i++) {
            out.add(ring[(int) (i % ring.length)]);
        }
        return out;
    }

    /** Writes the log as a classic pcap file (microsecond timestamps, LINKTYPE_RAW); packets are truncated copies. */
    public void writePcap(OutputStream target) throws IOException {
        writePcap(snapshot(), target);
    }

    static void writePcap(List<SegmentRecord> records, OutputStream target) throws IOException {
        DataOutputStream out = new DataOutputStream(target);
        out.writeInt(0xa1b2c3d4); // big-endian magic: readers detect the byte order from it
        out.writeShort(2);
        out.writeShort(4);
        out.writeInt(0); // thiszone
        out.writeInt(0); // sigfigs
        out.writeInt(65535); // snaplen
        out.writeInt(LINKTYPE_RAW);
        for (SegmentRecord r : records) {
            out.writeInt((int) (r.epochMicros() / 1_000_000));
            out.writeInt((int) (r.epochMicros() % 1_000_000));
            out.writeInt(r.packet().length);
            out.writeInt(Math.max(r.originalLength(), r.packet().length));
            out.write(r.packet());
        }
        out.flush();
    }
}
