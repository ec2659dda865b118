"""What the Python tests and benchmarks share: free ports, HTTP GETs with a
timeout, waiting for a server, processes started and stopped, skip and fail.

A script finds this module from its own path, so it runs the same under
`meson test`, from bench/run and by hand:

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "../../../testkit/python"))
    import omxtest
"""
import atexit
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

_started = []


def skip(why):
    """Ends the test as skipped (exit 77), saying why."""
    print("SKIP:", why)
    sys.exit(77)


def fail(why):
    """Ends the test as failed (exit 1), saying why."""
    print("FAIL:", why)
    sys.exit(1)


def free_port(host="127.0.0.1"):
    """A TCP port free on host now (the kernel's pick; another process may
    take it before the caller binds it, which tests accept)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def fetch(url, timeout=20, headers=None):
    """The body of a GET of url, decoded as UTF-8. Raises OSError
    (urllib.error.HTTPError for a status >= 400) as urlopen does."""
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read().decode()


def request(url, headers=None, method="GET", data=None, timeout=30):
    """(status, headers dict, body) of one request; an HTTP error status is an
    answer, not an exception."""
    req = urllib.request.Request(url, headers=headers or {}, method=method, data=data)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def wait_http(url, proc=None, secs=15, timeout=2, headers=None):
    """GETs url until it answers with a success status; returns the body, or
    None when secs pass or proc (a Popen) exits first."""
    end = time.monotonic() + secs
    while True:
        try:
            return fetch(url, timeout=timeout, headers=headers)
        except (OSError, http.client.HTTPException):
            pass
        if (proc is not None and proc.poll() is not None) or time.monotonic() >= end:
            return None
        time.sleep(0.05)


def wait_up(url, proc, name, secs=15, headers=None):
    """wait_http that fails the test, naming name and why, when no answer comes."""
    body = wait_http(url, proc, secs, headers=headers)
    if body is None:
        if proc is not None and proc.poll() is not None:
            fail("%s exited with %d" % (name, proc.returncode))
        fail("%s did not answer on %s within %g s" % (name, url, secs))
    return body


def wait_port(port, proc=None, secs=15, host="127.0.0.1"):
    """True once host:port accepts a TCP connection; False when secs pass or
    proc exits first."""
    end = time.monotonic() + secs
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return True
        except OSError:
            pass
        if (proc is not None and proc.poll() is not None) or time.monotonic() >= end:
            return False
        time.sleep(0.05)


def tcp_responder(reply, recv=4096, linger=0.0, host="127.0.0.1"):
    """A TCP server for hostile-peer cases, in a daemon thread on a free port
    of host; returns the port. Each connection: one recv of up to recv bytes,
    then reply (bytes, or a function returning them) is sent, linger seconds
    pass, and it is closed. reply None accepts and never answers (the
    connections stay open)."""
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.bind((host, 0))
    s.listen(16)
    held = []

    def loop():
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            if reply is None:
                held.append(c)
                continue
            try:
                c.recv(recv)
                c.sendall(reply() if callable(reply) else reply)
                if linger:
                    time.sleep(linger)
            except OSError:
                pass
            c.close()

    threading.Thread(target=loop, daemon=True).start()
    return s.getsockname()[1]


def start(argv, log=None, **popen):
    """Starts argv with stdout and stderr appended to the file log (discarded
    when None); returns the Popen. Whatever is still running at exit is
    stopped."""
    out = open(log, "ab") if log else subprocess.DEVNULL
    try:
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, **popen)
    finally:
        if log:
            out.close()
    _started.append(p)
    return p


def stop(proc, secs=10):
    """SIGTERM, then SIGKILL after secs; returns the exit status."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=secs)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


@atexit.register
def stop_all(secs=10):
    """Stops every process start() started (all signalled first, then waited
    for); runs at exit, and may be called earlier."""
    for p in _started:
        if p.poll() is None:
            p.terminate()
    for p in _started:
        stop(p, secs)
