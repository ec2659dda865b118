#!/usr/bin/python3
"""Collectors whose procfs file cannot be read report success 0 and log one
error line naming the file and the reason: meminfo on a symlink to /dev/zero
(not a regular file), diskstats over its 16 MiB cap (too large)."""
import os
import subprocess
import sys
import tempfile

BUILD = os.environ["OMX_BUILD"]
DUMP = os.environ.get("NODE_DUMP", os.path.join(BUILD, "exporters/node/node-dump"))


def main():
    if not os.access(DUMP, os.X_OK):
        print("SKIP: node-dump not built at", DUMP)
        return 77
    fail = []
    with tempfile.TemporaryDirectory() as d:
        os.symlink("/dev/zero", os.path.join(d, "meminfo"))
        with open(os.path.join(d, "diskstats"), "w") as f:
            f.truncate(17 << 20)
        p = subprocess.run([DUMP, "--log.level=debug", "--collector.disable-defaults",
                            "--collector.meminfo", "--collector.diskstats", "--path.procfs=" + d],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            fail.append("node-dump exited %d" % p.returncode)
        errors = [l for l in p.stderr.splitlines() if "level=error" in l]
        for c, why in (("meminfo", "not a regular file"), ("diskstats", "File too large")):
            if 'node_scrape_collector_success{collector="%s"} 0' % c not in p.stdout:
                fail.append("%s did not report success 0" % c)
            lines = [l for l in errors if "collector=%s " % c in l]
            if not (len(lines) == 1 and "file=%s/%s " % (d, c) in lines[0] and why in lines[0]):
                fail.append("%s: want one error line naming the file with %r, got %r"
                            % (c, why, lines))
    for f in fail:
        print("FAIL:", f)
    if fail:
        print(p.stderr[-2000:])
        return 1
    print("ok: meminfo and diskstats read failures reported and logged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
