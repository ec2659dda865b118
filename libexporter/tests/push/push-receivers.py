#!/usr/bin/env python3
"""omx-node pushing with remote-write 1.0 to two real receivers started here
on 127.0.0.1: Prometheus (--web.enable-remote-write-receiver) and
VictoriaMetrics. Through each receiver's query API the pushed series equal
what omx-node serves on /metrics (series that did not change between two
scrapes around the push carry the same value; every series is there with the
external labels). Then Prometheus is stopped for about a minute and started
again: the samples queued within the caps arrive (the receiver holds samples
stamped inside the outage), RSS stays bounded and the drops past the cap are
counted.

usage: push-receivers.py OMX_NODE"""
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pushlib import (TMP, check, finish, free_port, get, log_of, need, parse_text, query, rss_kb,
                     start, stop, wait_http)

HERE = os.path.dirname(os.path.abspath(__file__))  # fixed.prom: a textfile of fixed values
OUTAGE = float(os.environ.get("PUSH_OUTAGE_SECONDS", "60"))
INTERVAL = 2
node_bin = sys.argv[1]
need("prometheus", "victoria-metrics")

prom_port, vm_port, node_port = free_port(), free_port(), free_port()
prom_url = f"http://127.0.0.1:{prom_port}"
vm_url = f"http://127.0.0.1:{vm_port}"
cfg = os.path.join(TMP, "prom.yml")
with open(cfg, "w") as f:
    f.write("global:\n  scrape_interval: 1h\n")
prom_argv = ["prometheus", "--config.file=" + cfg, "--storage.tsdb.path=" + TMP + "/prom-data",
             f"--web.listen-address=127.0.0.1:{prom_port}", "--web.enable-remote-write-receiver",
             "--log.level=warn"]
prom = start("prometheus", prom_argv)
vm = start("vm", ["victoria-metrics", "-storageDataPath=" + TMP + "/vm-data",
                  f"-httpListenAddr=127.0.0.1:{vm_port}", "-search.latencyOffset=0s",
                  "-loggerLevel=ERROR", "-retentionPeriod=1d"])
if not wait_http(prom_url + "/-/ready") or not wait_http(vm_url + "/health"):
    print(log_of("prometheus"), log_of("vm"))
    check("receivers start", False)
    finish()


def node(name, url, extra):
    # stable collectors only: a registry whose values do not move between scrapes
    # except the time and CPU series, which the comparison leaves out as unstable
    return start(name, [node_bin, f"--web.listen-address=127.0.0.1:{node_port}",
                        "--push.url=" + url, f"--push.interval={INTERVAL}s",
                        "--push.external-label=job=omxpush",
                        "--push.external-label=instance=test:1",
                        "--collector.textfile.directory=" + HERE] + extra)


# The scrape itself moves these (its connection, its in-flight gauge): a
# push gathered at another moment differs for them by design.
SCRAPE_BOUND = ("process_", "promhttp_")


def same(x, y, rel):
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return x == y or abs(x - y) <= rel * max(abs(x), abs(y))


def compare(base, label, rel):
    """Series of two /metrics snapshots against the receiver's latest samples,
    pushed between them."""
    a = parse_text(get(f"http://127.0.0.1:{node_port}/metrics"))
    time.sleep(1.5 * INTERVAL)
    got, bad_ext = {}, 0
    for r in query(base, '{job="omxpush"}'):
        m = dict(r["metric"])
        name = m.pop("__name__")
        if m.pop("job", None) != "omxpush" or m.pop("instance", None) != "test:1":
            bad_ext += 1
        got[(name, frozenset(m.items()))] = float(r["value"][1])
    b = parse_text(get(f"http://127.0.0.1:{node_port}/metrics"))
    check(f"{label}: every pushed series has the external labels", bad_ext == 0, str(bad_ext))
    missing = [k for k in b if k not in got and k in a]
    check(f"{label}: every series on /metrics was pushed ({len(b)} series)", not missing,
          str(missing[:5]))
    extra = [k for k in got if k not in a and k not in b]
    check(f"{label}: nothing pushed that /metrics does not serve", not extra, str(extra[:5]))
    # values compared: the textfile's, the host facts that do not move
    fixed = [k for k in b if k[0].startswith("push_test_") or k[0].endswith("_info") or
             k[0] in ("node_boot_time_seconds", "node_memory_MemTotal_bytes")]
    diff = [(k, b[k], got.get(k)) for k in fixed if not same(got.get(k, -1.0), b[k], rel)]
    check(f"{label}: the {len(fixed)} fixed series carry the served value", not diff and
          len(fixed) >= 20, str(diff[:5]))
    # the rest may move between the push and a scrape on a busy host: reported
    stable = [k for k in b if k in a and same(a[k], b[k], 0) and not k[0].startswith(SCRAPE_BOUND)]
    same_n = sum(1 for k in stable if k in got and same(got[k], b[k], rel))
    print(f"# {label}: {same_n} of {len(stable)} other series unchanged between two scrapes "
          "carry the same pushed value")


