#!/usr/bin/python3
"""omx-node's CPU per scrape against its floor.

The floor is what a scrape cannot cost less than: the same system calls
omx-node makes (files read, directories listed, netlink dumps, statfs...), with
nothing done with the bytes, plus serving the answer at the least it costs: a
keep-alive request read from a loopback TCP connection and the same number of
bytes written back in one go. The floor without serving is printed beside it. It is recorded from one scrape of a running
omx-node (strace -ff, after warm-up scrapes so fds kept between scrapes are
kept here too) and replayed by node-floor, which times its own CPU.

usage: floor.py OMX_NODE NODE_FLOOR [omx-node flags...]
Prints
  bench node/cpu-vs-floor: ours <ms> ms; floor <ms> ms; <r>x of the floor (goal <= 1.5x)
  bench node/cpu-vs-reads: ours <ms> ms; reads only <ms> ms; <r>x
and the floor's make-up (calls by kind) on stderr.
"""
import glob
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from scrapecpu import cpu_per_scrape, free_port

# Status line and headers omx-node sends before the body (Content-Type, Date...).
HEADER_BYTES = 200
ROUNDS = int(os.environ.get("BENCH_FLOOR_ROUNDS", "3"))
SCRAPES = int(os.environ.get("BENCH_FLOOR_SCRAPES", "1500"))
NL_PROTO = {"NETLINK_ROUTE": 0, "NETLINK_SOCK_DIAG": 4, "NETLINK_GENERIC": 16}
NL_TYPE = {"RTM_GETLINK": 18, "RTM_GETADDR": 22, "SOCK_DIAG_BY_FAMILY": 20}
NL_FLAG = {"NLM_F_REQUEST": 1, "NLM_F_ROOT": 0x100, "NLM_F_MATCH": 0x200, "NLM_F_DUMP": 0x300,
           "NLM_F_ACK": 4}




def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as r:
        return r.read()






def nl_request(args):
    """The bytes of a netlink request as strace -xx shows it."""
    m = re.search(r"nlmsg_len=(\d+), nlmsg_type=([A-Za-z_0-9]+)[^,]*, nlmsg_flags=([^,]+), "
                  r"nlmsg_seq=(\d+), nlmsg_pid=(\d+)\}, \"((?:\\x[0-9a-f]{2})*)\"", args)
    if not m:
        return None
    ln, typ, flags, seq, pid, payload = m.groups()
    t = int(typ, 0) if typ.startswith("0x") or typ.isdigit() else NL_TYPE.get(typ)
    if t is None:
        return None
    fl = 0
    for part in flags.split("|"):
        part = part.strip()
        fl |= int(part, 0) if part[0].isdigit() else NL_FLAG.get(part, 0)
    body = bytes(int(h, 16) for h in re.findall(r"\\x([0-9a-f]{2})", payload))
    hdr = int(ln).to_bytes(4, "little") + t.to_bytes(2, "little") + fl.to_bytes(2, "little") + \
        int(seq).to_bytes(4, "little") + int(pid).to_bytes(4, "little")
    req = hdr + body
    return req if len(req) == int(ln) else None


LINE = re.compile(r"^(\w+)\((.*)\)\s+= (-?\d+|\?)")


def convert(files, fdmap, omx_pid):
    """ops for node-floor from the per-thread strace files."""
    ops, kept, counts = [], {}, {}
    paths = {}     # recorded fd -> path, for fds opened in the window
    netlink = set()
    unix = set()
    last_recv = None

    def add(op, kind):
        ops.append(op)
        counts[kind] = counts.get(kind, 0) + 1

    def fd_known(fd):
        if fd in paths or fd in netlink or fd in unix:
            return True
        path = fdmap.get(fd, "")
        if path.startswith("/"):
            kept[fd] = path.replace(f"/proc/{omx_pid}/", "/proc/self/")
            paths[fd] = kept[fd]
            return True
        return False

    for f in files:
        for line in open(f, encoding="utf-8", errors="replace"):
            m = LINE.match(line)
            if not m:
                continue
            call, args, ret = m.groups()
            first = args.split(",", 1)[0].strip()
            if call != "recvfrom":
                last_recv = None
            if call == "openat":
                pm = re.match(r'(AT_FDCWD|\d+), "((?:[^"\\]|\\.)*)", ([A-Z_|]+)', args)
                if not pm:
                    continue
                base = "" if pm.group(1) == "AT_FDCWD" else paths.get(int(pm.group(1)), "")
                path = pm.group(2) if pm.group(2).startswith("/") or not base else base + "/" + pm.group(2)
                kind = "d" if "O_DIRECTORY" in pm.group(3) else "r"
                fd = int(ret)
                if fd < 0:
                    add(f"open 4095 {kind} {path}", "open")
                    add("close 4095", "close")
                else:
                    paths[fd] = path
                    add(f"open {fd} {kind} {path}", "open")
            elif call in ("read", "pread64", "getdents64"):
                fd = int(first)
                if not fd_known(fd) or fd in netlink or fd in unix:
                    continue
                nums = re.findall(r", (\d+)(?=,|$)", args)
                if call == "pread64":
                    add(f"pread {fd} {nums[-2]} {nums[-1]}", "pread")
                elif call == "read":
                    add(f"read {fd} {nums[-1]}", "read")
                else:
                    add(f"getdents {fd} {nums[-1]}", "getdents")
            elif call == "newfstatat":
                if '""' in args and "AT_EMPTY_PATH" in args:
                    fd = int(first)
                    if fd_known(fd):
                        add(f"fstat {fd}", "fstat")
                else:
                    pm = re.match(r'AT_FDCWD, "((?:[^"\\]|\\.)*)"', args)
                    if pm:
                        add(f"stat {pm.group(1)}", "stat")
            elif call == "fstat":
                fd = int(first)
                if fd_known(fd):
                    add(f"fstat {fd}", "fstat")
            elif call == "access":
                pm = re.match(r'"((?:[^"\\]|\\.)*)"', args)
                if pm:
                    add(f"access {pm.group(1)}", "access")
            elif call == "statfs":
                pm = re.match(r'"((?:[^"\\]|\\.)*)"', args)
                if pm:
                    add(f"statfs {pm.group(1)}", "statfs")
            elif call == "uname":
                add("uname", "uname")
            elif call in ("clock_adjtime", "adjtimex"):
                add("adjtimex", "adjtimex")
            elif call == "socket":
                fd = int(ret)
                if fd < 0:
                    continue
                if "AF_NETLINK" in args:
                    proto = args.rsplit(",", 1)[1].strip()
                    netlink.add(fd)
                    add(f"nlsock {fd} {NL_PROTO.get(proto, proto)}", "netlink socket")
                elif "AF_UNIX" in args:
                    unix.add(fd)
            elif call == "connect":
                fd = int(first)
                pm = re.search(r'sun_path="((?:[^"\\]|\\.)*)"', args)
                if fd in unix and pm:
                    add(f"unixconnect {fd} {pm.group(1)}", "unix connect")
            elif call == "sendto":
                fd = int(first)
                if fd in netlink:
                    req = nl_request(args)
                    if req is None:
                        sys.exit(f"floor: cannot rebuild the netlink request of: {line.strip()}")
                    add(f"nlsend {fd} {req.hex()}", "netlink dump")
            elif call == "recvfrom":
                fd = int(first)
                if fd in netlink and last_recv != fd:
                    add(f"nlrecv {fd}", "netlink recv")
                    last_recv = fd
            elif call == "close":
                fd = int(first)
                if fd in paths or fd in netlink or fd in unix:
                    add(f"close {fd}", "close")
                    paths.pop(fd, None)
                    netlink.discard(fd)
                    unix.discard(fd)
    keeps = [f"keep {fd} {p}" for fd, p in sorted(kept.items())]
    return keeps + ops, counts, len(kept)


