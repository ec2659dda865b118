#!/usr/bin/env python3
"""udp_queues on the live host: sockets with datagrams waiting give the same sums
whether read from the NETLINK_SOCK_DIAG dump (--path.procfs=/proc) or from
/proc/net/udp{,6} (the same directory spelled /proc/., which takes the file path),
and both equal the sums this test computes from /proc itself."""
import os
import socket
import subprocess
import sys
import time

dump = os.path.join(os.environ["OMX_BUILD"], "exporters/node/node-dump")
if not os.access(dump, os.X_OK):
    print("SKIP: node-dump not built")
    sys.exit(77)

socks = []
for fam, addr, n, size in ((socket.AF_INET, "127.0.0.1", 5, 1000), (socket.AF_INET6, "::1", 3, 500)):
    try:
        r = socket.socket(fam, socket.SOCK_DGRAM)
        r.bind((addr, 0))
    except OSError as e:
        print(f"SKIP: no {addr} here ({e})")
        sys.exit(77)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    for _ in range(n):
        s.sendto(b"q" * size, r.getsockname())
    socks += [r, s]
time.sleep(0.1)


def proc_sums():
    out = {}
    for ip, f in (("v4", "/proc/net/udp"), ("v6", "/proc/net/udp6")):
        tx = rx = 0
        with open(f) as fh:
            for line in fh.read().splitlines()[1:]:
                t, x = line.split()[4].split(":")
                tx, rx = tx + int(t, 16), rx + int(x, 16)
        out[(ip, "tx")], out[(ip, "rx")] = tx, rx
    return out


def scrape(procfs):
    out = subprocess.run([dump, f"--path.procfs={procfs}", "--collector.disable-defaults",
                          "--collector.udp_queues"], capture_output=True, text=True, check=True).stdout
    got = {}
    for line in out.splitlines():
        if line.startswith("node_udp_queues{"):
            labels, value = line.rsplit(" ", 1)
            ip = labels.split('ip="')[1].split('"')[0]
            q = labels.split('queue="')[1].split('"')[0]
            got[(ip, q)] = float(value)
    return got


# Other sockets on the host may change between the reads: three tries.
for attempt in range(3):
    want = proc_sums()
    if want[("v4", "rx")] < 5000 or want[("v6", "rx")] < 1500:
        print(f"FAIL: the queued datagrams are not in /proc: {want}")
        sys.exit(1)
    got = {p: scrape(p) for p in ("/proc", "/proc/.")}
    bad = [f"--path.procfs={p}: {g} != {want}" for p, g in got.items()
           if g != {k: float(v) for k, v in want.items()}]
    if not bad:
        print(f"ok: netlink dump and /proc files agree: {want}")
        sys.exit(0)
    time.sleep(0.2)
print("FAIL: " + "; ".join(bad))
sys.exit(1)
