#!/usr/bin/env python3
"""A real Prometheus scrapes /probe through the usual relabelling
(__param_target from the target, __address__ rewritten to the exporter) for
several targets: every probe target up 1 and probe_success as expected.
Job "fake" uses the fake prober (targets ok/fail); job "http" uses the real
omx-blackbox's http_2xx against Prometheus itself.

usage: prometheus.py OMX_BLACKBOX_TEST OMX_BLACKBOX"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "core"))
from bbtest import Exporter, free_port, request, skip  # noqa: E402

checks = 0


API = None


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        print("FAIL:", what)
        if API:  # what Prometheus saw of each target
            try:
                print(request(API + "/targets")[2][:4000])
            except OSError:
                pass
        sys.exit(1)
    print("ok:", what)


def query(api, q):
    try:
        st, _, body = request(api + "/query?" + urllib.parse.urlencode({"query": q}))
        r = json.loads(body)
    except (OSError, ValueError):  # not ready yet (503 text), or a connection reset
        return None
    return r["data"]["result"] if r.get("status") == "success" else None


def wait_for(api, q, pred, seconds):
    """Queries q until pred(result) or the time is up; returns the last answer
    Prometheus gave (a failed query under load is retried, not judged)."""
    deadline = time.monotonic() + seconds
    last = []
    while time.monotonic() < deadline:
        res = query(api, q)
        if res is not None:
            last = res
            if pred(res):
                break
        time.sleep(0.5)
    return last


def main():
    fake_bin, real_bin = sys.argv[1], sys.argv[2]
    prom = shutil.which("prometheus")
    if not prom:
        skip("prometheus is not installed")
    tmp = tempfile.mkdtemp(prefix="bb-prom-")
    cfg = os.path.join(tmp, "blackbox.yml")
    with open(cfg, "w") as f:
        f.write("modules:\n  fake_ok:\n    prober: fake\n")
    real_cfg = os.path.join(tmp, "real.yml")
    with open(real_cfg, "w") as f:
        f.write("modules:\n  http_2xx:\n    prober: http\n    timeout: 2s\n")
    p_fake, p_real, p_prom = free_port(), free_port(), free_port()
    prom_yml = os.path.join(tmp, "prometheus.yml")
    relabel = """    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: 127.0.0.1:%d
"""
    with open(prom_yml, "w") as f:
        f.write("""global:
  scrape_interval: 2s
  scrape_timeout: 2s  # a loaded machine: slow answers still count
scrape_configs:
  - job_name: fake
    metrics_path: /probe
    params:
      module: [fake_ok]
    static_configs:
      - targets: [ok, also-ok, fail]
""" + relabel % p_fake + """  - job_name: http
    metrics_path: /probe
    params:
      module: [http_2xx]
    static_configs:
      - targets: ['http://127.0.0.1:%d/-/healthy']
""" % p_prom + relabel % p_real)
    with Exporter([fake_bin, "--config.file=" + cfg, "--web.listen-address=127.0.0.1:%d" % p_fake], p_fake), \
         Exporter([real_bin, "--config.file=" + real_cfg, "--web.listen-address=127.0.0.1:%d" % p_real], p_real) as real, \
         Exporter([prom, "--config.file=" + prom_yml, "--storage.tsdb.path=" + os.path.join(tmp, "data"),
                   "--web.listen-address=127.0.0.1:%d" % p_prom], p_prom, os.path.join(tmp, "prom.log")):
        global API
        api = API = "http://127.0.0.1:%d/api/v1" % p_prom
        want = {"ok": "1", "also-ok": "1", "fail": "0"}
        deadline = time.monotonic() + 90  # a loaded machine: Prometheus starts slowly
        got = {}
        while time.monotonic() < deadline:
            res = query(api, 'probe_success{job="fake"}') or []
            got = {r["metric"]["instance"]: r["value"][1] for r in res}
            up = query(api, 'up{job="fake"} == 1') or []
            if got == want and len(up) == 3:
                break
            time.sleep(0.5)
        check(got == want, "probe_success per target as expected: %s" % got)
        check(len(wait_for(api, 'up{job="fake"} == 1', lambda r: len(r) == 3, 10)) == 3,
              "every fake target up 1")
        check(len(wait_for(api, 'probe_duration_seconds{job="fake"}', lambda r: len(r) == 3, 10)) == 3,
              "probe_duration_seconds scraped")
        check(len(wait_for(api, 'up{job="http"} == 1', lambda r: len(r) == 1, 30)) == 1, "http job up 1")
        target = "http://127.0.0.1:%d/-/healthy" % p_prom
        dbg = real.get("/probe?module=http_2xx&debug=true&target=" + urllib.parse.quote(target))[2]
        check("probe_success 1" in dbg, "debug output of the http probe shows it succeeding")
        check(len(wait_for(api, 'probe_success{job="http"} == 1', lambda r: len(r) == 1, 20)) == 1,
              "http probe of Prometheus succeeds")
    shutil.rmtree(tmp, ignore_errors=True)
    print("ok: %d checks" % checks)


if __name__ == "__main__":
    main()
