#!/bin/sh
# Integration: omx-check's URL flags against a python3 https server on
# 127.0.0.1 with a throwaway CA made here by openssl: server verification
# (--ca-file, --insecure-skip-verify), client certificates, bearer and basic
# auth, the body size cap, the timeout and HTTP status messages.
set -u
check=${OMX_BUILD:?}/parser/tools/omx-check
py=${PYTHON:-/usr/bin/python3}
[ -x "$check" ] || { echo "omx-check not built"; exit 77; }
command -v openssl >/dev/null || { echo "openssl missing"; exit 77; }
dir=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT INT TERM
cd "$dir" || exit 1
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$1" 2>/dev/null; }
key ca.key && key srv.key && key cli.key || { echo "FAIL: openssl genpkey"; exit 1; }
openssl req -x509 -new -key ca.key -out ca.crt -days 2 -subj /CN=omx-test-ca \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null &&
openssl req -new -key srv.key -out srv.csr -subj /CN=127.0.0.1 2>/dev/null &&
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > srv.ext &&
openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out srv.crt -days 2 -extfile srv.ext 2>/dev/null &&
openssl req -new -key cli.key -out cli.csr -subj /CN=omx-test-client 2>/dev/null &&
printf 'extendedKeyUsage=clientAuth\n' > cli.ext &&
openssl x509 -req -in cli.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out cli.crt -days 2 -extfile cli.ext 2>/dev/null ||
  { echo "FAIL: openssl could not make the test certificates"; exit 1; }
printf 's3cret\n' > token
printf 'wrong\n' > badtoken
printf 'pw\n' > password
cat > server.py <<'PY'
import base64, http.server, ssl, sys, time
BODY = b'# TYPE c counter\nc_total 1\n# EOF\n'
BIG = b''.join(b'm{i="%d"} %d\n' % (i, i) for i in range(100000)) + b'# EOF\n'
class H(http.server.BaseHTTPRequestHandler):
    def reply(self, code, body=b'', hdrs=()):
        self.send_response(code)
        self.send_header('Content-Type', 'application/openmetrics-text; version=1.0.0')
        for k, v in hdrs:
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        auth = self.headers.get('Authorization', '')
        if self.path == '/metrics':
            self.reply(200, BODY)
        elif self.path == '/mtls':
            self.reply(200, BODY) if self.connection.getpeercert() else self.reply(403, b'no client certificate\n')
        elif self.path == '/bearer':
            if auth == 'Bearer s3cret':
                self.reply(200, BODY)
            else:
                self.reply(401, b'who are you\n', [('WWW-Authenticate', 'Bearer')])
        elif self.path == '/basic':
            if auth == 'Basic ' + base64.b64encode(b'u:pw').decode():
                self.reply(200, BODY)
            else:
                self.reply(401, b'who are you\n', [('WWW-Authenticate', 'Basic realm="omx"')])
        elif self.path == '/big':
            self.reply(200, BIG)
        elif self.path == '/slow':
            time.sleep(6)
            self.reply(200, BODY)
        elif self.path == '/teapot':
            self.send_response(418, 'I Am A Teapot')
            self.send_header('Content-Length', '0')
            self.end_headers()
        else:
            self.reply(404, b'nothing here\n')
    def log_message(self, *a): pass
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain('srv.crt', 'srv.key')
ctx.load_verify_locations('ca.crt')
ctx.verify_mode = ssl.CERT_OPTIONAL
s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
s.daemon_threads = True
s.socket = ctx.wrap_socket(s.socket, server_side=True)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
"$py" server.py > port 2> server.err &
pid=$!
for i in $(seq 1 50); do [ -s port ] && break; sleep 0.1; done
port=$(cat port)
[ -n "$port" ] || { echo "server did not start: $(cat server.err)"; exit 1; }
base=https://127.0.0.1:$port
fail=0
expect() { # expect RC ARGS...
  want=$1; shift
  "$check" "$@" > out 2> err; rc=$?
  if [ $rc -ne "$want" ]; then
    echo "FAIL: omx-check $* exited $rc, expected $want: $(cat err)"; fail=1
  else
    echo "ok: omx-check $* -> $rc"
  fi
}
erris() { # erris EXACT-STDERR
  [ "$(cat err)" = "$1" ] || { echo "FAIL: stderr was '$(cat err)', expected '$1'"; fail=1; }
}
# Server verification.
expect 2 "$base/metrics"
expect 0 --ca-file=ca.crt "$base/metrics"
expect 0 --insecure-skip-verify "$base/metrics"
expect 2 --ca-file=cli.crt "$base/metrics"       # not the issuer
# Client certificates.
expect 2 --ca-file=ca.crt "$base/mtls"
erris "$base/mtls: HTTP 403 Forbidden"
expect 0 --ca-file=ca.crt --cert-file=cli.crt --key-file=cli.key "$base/mtls"
# Bearer token.
expect 2 --ca-file=ca.crt "$base/bearer"
erris "$base/bearer: HTTP 401 Unauthorized"
expect 0 --ca-file=ca.crt --bearer-token-file=token "$base/bearer"
expect 2 --ca-file=ca.crt --bearer-token-file=badtoken "$base/bearer"
erris "$base/bearer: HTTP 401 Unauthorized"
expect 2 --ca-file=ca.crt --bearer-token-file=missing "$base/bearer"
# Basic auth: in the URL, with --user, with --password-file.
expect 0 --ca-file=ca.crt "https://u:pw@127.0.0.1:$port/basic"
expect 0 --ca-file=ca.crt --user=u:pw "$base/basic"
expect 0 --ca-file=ca.crt --user=u --password-file=password "$base/basic"
expect 2 --ca-file=ca.crt --user=u:nope "$base/basic"
erris "$base/basic: HTTP 401 Unauthorized"
expect 2 --ca-file=ca.crt --user=u --bearer-token-file=token "$base/basic"
# The server's own reason phrase, and a code without one in our table.
expect 2 --ca-file=ca.crt "$base/teapot"
erris "$base/teapot: HTTP 418 I Am A Teapot"
expect 2 --ca-file=ca.crt "$base/nothing"
erris "$base/nothing: HTTP 404 Not Found"
# Body size cap (default 256 MiB), after decompression.
expect 0 --ca-file=ca.crt "$base/big"
expect 2 --ca-file=ca.crt --max-size=1M "$base/big"
erris "$base/big: response larger than 1048576 bytes (--max-size)"
expect 0 --ca-file=ca.crt --max-size=0 "$base/big"
expect 2 --max-size=12X "$base/big"
# Timeout: the 6 s response is cut at 1 s.
start=$(date +%s)
expect 2 --ca-file=ca.crt --timeout=1 "$base/slow"
erris "$base/slow: timed out after 1 s (--timeout)"
[ $(( $(date +%s) - start )) -le 4 ] || { echo "FAIL: --timeout=1 took $(( $(date +%s) - start )) s"; fail=1; }
# URL flags on a file are a usage error.
printf 'a 1\n# EOF\n' > f.txt
expect 2 --ca-file=ca.crt f.txt
exit $fail
