#!/usr/bin/python3
"""The dns prober: omx-blackbox beside Debian's prometheus-blackbox-exporter,
one after the other in the same run, `wrk -t2 -c8` on /probe for a udp and a
tcp A query to nsd serving a one-record zone on 127.0.0.1 (the harness of
bench.py: rounds, medians, failed probes counted).

Prints: bench blackbox/dns-<case>-{probes,rss,failed}: ours ...; blackbox_exporter ...; <ratio>x

usage: dns.py OMX_BLACKBOX"""
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

CONFIG = """modules:
  dns_udp:
    prober: dns
    timeout: 5s
    dns:
      query_name: www.bench.test
      query_type: A
      preferred_ip_protocol: ip4
      validate_answer_rrs:
        fail_if_not_matches_regexp: ["^www\\\\.bench\\\\.test\\\\.\\t"]
  dns_tcp:
    prober: dns
    timeout: 5s
    dns:
      query_name: www.bench.test
      query_type: A
      transport_protocol: tcp
      preferred_ip_protocol: ip4
"""

NSD_CONF = """server:
  ip-address: 127.0.0.1@{port}
  username: ""
  chroot: ""
  zonesdir: "{dir}"
  database: ""
  pidfile: "{dir}/nsd.pid"
  xfrdfile: "{dir}/xfrd.state"
  zonelistfile: "{dir}/zone.list"
  logfile: "{dir}/nsd.log"
  server-count: 1
  tcp-count: 256
  rrl-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: bench.test
  zonefile: "bench.test.zone"
"""


def nsd_up(port):
    q = bytes.fromhex("abcd01000001000000000000") + b"\x05bench\x04test\x00\x00\x06\x00\x01"
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.2)
            try:
                s.sendto(q, ("127.0.0.1", port))
                if s.recv(512):
                    return True
            except OSError:
                time.sleep(0.1)
    return False


def main():
    ours_bin = sys.argv[1]
    peer_bin = shutil.which("prometheus-blackbox-exporter")
    nsd = shutil.which("nsd") or ("/usr/sbin/nsd" if os.path.exists("/usr/sbin/nsd") else None)
    for what, have in (("wrk", shutil.which("wrk")), ("prometheus-blackbox-exporter", peer_bin),
                       ("nsd", nsd)):
        if not have:
            print("bench blackbox-dns: %s missing" % what, file=sys.stderr)
            return 1
    tmp = tempfile.mkdtemp(prefix="bb-bench-dns-")
    cfg = os.path.join(tmp, "blackbox.yml")
    with open(cfg, "w") as f:
        f.write(CONFIG)
    with open(os.path.join(tmp, "bench.test.zone"), "w") as f:
        f.write("$ORIGIN bench.test.\n$TTL 300\n@ IN SOA ns hm 1 2 3 4 5\n@ IN NS ns\n"
                "ns IN A 127.0.0.1\nwww IN A 192.0.2.1\n")
    port = bench.free_port()
    with open(os.path.join(tmp, "nsd.conf"), "w") as f:
        f.write(NSD_CONF.format(port=port, dir=tmp))
    target = subprocess.Popen([nsd, "-d", "-c", os.path.join(tmp, "nsd.conf")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cases = [("dns-udp", "module=dns_udp&target=127.0.0.1:%d" % port),
             ("dns-tcp", "module=dns_tcp&target=127.0.0.1:%d" % port)]
    rounds = {"ours": [], "peer": []}
    try:
        if not nsd_up(port):
            print("bench blackbox-dns: nsd did not answer", file=sys.stderr)
            return 1
        for _ in range(bench.ROUNDS):
            for who, binary in (("ours", ours_bin), ("peer", peer_bin)):
                wport = bench.free_port()
                rounds[who].append(bench.run_one([binary, "--config.file=" + cfg,
                                                  "--web.listen-address=127.0.0.1:%d" % wport],
                                                 wport, cases))
    finally:
        target.terminate()
        target.wait()
        shutil.rmtree(tmp, ignore_errors=True)

    def med(who, name, f):
        return statistics.median(f(r[name]) for r in rounds[who])

    for name, _ in cases:
        o_ok = sum(r[name][1] for r in rounds["ours"])
        o_bad = sum(r[name][2] for r in rounds["ours"])
        p_ok = sum(r[name][1] for r in rounds["peer"])
        p_bad = sum(r[name][2] for r in rounds["peer"])
        o_rate = med("ours", name, lambda x: x[0] * x[1] / max(1, x[1] + x[2]))
        p_rate = med("peer", name, lambda x: x[0] * x[1] / max(1, x[1] + x[2]))
        o_rss = med("ours", name, lambda x: x[3]["VmRSS"])
        p_rss = med("peer", name, lambda x: x[3]["VmRSS"])
        print("bench blackbox/%s-probes: ours %.0f probes/s; blackbox_exporter %.0f probes/s; %.2fx"
              % (name, o_rate, p_rate, o_rate / p_rate if p_rate else 0))
        print("bench blackbox/%s-rss: ours %.1f MB; blackbox_exporter %.1f MB; %.2fx"
              % (name, o_rss, p_rss, p_rss / o_rss if o_rss else 0))
        print("bench blackbox/%s-failed: ours %d of %d; blackbox_exporter %d of %d"
              % (name, o_bad, o_ok + o_bad, p_bad, p_ok + p_bad))
    return 0


if __name__ == "__main__":
    sys.exit(main())
