#!/usr/bin/env python3
"""omx-node pushing over HTTPS with basic auth to a receiver started here on
127.0.0.1: accepted with --push.tls.ca-file (and the Authorization header
carries the user and the password file's first line); refused before any
request when the certificate cannot be verified (counted as no answer,
retried); accepted again with --push.tls.insecure-skip-verify.

usage: push-tls.py OMX_NODE"""
import base64
import http.server
import os
import ssl
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pushlib import TMP, check, finish, free_port, get, parse_text, start, stop, wait_http

node_bin = sys.argv[1]
certs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "http")
seen = []


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        seen.append(self.headers.get("Authorization"))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()


port = free_port()
srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(os.path.join(certs, "server.crt"), os.path.join(certs, "server.key"))
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
threading.Thread(target=srv.serve_forever, daemon=True).start()
pw = os.path.join(TMP, "pw")
with open(pw, "w") as f:
    f.write("hunter2\nsecond line ignored\n")


def run(extra, secs=3):
    nport = free_port()
    p = start("node", [node_bin, f"--web.listen-address=127.0.0.1:{nport}",
                       f"--push.url=https://localhost:{port}/api/v1/write",
                       "--push.interval=1s", "--collector.disable-defaults",
                       "--collector.loadavg", "--push.basic-auth.username=pusher",
                       "--push.basic-auth.password-file=" + pw] + extra)
    wait_http(f"http://127.0.0.1:{nport}/metrics")
    time.sleep(secs)
    m = parse_text(get(f"http://127.0.0.1:{nport}/metrics"))
    stop(p)
    return m


def code(m, c):
    return m.get(("omx_push_requests_total", frozenset({("code", c)})), 0)


m = run(["--push.tls.ca-file=" + os.path.join(certs, "server.crt")])
want = "Basic " + base64.b64encode(b"pusher:hunter2").decode()
check("https with the CA: accepted", code(m, "2xx") >= 2 and code(m, "error") == 0, str(m))
check("basic auth: user and the password file's first line", seen and seen[-1] == want,
      str(seen[-1:]))
n = len(seen)
m = run([])
check("https without the CA: refused by verification, counted, no request reached the server",
      code(m, "error") >= 1 and code(m, "2xx") == 0 and len(seen) == n)
m = run(["--push.tls.insecure-skip-verify"])
check("--push.tls.insecure-skip-verify: accepted", code(m, "2xx") >= 2)
srv.shutdown()
finish()
