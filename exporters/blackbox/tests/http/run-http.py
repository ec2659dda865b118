#!/usr/bin/python3
"""The http prober against servers started here on 127.0.0.1 and ::1: plain
and TLS (valid, expired, wrong host, missing intermediate, garbage), redirects,
status and version checks, regexes, auth, proxy, compression, and hostile
targets (hanging, trickling, 1 GB bodies, endless headers). Each case runs
bb-probe-one (argv[1]) with a module section and checks the metric values."""

import datetime
import gzip
import http.server
import os
import socket
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import zlib

try:
    import brotli
except ImportError:
    brotli = None
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "core"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../testkit/python"))
from omxtest import free_port, tcp_responder, wait_port  # noqa: E402
from probeone import check, finish, pin_ip4  # noqa: E402

PROBE = sys.argv[1]
EXPORTER = sys.argv[2] if len(sys.argv) > 2 else None  # omx-blackbox, for the allow-list
TMP = tempfile.mkdtemp(prefix="bb-http-")

# ---- certificates ----

NOW = datetime.datetime.now(datetime.timezone.utc)


def make_cert(cn, issuer=None, issuer_key=None, ca=False, sans=(), days=(-1, 365), org=None):
    key = ec.generate_private_key(ec.SECP256R1())
    attrs = []
    if org:
        attrs.append(x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"))
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    name = x509.Name(attrs)
    b = (x509.CertificateBuilder().subject_name(name)
         .issuer_name(issuer.subject if issuer else name)
         .public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(NOW + datetime.timedelta(days=days[0]))
         .not_valid_after(NOW + datetime.timedelta(days=days[1]))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if sans:
        alt = []
        for s in sans:
            if s[0].isdigit() or ":" in s:
                import ipaddress
                alt.append(x509.IPAddress(ipaddress.ip_address(s)))
            else:
                alt.append(x509.DNSName(s))
        b = b.add_extension(x509.SubjectAlternativeName(alt), critical=False)
    cert = b.sign(issuer_key or key, hashes.SHA256())
    return cert, key


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def write(name, text):
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


root, root_key = make_cert("omx test root", ca=True, days=(-1, 3650), org="omx")
inter, inter_key = make_cert("omx test intermediate", root, root_key, ca=True, days=(-1, 1000),
                             org="omx")
LOCAL_SANS = ("localhost", "127.0.0.1", "::1")
leaf, leaf_key = make_cert("localhost", inter, inter_key, sans=LOCAL_SANS, days=(-1, 90))
expired, expired_key = make_cert("localhost", inter, inter_key, sans=LOCAL_SANS, days=(-30, -1))
wrong, wrong_key = make_cert("other.example", inter, inter_key, sans=("other.example",))
CA = write("ca.pem", pem(root))


def ctx_for(cert, key, chain=True, http2=False):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    certfile = write("srv-%d.pem" % id(cert), pem(cert) + (pem(inter) if chain else ""))
    keyfile = write("srv-%d.key" % id(cert), key_pem(key))
    c.load_cert_chain(certfile, keyfile)
    return c


# ---- servers ----

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(n)
        if self.path == "/token":
            auth = self.headers.get("Authorization", "")
            import base64
            ok = auth == "Basic " + base64.b64encode(b"cid:csecret").decode()
            form = data.decode()
            if ok and "grant_type=client_credentials" in form and "scope=a+b" in form:
                return self.send(200, b'{"access_token":"tok123","token_type":"bearer"}',
                                 [("Content-Type", "application/json")])
            return self.send(401, b"{}")
        self.do_GET(data)

    do_PUT = do_POST

    def do_GET(self, data=None):
        p = self.path
        if p.startswith("http://"):  # a proxy request (absolute form)
            return self.send(200, b"via proxy " + p.encode(),
                             [("X-Proxied", "1"), ("X-Proxy-Auth", self.headers.get(
                                 "Proxy-Authorization", ""))])
        if p == "/ok":
            return self.send(200, b"hello world", [("Last-Modified",
                                                    "Wed, 21 Oct 2015 07:28:00 GMT"),
                                                   ("X-Test", "alpha"), ("X-Test", "beta")])
        if p.startswith("/status/"):
            return self.send(int(p[8:]), b"status")
        if p.startswith("/redirect/"):
            n = int(p[10:])
            return self.send(302, b"", [("Location", "/redirect/%d" % (n - 1) if n > 1 else "/ok")])
        if p == "/to-v6":
            return self.send(302, b"", [("Location", "http://[::1]:%d/ok" % HTTP6)])
        if p == "/set-cookie":
            return self.send(302, b"", [("Location", "/echo-cookie"), ("Set-Cookie", "sid=1")])
        if p == "/echo-cookie":
            return self.send(200, ("cookie=" + (self.headers.get("Cookie") or "")).encode())
        if p == "/to-localhost6":
            return self.send(302, b"", [("Location", "http://localhost:%d/ok" % HTTP6)])
        if p == "/loop":
            return self.send(302, b"", [("Location", "/loop")])
        if p == "/post-redirect":
            return self.send(302, b"", [("Location", "/echo")])
        if p == "/echo":
            body = ("%s %s host=%s from=%s ua=%s ct=%s auth=%s cl=%s" % (
                self.command, (data or b"").decode(), self.headers.get("Host"),
                self.client_address[0],
                self.headers.get("User-Agent"), self.headers.get("Content-Type"),
                self.headers.get("Authorization"), self.headers.get("Content-Length"))).encode()
            return self.send(200, body)
        if p == "/echo-foo":
            return self.send(200, ("GET  xfoo=" + ", ".join(self.headers.get_all("X-Foo") or []))
                             .encode())
        if p == "/auth":
            if self.headers.get("Authorization") in ("Basic dXNlcjpwYXNz", "Bearer tok123",
                                                     "Bearer s3cret"):
                return self.send(200, b"in")
            return self.send(401, b"no")
        if p == "/gzip":
            return self.send(200, gzip.compress(b"x" * 5000), [("Content-Encoding", "gzip")])
        if p == "/deflate":
            c = zlib.compressobj(wbits=-15)
            return self.send(200, c.compress(b"y" * 3000) + c.flush(),
                             [("Content-Encoding", "deflate")])
        if p == "/br" and brotli:
            return self.send(200, brotli.compress(b"z" * 4000), [("Content-Encoding", "br")])
        if p == "/bomb":
            return self.send(200, BOMB, [("Content-Encoding", "gzip")])
        if p == "/notgzip":
            return self.send(200, b"plain text", [])
        if p == "/huge":
            self.send_response(200)
            self.send_header("Content-Length", str(1 << 30))
            self.end_headers()
            chunk = b"a" * 65536
            try:
                for _ in range((1 << 30) // 65536):
                    self.wfile.write(chunk)
            except OSError:
                pass
            return
        if p == "/slow":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"a")
                    self.wfile.flush()
                    time.sleep(1)
            except OSError:
                pass
            return
        if p == "/hang":
            time.sleep(30)
            return
        if p == "/endless-headers":
            self.send_response(200)
            try:
                for i in range(1000000):
                    self.send_header("X-H%d" % i, "v" * 100)
                    if i % 100 == 0:
                        self.flush_headers()
            except OSError:
                pass
            return
        return self.send(404, b"not found")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # probes cut connections on purpose


class Server6(Server):
    address_family = socket.AF_INET6


def serve(ctx=None, v6=False):
    srv = (Server6 if v6 else Server)(("::1" if v6 else "127.0.0.1", 0), Handler)
    if ctx:
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv.server_address[1]


def make_bomb(size):
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1 << 20)
    return b"".join([c.compress(chunk) for _ in range(size >> 20)] + [c.flush()])


BOMB = make_bomb(256 << 20)  # 256 MB of zeros in about 250 kB

HTTP = serve()
HTTP6 = serve(v6=True)
HTTPS = serve(ctx_for(leaf, leaf_key))
HTTPS_EXPIRED = serve(ctx_for(expired, expired_key))
HTTPS_WRONG = serve(ctx_for(wrong, wrong_key))
HTTPS_SHORT = serve(ctx_for(leaf, leaf_key, chain=False))
GARBAGE = tcp_responder(lambda: os.urandom(4096), recv=1024, linger=0.2)
SILENT = tcp_responder(None)

# ---- running probes ----


def probe(section, target, timeout=5, hostname=None, dump=False, env=None):
    path = write("section.yml", section)
    args = [PROBE, "http", path, target, str(timeout)] + ([hostname] if hostname else [])
    extra = env or {}
    # only the proxy variables a case sets: none from the test's own environment
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(extra)
    if dump:
        env["PROBE_DUMP"] = "1"
    t0 = time.monotonic()
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout + 20, env=env)
    took = time.monotonic() - t0
    metrics = {}
    for line in r.stdout.splitlines():
        if line and not line.startswith(" ") and " " in line:
            k, v = line.rsplit(" ", 1)
            try:
                metrics[k] = float(v)
            except ValueError:
                pass
    return r.returncode, metrics, r.stdout, r.stderr, took



