#!/usr/bin/python3
"""The installed omx-blackbox and its plugins: `meson install --destdir` into a
temporary directory, then the installed binary (no LD_LIBRARY_PATH) runs a
config with every prober and a passive: section, and each probe runs in its
plugin. /proc/PID/maps shows that a config maps only the libraries its
probers need (tcp/icmp/udp: none of libcurl, ldns, libpcap; http: libcurl
alone); --passive.read-file opens the wire plugin alone (LD_DEBUG=files). A
plugin taken away is a config error naming its file.

usage: install.py BUILD_DIR CAPTURE_FILE"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

FAILS = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        FAILS.append(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=20) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def dirs(build):
    out = subprocess.run(["meson", "introspect", build, "--buildoptions"], check=True,
                         capture_output=True, text=True).stdout
    o = {x["name"]: x["value"] for x in json.loads(out)}
    return [d if d.startswith("/") else o["prefix"] + "/" + d for d in (o["bindir"], o["libdir"])]


ENV = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}

MODULES = {
    "http": "    prober: http\n    timeout: 5s\n    http:\n      preferred_ip_protocol: ip4\n",
    "tcp": "    prober: tcp\n    timeout: 5s\n    tcp:\n      preferred_ip_protocol: ip4\n",
    "icmp": "    prober: icmp\n    timeout: 5s\n    icmp:\n      preferred_ip_protocol: ip4\n",
    "udp": "    prober: udp\n    timeout: 2s\n    udp:\n      preferred_ip_protocol: ip4\n",
    "grpc": "    prober: grpc\n    timeout: 5s\n    grpc:\n      preferred_ip_protocol: ip4\n",
    "dns": ("    prober: dns\n    timeout: 2s\n    dns:\n      query_name: example.com\n"
            "      preferred_ip_protocol: ip4\n"),
}
PASSIVE = "passive:\n  service_ports: [22, 80, 443]\n"


def config(tmp, name, probers, passive=False):
    path = os.path.join(tmp, name + ".yml")
    with open(path, "w") as f:
        f.write("modules:\n")
        for p in probers:
            f.write("  %s_mod:\n%s" % (p, MODULES[p]))
        if passive:
            f.write(PASSIVE)
    return path


def mapped(pid):
    with open("/proc/%d/maps" % pid) as f:
        return {os.path.basename(line.split()[-1]) for line in f if "/" in line}


def last_line(text):
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


def has(libs, prefix):
    return any(x.startswith(prefix) for x in libs)


def start(bb, cfg):
    port = free_port()
    proc = subprocess.Popen([bb, "--config.file=" + cfg, "--web.listen-address=127.0.0.1:%d" % port],
                            env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for _ in range(200):
        if proc.poll() is not None:
            raise RuntimeError("omx-blackbox exited: " + proc.stderr.read())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("omx-blackbox did not listen")


def stop(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main():
    build, capture = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="bb-install-")
    try:
        r = subprocess.run(["meson", "install", "-C", build, "--destdir", tmp, "--no-rebuild",
                            "--quiet"], capture_output=True, text=True)
        if r.returncode:
            print("FAIL: meson install --destdir\n" + r.stdout + r.stderr)
            return 1
        bindir, libdir = dirs(build)
        bb = tmp + bindir + "/omx-blackbox"
        plugdir = tmp + libdir + "/omx-blackbox"
        check(os.access(bb, os.X_OK), "omx-blackbox installed in " + bindir)
        for p in ("http", "dns", "wire"):
            check(os.path.isfile(plugdir + "/omx-blackbox-%s.so" % p),
                  "omx-blackbox-%s.so installed in %s/omx-blackbox" % (p, libdir))
        ldd = subprocess.run(["ldd", bb], env=ENV, capture_output=True, text=True).stdout
        for lib in ("libcurl", "libldns", "libpcap"):
            check(lib not in ldd, "the binary does not link %s" % lib)

        every = config(tmp, "all", list(MODULES), passive=True)
        r = subprocess.run([bb, "--config.file=" + every, "--config.check"], env=ENV,
                           capture_output=True, text=True)
        check(r.returncode == 0, "--config.check of a config with every prober and passive: "
              + last_line(r.stderr))

        # every prober runs in the installed layout (targets: the exporter itself)
        proc, port = start(bb, config(tmp, "probers", list(MODULES)))
        try:
            targets = {"http": "http://127.0.0.1:%d/-/healthy" % port,
                       "tcp": "127.0.0.1:%d" % port, "icmp": "127.0.0.1",
                       "udp": "127.0.0.1:%d" % free_port(), "grpc": "127.0.0.1:%d" % port,
                       "dns": "127.0.0.1:%d" % free_port()}
            for p, t in targets.items():
                st, body = get("http://127.0.0.1:%d/probe?module=%s_mod&target=%s&debug=true"
                               % (port, p, urllib.request.quote(t, safe="")))
                check(st == 200 and "probe_success" in body and "not loaded" not in body,
                      "%s probe ran in the installed layout" % p)
                if p in ("http", "tcp"):
                    check("probe_success 1" in body, "%s probe of the exporter itself succeeds" % p)
            libs = mapped(proc.pid)
            check(has(libs, "libcurl") and has(libs, "libldns"),
                  "with http and dns modules libcurl and ldns are mapped")
            check(not has(libs, "libpcap"), "without passive: libpcap is not mapped")
        finally:
            stop(proc)

        for name, probers, want, unwanted in (
                ("net", ["tcp", "icmp", "udp"], [], ["libcurl", "libldns", "libpcap",
                                                     "omx-blackbox-"]),
                ("http-only", ["http"], ["libcurl", "omx-blackbox-http.so"],
                 ["libldns", "libpcap", "omx-blackbox-dns.so"]),
                ("dns-only", ["dns"], ["libldns", "omx-blackbox-dns.so"],
                 ["libcurl", "libpcap"])):
            proc, port = start(bb, config(tmp, name, probers))
            try:
                get("http://127.0.0.1:%d/metrics" % port)
                libs = mapped(proc.pid)
            finally:
                stop(proc)
            for w in want:
                check(has(libs, w), "%s config: %s mapped" % (name, w))
            for u in unwanted:
                check(not has(libs, u), "%s config: no %s mapped" % (name, u))

        out = subprocess.run([bb, "--passive.read-file=" + capture,
                              "--config.file=" + config(tmp, "passive", [], passive=True)],
                             env=ENV, capture_output=True, text=True)
        check(out.returncode == 0 and "wire_" in out.stdout,
              "--passive.read-file runs through the installed wire plugin")

        # read-file mode opens the wire plugin alone, whatever modules the config has
        env = dict(ENV, LD_DEBUG="files")
        out = subprocess.run([bb, "--passive.read-file=" + capture, "--config.file=" + every],
                             env=env, capture_output=True, text=True)
        check(out.returncode == 0 and "wire_" in out.stdout and "omx-blackbox-wire.so" in out.stderr
              and "libcurl" not in out.stderr and "libldns" not in out.stderr,
              "--passive.read-file with every prober in the config loads the wire plugin alone")

        os.rename(plugdir + "/omx-blackbox-dns.so", plugdir + "/moved.so")
        r = subprocess.run([bb, "--config.file=" + config(tmp, "dns-missing", ["dns"]),
                            "--config.check"], env=ENV, capture_output=True, text=True)
        check(r.returncode != 0 and "omx-blackbox-dns.so" in r.stderr and "dns_mod" in r.stderr,
              "a missing plugin fails the config naming the module and the file: "
              + last_line(r.stderr))
        r = subprocess.run([bb, "--config.file=" + config(tmp, "net-only", ["tcp"]),
                            "--config.check"], env=ENV, capture_output=True, text=True)
        check(r.returncode == 0, "a config that needs no missing plugin still loads")

        # the same on a reload: refused, the running config kept
        live = config(tmp, "live", ["tcp"])
        proc, port = start(bb, live)
        try:
            shutil.copy(config(tmp, "live-dns", ["tcp", "dns"]), live)
            req = urllib.request.Request("http://127.0.0.1:%d/-/reload" % port, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=10) as resp:
                    st, body = resp.status, resp.read().decode()
            except urllib.error.HTTPError as e:
                st, body = e.code, e.read().decode()
            check(st != 200 and "omx-blackbox-dns.so" in body,
                  "a reload needing a missing plugin is refused naming it (%d)" % st)
            _, metrics = get("http://127.0.0.1:%d/metrics" % port)
            check("blackbox_exporter_config_last_reload_successful 0" in metrics,
                  "config_last_reload_successful 0 after that reload")
            st, body = get("http://127.0.0.1:%d/probe?module=tcp_mod&target=127.0.0.1:%d"
                           % (port, port))
            check(st == 200 and "probe_success 1" in body, "the old config still probes")
        finally:
            stop(proc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d checks failed" % len(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
