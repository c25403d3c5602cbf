#!/usr/bin/env python3
"""Soak and abuse figures for chaos-proxy (issue #14), printed, loopback only, bounded in time.

1. API under idle connections: N idle TCP connections to the control API (more than --api-max-connections), then
   the status and latency of fresh GET /version requests while they are held, and again once the header timeout
   has closed them.
2. Connection soak: M short connections through a proxy to a local echo server; descriptors, threads and RSS of the
   chaos-proxy process before and after, and the rate.

Usage: python3 bench/soak.py JAR [IDLE] [CONNECTIONS]   (defaults 2000 and 100000)
"""
import json, os, socket, statistics, subprocess, sys, threading, time, urllib.request

JAR = sys.argv[1]
IDLE = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
CONNECTIONS = int(sys.argv[3]) if len(sys.argv) > 3 else 100000
API = 18774


def proc_figures(pid):
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    status = open(f"/proc/{pid}/status").read()
    threads = int(status.split("Threads:")[1].split()[0])
    rss_kb = int(status.split("VmRSS:")[1].split()[0])
    return fds, threads, rss_kb // 1024


def version():
    """One fresh connection, GET /version: (status, ms); status 0 when nothing answered within 5 s."""
    start = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", API), timeout=5) as s:
            s.sendall(b"GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            head = s.recv(12)
            status = int(head[9:12]) if head.startswith(b"HTTP/1.1 ") else 0
    except OSError:
        status = 0
    return status, (time.perf_counter() - start) * 1000


def measure(label, n=200):
    results = [version() for _ in range(n)]
    by_status = {}
    for st, _ in results:
        by_status[st] = by_status.get(st, 0) + 1
    ms = sorted(m for _, m in results)
    print(f"  {label}: statuses {by_status}, latency p50 {statistics.median(ms):.2f} ms, "
          f"p99 {ms[int(len(ms) * 0.99) - 1]:.2f} ms, max {ms[-1]:.2f} ms")


def echo_server():
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(512)

    def loop():
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            try:
                data = c.recv(64)
                if data:
                    c.sendall(data)
            except OSError:
                pass
            finally:
                c.close()
    threading.Thread(target=loop, daemon=True).start()
    return srv


def main():
    server = subprocess.Popen(["java", "-Xmx256m", "-jar", JAR, "--port", str(API)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if version()[0] == 200:
                break
            time.sleep(0.1)
        print(f"== API under {IDLE} idle connections (cap 256 by default, header timeout 10 s)")
        measure("no idle connections")
        idle = []
        for _ in range(IDLE):
            try:
                idle.append(socket.create_connection(("127.0.0.1", API), timeout=5))
            except OSError:
                break
        print(f"  opened {len(idle)} idle connections; server fds/threads/RSS MB: {proc_figures(server.pid)}")
        measure(f"at once, while {len(idle)} are held", 50)
        time.sleep(2)
        measure(f"2 s later, while {len(idle)} are held (refusals wait 1 s for a request)")
        time.sleep(9)
        measure("11 s later (header timeout passed)")
        for s in idle:
            s.close()

        print(f"== {CONNECTIONS} short connections through a proxy")
        up = echo_server()
        body = json.dumps({"name": "soak", "listen": "127.0.0.1:0",
                           "upstream": f"127.0.0.1:{up.getsockname()[1]}"}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{API}/proxies", data=body, method="POST")
        listen = int(json.load(urllib.request.urlopen(req))["listen"].rsplit(":", 1)[1])
        time.sleep(1)
        before = proc_figures(server.pid)
        start = time.perf_counter()
        failures = 0
        for i in range(CONNECTIONS):
            try:
                with socket.create_connection(("127.0.0.1", listen), timeout=5) as c:
                    c.sendall(b"ping")
                    if c.recv(4) != b"ping":
                        failures += 1
            except OSError:
                failures += 1
        took = time.perf_counter() - start
        time.sleep(2)
        after = proc_figures(server.pid)
        print(f"  {CONNECTIONS} connections in {took:.1f} s ({CONNECTIONS / took:.0f}/s, one at a time), "
              f"{failures} failed")
        print(f"  server fds/threads/RSS MB before {before}, after {after}")
        up.close()
    finally:
        server.terminate()
        server.wait(10)


main()
