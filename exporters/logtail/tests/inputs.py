"""omx-logtail's inputs end to end, through logtail-lines (the input loop that
prints what it reads): tcp/udp/unix sockets, named pipes, stdin, the journal
(a journal file made by systemd-journal-remote, tail and one-shot, the cursor
kept in the state file across a restart), and hostile input: binary bytes,
invalid UTF-8, CRLF, a 100 MB line (cut at the cap) that does not stall
another source, a file that vanishes and one that loses read permission."""
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ltutil  # noqa: E402

if not os.access(ltutil.LINES, os.X_OK):
    ltutil.skip(ltutil.LINES + " not built")

failures = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failures.append(what)


class Lines:
    """logtail-lines in tail mode; lines collected as (source, bytes)."""

    def __init__(self, args, user=None, stdin=None):
        cmd = [ltutil.LINES] + args
        if user:
            cmd = ["setpriv", "--reuid=" + user, "--regid=nogroup", "--clear-groups"] + cmd
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  stdin=stdin)
        self.lines = []
        self.err = b""
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()
        time.sleep(0.4)

    def _read(self):
        out = self.p.stdout
        while True:
            head = b""
            while not head.endswith(b"\t") or head.count(b"\t") < 2:
                c = out.read(1)
                if not c:
                    return
                head += c
            src, n, _ = head.split(b"\t", 2)
            body = out.read(int(n))
            out.read(1)
            with self.lock:
                self.lines.append((src.decode(errors="replace"), body))

    def _read_err(self):
        for line in self.p.stderr:
            self.err += line

    def wait(self, n, timeout=15):
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                if len(self.lines) >= n:
                    return list(self.lines)
            time.sleep(0.02)
        with self.lock:
            return list(self.lines)

    def stop(self):
        self.p.terminate()
        self.p.wait(10)
        time.sleep(0.1)
        return self.err.decode(errors="replace")


