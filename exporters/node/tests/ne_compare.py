"""Compares two expositions family by family: HELP, TYPE, series and values.

usage: ne_compare.py OURS NODE_EXPORTER [--names-only] [--ignore-value METRIC]...
An empty label value counts as an absent label (as in Prometheus). Families that
node_exporter adds about itself (go_, process_, promhttp_, node_exporter_build_info,
scrape durations) are left out. Exits 1 listing the differences.
"""
import math
import sys

from prometheus_client.parser import text_string_to_metric_families

SKIP = ("go_", "process_", "promhttp_", "node_exporter_build_info",
        "node_scrape_collector_duration_seconds")
# omx's runtime (not the collectors) words this HELP differently.
KNOWN_HELP = {"node_scrape_collector_success"}


def load(path):
    fams = {}
    with open(path, encoding="utf-8") as f:
        for fam in text_string_to_metric_families(f.read()):
            if fam.name.startswith(SKIP):
                continue
            samples = {}
            for s in fam.samples:
                key = (s.name, tuple(sorted((k, v) for k, v in s.labels.items() if v != "")))
                samples[key] = s.value
            fams[fam.name] = (fam.documentation, fam.type, samples)
    return fams


def main(argv):
    ours, ne = load(argv[1]), load(argv[2])
    names_only = "--names-only" in argv
    ignore = {argv[i + 1] for i, a in enumerate(argv) if a == "--ignore-value"}
    diffs = []
    for name in sorted(set(ours) | set(ne)):
        if name not in ours:
            diffs.append("only in node_exporter: %s" % name)
            continue
        if name not in ne:
            diffs.append("only in omx: %s" % name)
            continue
        (h1, t1, s1), (h2, t2, s2) = ours[name], ne[name]
        if h1 != h2 and name not in KNOWN_HELP:
            diffs.append("HELP %s: %r vs %r" % (name, h1, h2))
        if t1 != t2:
            diffs.append("TYPE %s: %s vs %s" % (name, t1, t2))
        for key in sorted(set(s1) | set(s2)):
            if key not in s1 or key not in s2:
                diffs.append("series %s only in %s" % (key, "node_exporter" if key in s2 else "omx"))
            elif not names_only and name not in ignore:
                a, b = s1[key], s2[key]
                same = a == b or (math.isnan(a) and math.isnan(b)) or \
                    abs(a - b) <= 1e-9 * max(abs(a), abs(b))
                if not same:
                    diffs.append("value %s: %r vs %r" % (key, a, b))
    for d in diffs:
        print("DIFF:", d)
    if not ours:
        print("FAIL: nothing parsed from", argv[1])
        return 1
    print("%d families compared, %d differences" % (len(ours), len(diffs)))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
