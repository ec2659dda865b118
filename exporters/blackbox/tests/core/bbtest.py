"""Helpers the omx-blackbox Python tests share: an exporter started and
waited for, exposition parsing; free ports, skip and requests that return
status, headers, body come from testkit's omxtest."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../testkit/python"))
from omxtest import free_port, request, skip, stop, wait_port  # noqa: E402,F401


class Exporter:
    """A process serving HTTP on 127.0.0.1:port, stopped on exit of the with-block."""

    def __init__(self, argv, port, log_path=None):
        self.port = port
        self.base = "http://127.0.0.1:%d" % port
        self.log = open(log_path or os.devnull, "w")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT)
        if wait_port(port, self.proc):
            return
        if self.proc.poll() is not None:
            self.log.close()
            raise RuntimeError("%s exited with %d" % (argv[0], self.proc.returncode))
        self.stop()
        raise RuntimeError("%s did not listen on %d" % (argv[0], port))

    def get(self, path, **kw):
        return request(self.base + path, **kw)

    def stop(self):
        stop(self.proc)
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def parse_metrics(text):
    """{name: (type, [(labels dict, value str)])} from Prometheus 0.0.4 text."""
    out = {}
    types = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, typ = line.split(" ", 3)
            types[name] = typ
            out.setdefault(name, (typ, []))
        elif line and not line.startswith("#"):
            if "{" in line:
                name, rest = line.split("{", 1)
                lab, value = rest.rsplit("} ", 1)
                labels = {}
                for part in split_labels(lab):
                    k, v = part.split("=", 1)
                    labels[k] = v[1:-1]
            else:
                name, value = line.split(" ", 1)
                labels = {}
            fam = name
            for suffix in ("_total", "_bucket", "_sum", "_count"):
                if fam not in types and fam.endswith(suffix) and fam[: -len(suffix)] in types:
                    fam = fam[: -len(suffix)]
            out.setdefault(fam, (types.get(fam, "untyped"), []))[1].append((labels, value))
    return out


def split_labels(s):
    parts, cur, quoted, esc = [], "", False, False
    for ch in s:
        if esc:
            cur += ch
            esc = False
        elif ch == "\\":
            cur += ch
            esc = True
        elif ch == '"':
            cur += ch
            quoted = not quoted
        elif ch == "," and not quoted:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        parts.append(cur)
    return parts