def record(omx, args, tmp):
    port = free_port()
    p = subprocess.Popen([omx, f"--web.listen-address=127.0.0.1:{port}", "--log.level=error"] + args,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                scrape(port)
                break
            except OSError:
                time.sleep(0.05)
        for _ in range(3):
            scrape(port)
        prefix = os.path.join(tmp, "trace")
        st = subprocess.Popen(["strace", "-ff", "-qq", "-xx", "-s", "65536", "-o", prefix,
                               "-p", str(p.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)  # attached to every thread
        body = scrape(port)
        time.sleep(0.3)
        fdmap = {}
        for fd in os.listdir(f"/proc/{p.pid}/fd"):
            try:
                fdmap[int(fd)] = os.readlink(f"/proc/{p.pid}/fd/{fd}")
            except OSError:
                pass
        st.terminate()
        st.wait()
        files = sorted(glob.glob(prefix + ".*"))
        # the connection thread (it read the request) first, then the others
        files.sort(key=lambda f: 0 if "GET /metrics" in open(f, errors="replace").read() else 1)
        return convert(files, fdmap, p.pid) + (len(body),)
    finally:
        p.terminate()
        p.wait()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    omx, floor = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    if not shutil.which("strace"):
        print("bench node/cpu-vs-floor: skipped (no strace)")
        return 0
    for b in (omx, floor):
        if not os.access(b, os.X_OK):
            sys.exit(f"floor: {b} not built")
    with tempfile.TemporaryDirectory() as tmp:
        ops, counts, n_kept, size = record(omx, args, tmp)
        opsfile = os.path.join(tmp, "ops")
        with open(opsfile, "w") as f:
            f.write("\n".join(ops) + "\n")
        print("floor: one scrape (%d bytes) = %s; %d fds kept between scrapes" % (
            size, ", ".join(f"{v} {k}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])),
            n_kept), file=sys.stderr)
        port = free_port()
        p = subprocess.Popen([omx, f"--web.listen-address=127.0.0.1:{port}", "--log.level=error"] + args,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    scrape(port)
                    break
                except OSError:
                    time.sleep(0.05)
            ours, user, fl, reads = [], [], [], []
            for _ in range(ROUNDS):
                u, sy = cpu_per_scrape(port, p.pid, SCRAPES, who="floor")
                ours.append(u + sy)
                user.append(u)
                out = subprocess.run([floor, opsfile, str(SCRAPES)], capture_output=True,
                                     text=True, check=True).stdout
                reads.append(int(out.split()[1]) / 1e6)
                out = subprocess.run([floor, opsfile, str(SCRAPES), str(size + HEADER_BYTES)],
                                     capture_output=True, text=True, check=True).stdout
                fl.append(int(out.split()[1]) / 1e6)
        finally:
            p.terminate()
            p.wait()
    o, f, u = statistics.median(ours), statistics.median(fl), statistics.median(user)
    r = statistics.median(reads)
    print(f"floor: ours = {u:.3f} ms user + {o - u:.3f} ms system", file=sys.stderr)
    print(f"bench node/cpu-vs-floor: ours {o:.3f} ms; floor {f:.3f} ms; {o / f:.2f}x of the floor "
          f"(reads + serving {size} bytes; goal <= 1.5x; median of {ROUNDS} rounds of {SCRAPES} "
          f"scrapes)")
    print(f"bench node/cpu-vs-reads: ours {o:.3f} ms; reads only {r:.3f} ms; {o / r:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
