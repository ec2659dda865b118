"""Helpers of the push integration tests: free ports, processes started on
127.0.0.1 and stopped at exit, HTTP GETs, exposition parsing, checks."""
import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

TMP = tempfile.mkdtemp(prefix="omx-push-test.")
_procs = []
checks = 0
failures = 0


def _cleanup():
    for p in _procs:
        if p.poll() is None:
            p.terminate()
    for p in _procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
    shutil.rmtree(TMP, ignore_errors=True)


atexit.register(_cleanup)


def skip(why):
    print("SKIP:", why)
    sys.exit(77)


def need(*cmds):
    for c in cmds:
        if not shutil.which(c):
            skip(c + " not installed")


def check(desc, cond, detail=""):
    global checks, failures
    checks += 1
    if cond:
        print("ok -", desc)
    else:
        failures += 1
        print("FAIL -", desc, detail)


def finish():
    print(f"{checks} checks, {failures} failures")
    sys.exit(1 if failures or not checks else 0)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(name, argv):
    log = open(os.path.join(TMP, name + ".log"), "ab")
    p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    _procs.append(p)
    return p


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def log_of(name):
    try:
        with open(os.path.join(TMP, name + ".log"), errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def wait_http(url, secs=30):
    end = time.time() + secs
    while time.time() < end:
        try:
            get(url, timeout=1)
            return True
        except Exception:
            time.sleep(0.2)
    return False


def query(base, q, at=None):
    params = {"query": q}
    if at is not None:
        params["time"] = str(at)
    data = json.loads(get(base + "/api/v1/query?" + urllib.parse.urlencode(params), timeout=30))
    if data.get("status") != "success":
        raise RuntimeError(data)
    return data["data"]["result"]


def _unescape(v):
    out, i = [], 0
    while i < len(v):
        c = v[i]
        if c == "\\" and i + 1 < len(v):
            n = v[i + 1]
            out.append("\n" if n == "n" else n)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def parse_text(text):
    """0.0.4 text -> {(name, frozenset(labels)): float}; empty label values dropped."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if "{" in line:
            name, rest = line.split("{", 1)
            body, val = rest.rsplit("}", 1)
            labels, i = {}, 0
            while i < len(body):
                eq = body.index("=", i)
                ln = body[i:eq].strip().lstrip(",").strip()
                j = eq + 2
                k = j
                while body[k] != '"':
                    k += 2 if body[k] == "\\" else 1
                labels[ln] = _unescape(body[j:k])
                i = k + 1
        else:
            name, val = line.split(" ", 1)
            labels = {}
        val = val.strip().split(" ")[0]
        labels = {k: v for k, v in labels.items() if v != ""}
        out[(name, frozenset(labels.items()))] = float(val)
    return out


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
