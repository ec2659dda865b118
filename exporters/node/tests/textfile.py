#!/usr/bin/python3
"""textfile collector, through node-dump on temporary text file directories:

- names and types served as written (0.0.4), the OpenMetrics output valid
  (omx-check and the Python OpenMetrics parser);
- a family spread over files (label names differ), type/HELP conflicts and
  repeated series left out with one log line each;
- entries that are not regular files: node_textfile_scrape_error 1 and one
  error line per file naming it and the reason;
- the per-scrape byte and series caps: later files skipped, logged, counted.
"""
import os
import re
import subprocess
import sys
import tempfile

BUILD = os.environ["OMX_BUILD"]
DUMP = os.environ.get("NODE_DUMP", os.path.join(BUILD, "exporters/node/node-dump"))
CHECK = os.path.join(BUILD, "parser/tools/omx-check")
failures = []


def check(cond, what, out=""):
    if not cond:
        failures.append(what)
        print("FAIL:", what)
        if out:
            print(out[-3000:])


def dump(args, fmt=None, env_extra=None):
    env = dict(os.environ)
    if fmt:
        env["NODE_DUMP_FORMAT"] = fmt
    env.update(env_extra or {})
    p = subprocess.run([DUMP, "--log.level=debug", "--collector.disable-defaults"] + args,
                       capture_output=True, text=True, env=env, timeout=60)
    check(p.returncode == 0, "node-dump %s exited %d" % (args, p.returncode), p.stderr)
    return p.stdout, p.stderr


def textfile(d, *extra, fmt=None, env_extra=None):
    return dump(["--collector.textfile", "--collector.textfile.directory=" + d] + list(extra),
                fmt, env_extra)


def write(d, name, text):
    with open(os.path.join(d, name), "w", encoding="utf-8") as f:
        f.write(text)


def errors(err):
    return [l for l in err.splitlines() if "level=error" in l]


NAMES = """# TYPE conf counter
conf 1
# TYPE x_info counter
x_info 2
# TYPE jobs_created counter
jobs_created{job="a"} 3
# TYPE req_total_total counter
req_total_total 4
# TYPE ok_total counter
ok_total 5
# HELP lat_sum Latency.
# TYPE lat_sum histogram
lat_sum_bucket{le="1"} 1
lat_sum_bucket{le="+Inf"} 2
lat_sum_sum 3
lat_sum_count 2
# TYPE q_count summary
q_count{quantile="0.5"} 7
q_count_sum 2
q_count_count 1
"""


def test_names(tmp):
    d = os.path.join(tmp, "names")
    os.mkdir(d)
    write(d, "names.prom", NAMES)
    out, err = textfile(d)
    for want in ["# TYPE conf counter\nconf 1\n", "# TYPE x_info counter\nx_info 2\n",
                 "# TYPE jobs_created counter\njobs_created{job=\"a\"} 3\n",
                 "# TYPE req_total_total counter\nreq_total_total 4\n",
                 "# TYPE ok_total counter\nok_total 5\n",
                 "# HELP lat_sum Latency.\n# TYPE lat_sum histogram\nlat_sum_bucket{le=\"1\"} 1\n"
                 "lat_sum_bucket{le=\"+Inf\"} 2\nlat_sum_count 2\nlat_sum_sum 3\n",
                 "# TYPE q_count summary\nq_count{quantile=\"0.5\"} 7\nq_count_count 1\n"
                 "q_count_sum 2\n",
                 "node_textfile_scrape_error 0\n"]:
        check(want in out, "0.0.4 output lacks %r" % want, out)
    check(not errors(err), "errors logged for valid files", err)
    check("node_textfile_limit_hits_total" not in out, "limit counter shown before any hit")
    om, err = textfile(d, fmt="openmetrics")
    for want in ["# TYPE conf unknown\nconf 1\n", "# TYPE x_info unknown\nx_info 2\n",
                 "# TYPE jobs_created unknown\njobs_created{job=\"a\"} 3\n",
                 "# TYPE req_total counter\nreq_total_total 4\n",
                 "# TYPE ok counter\nok_total 5\n",
                 "# TYPE lat_sum histogram\nlat_sum_bucket{le=\"1.0\"} 1\n"]:
        check(want in om, "OpenMetrics output lacks %r" % want, om)
    p = subprocess.run([CHECK, "--lint", "--format=openmetrics", "-"], input=om,
                       capture_output=True, text=True)
    check(p.returncode == 0, "omx-check rejects the OpenMetrics output", p.stdout + p.stderr)
    try:
        from prometheus_client.openmetrics.parser import text_string_to_metric_families
        fams = {f.name: f.type for f in text_string_to_metric_families(om)}
        check(fams.get("req_total") == "counter" and fams.get("conf") == "unknown",
              "Python OpenMetrics parser reads other families: %r" % fams)
    except ImportError:
        print("note: python3-prometheus-client missing, its OpenMetrics parser not run")


