package io.chaosproxy.scenario;

import static io.chaosproxy.scenario.Checks.clientEof;
import static io.chaosproxy.scenario.Checks.clientException;
import static io.chaosproxy.scenario.Checks.clientOk;
import static io.chaosproxy.scenario.Checks.clientStepAt;
import static io.chaosproxy.scenario.Checks.connectBetween;
import static io.chaosproxy.scenario.Checks.event;
import static io.chaosproxy.scenario.Checks.receivedBetween;
import static io.chaosproxy.scenario.Checks.segments;
import static io.chaosproxy.scenario.Checks.serverAccepted;
import static io.chaosproxy.scenario.Checks.serverStep;
import static io.chaosproxy.scenario.Checks.serverStepAt;
import static io.chaosproxy.scenario.Checks.socketState;
import static io.chaosproxy.scenario.Checks.socketStateAt;
import static io.chaosproxy.scenario.Checks.totalBetween;
import static io.chaosproxy.scenario.Checks.unreadBytes;

import io.chaosproxy.scenario.CatalogueEntry.Upstream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The scenarios: one fault at one stage of a connection's life each, in the order of that life. Timeouts are
 * explicit: the client's connect timeout is 5 s and its read timeout 2 s unless an entry says otherwise; the
 * server's reads time out after 5 s. Handshake timings assume the kernel's SYN retransmission timer starts at 1 s
 * (Linux's TCP_TIMEOUT_INIT); the packet tests pin {@code tcp_syn_retries=6} and {@code tcp_syn_linear_timeouts=4}.
 */
public final class Catalogue {
    /** The head of the server's close-delimited answer, "HTTP/1.0 200 OK\r\n\r\n". */
    private static final int BARE_HEAD = Programs.head(0, false).length();

    private static final List<Scenario> ALL = List.of(
            // ---------------------------------------------------------------- handshake (packet engine)
            CatalogueEntry.named("syn-lost-once", Stage.HANDSHAKE)
                    .packetToxic("syn_drop", "upstream", Map.of("count", 1))
                    .fault("syn_drop count=1: the client's first SYN is dropped")
                    .expect("connect() succeeds after about 1 s, when the client's kernel sends its SYN again; "
                            + "the exchange then works",
                            clientOk(), connectBetween(900, 1600), segments("client>proxy", "S", "drop", 1),
                            segments("client>proxy", "S", "accept", 1))
                    .explain("The client's connect() sends a SYN: a segment with only the SYN flag, the client's "
                            + "initial sequence number (shown as relative seq 0), no acknowledgement (ack 0) and "
                            + "its receive window and options (MSS, SACK permitted, timestamps, window scale). "
                            + "The packet engine drops it, so nobody answers. The client's kernel does not know "
                            + "why; it waits its initial retransmission timeout (1 s) and sends the very same SYN "
                            + "again (same seq 0). That one passes, the proxy's kernel answers with a SYN-ACK "
                            + "(its own seq 0, ack 1 = the client's sequence number plus one, because a SYN "
                            + "counts as one byte), the client acknowledges it and connect() returns, about 1 s "
                            + "late. No program saw an error: a lost SYN only shows up as a slow connect."),
            CatalogueEntry.named("syn-lost-twice", Stage.HANDSHAKE)
                    .packetToxic("syn_drop", "upstream", Map.of("count", 2))
                    .fault("syn_drop count=2: the client's first two SYNs are dropped")
                    .expect("connect() succeeds after the kernel's two retransmission delays: about 2 s with "
                            + "tcp_syn_linear_timeouts (1 s + 1 s), about 3 s with classic doubling (1 s + 2 s)",
                            clientOk(), connectBetween(1800, 3500), segments("client>proxy", "S", "drop", 2),
                            segments("client>proxy", "S", "accept", 1))
                    .explain("As with one lost SYN, but twice: the client sends the same SYN (seq 0) three "
                            + "times. Between attempts its kernel waits the retransmission timeout, which "
                            + "classically doubles after each loss (1 s, 2 s, 4 s, ...), so two losses cost 3 s; "
                            + "newer Linux kernels first retry at a fixed 1 s a few times "
                            + "(net.ipv4.tcp_syn_linear_timeouts), so here two losses cost about 2 s. The third "
                            + "SYN is answered by the SYN-ACK (ack 1) and the connection works normally after "
                            + "that. This is why a connect that takes almost exactly 1 s, 2 s or 3 s longer than "
                            + "usual points at lost SYNs."),
            CatalogueEntry.named("syn-lost-always", Stage.HANDSHAKE)
                    .packetToxic("syn_drop", "upstream", Map.of("count", 0))
                    .fault("syn_drop count=0: every SYN of the client is dropped")
                    .connectTimeout(1500)
                    .expect("the client's own connect timeout (1.5 s) fires: SocketTimeoutException 'Connect "
                            + "timed out'; the server never sees a connection",
                            clientException("SocketTimeoutException", "Connect timed out"),
                            totalBetween(1400, 2300), serverAccepted(0))
                    .explain("Every SYN is dropped. Left alone, the client's kernel would keep retransmitting "
                            + "the SYN tcp_syn_retries times (6 here) with growing gaps and give up after about "
                            + "a minute (over two minutes with classic doubling) with 'Connection timed out'. "
                            + "Programs rarely wait that long: this client asked connect() for a 1.5 s timeout, "
                            + "so Java gives up first and throws SocketTimeoutException 'Connect timed out' "
                            + "after the first SYN and one retransmission. Nothing reached the proxy's accept() "
                            + "or the server: from their side, nothing happened at all."),
            CatalogueEntry.named("synack-delayed", Stage.HANDSHAKE)
                    .packetToxic("synack_delay", "upstream", Map.of("delay", 500))
                    .fault("synack_delay delay=500: the proxy's SYN-ACK is held 500 ms")
                    .expect("connect() takes about 500 ms longer; then everything works",
                            clientOk(), connectBetween(450, 950), segments("proxy>client", "S.", "delay", 1))
                    .explain("The client's SYN arrives and the proxy's kernel answers at once with a SYN-ACK "
                            + "(flags SYN and ACK, the proxy's own initial sequence number as seq 0, ack 1 "
                            + "acknowledging the client's SYN, and the proxy's window and options). The packet "
                            + "engine holds that SYN-ACK for 500 ms before letting it go. 500 ms is less than "
                            + "the client's 1 s retransmission timeout, so the client does not even resend its "
                            + "SYN: it simply waits, and connect() returns 500 ms late. A slow network path or "
                            + "an overloaded server looks exactly like this from the client."),
            CatalogueEntry.named("synack-lost", Stage.HANDSHAKE)
                    .packetToxic("synack_drop", "upstream", Map.of("count", 1))
                    .fault("synack_drop count=1: the proxy's first SYN-ACK is dropped")
                    .expect("connect() succeeds after about 1 s, when a SYN or the SYN-ACK is retransmitted",
                            clientOk(), connectBetween(900, 1600), segments("proxy>client", "S.", "drop", 1))
                    .explain("The client's SYN arrives; the proxy's kernel records the half-open connection "
                            + "(SYN-RECV) and answers with a SYN-ACK, which is dropped. Now both sides wait: the "
                            + "client for an answer to its SYN, the proxy's kernel for the ACK to its SYN-ACK. "
                            + "Both have a 1 s retransmission timer, so after about 1 s the client resends its "
                            + "SYN (seq 0 again) and/or the proxy's kernel resends its SYN-ACK (seq 0, ack 1 "
                            + "again); whichever comes first completes the handshake. The client sees a connect "
                            + "1 s slower, and the segment log shows the duplicate."),
            CatalogueEntry.named("ack-lost-client-speaks-first", Stage.HANDSHAKE)
                    .packetToxic("ack_drop", "upstream", Map.of("count", 1))
                    .fault("ack_drop count=1: the client's handshake-completing ACK is dropped (the client "
                            + "speaks first)")
                    .expect("connect() returns at once and the exchange is not delayed: the request segment "
                            + "carries the same acknowledgement and completes the handshake",
                            clientOk(), connectBetween(0, 200), totalBetween(0, 700),
                            serverStepAt("accept()", 0, 700), segments("client>proxy", ".", "drop", 1))
                    .explain("After the SYN-ACK arrives the client considers itself connected: it sends the "
                            + "third segment of the handshake (flag ACK, seq 1, ack 1, no data) and connect() "
                            + "returns. That ACK is dropped, so the proxy's kernel still has the connection in "
                            + "SYN-RECV and accept() has nothing to return. But this client speaks first: its "
                            + "request goes out at once in a segment that also has the ACK flag with ack 1. "
                            + "The proxy's kernel takes that as the missing acknowledgement, completes the "
                            + "handshake, queues the bytes and hands the connection to accept(). The lost ACK "
                            + "costs almost nothing. Compare with the next scenario."),
            CatalogueEntry.named("ack-lost-server-speaks-first", Stage.HANDSHAKE)
                    .packetToxic("ack_drop", "upstream", Map.of("count", 1))
                    .fault("ack_drop count=1: the client's handshake-completing ACK is dropped (the server "
                            + "speaks first: a greeting, as SMTP or MySQL send)")
                    .server(Programs.greeter())
                    .client(Programs.greeted())
                    .expect("connect() returns at once, but the greeting arrives about 1 s late: the proxy "
                            + "accepts only after its kernel retransmits the SYN-ACK and the client ACKs again",
                            clientOk(), connectBetween(0, 200), clientStepAt("read a line", 900, 2200),
                            serverStepAt("accept()", 900, 2200), segments("client>proxy", ".", "drop", 1))
                    .explain("The same lost ACK, but now the client waits for the server to speak first, as an "
                            + "SMTP or MySQL client does. The client is connected (ESTABLISHED) and sends "
                            + "nothing; the proxy's side is still in SYN-RECV, so the proxy has not accepted, "
                            + "has not dialled the server, and no greeting can come. Only when the proxy's "
                            + "kernel times out (1 s) and retransmits its SYN-ACK (seq 0, ack 1) does the "
                            + "client answer it with a fresh ACK; that one passes, the proxy accepts, dials the "
                            + "server, and the greeting arrives about 1 s late. A lost third ACK is invisible "
                            + "for a client that talks first and costs a full second for one that listens "
                            + "first."),
            CatalogueEntry.named("connection-refused", Stage.HANDSHAKE)
                    .packetToxic("refuse", "upstream", Map.of())
                    .fault("refuse: the client's SYN is answered with an RST")
                    .expect("connect() fails at once with ConnectException 'Connection refused'; the server sees "
                            + "nothing",
                            clientException("ConnectException", "Connection refused"), totalBetween(0, 500),
                            serverAccepted(0), segments("client>proxy", "S", "reject", 1))
                    .explain("A kernel answers a SYN to a port where nothing listens with an RST (reset) "
                            + "segment that acknowledges the SYN (flags RST and ACK, ack 1). The packet engine "
                            + "does that here while the proxy keeps listening. On receiving the RST the client's "
                            + "kernel abandons the connection immediately, with no retry, and connect() fails "
                            + "with ECONNREFUSED: Java's ConnectException 'Connection refused'. Unlike a lost "
                            + "SYN this is fast and unambiguous: someone answered, and the answer was no."),
            // ---------------------------------------------------------------- upstream (stream engine)
            CatalogueEntry.named("upstream-refused", Stage.UPSTREAM)
                    .upstream(Upstream.CLOSED_PORT)
                    .fault("closed upstream port (no toxic): nothing listens where the proxy dials")
                    .expect("the client connects (to the proxy) fine, then its read gets 'Connection reset' "
                            + "as soon as the proxy's dial is refused",
                            clientException("SocketException", "Connection reset", "Broken pipe"),
                            totalBetween(0, 1000), event("upstream_failed", "refused"))
                    .explain("There are two TCP connections: client to proxy, and proxy to server. The client's "
                            + "handshake is with the proxy, so it completes at once and connect() succeeds. The "
                            + "proxy then dials the upstream; the upstream's kernel answers that SYN with an RST "
                            + "(nothing listens there), so the dial fails with 'refused'. The proxy cannot "
                            + "un-accept the client; the most faithful thing it can do is reset the client's "
                            + "connection (an RST, sent by closing with SO_LINGER 0). The client, blocked in "
                            + "read(), gets SocketException 'Connection reset'. Through a proxy, 'refused' "
                            + "turns into 'reset after connect'. (All of this can take under a millisecond on "
                            + "loopback: if the RST arrives before the client's connect() call has even "
                            + "returned, connect() itself fails with 'Connection reset by peer'.)"),
            CatalogueEntry.named("upstream-blackholed", Stage.UPSTREAM)
                    .upstream(Upstream.BLACKHOLE)
                    .fault("black-holed upstream (no toxic): its accept queue is full, so its kernel drops every "
                            + "SYN and the proxy's dial times out (the engine's connect timeout)")
                    .readTimeout(engine -> engine + 2000)
                    .expect("the client connects, then is reset when the proxy's own dial times out (after the "
                            + "engine's connect timeout)",
                            clientException("SocketException", "Connection reset"), connectBetween(0, 200),
                            r -> {
                                int t = ((Number) r.settings().get("engine_connect_timeout_ms")).intValue();
                                return totalBetween(t - 50, t + 1200).apply(r);
                            }, event("upstream_failed", "timeout"))
                    .explain("The upstream exists but does not answer: its listen queue is full (as with a "
                            + "server that stopped calling accept()), and Linux then silently drops new SYNs. "
                            + "The proxy's dial sends a SYN, hears nothing, resends it after 1 s, and so on; "
                            + "the proxy gives up after its connect timeout (--connect-timeout) and resets the "
                            + "client. Meanwhile the client was connected to the proxy and waiting in read() "
                            + "with a read timeout longer than that, so what it sees is a reset after exactly "
                            + "the proxy's connect timeout. Had its read timeout been shorter, it would have "
                            + "seen 'Read timed out' instead and never learned why."),
            // ---------------------------------------------------------------- TLS (stream engine)
            CatalogueEntry.named("tls-hello-stalled", Stage.TLS)
                    .toxic("tls_hello_stall", "upstream", Map.of("duration", 0))
                    .server(Programs.tlsAnswer(64)).client(Programs.tlsRequest("TLSv1.3"))
                    .fault("tls_hello_stall duration=0: the proxy holds the client's ClientHello")
                    .expect("the client's TLS handshake waits for a ServerHello that never comes, and its read "
                            + "timeout (2 s) fires inside the handshake: SocketTimeoutException 'Read timed out'; "
                            + "the server accepted the connection but never got a ClientHello, and its handshake "
                            + "ends when the client gives up",
                            clientException("SocketTimeoutException", "Read timed out"), totalBetween(1900, 3500),
                            serverAccepted(1), serverStep("TLS handshake failed"),
                            event("tls_client_hello", "sni=localhost"), event("toxic_action", "held ClientHello"))
                    .explain("A TLS 1.3 handshake is one round trip of records, and only its first two messages "
                            + "are readable by anyone in between: the client's ClientHello (the server name it "
                            + "wants, SNI; the versions, cipher suites and application protocols it offers; its "
                            + "key share) and the server's ServerHello (the version and key share chosen). Every "
                            + "record carries a plaintext 5-byte header: content type, version, length. "
                            + "chaos-proxy reads those headers and hellos on the stream and decrypts nothing. Here "
                            + "it keeps the ClientHello: TCP is fine (connect() returned, the proxy even dialled "
                            + "the server), but the server has nothing to answer, so the client sits in its "
                            + "handshake until its own read timeout. This is the 'TLS handshake timeout' of "
                            + "production logs; a client without a read timeout would wait forever."),
            CatalogueEntry.named("tls-reset-after-client-hello", Stage.TLS)
                    .toxic("tls_reset_after", "downstream", Map.of("step", "client_hello"))
                    .server(Programs.tlsAnswer(64)).client(Programs.tlsRequest("TLSv1.3"))
                    .fault("tls_reset_after step=client_hello: RST to both sides when the ClientHello arrives")
                    .expect("the client's handshake fails with SocketException 'Connection reset' before any "
                            + "ServerHello; the server's handshake fails with a reset too, having received nothing",
                            clientException("SocketException", "Connection reset"), totalBetween(0, 1500),
                            serverStep("TLS handshake failed"), event("toxic_action", "RST at ClientHello"))
                    .explain("This is what a middlebox that dislikes a ClientHello does (a firewall filtering on "
                            + "the server name it can read in plaintext, an old load balancer that cannot parse a "
                            + "large post-quantum key share): it resets the connection right after the client's "
                            + "first record. The client's TLS library never got a ServerHello, so it reports the "
                            + "reset from the socket as it is: 'Connection reset', not a TLS error. Nothing says "
                            + "the server refused; the server in fact never saw the hello and got a reset of its "
                            + "own. Retrying usually fails the same way, since the same hello is sent again."),
            CatalogueEntry.named("tls-flight-cut", Stage.TLS)
                    .toxic("tls_cut_flight", "downstream", Map.of("bytes", 600, "then", "fin"))
                    .server(Programs.tlsAnswer(64)).client(Programs.tlsRequest("TLSv1.3"))
                    .fault("tls_cut_flight bytes=600 then=fin: only the first 600 bytes of the server's flight "
                            + "pass (the certificate chain is cut), then a FIN")
                    .expect("the client's handshake fails with SSLHandshakeException 'Remote host terminated the "
                            + "handshake' (an EOF in the middle of the server's records)",
                            clientException("SSLHandshakeException", "Remote host terminated the handshake"),
                            totalBetween(0, 1500), event("toxic_action", "flight cut after 600 bytes"))
                    .explain("In TLS 1.3 the server answers the ClientHello with one flight: the ServerHello "
                            + "(plaintext), a ChangeCipherSpec record kept for middleboxes, then encrypted records "
                            + "that the proxy sees only as 'application data' with a length: EncryptedExtensions, "
                            + "the certificate chain, CertificateVerify and Finished. The proxy counts the flight's "
                            + "bytes from the ServerHello on and lets 600 through, which ends inside the "
                            + "certificate record; then it sends the client a FIN. The client has a record header "
                            + "promising more bytes and gets end-of-stream instead: 'Remote host terminated the "
                            + "handshake'. A path that drops large packets (an MTU black hole) or a proxy that dies "
                            + "mid-answer looks the same."),
            CatalogueEntry.named("tls-slow-handshake", Stage.TLS)
                    .toxic("tls_handshake_delay", "downstream", Map.of("delay", 300))
                    .server(Programs.tlsAnswer(64)).client(Programs.tlsRequest("TLSv1.3"))
                    .fault("tls_handshake_delay delay=300: each handshake record of the server is held 300 ms")
                    .expect("the handshake succeeds about 300 ms late (TLS 1.3: one server flight, so one delay); "
                            + "the answer after it is not delayed",
                            clientOk(), clientStepAt("TLS handshake done", 300, 1500), totalBetween(300, 1800),
                            event("tls_handshake_done", "TLSv1.3"))
                    .explain("The delay applies to handshake records only, counted by the proxy from the record "
                            + "headers: the ServerHello, ChangeCipherSpec and the encrypted flight arrive together, "
                            + "so they are held together and the handshake costs one delay per server flight: "
                            + "about 300 ms for TLS 1.3 (one round trip), about 600 ms for TLS 1.2 (two). Once "
                            + "the client's Finished has passed, the reader stops reading and the request and "
                            + "answer flow at full speed. A slow handshake with a fast transfer points at the "
                            + "handshake's own costs: a far-away or overloaded TLS terminator, OCSP checks, a "
                            + "slow key exchange."),
            CatalogueEntry.named("tls-closed-after-handshake", Stage.TLS)
                    .toxic("tls_close_after_handshake", "downstream", Map.of("then", "fin"))
                    .server(Programs.tlsAnswer(64)).client(Programs.tlsRequest("TLSv1.3"))
                    .fault("tls_close_after_handshake then=fin: a FIN to the client as soon as the handshake is "
                            + "done")
                    .expect("both handshakes succeed; the client's request goes nowhere and its read gets EOF "
                            + "before any byte of the answer",
                            clientEof(), clientStepAt("TLS handshake done", 0, 1500),
                            serverStep("TLS handshake done"), receivedBetween(0, 0),
                            event("toxic_action", "closed after handshake"))
                    .explain("The proxy cannot read a TLS 1.3 Finished (it is encrypted), but it knows where the "
                            + "handshake ends: the client's first encrypted record after the ServerHello is its "
                            + "Finished, sent once the whole server flight arrived. The proxy passes that record "
                            + "on, so the server's handshake completes too, then sends the client a FIN and drops "
                            + "whatever either side sends. The client's handshake succeeded; its request is "
                            + "written without error; its read ends with end-of-stream (Java: read() returns -1 "
                            + "and no close_notify was seen). This is a load balancer or server that accepts TLS "
                            + "and closes idle or unwanted connections at once."),
            // ---------------------------------------------------------------- established (stream engine)
            CatalogueEntry.named("rst-after-establishment", Stage.ESTABLISHED)
                    .toxic("reset_peer", "downstream", Map.of("timeout", 0))
                    .fault("reset_peer timeout=0: the connection is reset as soon as it is established")
                    .expect("connect() succeeds, then the client's read (or write) fails with 'Connection "
                            + "reset' before any byte of the answer",
                            clientException("SocketException", "Connection reset", "Broken pipe"),
                            receivedBetween(0, 0), totalBetween(0, 1000))
                    .explain("The handshake completes normally, then the proxy resets the connection at once: "
                            + "it closes its socket with SO_LINGER 0, which makes its kernel send an RST instead "
                            + "of a FIN. An RST carries the flag R and a sequence number the receiver accepts; "
                            + "it needs no acknowledgement and ends the connection on the spot, discarding "
                            + "anything still unsent. The client's next read() or write() fails with "
                            + "ECONNRESET: 'Connection reset' (or 'Broken pipe' for a write after the reset was "
                            + "already noticed), or, when the RST beats the return of connect() itself, connect() "
                            + "fails with 'Connection reset by peer'. Not one byte of the answer arrived."),
            CatalogueEntry.named("rst-mid-response", Stage.ESTABLISHED)
                    .toxic("reset_peer", "downstream", Map.of("after_bytes", 16384))
                    .fault("reset_peer after_bytes=16384: the answer is cut by an RST after 16 KiB")
                    .server(Programs.answer(256 * 1024, false))
                    .expect("the client receives part of the 256 KiB body, then 'Connection reset'",
                            clientException("SocketException", "Connection reset"), receivedBetween(1, 16384),
                            event("toxic_action", "RST after 16384 bytes"))
                    .explain("The server sends a 256 KiB answer; the proxy passes the first 16384 bytes and "
                            + "then resets the connection. Data segments already delivered stay in the client's "
                            + "receive buffer, so the client's reads first return those bytes (a partial "
                            + "body), and only the read after them fails with 'Connection reset'. A program "
                            + "that counts what it got sees a short body and an error, never a clean end: this "
                            + "is the difference between an RST and a FIN (compare data-cut-after-n-bytes)."),
            CatalogueEntry.named("stall-shorter-than-read-timeout", Stage.ESTABLISHED)
                    .toxic("stall", "downstream", Map.of("duration", 1000))
                    .fault("stall duration=1000: the proxy stops reading the server's answer for 1 s")
                    .server(Programs.answer(1024 * 1024, false))
                    .expect("the whole 1 MiB answer arrives about 1 s late, within the client's 2 s read "
                            + "timeout",
                            clientOk(), totalBetween(950, 1950))
                    .explain("While the proxy does not read, the server's bytes pile up in the proxy's receive "
                            + "buffer until it is full; the proxy's kernel then advertises a zero window (window "
                            + "0 in its ACKs: 'send nothing more'), and the server's kernel keeps the rest in its "
                            + "send buffer and sends small zero-window probes. Nothing is lost and nothing "
                            + "fails: after 1 s the proxy reads again, the window opens and the answer flows. "
                            + "The client's read timeout (SO_TIMEOUT, 2 s) counts the time a single read() "
                            + "waits; 1 s of silence is less, so the client only sees a slow answer."),
            CatalogueEntry.named("stall-longer-than-read-timeout", Stage.ESTABLISHED)
                    .toxic("stall", "downstream", Map.of("duration", 0))
                    .fault("stall duration=0: the proxy stops reading the server's answer (until removed)")
                    .server(Programs.answer(1024 * 1024, false))
                    .readTimeout(1000)
                    .expect("the client's read timeout (1 s) fires with no byte received, while the answer "
                            + "sits in the proxy's receive queue and the server's send queue",
                            clientException("SocketTimeoutException", "Read timed out"), totalBetween(950, 1700),
                            receivedBetween(0, 0), unreadBytes("proxy (server leg)"))
                    .explain("The same zero window, but longer than the client waits. The server wrote its "
                            + "answer (its write blocks once its send buffer is full: the receiver's window is "
                            + "0), the proxy's receive queue is full, and the client's read() hears nothing for "
                            + "1 s, its SO_TIMEOUT, so Java throws SocketTimeoutException 'Read timed out'. The "
                            + "connection itself is healthy: both sockets are ESTABLISHED and the socket table "
                            + "shows the bytes waiting (Recv-Q at the proxy, Send-Q at the server). A read "
                            + "timeout says 'nothing arrived in time', not 'the connection is broken'."),
            CatalogueEntry.named("latency-above-read-timeout", Stage.ESTABLISHED)
                    .toxic("latency", "downstream", Map.of("latency", 2000))
                    .fault("latency latency=2000: every chunk of the answer arrives 2 s late")
                    .readTimeout(1000)
                    .expect("the client's read times out after 1 s although the server answered at once",
                            clientException("SocketTimeoutException", "Read timed out"), totalBetween(950, 1700),
                            serverStepAt("wrote 64 bytes", 0, 500))
                    .explain("The server answers immediately; the proxy holds every chunk for 2 s before "
                            + "passing it on, as a slow long-distance link would. TCP itself is content: every "
                            + "segment is acknowledged promptly, nothing is retransmitted. Only the client's "
                            + "patience is exceeded: its read timeout is 1 s, so read() throws "
                            + "SocketTimeoutException 'Read timed out' while the answer is still on its way. "
                            + "The server believes it answered successfully; latency above a client's timeout "
                            + "turns a success on one side into a failure on the other."),
            CatalogueEntry.named("data-cut-after-n-bytes", Stage.ESTABLISHED)
                    .toxic("limit_data", "downstream", Map.of("bytes", 1000))
                    .fault("limit_data bytes=1000: the connection is closed after 1000 bytes of the answer")
                    .server(Programs.answer(10_000, false))
                    .expect("the client reads exactly 1000 bytes and then a clean EOF, before the 10000-byte body "
                            + "announced by Content-Length is complete",
                            clientEof(), receivedBetween(1000, 1000))
                    .explain("The proxy passes 1000 bytes and then closes normally, with a FIN. A FIN (flag F) "
                            + "means 'I will send no more'; it takes one sequence number and is acknowledged "
                            + "like data. So the client sees no error at all: read() simply returns -1 (EOF) "
                            + "after 1000 bytes. Only the application can tell something is wrong, because the "
                            + "answer's Content-Length promised 10000 bytes. Protocols without a length (or a "
                            + "checksum) would accept the truncated answer as complete."),
            // ---------------------------------------------------------------- teardown (stream engine)
            CatalogueEntry.named("server-fin-swallowed", Stage.TEARDOWN)
                    .toxic("fin_drop", "downstream", Map.of())
                    .fault("fin_drop: the server's FIN never reaches the client (half-open connection)")
                    .server(Programs.answer(64, true))
                    .client(Programs.requestThenProbe())
                    .readTimeout(1500)
                    .expect("the client has the whole answer but no EOF, so its read times out (1.5 s) while "
                            + "the server's socket is already closed (FIN_WAIT2); writing is what reveals it: "
                            + "after its probe writes, its read gets a reset",
                            clientException("SocketTimeoutException", "Read timed out"),
                            receivedBetween(BARE_HEAD + 64, BARE_HEAD + 64), totalBetween(1450, 2300),
                            serverStepAt("close()", 0, 500), socketState("client", "ESTABLISHED"),
                            socketState("server", "FIN_WAIT2"),
                            r -> Checks.result("the client's probe (writes, then a read) gets a reset",
                                    r.client().saw().contains("reset"), r.client().saw()))
                    .explain("The server sends a close-delimited answer (no Content-Length: the end of the "
                            + "body is the FIN) and closes. Its FIN reaches the proxy, whose kernel acknowledges "
                            + "it, so the server's socket moves to FIN_WAIT2 ('my FIN was acknowledged, waiting "
                            + "for yours') and the proxy's leg to the server to CLOSE_WAIT; but the proxy never "
                            + "passes the FIN on. The client has every byte of the body and waits for the EOF "
                            + "that would tell it the body is complete; its socket stays ESTABLISHED and its "
                            + "read times out after 1.5 s. This is a half-open connection. Does the client "
                            + "notice? Not by waiting: only by sending (or by TCP keepalive, after two hours by "
                            + "default). Its first probe write travels through the proxy to the server's kernel, "
                            + "which has no program for it any more and answers with an RST. Reads cannot show "
                            + "that RST once the FIN has arrived (Linux reports end-of-stream), so chaos-proxy "
                            + "looks at that socket's TCP state just after writing to it, sees it closed by the "
                            + "RST, and resets the client, whose read fails with 'Connection reset'."),
            CatalogueEntry.named("client-fin-swallowed", Stage.TEARDOWN)
                    .toxic("fin_drop", "upstream", Map.of())
                    .fault("fin_drop (upstream): the client's FIN never reaches the server")
                    .server(Programs.readAllThenAnswer(1500))
                    .client(Programs.uploadThenHalfClose())
                    .readTimeout(4000)
                    .snapshotAt(700)
                    .expect("the server never sees the end of the upload: its read times out (1.5 s) and it "
                            + "closes without answering, so the client gets EOF with no answer",
                            clientEof(), totalBetween(1450, 2500), serverStepAt("read timed out", 1400, 2300),
                            socketStateAt("at 700 ms", "client", "FIN_WAIT2"),
                            socketStateAt("at 700 ms", "server", "ESTABLISHED"))
                    .explain("The client uploads a few bytes and half-closes (shutdownOutput): it sends a FIN "
                            + "meaning 'that is all my data, now answer'. The proxy's kernel acknowledges the FIN "
                            + "(the client's socket moves to FIN_WAIT2) but the proxy swallows it, so the "
                            + "server, which reads until EOF, waits for more. Both programs wait for each other. "
                            + "The server's read timeout (1.5 s) ends it: it gives up and closes, its FIN travels "
                            + "to the client, and the client reads EOF with no answer. A lost FIN turns a "
                            + "request into a timeout on the other side."),
            CatalogueEntry.named("fin-delayed", Stage.TEARDOWN)
                    .toxic("fin_delay", "downstream", Map.of("delay", 1000))
                    .fault("fin_delay delay=1000: the server's FIN reaches the client 1 s late")
                    .server(Programs.answer(64, true))
                    .readTimeout(3000)
                    .expect("the answer arrives at once but its end (EOF) 1 s later; the exchange succeeds",
                            clientOk(), totalBetween(950, 1800), clientStepAt("read the answer's head", 0, 500))
                    .explain("The server sends a close-delimited answer and closes. The data reaches the client "
                            + "at once; the FIN is held 1 s. For a program that knows the answer's length, "
                            + "nothing changes; this client reads until EOF, so its exchange takes 1 s longer. "
                            + "Nothing times out (its read timeout is 3 s). Delayed FINs are why a connection "
                            + "pool can hand out a connection the server has already closed: the pool has not "
                            + "heard the FIN yet."),
            CatalogueEntry.named("rst-instead-of-fin", Stage.TEARDOWN)
                    .toxic("rst_on_close", "downstream", Map.of())
                    .fault("rst_on_close: the server's FIN reaches the client as an RST")
                    .server(Programs.answer(64, true))
                    .expect("the client receives the whole answer, then 'Connection reset' instead of EOF",
                            clientException("SocketException", "Connection reset"),
                            receivedBetween(BARE_HEAD + 64, BARE_HEAD + 64), totalBetween(0, 1000))
                    .explain("The server closes normally (FIN), but the proxy ends the client's connection "
                            + "with an RST instead, as some load balancers and programs that close with "
                            + "SO_LINGER 0 do. The body was delivered before the RST, so the client reads all of "
                            + "it; but where it expected EOF, read() fails with 'Connection reset'. A client "
                            + "reading a close-delimited answer cannot tell whether the body was complete; "
                            + "one that checks lengths can."),
            CatalogueEntry.named("server-closes-while-client-sends", Stage.TEARDOWN)
                    .fault("server closes early (no toxic): it reads one chunk and closes while the client keeps "
                            + "sending")
                    .server(Programs.readOnceThenClose())
                    .client(Programs.keepSending(3000))
                    .expect("the client's write fails with 'Connection reset' or 'Broken pipe' soon after the "
                            + "server closed",
                            clientException("SocketException", "Connection reset", "Broken pipe"),
                            totalBetween(0, 1500), serverStep("close()"))
                    .explain("The server reads one chunk and closes while data is still arriving (or unread in "
                            + "its buffer). A kernel that receives data for a socket nobody can read any more "
                            + "answers with an RST (it also sends one when a socket is closed with unread data). "
                            + "The proxy passes that RST on as an RST, and the client, which is still writing, "
                            + "gets 'Connection reset' from write() (then 'Broken pipe' on any later write). "
                            + "Writes do not wait for the peer: a write 'succeeds' as soon as the bytes are in "
                            + "the local send buffer, so the error surfaces on a later write or read."));

    /** No fault at all: a healthy exchange. Not listed; run first to warm up the JVM and the proxy. */
    static final CatalogueEntry BASELINE = CatalogueEntry.named("baseline", Stage.ESTABLISHED)
            .fault("none")
            .expect("the exchange succeeds", clientOk())
            .explain("A healthy exchange, for reference.");

    private Catalogue() {
    }

    /**
     * Runs the fault-free baseline once and forgets it: the first connection of a fresh JVM is slowed by class
     * loading and compilation (a dial can take 200 ms), which would otherwise land in the first scenario's timings.
     */
    public static void warmUp(ScenarioEnvironment environment) {
        for (int i = 0; i < 3; i++) {
            BASELINE.run(new ScenarioEnvironment(environment.registry()));
        }
    }

    public static List<Scenario> all() {
        return ALL;
    }

    public static Optional<Scenario> find(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