def case(name, section, target, expect, timeout=5, hostname=None, log=None, max_time=None,
         absent=(), present=(), env=None):
    section = pin_ip4(section, target)
    rc, m, out, err, took = probe(section, target, timeout, hostname, env=env)
    ok = True
    for k, v in expect.items():
        got = m.get(k)
        good = (got is not None and abs(got - v) < 1e-9) if not callable(v) else (
            got is not None and v(got))
        if not good:
            ok = False
            check("%s: %s" % (name, k), False, "want %s got %s\n%s%s" % (
                v if not callable(v) else "predicate", got, out, err))
    for k in absent:
        if any(key == k or key.startswith(k + "{") for key in m):
            ok = False
            check("%s: %s absent" % (name, k), False, out)
    for k in present:
        if not any(key == k or key.startswith(k + "{") for key in m):
            ok = False
            check("%s: %s present" % (name, k), False, out)
    if log:
        check("%s: log" % name, log in err, "want %r in\n%s" % (log, err))
    if max_time:
        check("%s: within %ss" % (name, max_time), took < max_time, "took %.2fs" % took)
    check(name + ": rc", rc == (0 if expect.get("probe_success", 1) == 1 else 1),
          "rc=%d\n%s" % (rc, err))
    print("ok   %s (%.2fs)" % (name, took) if ok else "")
    return m, out, err


