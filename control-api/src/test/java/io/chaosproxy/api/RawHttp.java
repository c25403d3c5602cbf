package io.chaosproxy.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 written by hand, as a browser or an attacker's page would send it: any Host, Origin, Sec-Fetch-Site or
 * User-Agent (Java's HttpClient refuses to set Host). One request per connection.
 */
final class RawHttp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final int port;

    RawHttp(int port) {
        this.port = port;
    }

    record Reply(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    /** A request builder: method, path, then headers; {@link #send()} reads the whole answer. */
    final class Request {
        private final String method;
        private final String path;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private String body = "";

        Request(String method, String path) {
            this.method = method;
            this.path = path;
            headers.put("Host", "127.0.0.1:" + port);
        }

        Request header(String name, String value) {
            if (value == null) {
                headers.remove(name);
            } else {
                headers.put(name, value);
            }
            return this;
        }

        Request body(String contentType, String text) {
            headers.put("Content-Type", contentType);
            this.body = text;
            return this;
        }

        Reply send() {
            return exchange(false);
        }

        /** For a stream (/events): the status line and headers only, then the connection is closed. */
        Reply sendHeadOnly() {
            return exchange(true);
        }

        private Reply exchange(boolean headOnly) {
            StringBuilder text = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
            headers.forEach((k, v) -> text.append(k).append(": ").append(v).append("\r\n"));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            text.append("Content-Length: ").append(bytes.length).append("\r\nConnection: close\r\n\r\n");
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                s.setSoTimeout(10_000);
                s.getOutputStream().write(text.toString().getBytes(StandardCharsets.UTF_8));
                s.getOutputStream().write(bytes);
                s.getOutputStream().flush();
                return read(s.getInputStream(), headOnly);
            } catch (IOException e) {
                throw new UncheckedIOException(method + " " + path + " failed", e);
            }
        }
    }

    Request request(String method, String path) {
        return new Request(method, path);
    }

    private static Reply read(InputStream in, boolean headOnly) throws IOException {
        String head = readHead(in);
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        if (headOnly) {
            return new Reply(status, headers, "");
        }
        String length = headers.get("content-length");
        byte[] body = length == null ? in.readAllBytes() : in.readNBytes(Integer.parseInt(length));
        return new Reply(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the end of the headers: " + out);
            }
            out.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : 0;
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
