"""Shared helpers of omx-logtail's integration tests: free ports, starting
omx-logtail, reading its /metrics."""
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

BUILD = os.environ.get("OMX_BUILD", "build")
OMX_LOGTAIL = os.environ.get("OMX_LOGTAIL", os.path.join(BUILD, "exporters/logtail/omx-logtail"))
LINES = os.path.join(BUILD, "exporters/logtail/tests/logtail-lines")


def skip(why):
    print("SKIP:", why)
    sys.exit(77)


def fail(why):
    print("FAIL:", why)
    sys.exit(1)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def start_logtail(args, log_path):
    """Starts omx-logtail on a free 127.0.0.1 port; returns (process, port)."""
    port = free_port()
    log = open(log_path, "w")
    p = subprocess.Popen([OMX_LOGTAIL, "--web.listen-address=127.0.0.1:%d" % port] + args,
                         stdout=log, stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=2).read()
            return p, port
        except OSError:
            if p.poll() is not None:
                fail("omx-logtail exited: " + open(log_path).read())
            time.sleep(0.05)
    p.kill()
    fail("omx-logtail did not answer")


def scrape(port):
    return urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5).read().decode()


def value(text, series):
    """The value of one series (name{labels} exactly as written), or None."""
    m = re.search("^" + re.escape(series) + r" (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def stop(p):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