tmp = tempfile.mkdtemp(prefix="lt-inputs-")
os.chmod(tmp, 0o755)
try:
    # --- sockets: tcp, udp, unix stream, unixgram
    tport, uport = ltutil.free_port(), ltutil.free_port()
    usock = os.path.join(tmp, "s.sock")
    gsock = os.path.join(tmp, "g.sock")
    L = Lines(["tcp://127.0.0.1:%d" % tport, "udp://127.0.0.1:%d" % uport,
               "unix://" + usock, "unixgram://" + gsock])
    c = socket.create_connection(("127.0.0.1", tport))
    c.sendall(b"<34>Oct 11 22:14:15 host su: tcp one\r\ntcp two\n")
    c.close()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(b"<13>udp line", ("127.0.0.1", uport))
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(usock)
    s.sendall(b"unix line\n")
    s.close()
    g = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    g.sendto(b"gram line\n", gsock)
    got = L.wait(5)
    L.stop()
    texts = sorted(b for _, b in got)
    check(texts == sorted([b"<34>Oct 11 22:14:15 host su: tcp one", b"tcp two", b"<13>udp line",
                           b"unix line", b"gram line"]), "sockets: tcp, udp, unix, unixgram lines")
    check(not os.path.exists(usock), "unix socket path removed at the end")

    # --- a named pipe, two writers one after the other; stdin
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    r, w = os.pipe()
    L = Lines([fifo, "-"], stdin=r)
    for k in range(2):
        with open(fifo, "w") as f:
            f.write("pipe %d\n" % k)
        time.sleep(0.2)
    os.write(w, b"from stdin\n")
    os.close(w)
    got = L.wait(3)
    L.stop()
    check(sorted(b for _, b in got) == [b"from stdin", b"pipe 0", b"pipe 1"],
          "named pipe reopened after its writer closed; stdin read")

    # --- hostile: binary, invalid UTF-8, CRLF, a 100 MB line, another file meanwhile
    hostile = os.path.join(tmp, "hostile.log")
    other = os.path.join(tmp, "other.log")
    for p in (hostile, other):
        open(p, "w").close()
    L = Lines(["--max-line", "65536", hostile, other])
    with open(hostile, "ab") as f:
        f.write(b"\x00\x01\x02bin\xff\xfe\n")
        f.write(b"bad utf8 \xc3\x28 \xed\xa0\x80\n")
        f.write(b"crlf\r\n")
    big = threading.Thread(target=lambda: open(hostile, "ab").write(b"y" * (100 << 20) + b"\nafter big\n"))
    big.start()
    with open(other, "a") as f:
        for i in range(100):
            f.write("other %d\n" % i)
            f.flush()
            time.sleep(0.005)
    big.join()
    got = L.wait(3 + 1 + 1 + 100)
    L.stop()
    mine = [b for s_, b in got if s_ == hostile]
    check(mine[:3] == [b"\x00\x01\x02bin\xff\xfe", b"bad utf8 \xc3\x28 \xed\xa0\x80", b"crlf"],
          "binary, invalid UTF-8 and CRLF lines handed on (\\r dropped)")
    check(len(mine) == 5 and len(mine[3]) == 65536 and mine[4] == b"after big",
          "a 100 MB line cut at the 64 KiB cap, the next line whole")
    check(len([1 for s_, _ in got if s_ == other]) == 100, "the other file read meanwhile")

    # --- a file that vanishes, one that loses read permission (reader runs as nobody)
    if pwd.getpwnam("nobody") and shutil.which("setpriv"):
        va = os.path.join(tmp, "vanish.log")
        pe = os.path.join(tmp, "perm.log")
        for p in (va, pe):
            with open(p, "w") as f:
                pass
            os.chmod(p, 0o644)
        L = Lines([va, pe], user="nobody")
        with open(va, "a") as f:
            f.write("before vanishing\n")
        time.sleep(0.3)
        os.unlink(va)
        with open(pe, "a") as f:
            f.write("readable\n")
        time.sleep(0.3)
        os.rename(pe, pe + ".1")  # rotated; the new file is not readable for the reader
        fd = os.open(pe, os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, b"secret for a while\n")
        os.close(fd)
        time.sleep(0.5)
        os.chmod(pe, 0o644)
        with open(va, "w") as f:
            f.write("back again\n")
        os.chmod(va, 0o644)
        got = L.wait(4)
        err = L.stop()
        texts = [b for _, b in got]
        check(texts[:2] == [b"before vanishing", b"readable"] and
              sorted(texts[2:]) == [b"back again", b"secret for a while"],
              "vanished file followed again, unreadable file read once permitted: %r" % texts)
        check("cannot open log file" in err and "Permission denied" in err,
              "the permission failure is reported")
    else:
        print("note: no nobody user or setpriv: permission case left out")

    # --- the journal: a journal file written by systemd-journal-remote
    remote = "/lib/systemd/systemd-journal-remote"
    if not os.access(remote, os.X_OK):
        print("SKIP: journal cases: systemd-journal-remote not installed "
              "(package systemd-journal-remote)")
    else:
        jdir = os.path.join(tmp, "journal")
        os.mkdir(jdir)

        def journal_write(name, entries):
            t = int(time.time() * 1e6)
            text = ""
            for i, (unit, msg) in enumerate(entries):
                text += ("__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n"
                         "_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=testhost\n"
                         "SYSLOG_IDENTIFIER=%s\n_PID=42\n_SYSTEMD_UNIT=%s.service\n"
                         "MESSAGE=%s\n\n" % (t + i, t + i, unit, unit, msg))
            exp = os.path.join(tmp, name + ".export")
            with open(exp, "w") as f:
                f.write(text)
            subprocess.run([remote, "-o", os.path.join(jdir, name + ".journal"), exp],
                           check=True, stderr=subprocess.DEVNULL)

        journal_write("a", [("nginx", "GET / 200"), ("cron", "job ran"), ("nginx", "GET /x 404")])
        out = subprocess.run([ltutil.LINES, "--one-shot", "--journal-dir", jdir, "--journal",
                              "_SYSTEMD_UNIT=nginx.service"], capture_output=True, check=True)
        lines = out.stdout.decode().splitlines()
        check(len(lines) == 2 and lines[0].endswith("testhost nginx[42]: GET / 200") and
              lines[0].startswith("journal\t"),
              "journal one-shot with a match, syslog's short form: %r" % lines)
        state = os.path.join(tmp, "state")
        args = ["--state", state, "--message-only", "--journal-dir", jdir,
                "--journal", "_SYSTEMD_UNIT=nginx.service"]
        L = Lines(args)
        journal_write("b", [("nginx", "tail one"), ("cron", "not this")])
        got = L.wait(1)
        L.stop()
        check([b for _, b in got] == [b"tail one"], "journal tail: only new matching entries")
        journal_write("c", [("nginx", "while stopped")])
        L = Lines(args)
        got = L.wait(1)
        time.sleep(0.3)
        L.stop()
        check([b for _, b in got] == [b"while stopped"],
              "journal restart goes on from the saved cursor: %r" % [b for _, b in got])
    if failures:
        sys.exit(1)
finally:
    shutil.rmtree(tmp, ignore_errors=True)