TLS = "tls_config:\n  ca_file: %s\n" % CA
U = "http://127.0.0.1:%d" % HTTP
S = "https://localhost:%d" % HTTPS

case("2xx", "", U + "/ok", {
    "probe_success": 1, "probe_http_status_code": 200, "probe_http_content_length": 11,
    "probe_http_uncompressed_body_length": 11, "probe_http_redirects": 0,
    "probe_http_ssl": 0, "probe_http_version": 1.1, "probe_failed_due_to_regex": 0,
    "probe_http_last_modified_timestamp_seconds": 1445412480,
    'probe_http_duration_seconds{phase="resolve"}': lambda v: v >= 0,
    'probe_http_duration_seconds{phase="transfer"}': lambda v: v >= 0,
    'probe_http_duration_seconds{phase="tls"}': 0}, absent=("probe_ssl_earliest_cert_expiry",))
case("no scheme", "", "127.0.0.1:%d/ok" % HTTP, {"probe_success": 1})
case("ipv6 target", "", "http://[::1]:%d/ok" % HTTP6, {"probe_success": 1, "probe_ip_protocol": 6})
case("localhost ip4", "preferred_ip_protocol: ip4\n", "http://localhost:%d/ok" % HTTP,
     {"probe_success": 1, "probe_ip_protocol": 4})
case("404", "", U + "/status/404", {"probe_success": 0, "probe_http_status_code": 404},
     log="wanted 2xx")
case("valid_status_codes", "valid_status_codes: [404, 500]\n", U + "/status/404",
     {"probe_success": 1})
case("valid_http_versions", "valid_http_versions: [HTTP/2.0]\n", U + "/ok",
     {"probe_success": 0}, log="Invalid HTTP version")
case("redirects", "", U + "/redirect/3", {"probe_success": 1, "probe_http_redirects": 3,
                                          "probe_http_status_code": 200})
case("no_follow", "follow_redirects: false\n", U + "/redirect/3",
     {"probe_success": 0, "probe_http_redirects": 1, "probe_http_status_code": 302})
case("no_follow_redirects (old)", "no_follow_redirects: true\nvalid_status_codes: [302]\n",
     U + "/redirect/2", {"probe_success": 1, "probe_http_redirects": 1})
case("endless redirects", "", U + "/loop",
     {"probe_success": 0, "probe_http_redirects": 11, "probe_http_status_code": 302},
     log="Not following redirect", max_time=5)
m, out, err = case("post", "method: POST\nbody: 'a=1'\nheaders:\n  Host: example.test\n"
                   "  X-Foo: bar\nfail_if_body_not_matches_regexp: ['^POST a=1 host=example.test "
                   "from=127.0.0.1 ua=Blackbox-Exporter/']\n", U + "/echo", {"probe_success": 1})
case("post without body", "method: POST\nfail_if_body_not_matches_regexp: ['^POST  host=', ' cl=0$']\n",
     U + "/echo", {"probe_success": 1})