def test_merge(tmp):
    d = os.path.join(tmp, "merge")
    os.mkdir(d)
    write(d, "a.prom", "# HELP split S.\n# TYPE split gauge\nsplit{a=\"1\"} 1\n"
                       "# TYPE t gauge\nt 1\n# HELP h One.\nh 1\nnohelp 1\ndup{x=\"1\"} 1\n")
    write(d, "b.prom", "# HELP split S.\n# TYPE split gauge\nsplit{b=\"2\"} 2\n"
                       "# TYPE t counter\nt 2\n# HELP h Two.\nh 2\nnohelp{y=\"1\"} 2\n"
                       "dup{x=\"1\"} 1\n")
    out, err = textfile(d)
    check("# HELP split S.\n# TYPE split gauge\nsplit{a=\"\",b=\"2\"} 2\nsplit{a=\"1\",b=\"\"} 1\n"
          in out, "family split over two files not served whole", out)
    check("\nt 1\n" in out and "\nt 2\n" not in out, "type conflict: first file's kept", out)
    check("\nh 1\n" in out and "\nh 2\n" not in out, "HELP conflict: first file's kept", out)
    check("# HELP nohelp Metric read from %s/a.prom, %s/b.prom\n" % (d, d) in out,
          "default HELP names both files", out)
    check(out.count("dup{x=\"1\"} 1\n") == 1, "repeated series served twice", out)
    check("node_textfile_scrape_error 1\n" in out, "conflicts not an error", out)
    e = errors(err)
    check(any("metric type differs" in l and "metric=t " in l and "b.prom" in l for l in e),
          "type conflict not logged", err)
    check(any("inconsistent metric help text" in l and "metric=h " in l for l in e),
          "HELP conflict not logged", err)
    check(any("duplicate series" in l and "metric=dup " in l and "file=%s/b.prom " % d in l
              for l in e),
          "repeated series not logged", err)
    check(len(e) == 3, "expected 3 error lines, got %d" % len(e), err)


def test_negative_counter(tmp):
    d = os.path.join(tmp, "negative")
    os.mkdir(d)
    write(d, "n.prom", "# TYPE down_total counter\ndown_total -1\n# TYPE down counter\ndown -1\n")
    out, err = textfile(d)
    check("\ndown_total -1\n" in out and "\ndown -1\n" in out and not errors(err),
          "0.0.4: negative counters not served as written", out + err)
    om, err = textfile(d, fmt="openmetrics")
    # OpenMetrics: down_total would be family "down"; with its only series left
    # out it writes nothing, and the counter "down" is served as unknown
    check("down_total" not in om and "# TYPE down unknown\ndown -1\n" in om,
          "OpenMetrics: a negative x_total counter served, or the unknown one not", om)
    lines = errors(err)
    check(len(lines) == 1 and "metric=down_total " in lines[0] and "file=%s/n.prom " % d in lines[0],
          "OpenMetrics: the left-out counter not logged once", err)


