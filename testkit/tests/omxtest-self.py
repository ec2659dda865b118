"""testkit/python/omxtest.py checked against a server it starts on 127.0.0.1."""
import os
import socket
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../python"))
import omxtest  # noqa: E402

checks = 0


def check(desc, cond):
    global checks
    checks += 1
    if not cond:
        omxtest.fail(desc)
    print("ok -", desc)


port = omxtest.free_port()
check("free_port gives a port", 1024 <= port <= 65535)
url = "http://127.0.0.1:%d/" % port
check("nothing answers before the server starts", omxtest.wait_http(url, secs=0.2) is None)
with tempfile.TemporaryDirectory() as d:
    with open(os.path.join(d, "hello.txt"), "w") as f:
        f.write("hello")
    log = os.path.join(d, "server.log")
    srv = omxtest.start([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
                        log=log, cwd=d)
    check("wait_port sees it listen", omxtest.wait_port(port, srv))
    check("wait_up returns the body", omxtest.wait_up(url + "hello.txt", srv, "http.server") == "hello")
    check("fetch gets the file", omxtest.fetch(url + "hello.txt", timeout=5) == "hello")
    status, headers, _ = omxtest.request(url + "missing")
    check("request returns an error status as an answer", status == 404 and headers)
    check("stop ends it", omxtest.stop(srv) is not None and srv.poll() is not None)
    check("its output went to the log", os.path.getsize(log) > 0)
    dead = omxtest.start([sys.executable, "-c", "pass"])
    dead.wait()
    check("wait_http gives up when the process exits", omxtest.wait_http(url, dead, secs=30) is None)
    check("wait_port gives up when the process exits", not omxtest.wait_port(port, dead, secs=30))
port = omxtest.tcp_responder(b"pong", linger=0.01)
with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
    c.sendall(b"ping")
    check("tcp_responder answers once, then closes", c.recv(16) == b"pong" and c.recv(16) == b"")
port = omxtest.tcp_responder(None)
with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
    c.settimeout(0.3)
    try:
        c.recv(16)
        quiet = False
    except socket.timeout:
        quiet = True
    check("a silent tcp_responder never answers", quiet)
print("%d checks" % checks)
