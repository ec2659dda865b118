#!/usr/bin/python3
"""omx-node vs node_exporter 1.5, run side by side with the same collectors.

Prints one line per case:
  bench node/<case>: ours <v> <unit>; node_exporter <v> <unit>; <ratio>x
ratio = how many times better ours is (peer/ours for costs, ours/peer for rates).

Made to be trusted on a small shared box: CPU per scrape is the exporter's own
utime+stime (/proc/PID/stat, exited threads included) over keep-alive scrapes, not
wall time; every timed case runs ROUNDS times, the two exporters interleaved so
they see the same background load, and the median round is printed.
"""
import gzip
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request

from scrapecpu import cpu_per_scrape, free_port

# Both exporters with their own defaults: omx-node's are Debian 12's, as the
# installed node_exporter's (mount points, netdev devices, textfile directory).
FILTERS = []
ROUNDS = int(os.environ.get("BENCH_NODE_ROUNDS", "5"))
CPU_SCRAPES = int(os.environ.get("BENCH_NODE_SCRAPES", "200"))
WRK_SECONDS = int(os.environ.get("BENCH_NODE_WRK_SECONDS", "3"))




def defaults_of(binary):
    r = subprocess.run([binary, "--help"], capture_output=True, text=True)
    out = r.stdout + r.stderr
    return {m.group(1) for m in re.finditer(
        r"--(?:\[no-\])?collector\.([a-z0-9_]+)\s+Enable the \1 collector[^\n]*\(default:\s+(?:enabled|true)\)", out)}


def get(port, gz=False):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/metrics")
    if gz:
        req.add_header("Accept-Encoding", "gzip")
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read()






def mem(pid):
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("Pss", "Anonymous"):
                out[k] = int(v.split()[0]) / 1024.0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                out["RssAnon"] = int(line.split()[1]) / 1024.0
    return out


def wrk(port, conns, seconds=WRK_SECONDS):
    r = subprocess.run(["wrk", "-t", str(min(conns, 2)), "-c", str(conns), "-d", f"{seconds}s",
                        "--latency", f"http://127.0.0.1:{port}/metrics"],
                       capture_output=True, text=True)
    out = r.stdout

    def dur(s):
        m = re.match(r"([\d.]+)(us|ms|s)", s)
        v = float(m.group(1))
        return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v
    p = {}
    for m in re.finditer(r"^\s+(50|99)(?:\.000)?%\s+(\S+)", out, re.M):
        p[m.group(1)] = dur(m.group(2))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return p.get("50", float("nan")), p.get("99", float("nan")), rps


def start(cmd, port):
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            get(port)
            return p
        except OSError:
            if p.poll() is not None:
                sys.exit(f"bench node: {cmd[0]} exited")
            time.sleep(0.1)
    sys.exit(f"bench node: {cmd[0]} not answering")


def line(case, ours, peer, unit, lower_is_better=True, fmt="%.2f"):
    ratio = (peer / ours if ours else float("inf")) if lower_is_better else (ours / peer if peer else float("inf"))
    print(f"bench node/{case}: ours {fmt % ours} {unit}; node_exporter {fmt % peer} {unit}; {ratio:.1f}x",
          flush=True)


def main():
    omx = sys.argv[1] if len(sys.argv) > 1 else "build/exporters/node/omx-node"
    ne = shutil.which("prometheus-node-exporter")
    if not ne or not os.access(omx, os.X_OK) or not shutil.which("wrk"):
        print("bench node: skipped (needs omx-node built, prometheus-node-exporter and wrk)")
        return 0
    both = sorted(defaults_of(omx) & defaults_of(ne))
    args = ["--collector.disable-defaults"] + [f"--collector.{c}" for c in both] + FILTERS
    p1, p2 = free_port(), free_port()
    procs = {
        "ours": start([omx, f"--web.listen-address=127.0.0.1:{p1}", "--log.level=error"] + args, p1),
        "peer": start([ne, f"--web.listen-address=127.0.0.1:{p2}", "--log.level=error"] + args, p2),
    }
    ports = {"ours": p1, "peer": p2}
    try:
        res = {who: {} for who in procs}
        for who, p in procs.items():
            port = ports[who]
            for _ in range(100):
                get(port)
            r = res[who]
            r.update(mem(p.pid))  # after 100 scrapes (a new connection each)
            r["bytes"] = len(get(port))
            gz = get(port, gz=True)
            r["gzip_bytes"] = len(gz)
            try:
                gzip.decompress(gz)
            except OSError:
                r["gzip_bytes"] = float("nan")  # not compressed
        runs = {who: {k: [] for k in ("cpu_ms", "p50", "p99", "rps1", "p99_8", "rps8")}
                for who in procs}
        for _ in range(ROUNDS):
            for who, p in procs.items():  # interleaved: both see the same load
                runs[who]["cpu_ms"].append(sum(cpu_per_scrape(ports[who], p.pid, CPU_SCRAPES)))
            for who in procs:
                p50, p99, rps = wrk(ports[who], 1)
                runs[who]["p50"].append(p50)
                runs[who]["p99"].append(p99)
                runs[who]["rps1"].append(rps)
            for who in procs:
                _, p99, rps = wrk(ports[who], 8)
                runs[who]["p99_8"].append(p99)
                runs[who]["rps8"].append(rps)
        for who in procs:
            for k, v in runs[who].items():
                res[who][k] = statistics.median(v)
        print(f"# {ROUNDS} rounds, median; cpu: {CPU_SCRAPES} keep-alive scrapes per round; "
              f"load average {os.getloadavg()[0]:.2f}", file=sys.stderr, flush=True)
        for k in ("cpu_ms", "p99", "rps8"):
            print(f"#   {k} per round: ours " + " ".join(f"{x:.3g}" for x in runs["ours"][k]) +
                  "; node_exporter " + " ".join(f"{x:.3g}" for x in runs["peer"][k]),
                  file=sys.stderr, flush=True)
        o, n = res["ours"], res["peer"]
        print(f"# {len(both)} collectors: {' '.join(both)}", file=sys.stderr, flush=True)
        line("pss_after_100_scrapes", o["Pss"], n["Pss"], "MB")
        line("rss_anon_after_100_scrapes", o["RssAnon"], n["RssAnon"], "MB")
        line("cpu_per_scrape", o["cpu_ms"], n["cpu_ms"], "ms")
        line("latency_p50_c1", o["p50"], n["p50"], "ms", fmt="%.3f")
        line("latency_p99_c1", o["p99"], n["p99"], "ms", fmt="%.3f")
        line("requests_c1", o["rps1"], n["rps1"], "req/s", lower_is_better=False, fmt="%.0f")
        line("requests_c8", o["rps8"], n["rps8"], "req/s", lower_is_better=False, fmt="%.0f")
        line("latency_p99_c8", o["p99_8"], n["p99_8"], "ms", fmt="%.3f")
        line("bytes_per_scrape", o["bytes"], n["bytes"], "B", fmt="%.0f")
        line("gzip_bytes_per_scrape", o["gzip_bytes"], n["gzip_bytes"], "B", fmt="%.0f")
    finally:
        for p in procs.values():
            p.terminate()
        for p in procs.values():
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
