#!/usr/bin/env python3
"""omx-blackbox's server side against a fake prober: /probe parameters and
errors, timeouts, --probe.max-concurrent, the allow-list, reloads (good, bad,
SIGHUP), /config and debug output without secrets, history and /logs,
--config.check, OpenMetrics by Accept."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bbtest import Exporter, free_port, parse_metrics, request  # noqa: E402

BIN = sys.argv[1]
CONFIG = """modules:
  http_2xx:
    prober: fake
  quick:
    prober: fake
    timeout: 1s
    fake:
      password: hunter2
  resolving:
    prober: fake
    timeout: 2s
    fake:
      resolve: true
"""
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        print("FAIL:", what)
        sys.exit(1)


def value(text, name):
    for labels, v in parse_metrics(text).get(name, ("", []))[1]:
        return float(v)
    return None


def main():
    tmp = tempfile.mkdtemp(prefix="bb-server-")
    cfg = os.path.join(tmp, "blackbox.yml")
    with open(cfg, "w") as f:
        f.write(CONFIG)

    # --config.check
    r = subprocess.run([BIN, "--config.file=" + cfg, "--config.check"], capture_output=True)
    check(r.returncode == 0, "--config.check of a good file")
    bad = os.path.join(tmp, "bad.yml")
    with open(bad, "w") as f:
        f.write("modules:\n  m:\n    prober: fake\n    timeot: 5s\n")
    r = subprocess.run([BIN, "--config.file=" + bad, "--config.check"], capture_output=True, text=True)
    check(r.returncode == 1, "--config.check of a bad file fails")
    check("bad.yml:4:" in r.stderr and "modules.m.timeot" in r.stderr, "error names file:line:key: " + r.stderr)
    with open(bad, "w") as f:
        f.write("modules:\n  m:\n    prober: fake\n    fake:\n      resolve: true\n      bogus: 1\n")
    r = subprocess.run([BIN, "--config.file=" + bad, "--config.check"], capture_output=True, text=True)
    check(r.returncode == 1 and "bad.yml:6:" in r.stderr and "modules.m.fake.bogus" in r.stderr,
          "a prober section's error names the whole key: " + r.stderr)
    with open(bad, "w") as f:
        f.write("modules:\n  m:\n    prober: fake\n    fake:\n      resolve: maybe\n")
    r = subprocess.run([BIN, "--config.file=" + bad, "--config.check"], capture_output=True, text=True)
    check(r.returncode == 1 and "bad.yml:5:" in r.stderr and "modules.m.fake.resolve" in r.stderr,
          "a bad value names file:line:key: " + r.stderr)

    # --passive.read-file: the capture file is named in the error; a bad format is refused
    r = subprocess.run([BIN, "--config.file=" + cfg, "--passive.read-file=/nonexistent.pcap"],
                       capture_output=True, text=True)
    check(r.returncode == 1 and "/nonexistent.pcap" in r.stderr, "--passive.read-file error: " + r.stderr)
    r = subprocess.run([BIN, "--passive.read-file=x.pcap", "--passive.format=xml"], capture_output=True, text=True)
    check(r.returncode == 1 and "--passive.format" in r.stderr, "--passive.format checked")
    r = subprocess.run([BIN, "--config.file=" + cfg, "--probe.allowed-targets=10.0.0.0/99"], capture_output=True, text=True)
    check(r.returncode == 1 and "10.0.0.0/99" in r.stderr, "bad --probe.allowed-targets refused: " + r.stderr)

    port = free_port()
    with Exporter([BIN, "--config.file=" + cfg, "--web.listen-address=127.0.0.1:%d" % port,
                   "--probe.max-concurrent=2", "--probe.allowed-targets=10.0.0.0/8,*.allowed.test",
                   "--history.limit=3"], port, os.path.join(tmp, "log")) as e:
        # parameters
        st, _, body = e.get("/probe")
        check(st == 400 and body == "Target parameter is missing\n", "missing target: %d %r" % (st, body))
        st, _, body = e.get("/probe?target=x&module=nope")
        check(st == 400 and body == 'Unknown module "nope"\n', "unknown module: %r" % body)
        st, h, body = e.get("/probe?target=ok")  # default module http_2xx
        check(st == 200 and value(body, "probe_success") == 1, "default module probe: " + body)
        check(h.get("Content-Type", "").startswith("text/plain; version=0.0.4"), "0.0.4 by default")
        m = parse_metrics(body)
        check(m["probe_fake_info"][1][0][0] == {"hostname": "", "target": "ok"}, "labels sorted")
        st, _, body = e.get("/probe?target=ok&hostname=h.example")
        check('hostname="h.example"' in body, "hostname passed")
        st, h, body = e.get("/probe?target=ok", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
        check(h.get("Content-Type", "").startswith("application/openmetrics-text") and body.endswith("# EOF\n"),
              "OpenMetrics by Accept")
        st, _, body = e.get("/probe?target=fail")
        check(st == 200 and value(body, "probe_success") == 0, "failing probe")
        names = [l.split(" ")[2] for l in body.splitlines() if l.startswith("# TYPE")]
        check(names == sorted(names), "families sorted by name: %s" % names)
        st, _, body = e.get("/probe?target=ok", headers={"X-Prometheus-Scrape-Timeout-Seconds": "abc"})
        check(st == 500 and body.startswith("Failed to parse timeout from Prometheus header"), "bad header")

        # timeouts: the module's 1s, the header's 0.8 - 0.5
        t0 = time.monotonic()
        st, _, body = e.get("/probe?target=hang&module=quick")
        took = time.monotonic() - t0
        check(st == 200 and value(body, "probe_success") == 0, "hanging probe fails")
        check(0.9 < took < 2.0, "module timeout 1s held: %.2f" % took)
        check(0.9 < value(body, "probe_duration_seconds") < 1.5, "duration ~1s")
        t0 = time.monotonic()
        st, _, body = e.get("/probe?target=hang&module=quick", headers={"X-Prometheus-Scrape-Timeout-Seconds": "0.8"})
        took = time.monotonic() - t0
        check(0.25 < took < 0.8, "scrape timeout minus offset held: %.2f" % took)
        # a probe that used its whole time still answers in full within the scrape timeout
        t0 = time.monotonic()
        st, _, body = e.get("/probe?target=hang", headers={"X-Prometheus-Scrape-Timeout-Seconds": "2"})
        took = time.monotonic() - t0
        check(st == 200 and value(body, "probe_success") == 0 and 1.4 < value(body, "probe_duration_seconds") < 1.8,
              "full answer after the whole timeout: " + body)
        check(took < 2.0, "answered within the scrape timeout: %.2f" % took)

        # debug output: logs, metrics, module config, no secret
        st, h, body = e.get("/probe?target=hang&module=quick&debug=true")
        check(st == 200 and body.startswith("Logs for the probe:\n"), "debug output")
        check("deadline reached" in body and "Metrics that would have been returned:" in body
              and "Module configuration:\nprober: fake\ntimeout: 1s\n" in body, "debug layout: " + body)
        check("hunter2" not in body and "password: <secret>" in body, "secret hidden in debug output")

        # /config
        st, _, body = e.get("/config")
        check(st == 200 and body.startswith("modules:\n") and "  quick:\n    prober: fake\n" in body, "/config: " + body)
        check("hunter2" not in body and "<secret>" in body, "secret hidden in /config")

        # allow-list, checked after resolution
        st, _, body = e.get("/probe?target=127.0.0.1:80&module=resolving&debug=true")
        check("probe_success 0" in body and "not allowed" in body, "127.0.0.1 refused: " + body)
        st, _, body = e.get("/probe?target=10.1.1.1:80&module=resolving")
        check(value(body, "probe_success") == 1, "10.1.1.1 allowed")

        # hostile parameters: escaped in the landing page and the log lines, bounded
        evil = "%3Cscript%3Ealert(1)%3C/script%3E%0Ats=forged"
        st, _, body = e.get("/probe?target=" + evil + "&debug=true")
        check(st == 200 and "\nts=forged" not in body, "a newline in the target cannot forge a log line")
        check("<script>" not in e.get("/")[2], "target HTML-escaped on the landing page")
        st, _, body = e.get("/probe?target=" + "x" * 6000)
        check(st in (200, 414, 431, 400) and e.get("/-/healthy")[0] == 200, "a 6000-byte target: %d" % st)

        # history: the landing page and /logs
        st, _, body = e.get("/")
        check(st == 200 and "<h2>Recent Probes</h2>" in body and "logs?id=" in body, "landing page")
        ids = [int(x.split("'")[0]) for x in body.split("logs?id=")[1:]]
        st, _, logs = e.get("/logs?id=%d" % ids[0])
        check(st == 200 and logs.startswith("Logs for the probe:"), "/logs?id")
        st, _, logs = e.get("/logs?id=999999")
        check(st == 404 and logs == "Probe id not found\n", "/logs unknown id")
        st, _, logs = e.get("/logs")
        check(st == 400, "/logs without id")
        st, _, logs = e.get("/logs?target=hang&module=quick")
        check(st == 200 and "Probe failed" in logs, "/logs?target= finds a kept failure")

        # --probe.max-concurrent=2: a third probe at once gets 503
        results = []
        ths = [threading.Thread(target=lambda: results.append(e.get("/probe?target=hang&module=quick")[0]))
               for _ in range(2)]
        for t in ths:
            t.start()
        time.sleep(0.3)
        st, _, body = e.get("/probe?target=ok")
        check(st == 503, "third concurrent probe: %d" % st)
        for t in ths:
            t.join()
        check(results == [200, 200], "the two running probes answered")
        st, _, body = e.get("/metrics")
        check(value(body, "blackbox_exporter_probes_rejected_total") == 1, "rejections counted")
        check(value(body, "blackbox_module_unknown_total") == 1, "unknown modules counted")
        check(value(body, "blackbox_exporter_config_last_reload_successful") == 1, "loaded")

        # reloads: GET refused, good POST, bad POST keeps the old config, SIGHUP
        st, _, body = e.get("/-/reload")
        check(st == 405 and body == "This endpoint requires a POST request.\n", "GET /-/reload")
        with open(cfg, "w") as f:
            f.write(CONFIG + "  added:\n    prober: fake\n")
        st, _, body = e.get("/-/reload", method="POST")
        check(st == 200, "good reload: %d %s" % (st, body))
        check(e.get("/probe?target=ok&module=added")[0] == 200, "new module after reload")
        with open(cfg, "w") as f:
            f.write("modules:\n  x:\n    prober: fake\n    bogus: 1\n")
        st, _, body = e.get("/-/reload", method="POST")
        check(st == 500 and body.startswith("failed to reload config: ") and "bogus" in body, "bad reload: " + body)
        check(e.get("/probe?target=ok&module=added")[0] == 200, "old config kept after a bad reload")
        st, _, body = e.get("/metrics")
        check(value(body, "blackbox_exporter_config_last_reload_successful") == 0, "reload failure shown")
        with open(cfg, "w") as f:
            f.write(CONFIG + "  viahup:\n    prober: fake\n")
        e.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and e.get("/probe?target=ok&module=viahup")[0] != 200:
            time.sleep(0.1)
        check(e.get("/probe?target=ok&module=viahup")[0] == 200, "SIGHUP reload")
        st, _, body = e.get("/metrics")
        check(value(body, "blackbox_exporter_config_last_reload_successful") == 1, "reload success shown")
        check(e.get("/-/healthy")[2] == "Healthy", "/-/healthy")

        # reloads while probes run: each probe keeps the config it started with
        statuses = []
        stop = threading.Event()

        def hammer():
            while not stop.is_set():
                statuses.append(e.get("/probe?target=ok")[0])
        ths = [threading.Thread(target=hammer) for _ in range(2)]
        for t in ths:
            t.start()
        for i in range(20):
            with open(cfg, "w") as f:
                f.write(CONFIG + "  gen%d:\n    prober: fake\n" % i)
            check(e.get("/-/reload", method="POST")[0] == 200, "reload %d under load" % i)
        stop.set()
        for t in ths:
            t.join()
        check(statuses and set(statuses) == {200}, "every probe answered during reloads: %s" % set(statuses))
        check(e.get("/probe?target=ok&module=gen19")[0] == 200, "the last reload is in force")

    # route prefix
    port = free_port()
    with Exporter([BIN, "--config.file=" + cfg, "--web.listen-address=127.0.0.1:%d" % port,
                   "--web.external-url=http://example.org/bb/"], port) as e:
        check(e.get("/bb/probe?target=ok")[0] == 200, "/bb/probe")
        check("Recent Probes" in e.get("/bb/")[2], "/bb/ landing")
        check("blackbox_exporter_build_info" in e.get("/bb/metrics")[2], "/bb/metrics")
    shutil.rmtree(tmp, ignore_errors=True)
    print("ok: %d checks" % checks)


if __name__ == "__main__":
    main()
