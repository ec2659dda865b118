#!/usr/bin/python3
"""Writes a large exposition to stdout for the parser benchmark.

gen.py FORMAT SCALE: FORMAT openmetrics|prometheus; SCALE 1 gives 100,000
series (label sets) in 1,000 families: counters, gauges, histograms (10
buckets) and summaries. Larger scales add families with new names, so the
text is valid in both formats at any scale."""
import sys


def main():
    fmt, scale = sys.argv[1], int(sys.argv[2])
    om = fmt == 'openmetrics'
    out = sys.stdout
    buckets = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf']
    for f in range(1000 * scale):
        kind = ('counter', 'gauge', 'gauge', 'counter', 'histogram', 'summary', 'gauge',
                'counter', 'histogram', 'gauge')[f % 10]
        base = 'app_%s_%d' % (('requests', 'temperature', 'queue_length', 'errors', 'request_duration_seconds',
                               'response_size_bytes', 'memory_bytes', 'jobs', 'db_query_seconds', 'load')[f % 10], f)
        name = base
        lines = []
        if kind == 'counter':
            fam = base if om else base + '_total'
            lines.append('# HELP %s Total things counted by the app.\n# TYPE %s counter\n' % (fam, fam))
        else:
            lines.append('# HELP %s A %s of the app.\n# TYPE %s %s\n' % (base, kind, base, kind))
        for s in range(100):
            lbl = 'instance="host-%03d.example.org:9100",job="node",method="%s",code="%d"' % (
                s % 50, ('GET', 'POST', 'PUT', 'DELETE')[s % 4], 200 + s)
            v = (f * 7919 + s * 104729) % 1000003
            if kind == 'counter':
                lines.append('%s_total{%s} %d\n' % (name, lbl, v))
            elif kind == 'gauge':
                lines.append('%s{%s} %d.%03d\n' % (name, lbl, v, s))
            elif kind == 'histogram':
                c = 0
                for i, b in enumerate(buckets):
                    c += (v >> i) % 17
                    lines.append('%s_bucket{%s,le="%s"} %d\n' % (name, lbl, b, c))
                lines.append('%s_sum{%s} %d.25\n%s_count{%s} %d\n' % (name, lbl, v, name, lbl, c))
            else:
                for q in ('0.5', '0.9', '0.99'):
                    lines.append('%s{%s,quantile="%s"} %d.5\n' % (name, lbl, q, v % 977))
                lines.append('%s_sum{%s} %d.75\n%s_count{%s} %d\n' % (name, lbl, v, name, lbl, v % 1000))
        out.write(''.join(lines))
    if om:
        out.write('# EOF\n')


if __name__ == '__main__':
    main()