case("post 302 becomes GET", "method: POST\nbody: x\nfail_if_body_not_matches_regexp: ['^GET  ']\n",
     U + "/post-redirect", {"probe_success": 1, "probe_http_redirects": 1})
write("body.txt", "from file")
case("body_file", "method: PUT\nbody_file: %s\nfail_if_body_not_matches_regexp: ['^PUT from file']\n"
     % os.path.join(TMP, "body.txt"), U + "/echo", {"probe_success": 1})
case("source_ip_address", "source_ip_address: 127.0.0.2\nfail_if_body_not_matches_regexp: "
     "[' from=127.0.0.2 ']\n", U + "/echo", {"probe_success": 1})
case("hostname param", "fail_if_body_not_matches_regexp: ['host=vhost.test ']\n", U + "/echo",
     {"probe_success": 1}, hostname="vhost.test")
case("body regex fail", "fail_if_body_matches_regexp: ['hel+o']\n", U + "/ok",
     {"probe_success": 0, "probe_failed_due_to_regex": 1}, log="Body matched regular expression")
case("body not-regex ok", "fail_if_body_not_matches_regexp: ['world$']\n", U + "/ok",
     {"probe_success": 1, "probe_failed_due_to_regex": 0})
case("header regex", "fail_if_header_matches:\n- header: x-test\n  regexp: bet\n", U + "/ok",
     {"probe_success": 0, "probe_failed_due_to_regex": 1}, log="Header matched")
case("header not-regex any value", "fail_if_header_not_matches:\n- header: X-Test\n"
     "  regexp: '^beta$'\n", U + "/ok", {"probe_success": 1})
case("header missing", "fail_if_header_not_matches:\n- header: X-None\n  regexp: a\n", U + "/ok",
     {"probe_success": 0}, log="Missing required header")
case("header allow_missing", "fail_if_header_matches:\n- header: X-None\n  regexp: a\n"
     "  allow_missing: true\n", U + "/ok", {"probe_success": 1})
case("basic auth", "basic_auth:\n  username: user\n  password: pass\n", U + "/auth",
     {"probe_success": 1})
write("pw", "pass\n")
case("basic auth file", "basic_auth:\n  username: user\n  password_file: %s\n"
     % os.path.join(TMP, "pw"), U + "/auth", {"probe_success": 1})
case("basic auth wrong", "basic_auth:\n  username: user\n  password: nope\n", U + "/auth",
     {"probe_success": 0, "probe_http_status_code": 401})
write("tok", "s3cret\n")
case("bearer file", "bearer_token_file: %s\n" % os.path.join(TMP, "tok"), U + "/auth",
     {"probe_success": 1})
case("authorization", "authorization:\n  credentials: s3cret\n", U + "/auth", {"probe_success": 1})
case("oauth2", "oauth2:\n  client_id: cid\n  client_secret: csecret\n  scopes: [a, b]\n"
     "  token_url: %s/token\n" % U, U + "/auth", {"probe_success": 1})
case("proxy", "skip_resolve_phase_with_proxy: true\nproxy_url: http://127.0.0.1:%d\nproxy_connect_header:\n  Proxy-Authorization: [x]\n"
     "fail_if_header_not_matches:\n- header: X-Proxied\n  regexp: '1'\n" % HTTP,
     "http://proxied.test:81/x", {"probe_success": 1},
     absent=('probe_http_duration_seconds{phase="resolve"}',))
case("proxy resolves first", "proxy_url: http://127.0.0.1:%d\n" % HTTP, "http://proxied.test/",
     {"probe_success": 0}, log="Error resolving")
case("proxy_from_environment", "skip_resolve_phase_with_proxy: true\nproxy_from_environment: true\n"
     "fail_if_header_not_matches:\n- header: X-Proxied\n  regexp: '1'\n",
     "http://proxied.test:81/x", {"probe_success": 1}, env={"http_proxy": U})
case("no proxy without the option", "skip_resolve_phase_with_proxy: true\n",
     "http://127.0.0.1:%d/ok" % HTTP, {"probe_success": 1}, env={"http_proxy": "http://127.0.0.1:1"})
case("no_proxy", "proxy_url: http://127.0.0.1:1\nno_proxy: 127.0.0.1\n", U + "/ok",
     {"probe_success": 1})
write("hdr", "from-file\n")
case("http_headers", "http_headers:\n  X-Foo:\n    values: [v1]\n    secrets: [s1]\n"
     "    files: [%s]\nfail_if_body_not_matches_regexp: ['^GET  xfoo=v1, s1, from-file$']\n"
     % os.path.join(TMP, "hdr"), U + "/echo-foo", {"probe_success": 1})
