#!/usr/bin/python3
"""The grpc prober against a gRPC server (grpcio) started here on 127.0.0.1
and ::1: the health service answers SERVING, NOT_SERVING or NOT_FOUND per
service name, plain (h2c) and over TLS; a plain HTTP/1.1 server and a silent
one must fail within the timeout. The health messages are encoded by hand."""

import datetime
import os
import subprocess
import sys
import tempfile
import time
from concurrent import futures

try:
    import grpc
except ImportError:
    print("python3-grpcio is not installed")
    sys.exit(77)
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
import ipaddress

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "core"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../testkit/python"))
from omxtest import tcp_responder  # noqa: E402
from probeone import check, finish, pin_ip4  # noqa: E402

PROBE = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="bb-grpc-")
STATUS = {"": 1, "down": 2}
SEEN_MD = []


def decode_service(data):
    if not data:
        return ""
    assert data[0] == 0x0a
    n, i, shift = 0, 1, 0
    while True:
        b = data[i]
        n |= (b & 0x7f) << shift
        i += 1
        shift += 7
        if not b & 0x80:
            break
    return data[i:i + n].decode()


def check_rpc(request, context):
    SEEN_MD.append(dict(context.invocation_metadata()))
    svc = decode_service(request)
    if svc not in STATUS:
        context.abort(grpc.StatusCode.NOT_FOUND, "unknown service")
    return bytes([0x08, STATUS[svc]])


handler = grpc.method_handlers_generic_handler("grpc.health.v1.Health", {
    "Check": grpc.unary_unary_rpc_method_handler(
        check_rpc, request_deserializer=lambda b: b, response_serializer=lambda b: b)})

now = datetime.datetime.now(datetime.timezone.utc)
key = ec.generate_private_key(ec.SECP256R1())
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
cert_pem = cert.public_bytes(serialization.Encoding.PEM)
key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
CA = os.path.join(TMP, "ca.pem")
with open(CA, "wb") as f:
    f.write(cert_pem)

server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
server.add_generic_rpc_handlers((handler,))
PLAIN = server.add_insecure_port("127.0.0.1:0")
PLAIN6 = server.add_insecure_port("[::1]:0")
TLS = server.add_secure_port("127.0.0.1:0", grpc.ssl_server_credentials([(key_pem, cert_pem)]))
server.start()


