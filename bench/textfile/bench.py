#!/usr/bin/python3
"""Peak RSS of one textfile scrape.

usage: bench.py NODE_DUMP [SERIES_PER_FILE]
Writes three files of SERIES_PER_FILE (default 1M) gauge series in a temporary
directory and scrapes it once with node-dump at the default caps (the first
file is read, the rest skipped: the cap bounds memory), then with one file
only; node_exporter (when installed) scrapes the one-file directory over HTTP
on 127.0.0.1. Prints bench lines (peak resident memory, MiB).
"""
import os
import resource
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../testkit/python"))
from omxtest import free_port, start, stop, wait_http  # noqa: E402


def write(path, tag, n):
    with open(path, "w") as f:
        f.write("# HELP big_%s Generated.\n# TYPE big_%s gauge\n" % (tag, tag))
        for i in range(n):
            f.write('big_%s{instance="host-%d",job="bench"} %d\n' % (tag, i, i))


def dump_rss(dump, d, extra=()):
    """Peak RSS (MiB) of one node-dump run, measured in a child of its own."""
    code = ("import resource,subprocess,sys;"
            "subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL,check=True);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, dump, "--collector.disable-defaults",
                          "--collector.textfile", "--collector.textfile.directory=" + d] +
                         list(extra), capture_output=True, text=True, check=True).stdout
    return int(out) / 1024


def ne_rss(ne, d):
    port = free_port()
    p = start([ne, "--web.listen-address=127.0.0.1:%d" % port, "--collector.disable-defaults",
               "--collector.textfile", "--collector.textfile.directory=" + d])
    try:
        wait_http("http://127.0.0.1:%d/metrics" % port, p, secs=120, timeout=120)
        with open("/proc/%d/status" % p.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    finally:
        stop(p)
    return None


def main():
    dump = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    with tempfile.TemporaryDirectory() as tmp:
        three, one = os.path.join(tmp, "three"), os.path.join(tmp, "one")
        os.mkdir(three)
        os.mkdir(one)
        for tag in "abc":
            write(os.path.join(three, tag + ".prom"), tag, n)
        shutil.copy(os.path.join(three, "a.prom"), one)
        mb = os.path.getsize(os.path.join(one, "a.prom")) / 2**20
        r3 = dump_rss(dump, three)
        r1 = dump_rss(dump, one)
        r3all = dump_rss(dump, three, ["--collector.textfile.max-series=%d" % (3 * n),
                                       "--collector.textfile.max-bytes=%d" % (1 << 30)])
        print("bench textfile/3x%d-series-default-caps: ours %.0f MiB peak RSS (files %.0f MiB each)"
              % (n, r3, mb))
        ne = shutil.which("prometheus-node-exporter")
        nr = ne_rss(ne, one) if ne else None
        if nr:
            print("bench textfile/1x%d-series: ours %.0f MiB; node_exporter %.0f MiB; %.2fx"
                  % (n, r1, nr, r1 / nr))
        else:
            print("bench textfile/1x%d-series: ours %.0f MiB peak RSS" % (n, r1))
        print("bench textfile/3x%d-series-caps-raised: ours %.0f MiB peak RSS" % (n, r3all))


if __name__ == "__main__":
    main()
