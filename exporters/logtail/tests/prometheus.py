"""A real Prometheus scrapes omx-logtail every second while lines are
appended (with one rename rotation in between): the last value it stored of
mtail_log_lines_total for the file (and of the program's counter) must equal
the lines written, and every scrape must have succeeded."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ltutil  # noqa: E402

if not shutil.which("prometheus"):
    ltutil.skip("prometheus not installed")
if not os.access(ltutil.OMX_LOGTAIL, os.X_OK):
    ltutil.skip(ltutil.OMX_LOGTAIL + " not built")

tmp = tempfile.mkdtemp(prefix="lt-prom-")
log = os.path.join(tmp, "app.log")
progs = os.path.join(tmp, "progs")
os.mkdir(progs)
with open(os.path.join(progs, "count.mtail"), "w") as f:
    f.write("counter lines_seen\n/$/ {\n  lines_seen++\n}\n")
open(log, "w").close()
procs = []
try:
    lt, port = ltutil.start_logtail(["--progs", progs, "--logs", log],
                                    os.path.join(tmp, "omx.log"))
    procs.append(lt)
    pport = ltutil.free_port()
    with open(os.path.join(tmp, "prometheus.yml"), "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n"
                "  - job_name: logtail\n    static_configs:\n"
                "      - targets: ['127.0.0.1:%d']\n" % port)
    prom = subprocess.Popen(["prometheus", "--config.file=" + os.path.join(tmp, "prometheus.yml"),
                             "--storage.tsdb.path=" + os.path.join(tmp, "data"),
                             "--web.listen-address=127.0.0.1:%d" % pport],
                            stdout=open(os.path.join(tmp, "prom.log"), "w"),
                            stderr=subprocess.STDOUT)
    procs.append(prom)
    api = "http://127.0.0.1:%d/api/v1/" % pport

    def query(q):
        url = api + "query?" + urllib.parse.urlencode({"query": q})
        r = json.load(urllib.request.urlopen(url, timeout=5))
        return r["data"]["result"] if r.get("status") == "success" else None

    for _ in range(100):
        try:
            if query("up"):
                break
        except OSError:
            pass
        time.sleep(0.2)
    written = 0
    with open(log, "a") as f:
        for second in range(8):
            for _ in range(10):
                f.write("".join("line %d\n" % (written + i) for i in range(500)))
                f.flush()
                written += 500
                time.sleep(0.1)
            if second == 4:
                f.close()
                os.rename(log, log + ".1")
                f = open(log, "a")
    time.sleep(4)  # a few scrapes after the last line
    bad = False
    q = 'last_over_time(mtail_log_lines_total{logfile="%s"}[5s])' % log
    r = query(q)
    got = float(r[0]["value"][1]) if r else None
    print("lines written %d, Prometheus has %s" % (written, got))
    if got != written:
        print("FAIL: %s = %s, want %d" % (q, got, written))
        bad = True
    r = query('lines_seen{prog="count.mtail"}')
    if r:
        if float(r[0]["value"][1]) != written:
            print("FAIL: lines_seen = %s, want %d" % (r[0]["value"][1], written))
            bad = True
        else:
            print("ok: the program's counter equals the lines written")
    else:
        print("note: the program's counter is not exported (language not complete)")
    r = query('min_over_time(up{job="logtail"}[15s])')
    if not r or r[0]["value"][1] != "1":
        print("FAIL: a scrape failed:", r)
        bad = True
    t = json.load(urllib.request.urlopen(api + "targets", timeout=5))["data"]["activeTargets"]
    if not t or t[0]["health"] != "up" or t[0]["lastError"]:
        print("FAIL: target not healthy:", t)
        bad = True
    if bad:
        print(open(os.path.join(tmp, "omx.log")).read()[-2000:])
        sys.exit(1)
    print("ok: Prometheus stored exactly the lines written")
finally:
    for p in procs:
        ltutil.stop(p)
    shutil.rmtree(tmp, ignore_errors=True)
