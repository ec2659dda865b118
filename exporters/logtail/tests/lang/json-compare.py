#!/usr/bin/python3
"""Compares two mtail /json exports: json-compare.py MTAIL.json OURS.json.
Times are left out (each run reads at its own time), and so are per-bucket
counts of histograms (mtail 3.0.0~rc50 drops observations at or below zero,
see docs/logtail-language.md); everything else must be equal."""
import json
import sys


def norm(doc):
    out = {}
    for name, metrics in doc.items():
        for m in metrics:
            m = dict(m)
            rows = []
            for lv in m.pop("LabelValues", []):
                v = dict(lv.get("Value", {}))
                v.pop("Time", None)
                v.pop("Buckets", None)
                rows.append(json.dumps({"Labels": lv.get("Labels"), "Value": v}, sort_keys=True))
            m["LabelValues"] = sorted(rows)
            out[(name, m.get("Program"))] = m
    return out


a = norm(json.load(open(sys.argv[1])))
b = norm(json.load(open(sys.argv[2])))
bad = 0
for k in sorted(set(a) | set(b)):
    if a.get(k) != b.get(k):
        bad += 1
        print("json differs for %s:\n  mtail %s\n  ours  %s" % (
            k, json.dumps(a.get(k), sort_keys=True), json.dumps(b.get(k), sort_keys=True)))
print("json: %d metrics compared, %d differ" % (len(a), bad))
sys.exit(1 if bad or not a else 0)