# ---- Prometheus ----
n = node("node-prom", prom_url + "/api/v1/write", [])
if not wait_http(f"http://127.0.0.1:{node_port}/metrics"):
    check("omx-node starts", False, log_of("node-prom"))
    finish()
time.sleep(2 * INTERVAL)
compare(prom_url, "prometheus", 0)
text = get(f"http://127.0.0.1:{node_port}/metrics")
check("prometheus: requests accepted", 'omx_push_requests_total{code="2xx"} 0' not in text)
stop(n)

# ---- VictoriaMetrics ----
n = node("node-vm", vm_url + "/api/v1/write", [])
if not wait_http(f"http://127.0.0.1:{node_port}/metrics"):
    check("omx-node starts", False, log_of("node-vm"))
    finish()
time.sleep(2 * INTERVAL)
# VictoriaMetrics stores values in a decimal form of about 15 significant
# digits (its compression): 2^64 comes back as 1.8446744073709548e19.
compare(vm_url, "victoriametrics", 1e-12)
stop(n)

# ---- outage of Prometheus ----
per_gather = int(float(query(prom_url, 'count({job="omxpush"})')[0]["value"][1]))
cap = 12 * max(per_gather, 100)  # about 12 gathers: a 30-gather outage drops some
n = node("node-outage", prom_url + "/api/v1/write", [f"--push.queue.max-samples={cap}"])
wait_http(f"http://127.0.0.1:{node_port}/metrics")
time.sleep(3 * INTERVAL)
base_rss = rss_kb(n.pid)
stop(prom)
t_down = time.time()
peak = base_rss
while time.time() - t_down < OUTAGE:
    time.sleep(1)
    peak = max(peak, rss_kb(n.pid))
t_up = time.time()
prom = start("prometheus", prom_argv)
wait_http(prom_url + "/-/ready")
metrics = {}
end = time.time() + 60
while time.time() < end:
    metrics = parse_text(get(f"http://127.0.0.1:{node_port}/metrics"))
    if metrics.get(("omx_push_queue_samples", frozenset()), 1) == 0 and \
            metrics.get(("omx_push_last_success_timestamp_seconds", frozenset()), 0) > t_up:
        break
    time.sleep(1)
check("outage: the queue drained after the restart",
      metrics.get(("omx_push_queue_samples", frozenset())) == 0)
dropped = metrics.get(("omx_push_dropped_samples_total", frozenset({("reason", "queue_full")})), 0)
check(f"outage: samples past the queue cap dropped and counted ({dropped:.0f})", dropped > 0)
retried = metrics.get(("omx_push_samples_total", frozenset({("result", "retried")})), 0)
check("outage: failed requests counted as retried", retried > 0)
# samples stamped during the outage reached Prometheus: the queued ones
mid = (t_down + t_up) / 2
res = query(prom_url, f'count_over_time(node_boot_time_seconds{{job="omxpush"}}[{int(OUTAGE) - 4}s])',
            at=t_up - 1)
n_in = float(res[0]["value"][1]) if res else 0
expect_max = cap / max(per_gather, 1) + 2
check(f"outage: queued samples of the outage arrived ({n_in:.0f} of ~{OUTAGE / INTERVAL:.0f} "
      f"gathers, the cap keeps ~{cap / max(per_gather, 1):.0f})", 4 <= n_in <= expect_max + 2,
      str(res))
if OUTAGE / INTERVAL > cap / max(per_gather, 1) + 3:
    half = int(OUTAGE / 2) - 2
    first = query(prom_url, f'count_over_time(node_boot_time_seconds{{job="omxpush"}}[{half}s])',
                  at=mid)
    second = query(prom_url, f'count_over_time(node_boot_time_seconds{{job="omxpush"}}[{half}s])',
                   at=t_up - 1)
    n1 = float(first[0]["value"][1]) if first else 0
    n2 = float(second[0]["value"][1]) if second else 0
    check(f"outage: the oldest gathers were the ones dropped ({n1:.0f} in the first half, "
          f"{n2:.0f} in the second)", n1 < n2)
check(f"outage: RSS bounded ({base_rss} kB before, peak {peak} kB)", peak < base_rss + 16 * 1024)
stop(n)
finish()
