"""Corrupts copies of the hardware collectors' fixture files (truncation, flipped bytes, junk
appended, sign added, fields merged) with a fixed seed and runs node-dump with every
hardware collector on each corrupted tree. Fails on a non-zero exit, a sanitizer
report or a NaN sample; prints the files that were corrupted when it does.

usage: hw_corrupt.py ITERATIONS COLLECTOR... (env: OMX_SRC, OMX_BUILD or NODE_DUMP)
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile

def corrupt(data, rnd):
    op = rnd.randrange(5)
    if op == 0:
        return data[:rnd.randrange(len(data) + 1)]
    if op == 1 and data:
        i = rnd.randrange(len(data))
        return data[:i] + bytes([rnd.randrange(256)]) + data[i + 1:]
    if op == 2:
        return data + bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 40)))
    if op == 3:
        return b"-" + data
    return data.replace(b" ", b"", 1).replace(b"\n", b" ", 1)


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    iterations = int(sys.argv[1])
    collectors = sys.argv[2:]
    src = os.environ.get("OMX_SRC")
    dump = os.environ.get("NODE_DUMP") or (
        os.path.join(os.environ["OMX_BUILD"], "exporters/node/node-dump") if "OMX_BUILD" in os.environ else "")
    if not src or not os.access(dump, os.X_OK):
        print("SKIP: OMX_SRC or node-dump missing")
        return 77
    rnd = random.Random(20261123)
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "fixtures")
        shutil.copytree(os.path.join(src, "exporters/node/tests/fixtures"), root, symlinks=True)
        files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs
                       if not os.path.islink(os.path.join(d, f)))
        args = [dump, "--collector.disable-defaults"] + ["--collector." + c for c in collectors] + [
            "--path.procfs=" + root + "/proc", "--path.sysfs=" + root + "/sys",
            "--path.rootfs=" + root + "/root"]
        problems = 0
        for _ in range(iterations):
            victims = rnd.sample(files, 3)
            saved = {v: open(v, "rb").read() for v in victims}
            for v in victims:
                with open(v, "wb") as f:
                    f.write(corrupt(saved[v], rnd))
            p = subprocess.run(args, capture_output=True, timeout=60)
            err = p.stderr.decode("utf-8", "replace")
            nan = [l for l in p.stdout.decode("utf-8", "replace").splitlines()
                   if l and not l.startswith("#") and l.split()[-1] == "NaN"]
            if p.returncode != 0 or "Sanitizer" in err or "runtime error:" in err or nan:
                problems += 1
                print("FAIL:", [os.path.relpath(v, root) for v in victims], "exit", p.returncode)
                print(err[-800:], nan[:3])
            for v, d in saved.items():
                with open(v, "wb") as f:
                    f.write(d)
    print("%d corrupted trees, %d problems" % (iterations, problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
