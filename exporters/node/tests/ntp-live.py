"""ntp collector against a tiny SNTP responder on 127.0.0.1 (and, when Debian's
prometheus-node-exporter is installed, node_exporter 1.5 against the same one).

Each case runs node-dump with --collector.ntp.server-port set to the responder's
port and checks the families, values and node_scrape_collector_success.
"""
import os
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../testkit/python"))
from omxtest import free_port, start, stop, wait_http  # noqa: E402

NTP_UNIX = 2208988800
DUMP = os.environ.get("NODE_DUMP") or os.path.join(os.environ["OMX_BUILD"], "exporters/node/node-dump")
NE = os.environ.get("NODE_EXPORTER", "/usr/bin/prometheus-node-exporter")
REF = time.time() - 100.0  # one fixed reference time for every reply


def ntp_ts(t):
    t += NTP_UNIX
    sec = int(t)
    return sec << 32 | int((t - sec) * (1 << 32))


class Responder:
    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.leap, self.stratum, self.skew, self.mismatch = 0, 2, 0.0, False
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            data, peer = self.sock.recvfrom(512)
            if len(data) < 48:
                continue
            now = time.time() + self.skew
            origin = data[40:48] if not self.mismatch else b"\x01" * 8
            pkt = struct.pack("!BBbbII4sQ", self.leap << 6 | 4 << 3 | 4, self.stratum, 6, -20,
                              0x00000400, 0x00000800, b"GPS\0", ntp_ts(REF))
            pkt += origin + struct.pack("!QQ", ntp_ts(now), ntp_ts(now))
            self.sock.sendto(pkt, peer)


def scrape(port, extra=()):
    p = subprocess.run([DUMP, "--collector.disable-defaults", "--collector.ntp",
                        "--collector.ntp.server-port=%d" % port] + list(extra),
                       capture_output=True, text=True, timeout=30)
    vals = {}
    for line in p.stdout.splitlines():
        if line and not line.startswith("#"):
            name, _, v = line.rpartition(" ")
            vals[name] = float(v)
    return vals, p.stderr


def check(fails, cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        fails.append(what)


def ne_scrape(port):
    web = free_port()
    proc = start([NE, "--web.listen-address=127.0.0.1:%d" % web, "--collector.disable-defaults",
                  "--collector.ntp", "--collector.ntp.server-port=%d" % port])
    try:
        body = wait_http("http://127.0.0.1:%d/metrics" % web, proc, secs=10)
        if body is None:
            return None
    finally:
        stop(proc)
    vals = {}
    for line in body.splitlines():
        if line.startswith("node_ntp_") or line.startswith('node_scrape_collector_success'):
            name, _, v = line.rpartition(" ")
            vals[name] = float(v)
    return vals


def main():
    if not os.access(DUMP, os.X_OK):
        print("SKIP: node-dump not built at %s" % DUMP)
        return 77
    fails = []
    srv = Responder()
    ok = 'node_scrape_collector_success{collector="ntp"}'

    v, err = scrape(srv.port)
    check(fails, v.get(ok) == 1, "synchronised server: collector succeeds")
    check(fails, v.get("node_ntp_stratum") == 2 and v.get("node_ntp_leap") == 0, "stratum 2, leap 0")
    check(fails, v.get("node_ntp_root_delay_seconds") == 1024 / 65536, "root delay 0x400/65536 s")
    check(fails, v.get("node_ntp_root_dispersion_seconds") == 2048 / 65536, "root dispersion 0x800/65536 s")
    check(fails, abs(v.get("node_ntp_reference_timestamp_seconds", 0) - REF) < 1e-6, "reference time")
    check(fails, 0 <= v.get("node_ntp_rtt_seconds", -1) < 1, "rtt in [0, 1) s")
    check(fails, abs(v.get("node_ntp_offset_seconds", 9)) < 0.1, "offset near 0")
    check(fails, v.get("node_ntp_sanity") == 1, "sanity 1")

    if os.access(NE, os.X_OK):
        ne = ne_scrape(srv.port)
        if ne is None:
            print("note: node_exporter did not answer; comparison skipped")
        else:
            same = [k for k in ("node_ntp_stratum", "node_ntp_leap", "node_ntp_root_delay_seconds",
                                "node_ntp_root_dispersion_seconds", "node_ntp_sanity", ok)
                    if ne.get(k) != v.get(k)]
            check(fails, not same and set(ne) == set(v) - {'node_scrape_collector_duration_seconds{collector="ntp"}'},
                  "node_exporter 1.5 on the same server: same families and stable values %s" % (same or ""))
            check(fails, abs(ne.get("node_ntp_reference_timestamp_seconds", 0) - v["node_ntp_reference_timestamp_seconds"]) < 1e-6,
                  "node_exporter 1.5: same reference time")
    else:
        print("note: %s not installed; comparison skipped" % NE)

    srv.leap = 3
    v, _ = scrape(srv.port)
    check(fails, v.get(ok) == 1 and v.get("node_ntp_leap") == 3 and v.get("node_ntp_sanity") == 0,
          "unsynchronised server (leap 3): sanity 0")
    srv.leap, srv.skew = 0, 5.0
    v, _ = scrape(srv.port)
    check(fails, abs(v.get("node_ntp_offset_seconds", 0) - 5) < 0.1 and v.get("node_ntp_sanity") == 0,
          "server 5 s ahead: offset 5, sanity 0")
    v, _ = scrape(srv.port, ["--collector.ntp.local-offset-tolerance=10s"])
    check(fails, v.get("node_ntp_sanity") == 1, "server 5 s ahead, tolerance 10s: sanity 1")
    srv.skew, srv.stratum = 0.0, 0
    v, _ = scrape(srv.port)
    check(fails, v.get("node_ntp_sanity") == 0, "kiss of death (stratum 0): sanity 0")
    srv.stratum, srv.mismatch = 2, True
    v, err = scrape(srv.port)
    check(fails, v.get(ok) == 0 and "server response mismatch" in err and "node_ntp_stratum" not in v,
          "reply to another query: success 0, logged, nothing emitted")

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    t0 = time.monotonic()
    v, _ = scrape(closed)
    check(fails, v.get(ok) == 0 and time.monotonic() - t0 < 10, "no server: success 0 without hanging")
    p = subprocess.run([DUMP, "--collector.disable-defaults", "--collector.ntp", "--collector.ntp.server=192.0.2.1"],
                       capture_output=True, text=True, timeout=30)
    check(fails, p.returncode != 0 and "only IP address of local NTP server" in p.stderr,
          "non-local server refused at start-up")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
