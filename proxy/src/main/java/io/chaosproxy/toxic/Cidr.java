package io.chaosproxy.toxic;

import io.chaosproxy.model.ValidationException;
import io.netty.util.NetUtil;
import java.net.InetAddress;

/** An IPv4 or IPv6 network such as {@code 127.0.0.2/32} or {@code ::1/128}; a bare address means one host. */
public record Cidr(byte[] network, int prefixLength, String text) {

    public static Cidr parse(String field, Object value) {
        if (!(value instanceof String s) || s.isBlank()) {
            throw new ValidationException(field, field + " must be a CIDR such as 127.0.0.1/32 or ::1/128");
        }
        int slash = s.indexOf('/');
        String address = slash < 0 ? s : s.substring(0, slash);
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
        if (bytes == null) {
            throw new ValidationException(field, field + ": \"" + s + "\" is not an IP address or CIDR");
        }
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > max) {
                throw new ValidationException(field, field + ": prefix length must be between 0 and " + max);
            }
        }
        return new Cidr(bytes, prefix, s);
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            // An IPv4 client on a dual-stack socket appears as ::ffff:a.b.c.d; compare its IPv4 part.
            if (a.length == 16 && network.length == 4 && isV4Mapped(a)) {
                a = java.util.Arrays.copyOfRange(a, 12, 16);
            } else {
                return false;
            }
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (a[full] & mask) == (network[full] & mask);
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xFF && a[11] == (byte) 0xFF;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
