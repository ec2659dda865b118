"""omx-logtail against Debian's mtail in the same run.

One-shot (read a generated 1,000,000-line access log, print the metrics,
exit): lines/s and peak RSS for a line count, an access-log program with
eleven captures, a counter by status and method with a histogram, and 20
programs at once. Tail mode: a writer appends at 200,000 lines/s for 5 s,
rotating by rename every second; lines read, lost, and the largest lag
(logtail_log_lag_bytes) seen while writing.

  bench.py BUILD_DIR   (LT_BENCH_LINES=N for a smaller log, LT_BENCH_REPEAT=N
                        runs of each tool per case, the fastest counting; default 2)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../testkit/python"))
from omxtest import fetch, free_port, start, stop, wait_http  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LINES = int(os.environ.get("LT_BENCH_LINES", "1000000"))
RATE = int(os.environ.get("LT_BENCH_RATE", "200000"))
REPEAT = int(os.environ.get("LT_BENCH_REPEAT", "2"))


def run_measured(cmd, d):
    """Runs cmd with stdout to /dev/null; returns (seconds, peak RSS MiB, exit code).
    Through /usr/bin/time: a child forked from Python would count Python's own
    pages in its peak RSS."""
    out = os.path.join(d, "rss")
    t0 = time.time()
    rc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out] + cmd,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    secs = time.time() - t0
    with open(out) as f:
        kib = int(f.read().split()[-1])
    return secs, kib / 1024.0, rc


def twenty_programs(d):
    """20 programs, each counting one section's requests by status and method."""
    for i in range(20):
        with open(os.path.join(d, "section%02d.mtail" % i), "w") as f:
            f.write('counter section%d_requests_total by status, method\n'
                    '/"(?P<method>[A-Z]+) \\/section%d\\/\\S* HTTP\\/1\\.1" (?P<status>\\d{3}) /'
                    ' {\n  section%d_requests_total[$status][$method]++\n}\n' % (i, i, i))


def scrape(port):
    return fetch("http://127.0.0.1:%d/metrics" % port, timeout=5)


def metric(text, name, logfile):
    m = re.search(r'^%s\{logfile="%s"\} (\S+)$' % (name, re.escape(logfile)), text, re.M)
    return float(m.group(1)) if m else None


def tail_run(cmd, port, d, lag=True):
    """Starts a tailer, writes RATE lines/s for 5 s with a rename rotation each
    second; returns (written, read, max lag bytes or None)."""
    log = os.path.join(d, "tail.log")
    open(log, "w").close()
    p = start(cmd(log))
    try:
        wait_http("http://127.0.0.1:%d/metrics" % port, p, secs=10, timeout=5)
        time.sleep(0.5)
        line = '192.0.2.1 - - [03/Dec/2026:10:00:00 +0000] "GET /x?n=%09d HTTP/1.1" 200 1 "-" "b" 0.001\n'
        written, max_lag = 0, 0.0
        f = open(log, "a")
        t0 = time.time()
        for sec in range(5):
            while written < RATE * (sec + 1):
                f.write("".join(line % (written + j) for j in range(2000)))
                f.flush()
                written += 2000
                ahead = written / RATE - (time.time() - t0)
                if ahead > 0:
                    time.sleep(ahead)
                if lag and written % 20000 == 0:
                    v = metric(scrape(port), "logtail_log_lag_bytes", log)
                    max_lag = max(max_lag, v or 0)
            f.close()
            os.rename(log, "%s.%d" % (log, sec))
            f = open(log, "a")
        f.close()
        got, last, same = 0, -1, 0
        for _ in range(300):
            got = metric(scrape(port), "mtail_log_lines_total", log) or 0
            if got == written:
                break
            same = same + 1 if got == last else 0
            if same > 20:
                break
            last = got
            time.sleep(0.1)
        return written, int(got), (max_lag if lag else None)
    finally:
        stop(p)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    ours = os.path.join(build, "exporters/logtail/omx-logtail")
    if not os.access(ours, os.X_OK):
        print("bench logtail: %s not built" % ours, file=sys.stderr)
        return 1
    if not os.access("/usr/bin/time", os.X_OK):
        print("bench logtail: /usr/bin/time not installed (package time)", file=sys.stderr)
        return 1
    mtail = shutil.which("mtail")
    if not mtail:
        print("bench logtail: mtail not installed (tools/debian-packages.bench); omx alone")
    d = tempfile.mkdtemp(prefix="lt-bench-")
    try:
        log = os.path.join(d, "access.log")
        subprocess.run([sys.executable, os.path.join(HERE, "accesslog.py"), log, str(LINES)],
                       check=True)
        cases = []
        for name in ("linecount", "access", "status_method"):
            pd = os.path.join(d, name)
            os.mkdir(pd)
            shutil.copy(os.path.join(HERE, name + ".mtail"), pd)
            cases.append((name, pd))
        pd = os.path.join(d, "twenty")
        os.mkdir(pd)
        twenty_programs(pd)
        cases.append(("20-programs", pd))
        for name, pd in cases:
            args = ["--progs", pd, "--logs", log, "--one_shot", "--one_shot_format=prometheus"]
            # REPEAT runs of each, taken in turns; the fastest of each counts (the
            # machine is shared: the slow runs are the noise)
            secs = msecs = float("inf")
            rss = mrss = 0.0
            rc = 0
            for _ in range(REPEAT):
                s_, r_, rc = run_measured([ours] + args, d)
                secs, rss = min(secs, s_), max(rss, r_)
                if rc != 0 or not mtail:
                    continue
                s_, r_, _ = run_measured([mtail, "--logtostderr"] + args, d)
                msecs, mrss = min(msecs, s_), max(mrss, r_)
            if rc != 0:
                print("bench logtail/one-shot-%s: omx-logtail exited %d" % (name, rc))
                continue
            o_lps = LINES / secs
            if not mtail:
                print("bench logtail/one-shot-%s: ours %.0f lines/s, %.1f MiB peak RSS"
                      % (name, o_lps, rss))
                continue
            m_lps = LINES / msecs
            print("bench logtail/one-shot-%s: ours %.0f lines/s; mtail %.0f lines/s; %.1fx"
                  % (name, o_lps, m_lps, o_lps / m_lps))
            print("bench logtail/one-shot-%s-rss: ours %.1f MiB; mtail %.1f MiB; %.2fx"
                  % (name, rss, mrss, rss / mrss))
        tp = os.path.join(d, "tailprog")
        os.mkdir(tp)
        shutil.copy(os.path.join(HERE, "linecount.mtail"), tp)
        port = free_port()
        w, got, lag = tail_run(lambda lg: [ours, "--progs", tp, "--logs", lg,
                                           "--web.listen-address=127.0.0.1:%d" % port],
                               port, d)
        print("bench logtail/tail-%dk-lines-s-5-renames: ours %d of %d lines read (%d lost), "
              "max lag %.0f bytes" % (RATE // 1000, got, w, w - got, lag))
        if mtail:
            port = free_port()
            mw, mgot, _ = tail_run(lambda lg: [mtail, "--progs", tp, "--logs", lg, "--logtostderr",
                                               "--address", "127.0.0.1", "--port", str(port)],
                                   port, d, lag=False)
            print("bench logtail/tail-%dk-lines-s-5-renames-lost: ours %d lines; mtail %d lines "
                  "(%.0f%% of %d)" % (RATE // 1000, w - got, mw - mgot,
                                      100.0 * (mw - mgot) / mw, mw))
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
