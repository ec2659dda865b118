#!/usr/bin/python3
"""omx-node's implementations of node_exporter 1.5 flags against Debian's
prometheus-node-exporter on this host: for each flag set, both run with only
that collector, and the families node_exporter emits (those matching the
case's pattern) must be in ours with the same type, HELP and label sets.
Values are not compared (live counters move). Skips without the peer.
"""
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../testkit/python"))
from omxtest import free_port, start, stop, wait_up  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families

BUILD = os.environ.get("OMX_BUILD", "build")
OMX = os.path.join(BUILD, "exporters/node/omx-node")
NE = shutil.which("prometheus-node-exporter")

CASES = [
    ("stat.softirq", ["--collector.stat", "--collector.stat.softirq"], r"^node_"),
    ("netdev.enable-detailed-metrics", ["--collector.netdev", "--collector.netdev.enable-detailed-metrics"], r"^node_network_"),
    ("netdev.address-info", ["--collector.netdev", "--collector.netdev.address-info"], r"^node_network_"),
    ("netdev legacy", ["--collector.netdev"], r"^node_network_"),
    ("netclass_rtnl.with-stats", ["--collector.netclass", "--collector.netclass.netlink",
                                  "--collector.netclass_rtnl.with-stats"],
     r"^node_network_(collisions|multicast|receive_\w+|transmit_\w+)_total$"),
]
SKIP = re.compile(r"^(go_|process_|promhttp_|node_exporter_build_info|node_scrape_collector_duration)")


def scrape(cmd):
    port = free_port()
    p = start(cmd + [f"--web.listen-address=127.0.0.1:{port}"])
    try:
        return wait_up(f"http://127.0.0.1:{port}/metrics", p, cmd[0])
    finally:
        stop(p)


def families(text, pattern):
    out = {}
    for f in text_string_to_metric_families(text):
        if SKIP.match(f.name) or not re.search(pattern, f.name + ("_total" if f.type == "counter" else "")):
            continue
        out[f.name] = (f.type, f.documentation,
                       sorted(tuple(sorted(s.labels.items())) for s in f.samples))
    return out


def main():
    if not NE:
        print("SKIP: prometheus-node-exporter not installed")
        return 77
    if not os.access(OMX, os.X_OK):
        print(f"SKIP: {OMX} not built")
        return 77
    fail = 0
    for name, flags, pattern in CASES:
        base = ["--collector.disable-defaults", "--log.level=error"] + flags
        ne = families(scrape([NE] + base), pattern)
        ours = families(scrape([OMX] + base), pattern)
        if not ne:
            print(f"FAIL: {name}: node_exporter emitted no family matching {pattern}")
            fail = 1
        for fam, (typ, help_, labels) in sorted(ne.items()):
            if fam not in ours:
                print(f"FAIL: {name}: {fam} missing")
                fail = 1
                continue
            o = ours[fam]
            if o[0] != typ or o[1] != help_:
                print(f"FAIL: {name}: {fam}: type/help {o[:2]}, node_exporter {(typ, help_)}")
                fail = 1
            if o[2] != labels:
                print(f"FAIL: {name}: {fam}: label sets differ: {o[2][:3]} vs {labels[:3]}")
                fail = 1
        extra = sorted(set(ours) - set(ne))
        if extra:
            print(f"FAIL: {name}: families node_exporter does not have: {extra[:5]}")
            fail = 1
        print(f"{name}: {len(ne)} families compared")
    if not fail:
        print("ok: flag implementations match node_exporter 1.5")
    return fail


if __name__ == "__main__":
    sys.exit(main())