case("gzip", "compression: gzip\n", U + "/gzip",
     {"probe_success": 1, "probe_http_uncompressed_body_length": 5000})
case("deflate", "compression: deflate\n", U + "/deflate",
     {"probe_success": 1, "probe_http_uncompressed_body_length": 3000})
if brotli:
    case("br", "compression: br\n", U + "/br",
         {"probe_success": 1, "probe_http_uncompressed_body_length": 4000})
case("not gzip", "compression: gzip\n", U + "/notgzip", {"probe_success": 0},
     log="Failed to read HTTP response body")
case("gzip bomb limit", "compression: gzip\nbody_size_limit: 1MB\n", U + "/bomb",
     {"probe_success": 0}, log="size limit", max_time=4)
case("body_size_limit", "body_size_limit: 1KB\n", U + "/ok", {"probe_success": 1})
case("body_size_limit hit", "body_size_limit: 5B\n", U + "/ok", {"probe_success": 0},
     log="size limit")

# TLS
m, out, err = case("https", TLS, S + "/ok", {
    "probe_success": 1, "probe_http_ssl": 1,
    "probe_ssl_earliest_cert_expiry": lambda v: abs(v - int(leaf.not_valid_after.replace(tzinfo=datetime.timezone.utc).timestamp())) < 2,
    "probe_ssl_last_chain_expiry_timestamp_seconds":
        lambda v: abs(v - int(leaf.not_valid_after.replace(tzinfo=datetime.timezone.utc).timestamp())) < 2,
    'probe_http_duration_seconds{phase="tls"}': lambda v: v > 0})
