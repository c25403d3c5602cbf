package io.chaosproxy.model;

/**
 * One segment in a proxy's segment log.
 *
 * @param epochMicros when the packet engine saw it
 * @param direction who sent it to whom: {@code client>proxy}, {@code proxy>client}, {@code proxy>server},
 *     {@code server>proxy}
 * @param seq sequence number relative to the sender's initial one (absolute when that was not seen)
 * @param ack acknowledgement number relative to the receiver's initial sequence number (0 without ACK)
 * @param options the SYN options as tcpdump prints them, e.g. {@code mss 65495,sackOK,TS val 1 ecr 0,wscale 7}
 * @param verdict accept, drop, delay or reject
 * @param packet the copied start of the IP packet, for the pcap file
 * @param originalLength the packet's full length on the wire
 */
public record SegmentRecord(long epochMicros, String leg, String direction, String flags, long seq, long ack,
        int window, int length, String options, String verdict, byte[] packet, int originalLength) {

    @Override
    public String toString() {
        return epochMicros + " " + leg + " " + direction + " [" + flags + "] seq " + seq + " ack " + ack + " win "
                + window + " len " + length + (options.isEmpty() ? "" : " <" + options + ">") + " " + verdict;
    }
}
