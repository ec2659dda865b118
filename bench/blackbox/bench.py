#!/usr/bin/python3
"""omx-blackbox vs Debian's prometheus-blackbox-exporter, one after the other
in the same run, with the same blackbox.yml against the same fast local target
(bb-bench-target): `wrk -t2 -c8` on /probe for the http, tcp and icmp modules,
and https against bb-bench-tls-target (a full handshake per probe, the
certificate verified by both exporters): `https` with the system trust
(the exporters run in a private mount namespace where
/etc/ssl/certs/ca-certificates.crt is the system bundle plus the bench's
root; skipped when mounts are refused), `https-ca` with a ca_file holding
the root alone.

Prints one line per case:
  bench blackbox/<case>: ours <v> <unit>; blackbox_exporter <v> <unit>; <ratio>x
ratio = how many times better ours is (ours/peer for rates, peer/ours for memory).
Each case starts its own exporter with a config holding that case's module
alone (omx-blackbox maps a prober's libraries only when a module uses it), and
memory is taken right after the load: RSS, and PSS (shared libraries counted
by their share; the peer is one static binary, so its PSS is its RSS).
Every round runs both exporters; the median of ROUNDS rounds is printed. A
probe that fails under load is counted (`<case>-failed`); a run where every
probe of ours fails says so (the prober may not be built yet).

BENCH_BLACKBOX_CASES (comma-separated, e.g. "https") runs only those cases.

usage: bench.py OMX_BLACKBOX BB_BENCH_TARGET [BB_BENCH_TLS_TARGET]"""
import datetime
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROUNDS = int(os.environ.get("BENCH_BLACKBOX_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_BLACKBOX_SECONDS", "3"))
MODULES = {
    "http_2xx": "  http_2xx:\n    prober: http\n    timeout: 5s\n",
    "tcp_connect": "  tcp_connect:\n    prober: tcp\n    timeout: 5s\n",
    "http_2xx_tls": "  http_2xx_tls:\n    prober: http\n    timeout: 5s\n",
    "http_2xx_tls_ca": "  http_2xx_tls_ca:\n    prober: http\n    timeout: 5s\n    http:\n"
                       "      tls_config:\n        ca_file: %(ca)s\n",
    "icmp": "  icmp:\n    prober: icmp\n    timeout: 5s\n    icmp:\n      preferred_ip_protocol: ip4\n",
}


