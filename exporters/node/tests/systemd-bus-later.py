#!/usr/bin/env python3
"""systemd-bus-later.py: omx-node with the systemd collector and no system bus
keeps libsystemd unmapped; once the bus socket exists, the next scrape loads it
and tries the bus (a socket nobody listens on: the collector fails, refused)."""
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

node = os.path.join(os.environ["OMX_BUILD"], "exporters/node/omx-node")
if not os.access(node, os.X_OK):
    print("SKIP: omx-node not built")
    sys.exit(77)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def mapped(pid):
    with open(f"/proc/{pid}/maps") as f:
        return "libsystemd" in f.read()


def scrape(port):
    end = time.time() + 10
    while True:
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
        except OSError:
            if time.time() > end:
                raise
            time.sleep(0.1)


fail = 0


def check(ok, what):
    global fail
    print(("ok: " if ok else "FAIL: ") + what)
    fail += not ok


with tempfile.TemporaryDirectory() as tmp:
    bus = os.path.join(tmp, "bus")
    port = free_port()
    env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS="unix:path=" + bus)
    p = subprocess.Popen([node, f"--web.listen-address=127.0.0.1:{port}", "--log.level=debug",
                          "--collector.disable-defaults", "--collector.systemd"],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        failed = 'node_scrape_collector_success{collector="systemd"} 0'
        check(failed in scrape(port), "no bus: the collector fails")
        check(not mapped(p.pid), "no bus: libsystemd not mapped")
        s = socket.socket(socket.AF_UNIX)
        s.bind(bus)
        s.close()  # the socket file stays, nobody listens: connecting is refused
        check(failed in scrape(port), "a bus socket nobody serves: the collector fails")
        check(mapped(p.pid), "a bus socket: libsystemd loaded")
    finally:
        p.terminate()
        _, err = p.communicate(timeout=10)
    check('err="No such file or directory"' in err, "no bus: ENOENT logged")
    check('err="Connection refused"' in err, "the bus socket tried: refused")
    if fail:
        print(err)
sys.exit(1 if fail else 0)
