"""Helpers of the push integration tests: processes started on 127.0.0.1 with
their logs kept, Prometheus queries, exposition parsing, checks. Free ports,
skip and stopping come from testkit's omxtest, which also stops at exit what
start() started."""
import atexit
import json
import os
import shutil
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../testkit/python"))
import omxtest  # noqa: E402
from omxtest import free_port, skip  # noqa: E402,F401

TMP = tempfile.mkdtemp(prefix="omx-push-test.")
checks = 0
failures = 0


def _cleanup():
    omxtest.stop_all()  # before their logs go
    shutil.rmtree(TMP, ignore_errors=True)


atexit.register(_cleanup)


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


def start(name, argv):
    """Starts argv with its output in TMP/name.log (log_of reads it)."""
    return omxtest.start(argv, log=os.path.join(TMP, name + ".log"))


def stop(p):
    omxtest.stop(p, secs=20)


def log_of(name):
    try:
        with open(os.path.join(TMP, name + ".log"), errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def get(url, timeout=5):
    return omxtest.fetch(url, timeout=timeout)


def wait_http(url, secs=30):
    """True once url answers within secs."""
    return omxtest.wait_http(url, secs=secs, timeout=1) is not None


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
