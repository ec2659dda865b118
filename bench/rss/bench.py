"""Idle RSS of omx-node, omx-logtail and omx-blackbox beside node_exporter,
mtail and blackbox_exporter: each started on a free port, left 2 s, scraped
once, then /proc/PID/smaps_rollup read (RSS, and PSS for the shared part).

Floors, measured the same way in the same run: processes that map one set
of libraries and do nothing else (bench/rss/floor.c): libc only; a
libmicrohttpd daemon answering one scrape (what every exporter serves with);
that and libcurl initialised as a pusher does (omx_curl_preinit, then
curl_global_init). What an exporter holds above its floor is its own."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

BB_CONFIG = """modules:
  http_2xx:
    prober: http
  tcp_connect:
    prober: tcp
"""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def rollup(pid):
    v = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            k, _, rest = line.partition(":")
            if rest.strip().endswith("kB"):
                v[k] = int(rest.split()[0])
    return v


def measure(argv_for_port, path):
    port = free_port()
    proc = subprocess.Popen(argv_for_port(port), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 10
        while True:
            try:
                urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=2).read()
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    return None
                time.sleep(0.1)
        time.sleep(2)
        return rollup(proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)


def measure_floor(argv, port):
    """A floor program: started, 'ready' read, scraped once if it serves
    (port), left 2 s, then read."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        if proc.stdout.readline().strip() != "ready":
            return None
        if port:
            urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5).read()
        time.sleep(2)
        return rollup(proc.pid)
    except OSError:
        return None
    finally:
        proc.terminate()
        proc.wait(10)


def floors(build):
    """Prints one line per floor; returns {name: rollup}."""
    out = {}
    for name, serves, what in (("libc", False, "libc only"),
                               ("mhd", True, "a libmicrohttpd daemon, one scrape"),
                               ("curl", True, "that and curl_global_init")):
        exe = os.path.join(build, "bench/rss/rss-floor-" + name)
        if not os.access(exe, os.X_OK):
            print("bench rss/floor-%s: skipped (%s missing)" % (name, exe))
            continue
        port = free_port() if serves else 0
        v = measure_floor([exe] + ([str(port)] if port else []), port)
        if not v:
            print("bench rss/floor-%s: not measured (did not start)" % name)
            continue
        out[name] = v
        print("bench rss/floor-%s: %.1f MB (%s; PSS %.1f MB, anon %.1f MB)"
              % (name, v["Rss"] / 1024, what, v["Pss"] / 1024, v["Anonymous"] / 1024))
    return out


def line(case, ours, peer_name, peer, floor=None):
    if not ours or not peer:
        print("bench rss/%s: not measured (a process did not start)" % case)
        return
    o, p = ours["Rss"] / 1024, peer["Rss"] / 1024
    above = ""
    if floor:
        above = ", %.1f MB above floor-%s" % (o - floor[1]["Rss"] / 1024, floor[0])
    print("bench rss/%s: ours %.1f MB; %s %.1f MB; %.2fx (PSS ours %.1f MB, anon %.1f MB%s)"
          % (case, o, peer_name, p, o / p, ours["Pss"] / 1024, ours["Anonymous"] / 1024, above))


def main():
    build = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="rss-bench-")
    try:
        fl = floors(build)
        progs = os.path.join(tmp, "progs")
        os.mkdir(progs)
        with open(os.path.join(progs, "lines.mtail"), "w") as f:
            f.write("counter lines_total\n/$/ {\n  lines_total++\n}\n")
        log = os.path.join(tmp, "access.log")
        open(log, "w").close()
        cfg = os.path.join(tmp, "blackbox.yml")
        with open(cfg, "w") as f:
            f.write(BB_CONFIG)
        listen = lambda p: "--web.listen-address=127.0.0.1:%d" % p
        cases = [
            ("node-idle", [os.path.join(build, "exporters/node/omx-node")],
             "prometheus-node-exporter", []),
            ("logtail-idle", [os.path.join(build, "exporters/logtail/omx-logtail")],
             "mtail", ["--progs", progs, "--logs", log]),
            ("blackbox-idle", [os.path.join(build, "exporters/blackbox/src/omx-blackbox")],
             "prometheus-blackbox-exporter", ["--config.file=" + cfg]),
        ]
        for case, ours, peer, args in cases:
            peer_bin = shutil.which(peer)
            if not os.access(ours[0], os.X_OK) or not peer_bin:
                print("bench rss/%s: skipped (%s or %s missing)" % (case, ours[0], peer))
                continue
            extra = args
            if peer == "mtail":
                peer_argv = lambda p: [peer_bin, "--progs", progs, "--logs", log,
                                       "--address=127.0.0.1", "--port=%d" % p]
            else:
                peer_argv = lambda p, b=peer_bin, a=args: [b, listen(p)] + a
            o = measure(lambda p, a=ours, e=extra: a + [listen(p)] + e, "/metrics")
            r = measure(peer_argv, "/metrics")
            # every exporter serves with libmicrohttpd: its floor is that one
            line(case, o, peer, r, ("mhd", fl["mhd"]) if "mhd" in fl else None)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
