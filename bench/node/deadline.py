#!/usr/bin/python3
"""omx-node's CPU per scrape with a scrape deadline (collectors on the collector
thread pool) against without one (collectors on the serving thread).

Prints:
  bench node-deadline/cpu_per_scrape: ours <v> ms; no_deadline <v> ms; <ratio>x
ratio = no_deadline / with deadline (below 1: the deadline costs that much).

CPU is omx-node's own utime+stime (/proc/PID/stat) over keep-alive scrapes;
the two kinds of scrape alternate in ROUNDS rounds and the median is printed.
"""
import http.client
import os
import statistics
import subprocess
import sys
import time

from scrapecpu import cpu_per_scrape, free_port

ROUNDS = int(os.environ.get("BENCH_NODE_ROUNDS", "5"))
SCRAPES = int(os.environ.get("BENCH_NODE_SCRAPES", "1000"))
HEADER = {"X-Prometheus-Scrape-Timeout-Seconds": "10"}






def scrapes(port, headers, n):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(n):
        c.request("GET", "/metrics", headers=headers)
        r = c.getresponse()
        r.read()
        if r.status != 200:
            sys.exit(f"bench node-deadline: status {r.status}")
    c.close()


def main():
    binary = sys.argv[1]
    port = free_port()
    p = subprocess.Popen([binary, f"--web.listen-address=127.0.0.1:{port}", "--log.level=error"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                scrapes(port, {}, 1)
                break
            except OSError:
                time.sleep(0.05)
        scrapes(port, HEADER, 50)  # the pool exists before timing
        got = {"deadline": [], "none": []}
        for _ in range(ROUNDS):
            for kind, h in (("none", {}), ("deadline", HEADER)):
                got[kind].append(sum(cpu_per_scrape(port, p.pid, SCRAPES, h,
                                                     "bench node-deadline")))
        ours, peer = statistics.median(got["deadline"]), statistics.median(got["none"])
        print(f"bench node-deadline/cpu_per_scrape: ours {ours:.3f} ms; no_deadline {peer:.3f} ms; "
              f"{peer / ours:.2f}x")
    finally:
        p.terminate()
        p.wait()


main()
