#!/usr/bin/env python3
"""bench push: CPU and RSS of omx-node pushing 10k series every 10 s with
remote-write 1.0, beside the peers a user would run instead, each scraping
omx-node every 10 s and remote-writing the same series to the same receiver:
vmagent (Debian victoria-metrics) and Prometheus in agent mode. One after
another in this run, each for the same window; the receiver is
VictoriaMetrics behind a counting proxy (bytes on the wire per sample: body
bytes over the rows the receiver inserted).

Ours is the whole omx-node process (collecting and pushing); a peer is the
agent process alone (the omx-node it scrapes is not counted), which favours
the peers. RSS is given whole (the peak, VmHWM, shared library pages
included: most of omx-node's) and anonymous only (RssAnon, the heap and
stacks, its highest value sampled every 20 ms: a push lasts a few ms).

usage: bench.py OMX_NODE     env: PUSH_BENCH_SECONDS (default 60)"""
import http.server
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

WINDOW = float(os.environ.get("PUSH_BENCH_SECONDS", "60"))
INTERVAL = 10
SERIES = 10000
node_bin = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="omx-push-bench.")
procs = []
TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def start(name, argv):
    log = open(os.path.join(TMP, name + ".log"), "ab")
    p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    procs.append(p)
    return p


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def wait_http(url, secs=30):
    end = time.time() + secs
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return True
        except Exception:
            time.sleep(0.2)
    return False


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_kb(pid, field="VmRSS:"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


for tool in ("victoria-metrics", "vmagent", "prometheus"):
    if not shutil.which(tool):
        print(f"bench push: skipped, {tool} not installed")
        sys.exit(0)

# the 10k series: 100 families of 100 labelled gauges, values that change
tdir = os.path.join(TMP, "textfile")
os.makedirs(tdir)


def write_textfile(gen):
    lines = []
    for f in range(SERIES // 100):
        lines.append(f"# HELP bench_family_{f} Benchmark family {f}.")
        lines.append(f"# TYPE bench_family_{f} gauge")
        for s in range(100):
            lines.append(f'bench_family_{f}{{instance_id="i-{s:04d}",zone="zone-{s % 7}"}} '
                         f"{(f * 100 + s + gen) % 9973}.5")
    tmp = os.path.join(tdir, ".bench.prom.tmp")
    with open(tmp, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    os.rename(tmp, os.path.join(tdir, "bench.prom"))


write_textfile(0)

# receiver and counting proxy
vm_port = free_port()
vm = start("vm", ["victoria-metrics", "-storageDataPath=" + TMP + "/vm", "-loggerLevel=ERROR",
                  f"-httpListenAddr=127.0.0.1:{vm_port}", "-retentionPeriod=1d"])
if not wait_http(f"http://127.0.0.1:{vm_port}/health"):
    print("bench push: victoria-metrics did not start")
    sys.exit(1)
wire = {"bytes": 0, "requests": 0}
lock = threading.Lock()


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            wire["bytes"] += len(body)
            wire["requests"] += 1
        req = urllib.request.Request(f"http://127.0.0.1:{vm_port}/api/v1/write", data=body,
                                     method="POST")
        for h in ("Content-Encoding", "Content-Type", "X-Prometheus-Remote-Write-Version"):
            if self.headers.get(h):
                req.add_header(h, self.headers[h])
        try:
            code = urllib.request.urlopen(req, timeout=10).status
        except urllib.error.HTTPError as e:
            code = e.code
        except Exception:
            code = 502
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()


proxy_port = free_port()
proxy = http.server.ThreadingHTTPServer(("127.0.0.1", proxy_port), Proxy)
threading.Thread(target=proxy.serve_forever, daemon=True).start()
push_url = f"http://127.0.0.1:{proxy_port}/api/v1/write"


def rows_inserted():
    text = urllib.request.urlopen(f"http://127.0.0.1:{vm_port}/metrics", timeout=5).read().decode()
    n = 0.0
    for line in text.splitlines():
        if line.startswith('vm_rows_inserted_total{type="promremotewrite"}'):
            n += float(line.split()[-1])
    return n


def node(extra):
    port = free_port()
    p = start("node", [node_bin, f"--web.listen-address=127.0.0.1:{port}",
                       "--collector.disable-defaults", "--collector.textfile",
                       "--collector.textfile.directory=" + tdir] + extra)
    wait_http(f"http://127.0.0.1:{port}/metrics")
    return p, port


def measure(pid):
    """CPU seconds per minute, RSS (peak sampled), bytes/sample over the window
    (the textfile's values change every interval)."""
    time.sleep(INTERVAL + 5)  # warm-up: the first push/scrape is done
    c0, b0, r0 = cpu_s(pid), wire["bytes"], rows_inserted()
    t0 = time.time()
    anon, gen = 0, 1
    next_write = t0 + INTERVAL
    while time.time() - t0 < WINDOW:
        time.sleep(0.02)
        anon = max(anon, rss_kb(pid, "RssAnon:"))
        if time.time() >= next_write:
            write_textfile(gen)
            gen += 1
            next_write += INTERVAL
    peak = rss_kb(pid, "VmHWM:")
    dt = time.time() - t0
    c1, b1, r1 = cpu_s(pid), wire["bytes"], rows_inserted()
    rows = r1 - r0
    return {"cpu_ms_per_push": (c1 - c0) * 1000 / (dt / INTERVAL), "rss_kb": peak,
            "anon_kb": anon,
            "bytes_per_sample": (b1 - b0) / rows if rows else float("nan"), "rows": rows}


results = {}
# ours: omx-node pushing
p, _ = node([f"--push.url={push_url}", f"--push.interval={INTERVAL}s"])
results["omx-node push"] = measure(p.pid)
stop(p)

# peers: plain omx-node scraped by an agent
p, nport = node([])
cfg = os.path.join(TMP, "scrape.yml")
with open(cfg, "w") as f:
    f.write(f"global:\n  scrape_interval: {INTERVAL}s\n  scrape_timeout: 9s\n"
            f"scrape_configs:\n  - job_name: node\n    static_configs:\n"
            f"      - targets: ['127.0.0.1:{nport}']\n")
va_port = free_port()
va = start("vmagent", ["vmagent", "-promscrape.config=" + cfg, "-remoteWrite.url=" + push_url,
                       f"-httpListenAddr=127.0.0.1:{va_port}", "-loggerLevel=ERROR",
                       "-remoteWrite.tmpDataPath=" + TMP + "/vmagent"])
wait_http(f"http://127.0.0.1:{va_port}/metrics")
results["vmagent"] = measure(va.pid)
stop(va)

pcfg = os.path.join(TMP, "agent.yml")
with open(pcfg, "w") as f:
    f.write(open(cfg).read() + f"remote_write:\n  - url: {push_url}\n")
pa_port = free_port()
pa = start("prom-agent", ["prometheus", "--enable-feature=agent", "--config.file=" + pcfg,
                          "--storage.agent.path=" + TMP + "/agent",
                          f"--web.listen-address=127.0.0.1:{pa_port}", "--log.level=error"])
wait_http(f"http://127.0.0.1:{pa_port}/-/ready")
results["prometheus agent"] = measure(pa.pid)
stop(pa)
stop(p)
stop(vm)
proxy.shutdown()

ours = results["omx-node push"]
for peer in ("vmagent", "prometheus agent"):
    r = results[peer]
    print(f"bench push/cpu-per-push-{peer.replace(' ', '-')}: ours "
          f"{ours['cpu_ms_per_push']:.1f} ms; {peer} {r['cpu_ms_per_push']:.1f} ms; "
          f"{r['cpu_ms_per_push'] / max(ours['cpu_ms_per_push'], 0.01):.1f}x")
    print(f"bench push/rss-{peer.replace(' ', '-')}: ours {ours['rss_kb'] / 1024:.1f} MB; "
          f"{peer} {r['rss_kb'] / 1024:.1f} MB; {r['rss_kb'] / max(ours['rss_kb'], 1):.1f}x")
    print(f"bench push/rss-anon-{peer.replace(' ', '-')}: ours {ours['anon_kb'] / 1024:.1f} MB; "
          f"{peer} {r['anon_kb'] / 1024:.1f} MB; {r['anon_kb'] / max(ours['anon_kb'], 1):.1f}x")
    print(f"bench push/bytes-per-sample-{peer.replace(' ', '-')}: ours "
          f"{ours['bytes_per_sample']:.2f} B; {peer} {r['bytes_per_sample']:.2f} B; "
          f"{r['bytes_per_sample'] / ours['bytes_per_sample']:.2f}x")
cheap = min(("vmagent", "prometheus agent"), key=lambda k: results[k]["cpu_ms_per_push"])
cheap_rss = min(("vmagent", "prometheus agent"), key=lambda k: results[k]["rss_kb"])
ok_cpu = ours["cpu_ms_per_push"] * 5 <= results[cheap]["cpu_ms_per_push"]
ok_rss = ours["rss_kb"] * 5 <= results[cheap_rss]["rss_kb"]
print(f"# push goal (<= 1/5 of the cheaper peer): CPU {'met' if ok_cpu else 'NOT met'} "
      f"(vs {cheap}), RSS {'met' if ok_rss else 'NOT met'} (vs {cheap_rss}); rows per window: "
      + ", ".join(f"{k} {v['rows']:.0f}" for k, v in results.items()))
shutil.rmtree(TMP, ignore_errors=True)
