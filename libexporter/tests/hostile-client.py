#!/usr/bin/env python3
"""Hostile HTTP clients for the server tests and bench: holds N connections to
127.0.0.1:PORT of one kind and reports when the server closed them.

  hostile-client.py KIND N PORT SECONDS [INTERVAL]
KIND: idle      connect, send nothing
      slowloris send a request line and Host, then one header line every
                INTERVAL seconds (default 1), never the blank line
      tls       send the first 5 bytes of a TLS record (a stalled handshake)
      halfopen  connect without the server accepting (needs a full backlog);
                the same as idle from the client side

Prints "open N" once all are connected (flushed), then, after SECONDS or when
all are closed, "closed K of N first F last L" (seconds after connecting).
"""
import resource
import select
import socket
import sys
import time

kind, n, port, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
interval = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if soft < n + 64:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 64), hard))

socks = {}
opened = {}
for i in range(n):
    s = socket.socket()
    s.setblocking(True)
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    if kind == "slowloris":
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
    elif kind == "tls":
        s.sendall(b"\x16\x03\x01\x02\x00")
    s.setblocking(False)
    socks[s.fileno()] = s
    opened[s.fileno()] = time.monotonic()
print("open", len(socks), flush=True)

poll = select.poll()
for fd in socks:
    poll.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
closed = {}
start = time.monotonic()
next_send = start + interval
while time.monotonic() - start < secs and len(closed) < n:
    for fd, ev in poll.poll(100):
        s = socks[fd]
        try:
            data = s.recv(4096)
        except (BlockingIOError, InterruptedError):
            continue
        except OSError:
            data = b""
        if not data:
            closed[fd] = time.monotonic() - opened[fd]
            poll.unregister(fd)
    if kind == "slowloris" and time.monotonic() >= next_send:
        for fd, s in socks.items():
            if fd not in closed:
                try:
                    s.send(b"X-Slow: y\r\n")
                except OSError:
                    pass
        next_send += interval
t = sorted(closed.values())
print("closed %d of %d first %.2f last %.2f" % (len(t), n, t[0] if t else -1, t[-1] if t else -1),
      flush=True)
