#!/usr/bin/env python3
"""omx-node pushing to a scripted receiver on 127.0.0.1 that answers each
path with one status: the documented behaviour for each (docs/push.md).
  400  no retry: each gather sent once, its samples counted failed, the
       queue stays empty.
  429 with Retry-After: 3  retried, never sooner than 3 s apart, counted
       retried, nothing failed.
  500  retried with growing back-off, counted retried, nothing failed.
  500 twice then 204  the same request retried until accepted (sent).
Also: the protocol's headers, the custom header, the bearer token, and that
a reserved header, or a push flag without --push.url, is refused at start.

usage: push-errors.py OMX_NODE"""
import http.server
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pushlib import (TMP, check, finish, free_port, get, log_of, parse_text, start, stop,
                     wait_http)

node_bin = sys.argv[1]
hits = {}  # path -> [(time, headers, body length)]
flaky = {"left": 2}
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n)
        with lock:
            hits.setdefault(self.path, []).append((time.time(), dict(self.headers), len(body)))
        code, extra = 204, {}
        if self.path == "/400":
            code = 400
        elif self.path == "/429":
            code, extra = 429, {"Retry-After": "3"}
        elif self.path == "/500":
            code = 500
        elif self.path == "/flaky":
            with lock:
                if flaky["left"] > 0:
                    flaky["left"] -= 1
                    code = 500
        msg = b"" if code == 204 else b"scripted answer"
        self.send_response(code)
        for k, v in extra.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(msg)))
        self.end_headers()
        self.wfile.write(msg)


port = free_port()
srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
threading.Thread(target=srv.serve_forever, daemon=True).start()
token = os.path.join(TMP, "token")
with open(token, "w") as f:
    f.write("s3cret\n")


def run(path, secs, extra=()):
    nport = free_port()
    p = start("node" + path.replace("/", "-"), [
        node_bin, f"--web.listen-address=127.0.0.1:{nport}",
        f"--push.url=http://127.0.0.1:{port}{path}", "--push.interval=1s",
        "--collector.disable-defaults", "--collector.loadavg",
        "--push.header=X-Scope-OrgID: tenant-1", "--push.bearer-token-file=" + token] + list(extra))
    wait_http(f"http://127.0.0.1:{nport}/metrics")
    time.sleep(secs)
    m = parse_text(get(f"http://127.0.0.1:{nport}/metrics"))
    stop(p)
    return m


def res(m, r):
    return m.get(("omx_push_samples_total", frozenset({("result", r)})), 0)


def code(m, c):
    return m.get(("omx_push_requests_total", frozenset({("code", c)})), 0)


# 400: dropped, not retried
m = run("/400", 4.5)
n = len(hits.get("/400", []))
check(f"400: one request per gather, none repeated ({n} requests in ~5 gathers)", 3 <= n <= 7)
check("400: samples counted failed", res(m, "failed") > 0 and code(m, "4xx") >= 3)
check("400: nothing retried", res(m, "retried") == 0)
check("400: the queue stays empty",
      m.get(("omx_push_queue_samples", frozenset())) is not None and
      m[("omx_push_queue_samples", frozenset())] <= 100)
check("400: logged", "receiver refused the samples" in log_of("node-400"))
h = hits["/400"][0][1]
check("headers: Content-Encoding snappy, protobuf, version 0.1.0",
      h.get("Content-Encoding") == "snappy" and h.get("Content-Type") == "application/x-protobuf"
      and h.get("X-Prometheus-Remote-Write-Version") == "0.1.0", str(h))
check("headers: User-Agent names the exporter", h.get("User-Agent", "").startswith("omx-node/"))
check("headers: the custom header and the bearer token",
      h.get("X-Scope-OrgID") == "tenant-1" and h.get("Authorization") == "Bearer s3cret", str(h))

# 429 with Retry-After: 3
m = run("/429", 7.5)
ts = [t for t, _, _ in hits.get("/429", [])]
gaps = [b - a for a, b in zip(ts, ts[1:])]
check(f"429: Retry-After honoured ({len(ts)} requests, gaps {['%.1f' % g for g in gaps]})",
      len(ts) >= 2 and all(g >= 2.9 for g in gaps))
check("429: counted retried, nothing failed", res(m, "retried") > 0 and res(m, "failed") == 0
      and code(m, "429") >= 2)

# 500: retried with growing back-off
m = run("/500", 6.5)
ts = [t for t, _, _ in hits.get("/500", [])]
gaps = [b - a for a, b in zip(ts, ts[1:])]
check(f"500: retried with back-off ({len(ts)} requests, gaps {['%.2f' % g for g in gaps]})",
      len(ts) >= 3 and gaps[-1] > gaps[0])
check("500: counted retried, nothing failed", res(m, "retried") > 0 and res(m, "failed") == 0)

# 500 twice, then accepted
m = run("/flaky", 4)
sizes = [s for _, _, s in hits.get("/flaky", [])]
check("flaky: the same request retried until accepted",
      len(sizes) >= 3 and sizes[0] == sizes[1] == sizes[2] and res(m, "sent") > 0, str(sizes))

# a reserved header is refused at start
p = start("node-reserved", [node_bin, f"--web.listen-address=127.0.0.1:{free_port()}",
                            f"--push.url=http://127.0.0.1:{port}/x",
                            "--push.header=Content-Encoding: gzip"])
rc = p.wait(timeout=10)
check("a reserved --push.header is refused at start", rc != 0 and
      "set by the client" in log_of("node-reserved"), log_of("node-reserved"))
# a push option without --push.url is refused too
p = start("node-nourl", [node_bin, f"--web.listen-address=127.0.0.1:{free_port()}",
                         "--push.interval=5s"])
rc = p.wait(timeout=10)
check("a --push.* flag without --push.url is refused", rc != 0 and
      "--push.interval needs --push.url" in log_of("node-nourl"), log_of("node-nourl"))
srv.shutdown()
finish()
