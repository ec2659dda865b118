"""Shared helpers of omx-logtail's integration tests: starting omx-logtail,
reading its /metrics; free ports, skip, fail and stop come from testkit's
omxtest."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../testkit/python"))
from omxtest import fail, fetch, free_port, skip, stop, wait_http  # noqa: E402,F401

BUILD = os.environ.get("OMX_BUILD", "build")
OMX_LOGTAIL = os.environ.get("OMX_LOGTAIL", os.path.join(BUILD, "exporters/logtail/omx-logtail"))
LINES = os.path.join(BUILD, "exporters/logtail/tests/logtail-lines")


def start_logtail(args, log_path):
    """Starts omx-logtail on a free 127.0.0.1 port; returns (process, port)."""
    port = free_port()
    log = open(log_path, "w")
    p = subprocess.Popen([OMX_LOGTAIL, "--web.listen-address=127.0.0.1:%d" % port] + args,
                         stdout=log, stderr=subprocess.STDOUT)
    log.close()
    if wait_http("http://127.0.0.1:%d/metrics" % port, p, secs=20) is not None:
        return p, port
    if p.poll() is not None:
        fail("omx-logtail exited: " + open(log_path).read())
    p.kill()
    p.wait()
    fail("omx-logtail did not answer")


def scrape(port):
    return fetch("http://127.0.0.1:%d/metrics" % port, timeout=5)


def value(text, series):
    """The value of one series (name{labels} exactly as written), or None."""
    m = re.search("^" + re.escape(series) + r" (\S+)$", text, re.M)
    return float(m.group(1)) if m else None
