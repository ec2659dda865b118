#!/usr/bin/env python3
"""The same blackbox.yml and the same probes through Debian's
prometheus-blackbox-exporter (0.23) and omx-blackbox: for every case of
cases.txt the metric names, types and label names must match (values aside),
and probe_success must be the same. A case whose prober is not built in
omx-blackbox yet is skipped; known-differences.txt lists what 0.23 and 0.28
(our schema) expose differently.

usage: compat.py OMX_BLACKBOX [CASES [BLACKBOX_YML]]"""
import http.server
import os
import shutil
import socket
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "core"))
from bbtest import Exporter, free_port, parse_metrics, request, skip  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
GRPC = (None, None)
UPSTREAM = shutil.which("prometheus-blackbox-exporter")


class OkHandler(http.server.BaseHTTPRequestHandler):
    def _ok(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        body = b"ok\n"
        if self.path.startswith("/redirect"):  # /redirect -> /
            self.send_response(302)
            self.send_header("Location", "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_HEAD = _ok

    def log_message(self, *a):
        pass


class TcpBanner(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.sendall(b"SSH-2.0-compat\r\n")
        try:
            self.request.settimeout(2)
            data = self.request.recv(4096)
            if data:
                self.request.sendall(data)
        except OSError:
            pass


class Threaded(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


class TlsBanner(Threaded):
    """TcpBanner behind TLS, with a self-signed certificate made by openssl."""

    def __init__(self, addr, handler, certdir):
        super().__init__(addr, handler)
        cert, key = os.path.join(certdir, "cert.pem"), os.path.join(certdir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)

    def handle_error(self, request, client_address):
        pass  # probers that hang up mid-handshake or mid-banner are expected

    def get_request(self):
        sock, addr = super().get_request()
        sock.settimeout(5)
        try:
            return self.ctx.wrap_socket(sock, server_side=True), addr
        except (OSError, ssl.SSLError):
            sock.close()
            raise


class Dns(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        if len(data) < 12:
            return
        # the query back as a response: QR, RD+RA, NXDOMAIN, no answers
        reply = data[:2] + bytes([0x81, 0x83]) + data[4:6] + b"\0\0\0\0\0\0" + data[12:]
        sock.sendto(reply, self.client_address)


def https_server():
    """The OkHandler over TLS with a self-signed certificate for localhost."""
    import ssl
    import subprocess
    import tempfile
    d = tempfile.mkdtemp(prefix="bb-compat-")
    crt, key = os.path.join(d, "crt.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "30", "-subj",
                    "/O=omx/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", key, "-out", crt], check=True, capture_output=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    srv = Threaded(("127.0.0.1", 0), OkHandler)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    return srv


def grpc_server():
    """A gRPC health service answering SERVING (python3-grpcio), or None."""
    try:
        import grpc
        from concurrent import futures
    except ImportError:
        return None, None
    h = grpc.method_handlers_generic_handler("grpc.health.v1.Health", {
        "Check": grpc.unary_unary_rpc_method_handler(
            lambda req, ctx: bytes([0x08, 1]),  # HealthCheckResponse{status: SERVING}
            request_deserializer=lambda b: b, response_serializer=lambda b: b)})
    srv = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    srv.add_generic_rpc_handlers((h,))
    port = srv.add_insecure_port("127.0.0.1:0")
    srv.start()
    return srv, port


def start_servers(certdir):
    global GRPC
    GRPC = grpc_server()
    http_srv = Threaded(("127.0.0.1", 0), OkHandler)
    https_srv = https_server()
    tcp_srv = Threaded(("127.0.0.1", 0), TcpBanner)
    tls_srv = TlsBanner(("127.0.0.1", 0), TcpBanner, certdir)
    dns_srv = socketserver.ThreadingUDPServer(("127.0.0.1", 0), Dns)
    for s in (http_srv, https_srv, tcp_srv, tls_srv, dns_srv):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    return {
        "http": "127.0.0.1:%d" % http_srv.server_address[1],
        "https": "localhost:%d" % https_srv.server_address[1],
        "tcp": "127.0.0.1:%d" % tcp_srv.server_address[1],
        "tls": "127.0.0.1:%d" % tls_srv.server_address[1],
        "dns": "127.0.0.1:%d" % dns_srv.server_address[1],
        "closed": "127.0.0.1:%d" % free_port(),
        "grpc": "127.0.0.1:%d" % (GRPC[1] or free_port()),
    }, (http_srv, https_srv, tcp_srv, tls_srv, dns_srv)


def shape(text):
    """{name: (type, set of sorted label-name tuples)}"""
    return {name: (typ, {tuple(sorted(l)) for l, _ in series})
            for name, (typ, series) in parse_metrics(text).items()}


def success(text):
    series = parse_metrics(text).get("probe_success", ("", []))[1]
    return series[0][1] if series else None


def load_known():
    known = set()
    path = os.path.join(HERE, "known-differences.txt")
    if os.path.exists(path):
        for line in open(path):
            line = line.split("#", 1)[0].split()
            if len(line) >= 2:
                known.add((line[0], line[1]))  # (module or *, metric)
    return known


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    ours_bin = sys.argv[1]
    cases_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "cases.txt")
    config = sys.argv[3] if len(sys.argv) > 3 else os.path.join(HERE, "blackbox.yml")
    if not UPSTREAM:
        skip("prometheus-blackbox-exporter is not installed")
    certdir = tempfile.TemporaryDirectory()
    subst, servers = start_servers(certdir.name)
    known = load_known()
    cases = []
    for line in open(cases_path):
        line = line.split("#", 1)[0].split()
        if len(line) >= 2:
            cases.append((line[0], line[1].format(**subst), line[2].format(**subst) if len(line) > 2 else ""))

    up_port, our_port = free_port(), free_port()
    failed = passed = skipped = 0
    with Exporter([UPSTREAM, "--config.file=" + config,
                   "--web.listen-address=127.0.0.1:%d" % up_port], up_port) as up, \
         Exporter([ours_bin, "--config.file=" + config,
                   "--web.listen-address=127.0.0.1:%d" % our_port], our_port) as ours:
        for module, target, extra in cases:
            q = "/probe?module=%s&target=%s" % (module, urllib.parse.quote(target, safe=":/[]@"))
            if extra:
                q += "&" + extra
            st_u, _, body_u = up.get(q)
            st_o, _, body_o = ours.get(q)
            what = ("%s %s %s" % (module, target, extra)).strip()
            if st_o == 200 and "prober is not built" in ours.get(q + "&debug=true")[2]:
                print("SKIP %s: the prober is not built yet" % what)
                skipped += 1
                continue
            errs = []
            if st_u != st_o:
                errs.append("status %d (0.23) vs %d (ours)" % (st_u, st_o))
            su, so = shape(body_u), shape(body_o)
            for name in sorted(set(su) | set(so)):
                if (module, name) in known or ("*", name) in known:
                    continue
                if name not in so:
                    errs.append("missing %s %s %s" % (name, su[name][0], sorted(su[name][1])))
                elif name not in su:
                    errs.append("extra %s %s %s" % (name, so[name][0], sorted(so[name][1])))
                elif su[name] != so[name]:
                    errs.append("%s: 0.23 %s %s, ours %s %s" % (name, su[name][0], sorted(su[name][1]),
                                                                so[name][0], sorted(so[name][1])))
            if success(body_u) != success(body_o):
                errs.append("probe_success %s (0.23) vs %s (ours)" % (success(body_u), success(body_o)))
            if errs:
                failed += 1
                print("FAIL %s:\n  %s" % (what, "\n  ".join(errs)))
            else:
                passed += 1
                print("ok   %s" % what)
        # /metrics: the blackbox_* families both have (ours adds two, documented)
        ours_only = {"blackbox_exporter_probes_rejected_total", "blackbox_exporter_probes_in_flight"}
        su = {k: v for k, v in shape(up.get("/metrics")[2]).items() if k.startswith("blackbox_")}
        so = {k: v for k, v in shape(ours.get("/metrics")[2]).items()
              if k.startswith("blackbox_") and k not in ours_only}
        if su != so:
            failed += 1
            print("FAIL /metrics blackbox_*: 0.23 %s\n  ours %s" % (sorted(su.items()), sorted(so.items())))
        else:
            passed += 1
            print("ok   /metrics blackbox_* families")
    for s in servers:
        s.shutdown()
    certdir.cleanup()
    print("compat: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
    if failed:
        return 1
    return 0 if passed else 77


if __name__ == "__main__":
    sys.exit(main())