HTTP1 = tcp_responder(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
SILENT = tcp_responder(None)



def case(name, section, target, expect, timeout=5, max_time=None):
    path = os.path.join(TMP, "section.yml")
    with open(path, "w") as f:
        f.write(pin_ip4(section, target))
    t0 = time.monotonic()
    r = subprocess.run([PROBE, "grpc", path, target, str(timeout)], capture_output=True,
                       text=True, timeout=timeout + 20)
    took = time.monotonic() - t0
    m = {}
    for line in r.stdout.splitlines():
        k, _, v = line.rpartition(" ")
        try:
            m[k] = float(v)
        except ValueError:
            pass
    bad = [k for k, v in expect.items() if m.get(k) != v]
    check(name, not bad, "want %s\n%s%s" % ({k: expect[k] for k in bad}, r.stdout, r.stderr))
    if max_time:
        check(name + " within time", took < max_time, "took %.2fs" % took)
    check(name + " rc", r.returncode == (0 if expect.get("probe_success") == 1 else 1), r.stderr)
    if not bad:
        print("ok   %s (%.2fs)" % (name, took))
    return m, r


HC = 'probe_grpc_healthcheck_response{serving_status="%s"}'
case("serving", "", "127.0.0.1:%d" % PLAIN, {
    "probe_success": 1, "probe_grpc_status_code": 0, "probe_grpc_ssl": 0,
    HC % "SERVING": 1, HC % "NOT_SERVING": 0, HC % "UNKNOWN": 0, HC % "SERVICE_UNKNOWN": 0})
case("serving ::1", "", "[::1]:%d" % PLAIN6, {"probe_success": 1, "probe_ip_protocol": 6})
case("url target", "", "http://127.0.0.1:%d" % PLAIN, {"probe_success": 1})
case("not serving", "service: down\n", "127.0.0.1:%d" % PLAIN,
     {"probe_success": 0, "probe_grpc_status_code": 0, HC % "NOT_SERVING": 1})
case("unknown service", "service: nope\n", "127.0.0.1:%d" % PLAIN,
     {"probe_success": 0, "probe_grpc_status_code": 5, HC % "SERVING": 0})
SEEN_MD.clear()
case("metadata", "metadata:\n  X-Team: [blackbox]\n", "127.0.0.1:%d" % PLAIN, {"probe_success": 1})
check("metadata sent", SEEN_MD and SEEN_MD[-1].get("x-team") == "blackbox", str(SEEN_MD))
m, r = case("tls", "tls: true\ntls_config:\n  ca_file: %s\n" % CA, "localhost:%d" % TLS,
            {"probe_success": 1, "probe_grpc_ssl": 1, "probe_grpc_status_code": 0})
check("tls metrics", any(k.startswith("probe_ssl_last_chain_info{") for k in m) and
      "probe_ssl_earliest_cert_expiry" in m and
      any(k.startswith("probe_tls_version_info{") for k in m) and
      not any(k.startswith("probe_tls_cipher_info") for k in m), r.stdout)
case("tls unverified", "tls: true\n", "localhost:%d" % TLS,
     {"probe_success": 0, "probe_grpc_status_code": 14})
case("tls wrong server_name", "tls: true\ntls_config:\n  ca_file: %s\n  server_name: other.example\n"
     % CA, "127.0.0.1:%d" % TLS, {"probe_success": 0, "probe_grpc_status_code": 14})
case("tls address", "tls: true\ntls_config:\n  ca_file: %s\n" % CA, "127.0.0.1:%d" % TLS,
     {"probe_success": 1})
case("tls insecure_skip_verify", "tls: true\ntls_config:\n  insecure_skip_verify: true\n",
     "localhost:%d" % TLS, {"probe_success": 1, "probe_grpc_ssl": 1})
case("plain to tls port", "", "127.0.0.1:%d" % TLS, {"probe_success": 0})
case("refused", "", "127.0.0.1:1", {"probe_success": 0, "probe_grpc_status_code": 14})
case("http/1.1 server", "", "127.0.0.1:%d" % HTTP1, {"probe_success": 0}, max_time=4)
case("silent server", "", "127.0.0.1:%d" % SILENT, {"probe_success": 0, "probe_grpc_status_code": 4},
     timeout=1.5, max_time=2.5)
# The http prober speaks HTTP/2 to the same TLS port (ALPN h2): version 2.
path = os.path.join(TMP, "http.yml")
with open(path, "w") as f:
    f.write("preferred_ip_protocol: ip4\nmethod: POST\nheaders: {Content-Type: application/grpc}\n"
            "valid_http_versions: [HTTP/2.0]\ntls_config:\n  ca_file: %s\n" % CA)
r = subprocess.run([PROBE, "http", path, "https://localhost:%d/grpc.health.v1.Health/Check" % TLS],
                   capture_output=True, text=True, timeout=20)
check("http prober over h2", "probe_http_version 2\n" in r.stdout and
      "probe_http_ssl 1\n" in r.stdout and "probe_success 1\n" in r.stdout, r.stdout + r.stderr)
with open(os.path.join(TMP, "bad.yml"), "w") as f:
    f.write("servce: x\n")
r = subprocess.run([PROBE, "grpc", os.path.join(TMP, "bad.yml"), "x"], capture_output=True,
                   text=True)
check("unknown key", r.returncode == 2 and 'grpc.servce' in r.stderr, r.stderr)
server.stop(0)
finish()
