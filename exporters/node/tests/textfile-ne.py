#!/usr/bin/python3
"""omx-node's textfile collector beside Debian's node_exporter 1.5.

Both run on 127.0.0.1 (free ports) with only the textfile collector on
tests/fixtures/textfile-ne. Their Prometheus 0.0.4 outputs must hold the same
HELP and TYPE lines and the same samples (name, labels, value), compared
line by line without reading names through a parser that would rewrite them.
An empty label value counts as absent (node_exporter leaves out a label a
file's other samples lack where omx writes it empty); sample order within a
family is free. omx's OpenMetrics output must pass omx-check.
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../testkit/python"))
from omxtest import fetch, free_port, start, stop, wait_up  # noqa: E402

SRC = os.environ.get("OMX_SRC", os.path.join(os.path.dirname(__file__), "../../.."))
BUILD = os.environ.get("OMX_BUILD", "build")
OMX = os.environ.get("OMX_NODE", os.path.join(BUILD, "exporters/node/omx-node"))
CHECK = os.path.join(BUILD, "parser/tools/omx-check")
NE = os.environ.get("NODE_EXPORTER", shutil.which("prometheus-node-exporter") or
                    "/usr/bin/prometheus-node-exporter")
DIR = os.path.join(SRC, "exporters/node/tests/fixtures/textfile-ne")
# families about the exporters themselves (omx_: omx-node's HTTP server), and
# omx's own textfile counter
SKIP = ("go_", "process_", "promhttp_", "omx_", "node_exporter_build_info",
        "node_scrape_collector_duration_seconds", "node_textfile_limit_hits_total")
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')


def load(text):
    """HELP/TYPE lines and samples by family name as written."""
    meta, samples = set(), {}
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            name = line.split(" ", 3)[2]
            if not name.startswith(SKIP):
                meta.add(line)
            continue
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            sys.exit(f"FAIL: unreadable sample line {line!r}")
        name, lbl, val = m.groups()
        if name.startswith(SKIP):
            continue
        labels = tuple(sorted((k, v) for k, v in LABEL.findall(lbl or "") if v != ""))
        value = float(val.replace("Inf", "inf"))
        samples[(name, labels)] = value
    return meta, samples


def main():
    for path, what in ((OMX, "omx-node not built"), (NE, "prometheus-node-exporter missing"),
                       (CHECK, "omx-check not built")):
        if not os.access(path, os.X_OK):
            print(f"SKIP: {what} ({path})")
            return 77
    args = ["--collector.disable-defaults", "--collector.textfile",
            f"--collector.textfile.directory={DIR}"]
    p_ne, p_omx = free_port(), free_port()
    ne = start([NE, f"--web.listen-address=127.0.0.1:{p_ne}"] + args)
    omx = start([OMX, f"--web.listen-address=127.0.0.1:{p_omx}", "--log.level=warn"] + args)
    url_ne, url_omx = f"http://127.0.0.1:{p_ne}/metrics", f"http://127.0.0.1:{p_omx}/metrics"
    try:
        theirs = wait_up(url_ne, ne, "node_exporter")
        ours = wait_up(url_omx, omx, "omx-node")
        om = fetch(url_omx, headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    finally:
        for p in (ne, omx):
            stop(p)
    (m1, s1), (m2, s2) = load(ours), load(theirs)
    diffs = ["line only in omx: %s" % l for l in sorted(m1 - m2)]
    diffs += ["line only in node_exporter: %s" % l for l in sorted(m2 - m1)]
    for key in sorted(set(s1) | set(s2)):
        if key not in s1 or key not in s2:
            diffs.append("sample %s only in %s" % (key, "node_exporter" if key in s2 else "omx"))
        elif s1[key] != s2[key]:
            diffs.append("value %s: %r vs %r" % (key, s1[key], s2[key]))
    if not any(k[0] == "split_family" for k in s2) or ("conf", ()) not in s2:
        diffs.append("node_exporter did not serve the fixture families")
    p = subprocess.run([CHECK, "--format=openmetrics", "-"], input=om, capture_output=True,
                       text=True)
    if p.returncode != 0:
        diffs.append("omx-check rejects omx's OpenMetrics output: " + (p.stdout + p.stderr)[-2000:])
    for d in diffs:
        print("DIFF:", d)
    if diffs:
        return 1
    print("ok: %d textfile samples and %d HELP/TYPE lines as node_exporter serves them" %
          (len(s2), len(m2)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
