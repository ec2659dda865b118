"""omx-logtail as a drop-in for mtail: the command lines of Debian's
mtail.service (--address/--port/--logs a,b/--logtostderr) and of its init
script (one dash: -progs -logs -port), --compile_only, --one_shot and its
formats, refused push flags, /json, SIGHUP reload."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ltutil  # noqa: E402

if not os.access(ltutil.OMX_LOGTAIL, os.X_OK):
    ltutil.skip(ltutil.OMX_LOGTAIL + " not built")
failures = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failures.append(what)


def run(args):
    return subprocess.run([ltutil.OMX_LOGTAIL] + args, capture_output=True, text=True, timeout=30)


def until(fn, timeout=10):
    """Polls fn until it is true (under load a fixed sleep is too short)."""
    end = time.time() + timeout
    while time.time() < end:
        if fn():
            return True
        time.sleep(0.05)
    return fn()


def wait_up(port, p):
    for _ in range(100):
        try:
            return ltutil.scrape(port)
        except OSError:
            if p.poll() is not None:
                return None
            time.sleep(0.05)
    return None


tmp = tempfile.mkdtemp(prefix="lt-flags-")
progs = os.path.join(tmp, "progs")
os.mkdir(progs)
with open(os.path.join(progs, "count.mtail"), "w") as f:
    f.write("counter lines_seen\n/$/ {\n  lines_seen++\n}\n")
a, b = os.path.join(tmp, "a.log"), os.path.join(tmp, "b.log")
for p in (a, b):
    open(p, "w").close()
try:
    # Debian's mtail.service: sh -c 'exec mtail --progs /etc/mtail --logtostderr
    #   --address $HOST --port $PORT --logs "$LOGS" $EXTRA_ARGS'
    for style, dash in (("mtail.service", "--"), ("init script (one dash)", "-")):
        port = ltutil.free_port()
        log = open(os.path.join(tmp, "omx.log"), "w")
        p = subprocess.Popen([ltutil.OMX_LOGTAIL, dash + "progs", progs, dash + "logtostderr",
                              dash + "address", "127.0.0.1", dash + "port", str(port),
                              dash + "logs", a + "," + b], stdout=log, stderr=subprocess.STDOUT)
        up = wait_up(port, p)
        check(up is not None, style + ": serves on --address:--port")
        if up is not None:
            for path in (a, b):
                with open(path, "a") as f:
                    f.write("x\ny\n")
            check(until(lambda: all(
                ltutil.value(ltutil.scrape(port), 'mtail_log_lines_total{logfile="%s"}' % q) == 2
                for q in (a, b))), style + ": --logs a,b reads both files")
            if dash == "--":
                r = urllib.request.urlopen("http://127.0.0.1:%d/json" % port, timeout=5)
                body = r.read()
                ok = r.status == 200 and "json" in r.headers.get("Content-Type", "")
                try:
                    json.loads(body or b"[]")
                except ValueError:
                    ok = False
                check(ok, "/json answers JSON")
                with open(os.path.join(progs, "second.mtail"), "w") as f:
                    f.write("counter other_lines\n/x/ {\n  other_lines++\n}\n")
                p.send_signal(signal.SIGHUP)
                check(until(lambda: open(os.path.join(tmp, "omx.log")).read().count(
                    "programs loaded") == 2) and p.poll() is None,
                      "SIGHUP reloads the programs and goes on serving")
                os.unlink(os.path.join(progs, "second.mtail"))
        ltutil.stop(p)
    # --state-file: a restart reads what came while stopped, nothing twice
    state = os.path.join(tmp, "state")
    counts = []
    for k in range(2):
        port = ltutil.free_port()
        p = subprocess.Popen([ltutil.OMX_LOGTAIL, "--progs", progs, "--logs", a,
                              "--state-file", state, "--web.listen-address=127.0.0.1:%d" % port],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if wait_up(port, p) is None:
            check(False, "omx-logtail with --state-file serves")
            break
        if k == 0:
            with open(a, "a") as f:
                f.write("one\ntwo\nthree\n")
        want = 3 if k == 0 else 2
        series = 'mtail_log_lines_total{logfile="%s"}' % a
        until(lambda: ltutil.value(ltutil.scrape(port), series) == want)
        time.sleep(0.2)  # nothing more comes
        counts.append(ltutil.value(ltutil.scrape(port), series))
        ltutil.stop(p)
        if k == 0:
            with open(a, "a") as f:
                f.write("while\nstopped\n")
    check(counts == [3, 2], "--state-file: restart reads the 2 lines written while stopped "
          "(counts %r)" % counts)
    r = run(["--progs", progs, "--compile_only"])
    check(r.returncode == 0, "--compile_only with a good program exits 0")
    r = run(["--progs", progs, "--logs", a, "--one_shot", "--one_shot_format=prometheus"])
    check(r.returncode == 0, "--one_shot --one_shot_format=prometheus exits 0: " + r.stderr)
    r = run(["-progs", progs, "-logs", a, "-one_shot"])
    ok = r.returncode == 0
    try:
        json.loads(r.stdout or "[]")
    except ValueError:
        ok = False
    check(ok, "-one_shot prints JSON by default (mtail's default format)")
    r = run(["--progs", progs, "--one_shot", "--one_shot_format=xml"])
    check(r.returncode == 1 and "one_shot_format" in r.stderr, "an unknown format is refused")
    r = run(["--progs", progs, "--statsd_hostport=127.0.0.1:8125"])
    check(r.returncode == 1 and "statsd_hostport" in r.stderr, "push exporters refused by name")
    r = run(["--logs", a])
    check(r.returncode == 1 and "--progs" in r.stderr, "no --progs is an error naming it")
    r = run(["--progs", progs, "--poll_interval=soon"])
    check(r.returncode == 1 and "poll_interval" in r.stderr, "a bad duration names its flag")
    r = run(["--progs", progs, "--logs", "tcp://nohost", "--one_shot"])
    check(r.returncode == 1 and "tcp://nohost" in r.stderr, "a bad socket spec names itself")
    r = run(["--version"])
    check(r.returncode == 0 and "omx-logtail" in r.stdout + r.stderr, "--version")
    if failures:
        print(open(os.path.join(tmp, "omx.log")).read()[-2000:])
        sys.exit(1)
finally:
    shutil.rmtree(tmp, ignore_errors=True)