def make_certs(tmp):
    """A root CA and a leaf for 127.0.0.1 it signed (ECDSA P-256); the paths
    of the root, the leaf and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress
    now = datetime.datetime.now(datetime.timezone.utc)

    def cert(cn, key, issuer=None, issuer_key=None, ca=False):
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
        b = (x509.CertificateBuilder().subject_name(name)
             .issuer_name(issuer.subject if issuer else name).public_key(key.public_key())
             .serial_number(x509.random_serial_number())
             .not_valid_before(now - datetime.timedelta(days=1))
             .not_valid_after(now + datetime.timedelta(days=30))
             .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if not ca:
            b = b.add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        return b.sign(issuer_key or key, hashes.SHA256())
    root_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root = cert("bench root", root_key, ca=True)
    leaf = cert("127.0.0.1", leaf_key, root, root_key)
    paths = [os.path.join(tmp, n) for n in ("root.pem", "leaf.pem", "leaf.key")]
    for path, data in zip(paths, (root.public_bytes(serialization.Encoding.PEM),
                                  leaf.public_bytes(serialization.Encoding.PEM),
                                  leaf_key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))):
        with open(path, "wb") as f:
            f.write(data)
    return paths


SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def system_trust_wrapper(tmp, ca):
    """argv prefix running a command with the bench root added to the system
    bundle (private mount namespace), or None when that is refused."""
    bundle = os.path.join(tmp, "system-plus-root.pem")
    with open(bundle, "w") as out, open(SYSTEM_BUNDLE) as sysb, open(ca) as root:
        out.write(sysb.read() + root.read())
    argv = ["unshare", "-m", "sh", "-c", 'mount --bind "$0" %s && exec "$@"' % SYSTEM_BUNDLE, bundle]
    try:
        ok = subprocess.run(argv + ["true"], capture_output=True).returncode == 0
    except OSError:
        ok = False
    return argv if ok else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(port, proc):
    for _ in range(200):
        if proc.poll() is not None:
            raise RuntimeError("exporter exited with %d" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("exporter did not listen")


def rss_mb(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0]) / 1024.0
    with open("/proc/%d/smaps_rollup" % pid) as f:  # shared libraries count by their share
        for line in f:
            k, _, v = line.partition(":")
            if k == "Pss":
                out["Pss"] = int(v.split()[0]) / 1024.0
    return out


def wrk(url, seconds):
    r = subprocess.run(["wrk", "-t2", "-c8", "-d%ds" % seconds, "-s", os.path.join(HERE, "count.lua"), url],
                       capture_output=True, text=True)
    rps = re.search(r"Requests/sec:\s*([0-9.]+)", r.stdout)
    cnt = re.search(r"probes ok=(\d+) failed=(\d+) non200=(\d+)", r.stdout)
    if not rps or not cnt:
        raise RuntimeError("wrk output: " + r.stdout + r.stderr)
    ok, failed, non200 = (int(x) for x in cnt.groups())
    return float(rps.group(1)), ok, failed + non200


def run_one(argv, port, name, query):
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_up(port, proc)
        url = "http://127.0.0.1:%d/probe?%s" % (port, query)
        wrk(url, 1)  # warm up
        rps, ok, bad = wrk(url, SECONDS)
        return rps, ok, bad, rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)


def main():
    ours_bin, target_bin = sys.argv[1], sys.argv[2]
    tls_target_bin = sys.argv[3] if len(sys.argv) > 3 else None
    peer_bin = shutil.which("prometheus-blackbox-exporter")
    if not shutil.which("wrk"):
        print("bench blackbox: wrk missing", file=sys.stderr)
        return 1
    if not peer_bin:
        print("bench blackbox: prometheus-blackbox-exporter missing", file=sys.stderr)
        return 1
    tmp = tempfile.mkdtemp(prefix="bb-bench-")
    configs = {}
    ca, leaf, leaf_key = make_certs(tmp)
    for module, text in MODULES.items():
        configs[module] = os.path.join(tmp, module + ".yml")
        with open(configs[module], "w") as f:
            f.write("modules:\n" + text % {"ca": ca})
    tport, sport = free_port(), free_port()
    target = subprocess.Popen([target_bin, str(tport)])
    tls_target = subprocess.Popen([tls_target_bin, str(sport), leaf, leaf_key]) if tls_target_bin else None
    time.sleep(0.2)
    cases = [("http", "module=http_2xx&target=http://127.0.0.1:%d/" % tport),
             ("tcp", "module=tcp_connect&target=127.0.0.1:%d" % tport),
             ("icmp", "module=icmp&target=127.0.0.1")]
    wrap = system_trust_wrapper(tmp, ca) if tls_target and os.path.exists(SYSTEM_BUNDLE) else None
    if tls_target and wrap:
        cases.append(("https", "module=http_2xx_tls&target=https://127.0.0.1:%d/" % sport))
    elif tls_target:
        print("bench blackbox/https: skipped, no private mount namespace for the system trust",
              file=sys.stderr)
    if tls_target:
        cases.append(("https-ca", "module=http_2xx_tls_ca&target=https://127.0.0.1:%d/" % sport))
    only = [c for c in os.environ.get("BENCH_BLACKBOX_CASES", "").split(",") if c]
    if only:
        cases = [c for c in cases if c[0] in only]
    rounds = {"ours": [], "peer": []}
    try:
        for _ in range(ROUNDS):
            for who, binary in (("ours", ours_bin), ("peer", peer_bin)):
                res = {}
                for name, query in cases:
                    port = free_port()
                    cfg = configs[re.search(r"module=([^&]+)", query).group(1)]
                    res[name] = run_one((wrap if name == "https" else []) + [binary, "--config.file=" + cfg,
                                         "--web.listen-address=127.0.0.1:%d" % port], port, name,
                                        query)
                rounds[who].append(res)
    finally:
        target.terminate()
        target.wait()
        if tls_target:
            tls_target.terminate()
            tls_target.wait()
        shutil.rmtree(tmp, ignore_errors=True)

    def med(who, name, f):
        return statistics.median(f(r[name]) for r in rounds[who])

    for name, _ in cases:
        o_ok = sum(r[name][1] for r in rounds["ours"])
        o_bad = sum(r[name][2] for r in rounds["ours"])
        p_ok = sum(r[name][1] for r in rounds["peer"])
        p_bad = sum(r[name][2] for r in rounds["peer"])
        # probes/s counts answered probes that succeeded
        o_rate = med("ours", name, lambda x: x[0] * x[1] / max(1, x[1] + x[2]))
        p_rate = med("peer", name, lambda x: x[0] * x[1] / max(1, x[1] + x[2]))
        o_rss = med("ours", name, lambda x: x[3]["VmRSS"])
        p_rss = med("peer", name, lambda x: x[3]["VmRSS"])
        o_pss = med("ours", name, lambda x: x[3]["Pss"])
        p_pss = med("peer", name, lambda x: x[3]["Pss"])
        o_ans = med("ours", name, lambda x: x[0])
        note = "" if o_ok else (" (every probe of ours failed: is the %s prober built? %.0f answers/s)"
                                % (name, o_ans))
        print("bench blackbox/%s-probes: ours %.0f probes/s; blackbox_exporter %.0f probes/s; %.2fx%s"
              % (name, o_rate, p_rate, o_rate / p_rate if p_rate else 0, note))
        print("bench blackbox/%s-rss: ours %.1f MB; blackbox_exporter %.1f MB; %.2fx"
              % (name, o_rss, p_rss, p_rss / o_rss if o_rss else 0))
        print("bench blackbox/%s-pss: ours %.1f MB; blackbox_exporter %.1f MB; %.2fx"
              % (name, o_pss, p_pss, p_pss / o_pss if o_pss else 0))
        print("bench blackbox/%s-failed: ours %d of %d; blackbox_exporter %d of %d"
              % (name, o_bad, o_ok + o_bad, p_bad, p_ok + p_bad))
    return 0


if __name__ == "__main__":
    sys.exit(main())
