"""What the dns tests share: nsd serving a zone the test writes, waited for by
a query, and a self-signed certificate for DNS over TLS servers."""
import os
import shutil
import socket
import subprocess
import time

# SOA example.test.
_QUERY = bytes.fromhex("abcd01000001000000000000") + b"\x07example\x04test\x00\x00\x06\x00\x01"


def find_nsd():
    """nsd's path, or None when it is not installed."""
    return shutil.which("nsd") or ("/usr/sbin/nsd" if os.path.exists("/usr/sbin/nsd") else None)


def wait_udp(host, port, secs=15):
    """True once a DNS server on host:port answers a query over udp."""
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        with socket.socket(fam, socket.SOCK_DGRAM) as s:
            s.settimeout(0.2)
            try:
                s.sendto(_QUERY, (host, port))
                if s.recv(512):
                    return True
            except OSError:
                time.sleep(0.1)
    return False


def start_nsd(nsd, tmp, zone, conf, port):
    """Writes zone (example.test.zone) and conf (formatted with port and dir)
    into tmp and starts nsd in the foreground; returns the process, or None
    (stopped again) when it does not answer on 127.0.0.1:port."""
    with open(os.path.join(tmp, "example.test.zone"), "w") as f:
        f.write(zone)
    with open(os.path.join(tmp, "nsd.conf"), "w") as f:
        f.write(conf.format(port=port, dir=tmp))
    p = subprocess.Popen([nsd, "-d", "-c", os.path.join(tmp, "nsd.conf")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if wait_udp("127.0.0.1", port):
        return p
    p.terminate()
    p.wait(10)
    return None


def self_signed(tmp, cn, san=None):
    """(cert, key) paths in tmp of a P-256 certificate for cn made by openssl,
    valid two days, with subjectAltName san when given."""
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=" + cn] +
                   (["-addext", "subjectAltName=" + san] if san else []),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key