def test_odd_files(tmp):
    d = os.path.join(tmp, "odd")
    os.mkdir(d)
    write(d, "good.prom", "good 1\n")
    os.mkfifo(os.path.join(d, "fifo.prom"))
    os.symlink(os.path.join(d, "missing"), os.path.join(d, "dangling.prom"))
    os.symlink("/dev/zero", os.path.join(d, "zero.prom"))
    os.mkdir(os.path.join(d, "dir.prom"))
    os.symlink(os.path.join(d, "loop2.prom"), os.path.join(d, "loop1.prom"))
    os.symlink(os.path.join(d, "loop1.prom"), os.path.join(d, "loop2.prom"))
    write(d, "bad.prom", "bad{ 1\n")
    write(d, "stamped.prom", "st 1 1700000000000\n")
    write(d, "ignored.txt", "not read\n")
    out, err = textfile(d)
    check("\ngood 1\n" in out, "good file not served next to odd ones", out)
    check("node_textfile_scrape_error 1\n" in out, "odd files: no scrape error", out)
    check('node_scrape_collector_success{collector="textfile"} 1' in out,
          "the collector itself failed", out)
    e = errors(err)
    want = {"fifo.prom": "not a regular file", "zero.prom": "not a regular file",
            "dangling.prom": "No such file or directory", "dir.prom": "Is a directory",
            "loop1.prom": "Too many levels of symbolic links",
            "loop2.prom": "Too many levels of symbolic links",
            "bad.prom": "failed to parse", "stamped.prom": "timestamps"}
    for name, why in want.items():
        lines = [l for l in e if "file=%s/%s " % (d, name) in l]
        check(len(lines) == 1 and why in lines[0],
              "%s: want one error line with %r, got %r" % (name, why, lines))
    check(len(e) == len(want), "one line per failure: %d lines for %d" % (len(e), len(want)), err)
    check("ignored" not in err, "a file without .prom was read", err)


def series_file(n, tag):
    return "# TYPE s_%s gauge\n" % tag + "".join('s_%s{i="%d"} %d\n' % (tag, i, i)
                                               for i in range(n))


def test_limits(tmp):
    d = os.path.join(tmp, "limits")
    os.mkdir(d)
    for tag in "abc":
        write(d, tag + ".prom", series_file(100, tag))
    size = os.path.getsize(os.path.join(d, "a.prom"))
    out, err = textfile(d, "--collector.textfile.max-series=250",
                        env_extra={"NODE_DUMP_RESCRAPE": "true"})
    first, _, second = out.partition("# rescrape\n")
    check('s_a{i="99"} 99' in first and 's_b{i="99"} 99' in first and "s_c" not in first,
          "max-series: a and b served, c skipped", first)
    check("node_textfile_scrape_error 1\n" in first, "max-series: no scrape error", first)
    check('node_textfile_limit_hits_total{limit="max-series"} 1\n' in first,
          "max-series: hit not counted", first)
    check('node_textfile_limit_hits_total{limit="max-series"} 2\n' in second,
          "max-series: second hit not counted", second)
    check('limit="max-bytes"' not in out, "max-bytes counted without a hit", out)
    lines = [l for l in errors(err) if "textfile limit reached" in l]
    check(len(lines) == 2 and "limit=max-series" in lines[0]
          and "file=%s/c.prom " % d in lines[0]
          and "skipped_files=1" in lines[0], "max-series: want one line a scrape", err)
    out, err = textfile(d, "--collector.textfile.max-bytes=%d" % (size + 10))
    check('s_a{i="99"} 99' in out and "s_b" not in out and "s_c" not in out,
          "max-bytes: only a served", out)
    check('node_textfile_limit_hits_total{limit="max-bytes"} 1\n' in out,
          "max-bytes: hit not counted", out)
    lines = [l for l in errors(err) if "textfile limit reached" in l]
    check(len(lines) == 1 and "limit=max-bytes" in lines[0]
          and "file=%s/b.prom " % d in lines[0]
          and "skipped_files=2" in lines[0], "max-bytes: want one line naming b.prom", err)
    p = subprocess.run([DUMP, "--collector.disable-defaults", "--collector.textfile",
                        "--collector.textfile.max-series=0"], capture_output=True, text=True)
    check(p.returncode != 0 and "max-series" in p.stderr, "max-series=0 accepted", p.stderr)


