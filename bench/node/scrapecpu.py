"""What the node benches share: an exporter's CPU per scrape measured over
keep-alive scrapes (as Prometheus scrapes); free_port from testkit's omxtest."""
import http.client
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../testkit/python"))
from omxtest import free_port  # noqa: E402,F401

TICK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    """(utime, stime) of every thread of pid, exited ones included."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])


def cpu_per_scrape(port, pid, n, headers=None, who="bench node"):
    """(user, sys) ms of pid's CPU per scrape, n scrapes on one keep-alive
    connection set up (with one scrape) outside the measurement."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request("GET", "/metrics", headers=headers or {})
        c.getresponse().read()
        t0 = cpu_ticks(pid)
        for _ in range(n):
            c.request("GET", "/metrics", headers=headers or {})
            r = c.getresponse()
            r.read()
            if r.status != 200:
                sys.exit(f"{who}: HTTP {r.status}")
        t1 = cpu_ticks(pid)
    finally:
        c.close()
    return tuple((b - a) * 1000.0 / TICK / n for a, b in zip(t0, t1))
