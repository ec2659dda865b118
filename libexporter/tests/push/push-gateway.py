#!/usr/bin/env python3
"""omx_push_gateway against Debian's prometheus-pushgateway on 127.0.0.1:
PUT creates the group (a label value with '/' goes base64url-encoded and
comes back decoded), POST replaces the family, DELETE removes the group, a
refused push reports the status.

usage: push-gateway.py GATEWAY_JOB"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pushlib import TMP, check, finish, free_port, get, need, parse_text, start, wait_http

job_bin = sys.argv[1]
need("prometheus-pushgateway")
port = free_port()
url = f"http://127.0.0.1:{port}"
start("pushgateway", ["prometheus-pushgateway", f"--web.listen-address=127.0.0.1:{port}",
                      "--persistence.file=" + os.path.join(TMP, "pg.db")])
if not wait_http(url + "/-/ready"):
    check("pushgateway starts", False)
    finish()


def job(*args):
    return subprocess.run([job_bin, url] + list(args), capture_output=True, text=True)


def series():
    return {k: v for k, v in parse_text(get(url + "/metrics")).items()
            if k[0] == "batch_last_success_seconds"}


key = ("batch_last_success_seconds",
       frozenset({("job", "backup"), ("path", "/var/tmp"), ("instance", "")} - {("instance", "")}))
r = job("backup", "put", "1700000000", "path", "/var/tmp")
check("PUT accepted", r.returncode == 0, r.stderr)
s = series()
check("PUT: the group holds the value, the '/' label decoded", s.get(key) == 1700000000, str(s))
r = job("backup", "post", "1700000100", "path", "/var/tmp")
check("POST accepted and replaced the value", r.returncode == 0 and series().get(key) == 1700000100)
r = job("nightly", "put", "5")
check("a second group without labels", r.returncode == 0 and series().get(
    ("batch_last_success_seconds", frozenset({("job", "nightly")}))) == 5)
r = job("backup", "delete", "0", "path", "/var/tmp")
s = series()
check("DELETE removed the group, the other stays", r.returncode == 0 and key not in s and
      len(s) == 1, str(s))
r = job("bad", "put", "1", "0bad", "x")
check("an invalid label name is refused before sending", r.returncode != 0)
r = subprocess.run([job_bin, f"http://127.0.0.1:{port}/nothing-here", "x", "put", "1"],
                   capture_output=True, text=True)
check("a refused push reports its status", r.returncode != 0 and "status 404" in r.stderr, r.stderr)
finish()
