#!/usr/bin/env python3
"""Summarises bench/profile.sh's async-profiler output (collapsed stacks) per new connection.

usage: profile_report.py CPU_COLLAPSED CPU_CONNECTIONS ALLOC_COLLAPSED ALLOC_CONNECTIONS

CPU samples are taken every 200 us of CPU time of the whole process, so samples x 200 us / connections is the CPU
per connection; the allocation profile's total counts bytes, so bytes / connections is the heap per connection.
"""
import collections
import sys

CPU_INTERVAL_US = 200


def stacks(path):
    with open(path) as f:
        for line in f:
            stack, _, count = line.rstrip().rpartition(" ")
            if stack:
                yield stack.split(";"), int(count)


def owner(frame):
    if frame.startswith("io/chaosproxy"):
        return "chaos-proxy"
    if frame.startswith("io/netty"):
        return "Netty"
    if frame.startswith("io/micrometer"):
        return "Micrometer"
    return None


def short(frame):
    return frame.rsplit("/", 1)[-1]


def cpu_report(path, connections):
    total = 0
    kernel = 0
    by_owner = collections.Counter()
    entered_kernel_from = collections.Counter()
    ours = collections.Counter()
    for frames, n in stacks(path):
        total += n
        java = [f for f in frames if "/" in f and not f.endswith("_[k]")]
        if frames[-1].endswith("_[k]"):
            kernel += n
            entered_kernel_from[short(java[-1]) if java else frames[0]] += n
        else:
            leaf = next((owner(f) for f in reversed(frames) if owner(f)), None)
            by_owner[leaf or "JDK, JVM and native"] += n
        chaos = [f for f in frames if f.startswith("io/chaosproxy")]
        if chaos:
            ours[short(chaos[-1])] += n
    per_conn = lambda n: n * CPU_INTERVAL_US / connections
    print(f"== CPU: {total} samples, {connections} new connections: {per_conn(total):.1f} us per connection")
    print(f"   kernel (system calls, TCP/IP of both ends of loopback): {per_conn(kernel):6.1f} us "
          f"({100 * kernel / total:.0f} %)")
    for name, n in by_owner.most_common():
        print(f"   user space, innermost frame in {name:22s}: {per_conn(n):6.1f} us ({100 * n / total:.0f} %)")
    print("== kernel time by the Java method that entered the kernel (us per connection)")
    for name, n in entered_kernel_from.most_common(12):
        print(f"   {per_conn(n):6.1f}  {name}")
    print("== CPU under chaos-proxy's own methods, innermost of ours, kernel included (us per connection)")
    for name, n in ours.most_common(15):
        print(f"   {per_conn(n):6.1f}  {name}")


def alloc_report(path, connections):
    total = 0
    by_owner = collections.Counter()
    sites = collections.Counter()
    for frames, n in stacks(path):
        total += n
        kind = frames[-1].replace("_[i]", "").replace("_[k]", "")
        site = next((f for f in reversed(frames[:-1]) if owner(f)), None)
        by_owner[owner(site) if site else "JDK"] += n
        sites[(short(site) if site else "?", kind)] += n
    print(f"== heap: {total / connections:.0f} bytes per connection ({connections} connections)")
    for name, n in by_owner.most_common():
        print(f"   allocated in {name:12s}: {n / connections:6.0f} B ({100 * n / total:.0f} %)")
    print("== top allocation sites (bytes per connection: innermost chaos-proxy/Netty/Micrometer frame -> type)")
    for (site, kind), n in sites.most_common(20):
        print(f"   {n / connections:6.0f}  {site} -> {kind}")


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    cpu_report(sys.argv[1], int(sys.argv[2]))
    alloc_report(sys.argv[3], int(sys.argv[4]))


if __name__ == "__main__":
    main()
