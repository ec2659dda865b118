#!/bin/sh
# TLS and basic auth from --web.config.file: a CA, server and client
# certificates generated here, bcrypt users, client certificates required and
# missing, TLS version limits. Usage: http-tls.sh path/to/omx-example
. "$(dirname "$0")/http-lib.sh"
EX=${1:?usage: $0 omx-example}
case $EX in /*) ;; *) EX=$(pwd)/$EX ;; esac
need curl openssl
HASH=$("$PY" -W ignore -c 'import crypt; print(crypt.crypt("s3cret pw", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1024)))' 2>/dev/null)
case "$HASH" in '$2b$10$'*) ;; *) skip "python3 crypt cannot make bcrypt hashes";; esac

cd "$T"
gen_ca() { # gen_ca NAME
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout "$1.key" -out "$1.crt" -subj "/CN=$1" >/dev/null 2>&1
}
gen_cert() { # gen_cert NAME CA EXT
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
    -out "$1.csr" -subj "/CN=$1" >/dev/null 2>&1 &&
  printf '%s\n' "$3" >"$1.ext" &&
  openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -days 2 \
    -extfile "$1.ext" -out "$1.crt" >/dev/null 2>&1
}
gen_ca ca && gen_ca otherca &&
gen_cert server ca "subjectAltName=DNS:localhost,IP:127.0.0.1" &&
gen_cert client ca "extendedKeyUsage=clientAuth" &&
gen_cert rogue otherca "extendedKeyUsage=clientAuth" || { fail "openssl could not make certificates"; finish; }

cat >web-auth.yml <<EOC
tls_server_config:
  cert_file: server.crt
  key_file: server.key
http_server_config:
  headers:
    X-Content-Type-Options: nosniff
basic_auth_users:
  prometheus: '$HASH'
EOC
P=$(free_port)
U=https://127.0.0.1:$P
start auth "$EX" --web.listen-address=127.0.0.1:$P --web.config.file="$T/web-auth.yml"
C="curl -s --cacert $T/ca.crt"
code() { $C -o /dev/null -w '%{http_code}' "$@"; }
wait_http "$U/-/healthy" || { cat "$T/auth.log"; fail "TLS server did not start"; finish; }
check "TLS enabled is logged" grep -q 'enabled=true' "$T/auth.log"
check "right credentials: 200" test "$(code -u 'prometheus:s3cret pw' "$U/metrics")" = 200
check "right credentials again (cached): 200" test "$(code -u 'prometheus:s3cret pw' "$U/metrics")" = 200
check "http_server_config.headers added" sh -c "$C -D- -o /dev/null -u 'prometheus:s3cret pw' '$U/metrics' | grep -qi '^X-Content-Type-Options: nosniff'"
check "wrong password: 401" test "$(code -u 'prometheus:wrong' "$U/metrics")" = 401
check "unknown user: 401" test "$(code -u 'nobody:s3cret pw' "$U/metrics")" = 401
check "no credentials: 401" test "$(code "$U/metrics")" = 401
check "health needs auth too" test "$(code "$U/-/healthy")" = 401
check "401 has WWW-Authenticate Basic realm" sh -c "$C -D- -o /dev/null '$U/metrics' | grep -qi '^WWW-Authenticate: Basic realm=\"omx-example\"'"
check "failures counted" sh -c "$C -u 'prometheus:s3cret pw' '$U/metrics' | grep -Eq '^omx_http_auth_failures_total\{cause=\"credentials\"\} [4-9]'"
check "certificate verifies against the CA" test "$(code -u 'prometheus:s3cret pw' "https://localhost:$P/metrics")" = 200
# Plain HTTP to the TLS port: Go's 400 and text, not a dropped connection.
plain=$(curl -s --max-time 3 -w ' %{http_code}' "http://127.0.0.1:$P/metrics")
check "plain HTTP to the TLS port: 400" sh -c "echo '$plain' | grep -q ' 400\$'"
check "...saying it is an HTTPS server" sh -c "echo '$plain' | grep -q '^Client sent an HTTP request to an HTTPS server\.'"
raw=$("$PY" - "$P" <<'PYEOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
buf = b""
s.settimeout(3)
while True:
    d = s.recv(4096)
    if not d:
        break
    buf += d
print(buf.split(b"\r\n")[0].decode())
PYEOF
)
check "...as HTTP/1.0 400 Bad Request, then closed" test "$raw" = "HTTP/1.0 400 Bad Request"
check "TLS still served after that" test "$(code -u 'prometheus:s3cret pw' "$U/metrics")" = 200
check "TLS 1.3" test "$(code --tlsv1.3 -u 'prometheus:s3cret pw' "$U/metrics")" = 200
check "TLS 1.0 refused (Go's default minimum is 1.2)" sh -c "! curl -s --cacert ca.crt --tlsv1.0 --tls-max 1.1 -o /dev/null '$U/metrics'"
# A changed TLS section is not applied by SIGHUP (it needs a restart).
sed -i 's/^  key_file: server.key$/  key_file: server.key\n  min_version: TLS13/' web-auth.yml
kill -HUP "$PID_auth"
i=0; while [ $i -lt 50 ] && ! grep -q 'restart to apply' "$T/auth.log"; do sleep 0.1; i=$((i+1)); done
check "SIGHUP with changed TLS settings: refused and logged" grep -q 'tls_server_config changed, restart to apply' "$T/auth.log"
check "...and still serving with the old settings" test "$(code --tls-max 1.2 -u 'prometheus:s3cret pw' "$U/metrics")" = 200
wrong_time=$( { /usr/bin/time -f %e $C -o /dev/null -u 'prometheus:never tried' "$U/metrics"; } 2>&1 )
again_time=$( { /usr/bin/time -f %e $C -o /dev/null -u 'prometheus:never tried' "$U/metrics"; } 2>&1 )
echo "# new wrong password took ${wrong_time}s (one bcrypt, cost 10), the same again ${again_time}s (remembered)"

# Client certificates: required and verified.
cat >web-mtls.yml <<EOC
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
  min_version: TLS12
EOC
P2=$(free_port)
U2=https://127.0.0.1:$P2
start mtls "$EX" --web.listen-address=127.0.0.1:$P2 --web.config.file="$T/web-mtls.yml"
sleep 0.5
i=0; while [ $i -lt 50 ] && ! grep -q 'Listening on' "$T/mtls.log"; do sleep 0.1; i=$((i+1)); done
check "client cert: 200" test "$(code --cert client.crt --key client.key "$U2/metrics")" = 200
nocert=$(code "$U2/metrics")
check "no client cert: refused ($nocert)" test "$nocert" != 200
rogue=$(code --cert rogue.crt --key rogue.key "$U2/metrics")
check "client cert from another CA: refused ($rogue)" test "$rogue" != 200

cat >web-tls13.yml <<EOC
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  min_version: TLS13
EOC
P3=$(free_port)
start t13 "$EX" --web.listen-address=127.0.0.1:$P3 --web.config.file="$T/web-tls13.yml"
wait_http "https://127.0.0.1:$P3/-/healthy" || fail "TLS13 server did not start"
check "min_version TLS13: 1.3 works" test "$(code --tlsv1.3 "https://127.0.0.1:$P3/-/healthy")" = 200
check "min_version TLS13: 1.2 refused" sh -c "! curl -s --cacert ca.crt --tls-max 1.2 -o /dev/null 'https://127.0.0.1:$P3/-/healthy'"

# RequireAnyClientCert without a CA: any certificate will do, none is refused.
cat >web-any.yml <<EOC
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_auth_type: RequireAnyClientCert
EOC
P4=$(free_port)
start any "$EX" --web.listen-address=127.0.0.1:$P4 --web.config.file="$T/web-any.yml"
i=0; while [ $i -lt 50 ] && ! grep -q 'Listening on' "$T/any.log"; do sleep 0.1; i=$((i+1)); done
check "RequireAnyClientCert: rogue cert accepted" test "$(code --cert rogue.crt --key rogue.key "https://127.0.0.1:$P4/-/healthy")" = 200
check "RequireAnyClientCert: no cert refused" test "$(code "https://127.0.0.1:$P4/-/healthy")" != 200

# A key that does not match the certificate is refused at start-up.
cat >web-bad.yml <<EOC
tls_server_config:
  cert_file: server.crt
  key_file: client.key
EOC
"$EX" --web.config.file="$T/web-bad.yml" >bad.out 2>&1; rc=$?
check "mismatched key stops start-up" test $rc = 1
check "message names file and field" grep -q "web-bad.yml:3:[0-9]*: key .\{1,2\}tls_server_config.key_file" bad.out
finish
