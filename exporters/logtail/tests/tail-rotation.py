"""The tail reliability test: a writer appends access-log lines as fast as it
can (about 200,000 lines/s) while the file is rotated by rename five times;
omx-logtail must count every line (zero lost, none twice). Then, still
writing, one copytruncate rotation: the lines it cannot see (written after its
last read and before the truncation) may be lost; the truncation must be
counted and the loss is reported."""
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ltutil  # noqa: E402

if not os.access(ltutil.OMX_LOGTAIL, os.X_OK):
    ltutil.skip(ltutil.OMX_LOGTAIL + " not built")

RATE = int(os.environ.get("LT_RATE", "200000"))  # lines/s the writer aims at
PER_ROTATION = RATE  # a rotation about every second
LINE = ('192.0.2.%d - - [03/Dec/2026:10:00:00 +0000] "GET /index.html?n=%09d HTTP/1.1" '
        '200 %d "-" "bench/1.0"\n')

tmp = tempfile.mkdtemp(prefix="lt-rot-")
log = os.path.join(tmp, "access.log")
progs = os.path.join(tmp, "progs")
os.mkdir(progs)
with open(os.path.join(progs, "count.mtail"), "w") as f:
    f.write("counter lines_seen\n/$/ {\n  lines_seen++\n}\n")
open(log, "w").close()
proc, port = ltutil.start_logtail(["--progs", progs, "--logs", log, "--poll_interval=100ms"],
                                  os.path.join(tmp, "omx.log"))
series = 'mtail_log_lines_total{logfile="%s"}' % log


def read_count():
    return ltutil.value(ltutil.scrape(port), series) or 0


def settle(want, timeout=30):
    """Waits until the count stops moving (or reaches want); returns it."""
    deadline = time.time() + timeout
    last, same = -1, 0
    while time.time() < deadline:
        n = read_count()
        if n == want:
            return n
        same = same + 1 if n == last else 0
        if same >= 10:
            return n
        last = n
        time.sleep(0.1)
    return read_count()


def write_lines(f, start, n):
    """n lines at about RATE lines/s, in chunks of 1000."""
    t0 = time.time()
    i = 0
    while i < n:
        k = min(1000, n - i)
        f.write("".join(LINE % ((start + i + j) % 250, start + i + j, (start + i + j) % 5000)
                        for j in range(k)))
        f.flush()
        i += k
        ahead = (start + i) / RATE - (time.time() - t0) - start / RATE
        if ahead > 0:
            time.sleep(ahead)


try:
    written = 0
    t0 = time.time()
    f = open(log, "a")
    for r in range(1, 6):
        write_lines(f, written, PER_ROTATION)
        written += PER_ROTATION
        f.close()
        os.rename(log, "%s.%d" % (log, r))  # rename, then create: logrotate's default
        f = open(log, "a")
    write_lines(f, written, PER_ROTATION // 2)
    written += PER_ROTATION // 2
    secs = time.time() - t0
    got = settle(written)
    text = ltutil.scrape(port)
    rot = ltutil.value(text, 'mtail_log_rotations_total{logfile="%s"}' % log)
    print("rename phase: %d lines written in %.1f s (%.0f lines/s), %d read, %d rotations"
          % (written, secs, written / secs, got, rot or 0))
    bad = False
    if got != written:
        print("FAIL: %d lines lost across rename rotations" % (written - got))
        bad = True
    if rot != 5:
        print("FAIL: mtail_log_rotations_total is %s, want 5" % rot)
        bad = True
    lag = ltutil.value(text, 'logtail_log_lag_bytes{logfile="%s"}' % log)
    if lag is None:
        print("FAIL: no logtail_log_lag_bytes for the file")
        bad = True
    # copytruncate while writing: copy, then truncate in place (writer keeps its fd)
    write_lines(f, written, PER_ROTATION // 2)
    written += PER_ROTATION // 2
    seen_before = read_count()
    shutil.copyfile(log, log + ".ct")
    os.truncate(log, 0)
    in_file = written  # every line so far was in the file before the truncation
    write_lines(f, written, PER_ROTATION // 2)
    written += PER_ROTATION // 2
    f.close()
    got = settle(written)
    text = ltutil.scrape(port)
    trunc = ltutil.value(text, 'mtail_log_truncates_total{logfile="%s"}' % log)
    lost = written - got
    print("copytruncate: %d lines written in all, %d read, %d lost (%d had been read when the "
          "file was copied), %s truncation counted" % (written, got, lost, seen_before, trunc))
    if trunc != 1:
        print("FAIL: mtail_log_truncates_total is %s, want 1" % trunc)
        bad = True
    if lost < 0:
        print("FAIL: %d lines read twice" % -lost)
        bad = True
    if lost > in_file - seen_before:
        print("FAIL: lost %d lines, more than the %d unread at the truncation"
              % (lost, in_file - seen_before))
        bad = True
    prog = ltutil.value(text, 'lines_seen{prog="count.mtail"}')
    if prog is not None and prog != got:
        print("FAIL: the program counted %d lines, the runtime handed it %d" % (prog, got))
        bad = True
    elif prog is None:
        print("note: the program's counter is not exported (language not complete)")
    if proc.poll() is not None:
        print("FAIL: omx-logtail died")
        bad = True
    if bad:
        print(open(os.path.join(tmp, "omx.log")).read()[-3000:])
        sys.exit(1)
    print("ok: no line lost across 5 rename rotations, copytruncate counted")
finally:
    ltutil.stop(proc)
    shutil.rmtree(tmp, ignore_errors=True)