fp = leaf.fingerprint(hashes.SHA256()).hex()
info = [k for k in m if k.startswith("probe_ssl_last_chain_info{")]
check("chain info labels", len(info) == 1 and ('fingerprint_sha256="%s"' % fp) in info[0] and
      'subject="CN=localhost"' in info[0] and
      'issuer="CN=omx test intermediate,O=omx,C=DE"' in info[0] and
      'subjectalternative="localhost"' in info[0] and
      ('serialnumber="%s"' % leaf.serial_number.to_bytes(
          (leaf.serial_number.bit_length() + 7) // 8, "big").hex()) in info[0], "%s" % info)
check("tls version", any(k.startswith('probe_tls_version_info{version="TLS 1.') for k in m), out)
check("tls cipher", any(k.startswith('probe_tls_cipher_info{cipher="TLS_') for k in m), out)
case("https ::1", TLS, "https://[::1]:%d/ok" % HTTPS, {"probe_success": 0},
     log="Error for HTTP request")  # the server listens on 127.0.0.1 only
case("https ip4 pin keeps SNI", TLS + "preferred_ip_protocol: ip4\n", S + "/ok",
     {"probe_success": 1, "probe_ip_protocol": 4})
case("fail_if_ssl", TLS + "fail_if_ssl: true\n", S + "/ok", {"probe_success": 0},
     log="Final request was over SSL")
case("fail_if_not_ssl", "fail_if_not_ssl: true\n", U + "/ok", {"probe_success": 0},
     log="Final request was not over SSL")
case("expired", TLS, "https://localhost:%d/ok" % HTTPS_EXPIRED, {"probe_success": 0},
     log="Error for HTTP request")
case("expired insecure", "tls_config:\n  insecure_skip_verify: true\n",
     "https://localhost:%d/ok" % HTTPS_EXPIRED,
     {"probe_success": 1,
      "probe_ssl_earliest_cert_expiry": lambda v: v < time.time(),
      "probe_ssl_last_chain_expiry_timestamp_seconds": -62135596800})
case("wrong host", TLS, "https://localhost:%d/ok" % HTTPS_WRONG, {"probe_success": 0})
case("wrong host server_name", TLS + "  server_name: other.example\n",
     "https://localhost:%d/ok" % HTTPS_WRONG, {"probe_success": 1})
case("short chain", TLS, "https://localhost:%d/ok" % HTTPS_SHORT, {"probe_success": 0})
case("garbage tls", TLS, "https://127.0.0.1:%d/" % GARBAGE, {"probe_success": 0}, max_time=4)
case("min_version TLS13", TLS + "  min_version: TLS13\n", S + "/ok", {"probe_success": 1},
     present=('probe_tls_version_info{version="TLS 1.3"}',))
case("inline ca", "tls_config:\n  ca: |\n" + "".join("    " + l + "\n" for l in pem(root).splitlines()),
     S + "/ok", {"probe_success": 1})

# hostile targets
case("hang", "", U + "/hang", {"probe_success": 0}, timeout=1.5, max_time=2.5, log="Error for HTTP")
case("silent", "", "http://127.0.0.1:%d/" % SILENT, {"probe_success": 0}, timeout=1.5,
     max_time=2.5)
case("slow body", "", U + "/slow", {"probe_success": 0}, timeout=2, max_time=3)
case("huge body cut by the deadline", "", U + "/huge", {"probe_success": 0}, timeout=0.3,
     max_time=2.5)
case("huge body read whole", "", U + "/huge",
     {"probe_success": 1, "probe_http_uncompressed_body_length": 1 << 30}, timeout=20)
case("huge body limit", "body_size_limit: 1MB\n", U + "/huge", {"probe_success": 0},
     max_time=3, log="size limit")
case("huge body regex", "fail_if_body_matches_regexp: [b]\n", U + "/huge", {"probe_success": 0},
     timeout=3, max_time=4, log="size limit")
case("endless headers", "", U + "/endless-headers", {"probe_success": 0}, timeout=3, max_time=4,
     log="headers")
refusing = socket.socket()  # bound, never listening: connections to it are refused
refusing.bind(("127.0.0.1", 0))
case("refused", "", "http://127.0.0.1:%d/" % refusing.getsockname()[1],
     {"probe_success": 0, "probe_http_status_code": 0}, log="Error for HTTP request")
refusing.close()
case("bad name", "", "http://name.invalid/", {"probe_success": 0,
     'probe_http_duration_seconds{phase="resolve"}': lambda v: v >= 0}, log="Error resolving",
     absent=('probe_http_duration_seconds{phase="connect"}',))

# the allow-list applies to every connection, redirects included
if EXPORTER:
    import urllib.parse
    import urllib.request
    eport = free_port()
    cfg = write("bb.yml", "modules:\n  http_2xx:\n    prober: http\n    http:\n"
                "      preferred_ip_protocol: ip4\n")
    ex = subprocess.Popen([EXPORTER, "--config.file=" + cfg, "--probe.allowed-targets=127.0.0.0/8",
                           "--web.listen-address=127.0.0.1:%d" % eport],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(eport, ex)

        def via_exporter(target):
            q = urllib.parse.urlencode({"module": "http_2xx", "target": target, "debug": "true"})
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open("http://127.0.0.1:%d/probe?%s" % (eport, q)) as r:
                return r.read().decode()
        out = via_exporter(U + "/ok")
        check("allow-list: allowed", "probe_success 1" in out, out)
        out = via_exporter(U + "/to-v6")
        check("allow-list: redirect to a host outside it", "probe_success 0" in out and
              "not allowed" in out, out)
        out = via_exporter("http://[::1]:%d/ok" % HTTP6)
        check("allow-list: target outside it", "probe_success 0" in out, out)
        print("ok   allow-list through omx-blackbox")
    finally:
        ex.terminate()
        ex.wait(10)

# Several probes on one thread (the kept handle reset each time; under an
# ASan build LeakSanitizer fails the run if a reset leaks)
closed = socket.socket()  # bound, never listening: connections to it are refused
closed.bind(("127.0.0.1", 0))
for tgt, want in ((U + "/ok", 1), (U + "/set-cookie", 1),
                  ("http://127.0.0.1:%d/" % closed.getsockname()[1], 0)):
    rc, m, out, err, took = probe("", tgt, env={"PROBE_REPEAT": "4"})
    check("repeated probes " + tgt, rc == (0 if want else 1) and m.get("probe_success") == want,
          "rc=%d %s" % (rc, err))
closed.close()

# Probes on one exporter thread share a kept libcurl handle: nothing of one
# probe (cookies, the address it pinned) reaches the next. Sequential probes
# run on the same worker (the pool wakes the one idle last).
if EXPORTER:
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    eport = port.getsockname()[1]
    port.close()
    cfg = write("bb-reuse.yml", "modules:\n"
                "  cookie:\n    prober: http\n    http:\n      preferred_ip_protocol: ip4\n"
                "      fail_if_body_matches_regexp: ['sid=1']\n"
                "  v4:\n    prober: http\n    http:\n      preferred_ip_protocol: ip4\n"
                "      ip_protocol_fallback: false\n"
                "  v6:\n    prober: http\n    http:\n      preferred_ip_protocol: ip6\n")
    ex = subprocess.Popen([EXPORTER, "--config.file=" + cfg,
                           "--web.listen-address=127.0.0.1:%d" % eport],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", eport), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)

        def via(module, target):
            q = urllib.parse.urlencode({"module": module, "target": target, "debug": "true"})
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open("http://127.0.0.1:%d/probe?%s" % (eport, q)) as r:
                return r.read().decode()
        for i in range(3):
            out = via("cookie", U + "/set-cookie")
            check("reuse: cookie kept across a redirect", "probe_success 0" in out and
                  "Body matched" in out, out)
            out = via("cookie", U + "/echo-cookie")
            check("reuse: no cookie from the previous probe", "probe_success 1" in out, out)
            # pins localhost:HTTP6 to 127.0.0.1, where nothing listens
            out = via("v4", "http://localhost:%d/ok" % HTTP6)
            check("reuse: v4 pin refused", "probe_success 0" in out, out)
            # the redirect's host is resolved afresh (::1), not by that pin
            out = via("v6", "http://[::1]:%d/to-localhost6" % HTTP6)
            check("reuse: no pin from the previous probe", "probe_success 1" in out, out)
        print("ok   handle reuse through omx-blackbox")
    finally:
        ex.terminate()
        ex.wait(10)

# The system trust (no ca_file): libcurl is told not to verify and the prober
# checks the peer against the bundle it parsed once. In a private mount
# namespace, the test root is the only CA of /etc/ssl/certs/ca-certificates.crt.
SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def system_trust_probe(section, target, timeout=5):
    path = write("section.yml", pin_ip4(section, target))
    sh = 'mount --bind "$0" %s && exec "$@"' % SYSTEM_BUNDLE
    args = ["unshare", "-m", "sh", "-c", sh, CA, PROBE, "http", path, target, str(timeout)]
    env = {k: v for k, v in os.environ.items()
           if not k.lower().endswith("_proxy") and k != "SSL_CERT_FILE"}
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout + 20, env=env)
    m = {}
    for line in r.stdout.splitlines():
        if line and not line.startswith(" ") and " " in line:
            k, v = line.rsplit(" ", 1)
            try:
                m[k] = float(v)
            except ValueError:
                pass
    return r.returncode, m, r.stdout, r.stderr


ns = subprocess.run(["unshare", "-m", "sh", "-c", "mount --bind %s %s" % (CA, SYSTEM_BUNDLE)],
                    capture_output=True, text=True) if os.path.exists(SYSTEM_BUNDLE) else None
if ns is None or ns.returncode != 0:
    print("skip system trust: no private mount namespace with %s bind-mounted (%s)"
          % (SYSTEM_BUNDLE, ns.stderr.strip() if ns else "no such file"))
else:
    rc, m, out, err = system_trust_probe("", S + "/ok")
    check("system trust: valid", rc == 0 and m.get("probe_success") == 1 and
          m.get("probe_ssl_last_chain_expiry_timestamp_seconds", 0) > time.time(), out + err)
    for name, port, why in [("expired", HTTPS_EXPIRED, "expired"),
                            ("short chain", HTTPS_SHORT, "issuer is unknown"),
                            ("wrong host", HTTPS_WRONG, "does not match target host name")]:
        rc, m, out, err = system_trust_probe("", "https://localhost:%d/ok" % port)
        check("system trust: %s" % name, rc == 1 and m.get("probe_success") == 0 and
              "Error for HTTP request" in err and why in err, out + err)
    rc, m, out, err = system_trust_probe("tls_config:\n  server_name: other.example\n",
                                         "https://localhost:%d/ok" % HTTPS_WRONG)
    check("system trust: server_name", m.get("probe_success") == 1, out + err)
    rc, m, out, err = system_trust_probe("tls_config:\n  insecure_skip_verify: true\n",
                                         "https://localhost:%d/ok" % HTTPS_EXPIRED)
    check("system trust: insecure_skip_verify", m.get("probe_success") == 1 and
          m.get("probe_ssl_last_chain_expiry_timestamp_seconds") == -62135596800, out + err)
    rc, m, out, err = system_trust_probe("", "https://127.0.0.1:%d/ok" % HTTPS)
    check("system trust: address in the certificate", m.get("probe_success") == 1, out + err)
    # the oauth2 token request is verified by libcurl itself, with the same bundle
    rc, m, out, err = system_trust_probe(
        "oauth2:\n  client_id: cid\n  client_secret: csecret\n  scopes: [a, b]\n"
        "  token_url: %s/token\n" % S, U + "/auth")
    check("system trust: oauth2 over https", m.get("probe_success") == 1, out + err)
    print("ok   system trust")

# Without the namespace the test root is unknown to the system bundle.
rc, m, out, err, took = probe("", S + "/ok")
check("unknown CA", rc == 1 and m.get("probe_success") == 0 and "SSL certificate problem" in err,
      out + err)

# A CA file replaced on disk is seen at the next probe of a running exporter
# (the parsed list is kept while the file stays the same).
if EXPORTER:
    import urllib.parse
    import urllib.request
    other_root, _ = make_cert("omx other root", ca=True, days=(-1, 3650), org="omx")
    ca_copy = write("ca-copy.pem", pem(root))
    eport = free_port()
    cfg = write("bb-ca.yml", "modules:\n  tls:\n    prober: http\n    http:\n"
                "      preferred_ip_protocol: ip4\n      tls_config:\n        ca_file: %s\n"
                "  other:\n    prober: http\n    http:\n"
                "      preferred_ip_protocol: ip4\n      tls_config:\n        ca_file: %s\n"
                "        server_name: other.example\n" % (ca_copy, ca_copy))
    ex = subprocess.Popen([EXPORTER, "--config.file=" + cfg,
                           "--web.listen-address=127.0.0.1:%d" % eport],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(eport)

        def via_tls(module="tls", target=S + "/ok"):
            q = urllib.parse.urlencode({"module": module, "target": target, "debug": "true"})
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open("http://127.0.0.1:%d/probe?%s" % (eport, q)) as r:
                return r.read().decode()
        for i in range(2):
            out = via_tls()
            check("ca file kept: probe %d" % i, "probe_success 1" in out, out)
        # the chain verified above is remembered: the host is still checked
        out = via_tls("other")
        check("verified chain, other host", "probe_success 0" in out and
              "does not match target host name 'other.example'" in out, out)
        out = via_tls("other", "https://localhost:%d/ok" % HTTPS_WRONG)
        check("verified chain, other server", "probe_success 1" in out, out)
        out = via_tls("tls", "https://localhost:%d/ok" % HTTPS_EXPIRED)
        check("verified chain, expired leaf", "probe_success 0" in out and "expired" in out, out)
        out = via_tls("tls", "https://localhost:%d/ok" % HTTPS_EXPIRED)
        check("verified chain, expired leaf again", "probe_success 0" in out, out)
        write("ca-copy.pem", pem(other_root))
        out = via_tls()
        check("ca file replaced: unknown CA", "probe_success 0" in out and
              "SSL certificate problem" in out, out)
        write("ca-copy.pem", pem(other_root) + pem(root))
        out = via_tls()
        check("ca file replaced: both CAs", "probe_success 1" in out, out)
        os.unlink(ca_copy)
        out = via_tls()
        check("ca file removed", "probe_success 0" in out and "cannot read CA file" in out, out)
        print("ok   ca file replaced on disk")
    finally:
        ex.terminate()
        ex.wait(10)

# config errors name the key
for name, section, want in [
        ("unknown key", "nope: 1\n", 'key "http.nope": unknown key'),
        ("bad regex", "fail_if_body_matches_regexp: ['(?=x)']\n", "fail_if_body_matches_regexp"),
        ("body and file", "body: a\nbody_file: b\n", "body and body_file"),
        ("compression mismatch", "compression: gzip\nheaders:\n  Accept-Encoding: br\n",
         "compression"),
        ("bad size", "body_size_limit: 1XB\n", "body_size_limit"),
        ("cel", "fail_if_body_json_matches_cel: 'x'\n", "CEL"),
        ("auth twice", "basic_auth: {username: a}\nbearer_token: b\n", "at most one"),
        ("header matcher", "fail_if_header_matches:\n- regexp: a\n", "header name must be set")]:
    rc, m, out, err, took = probe(section, U + "/ok")
    check("config: " + name, rc == 2 and want in err, "rc=%d %s" % (rc, err))

# /config dump hides secrets
rc, m, out, err, took = probe("basic_auth:\n  username: u\n  password: topsecret\n"
                              "bearer_token_file: /x\n" if False else
                              "basic_auth:\n  username: u\n  password: topsecret\n",
                              U + "/ok", dump=True)
check("dump hides secrets", "topsecret" not in out and "<secret>" in out, out)

finish()