def test_order(tmp):
    """Series served sorted by label values whatever the order of lines and of
    labels within a line; a label a line lacks is empty; a repeated series
    left out."""
    d = os.path.join(tmp, "order")
    os.mkdir(d)
    write(d, "o.prom", "# TYPE o gauge\n"
          'o{b="2",a="x"} 1\no{a="x"} 2\no{a="w",b="9"} 3\no{b="1"} 4\n'
          'o{a="x",b="2"} 5\n'
          "# TYPE h histogram\n"
          'h_bucket{z="b",le="+Inf"} 2\nh_sum{z="b"} 1\nh_count{z="b"} 2\n'
          'h_bucket{le="1",z="b"} 1\nh_bucket{le="1",z="a"} 0\n'
          'h_bucket{z="a",le="+Inf"} 0\nh_count{z="a"} 0\nh_sum{z="a"} 0\n')
    out, err = textfile(d)
    got = [l for l in out.splitlines() if l.startswith(("o{", "h_"))]
    want = ['o{a="",b="1"} 4', 'o{a="w",b="9"} 3', 'o{a="x",b=""} 2', 'o{a="x",b="2"} 1',
            'h_bucket{z="a",le="1"} 0', 'h_bucket{z="a",le="+Inf"} 0', 'h_count{z="a"} 0',
            'h_sum{z="a"} 0', 'h_bucket{z="b",le="1"} 1', 'h_bucket{z="b",le="+Inf"} 2',
            'h_count{z="b"} 2', 'h_sum{z="b"} 1']
    check(got == want, "order: want %r, got %r" % (want, got), out)
    check(any("duplicate series" in l and "metric=o " in l for l in errors(err)),
          "order: the repeated series not logged", err)


def test_large(tmp):
    """Files far larger than one read: every series served, a line cut by a
    read (label values of every length around it), the line number of an
    error far into a file."""
    d = os.path.join(tmp, "large")
    os.mkdir(d)
    lines = ["# HELP big Series across many reads.", "# TYPE big gauge"]
    lines += ['big{i="%05d",pad="%s"} %d' % (i, "p" * (i % 300), i) for i in range(4000)]
    write(d, "big.prom", "\n".join(lines) + "\n")
    check(os.path.getsize(os.path.join(d, "big.prom")) > 8 * 65536, "big.prom too small")
    bad = ["# TYPE late gauge"] + ['late{i="%d"} %d' % (i, i) for i in range(20000)]
    bad[15000] = 'late{i="15000" 1'
    write(d, "late.prom", "\n".join(bad) + "\n")
    out, err = textfile(d)
    served = re.findall(r'^big\{i="(\d+)",pad="(p*)"\} (\d+)$', out, re.M)
    check(len(served) == 4000 and all(int(i) == int(v) and len(p) == int(i) % 300
                                      for i, p, v in served),
          "big.prom: %d of 4000 series served as written" % len(served), out)
    check("late{" not in out, "late.prom served despite its error", out)
    e = [l for l in errors(err) if "file=%s/late.prom " % d in l]
    check(len(e) == 1 and "failed to parse" in e[0] and "line=15001 " in e[0],
          "late.prom: want one error line at line 15001, got %r" % e, err)


def main():
    if not os.access(DUMP, os.X_OK):
        print("SKIP: node-dump not built at", DUMP)
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        for t in (test_names, test_merge, test_negative_counter, test_odd_files, test_limits,
                  test_order, test_large):
            t(tmp)
    if failures:
        return 1
    print("ok: textfile names, merging, odd files and limits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
