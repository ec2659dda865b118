#!/bin/sh
# Hostile clients must not take the server from anyone else: 520 slowloris
# connections and 2,000 idle ones (plain HTTP), 520 stalled TLS handshakes
# (TLS), all while curl gets 200 at once; the hostile ones are closed after
# --web.read-header-timeout, an idle keep-alive one after --web.idle-timeout;
# --web.max-connections-per-ip.
# Usage: http-hostile.sh path/to/omx-example
. "$(dirname "$0")/http-lib.sh"
EX=${1:?usage: $0 omx-example}
case $EX in /*) ;; *) EX=$(pwd)/$EX ;; esac
HC=$(cd "$(dirname "$0")" && pwd)/hostile-client.py
need curl openssl

# hold NAME KIND N PORT SECONDS: starts hostile-client.py, waits until it is connected.
hold() {
  "$PY" "$HC" "$2" "$3" "$4" "$5" >"$T/$1.out" 2>&1 &
  PIDS="$PIDS $!"
  eval "HPID_$1=$!"
  i=0; while [ $i -lt 200 ] && ! grep -q '^open' "$T/$1.out"; do sleep 0.05; i=$((i+1)); done
  grep -q "^open $3\$" "$T/$1.out"
}
# fast_200 URL CURLARGS...: five scrapes, each 200 within 1 s.
fast_200() {
  u=$1; shift
  for k in 1 2 3 4 5; do
    r=$(curl -s -o /dev/null -m 5 -w '%{http_code} %{time_total}' "$@" "$u") || return 1
    echo "# $r"
    set -- "$@"
    case $r in 200\ 0.*) ;; *) return 1;; esac
  done
}
# closed_between NAME LO HI: every connection closed, the first after LO s, the last before HI s.
closed_between() {
  eval "wait \$HPID_$1"
  l=$(cat "$T/$1.out" | tail -n1); echo "# $1: $l"
  set -- $l "$2" "$3"
  [ "$1" = closed ] && [ "$2" = "$4" ] &&
    awk -v f="$6" -v la="$8" -v lo="$9" -v hi="${10}" 'BEGIN { exit !(f >= lo && la <= hi) }'
}

P=$(free_port)
U=http://127.0.0.1:$P
start plain "$EX" --web.listen-address=127.0.0.1:$P --web.read-header-timeout=2s --web.idle-timeout=3s
wait_http "$U/-/healthy" || { cat "$T/plain.log"; fail "server did not start"; finish; }
check "520 slowloris connections held" hold slow slowloris 520 "$P" 6
check "2,000 idle connections held" hold idle idle 2000 "$P" 6
check "scrapes answer 200 within 1 s meanwhile" fast_200 "$U/metrics"
check "slowloris closed 2 s after connecting (header deadline)" closed_between slow 1.8 3.5
check "idle connections closed 2 s after connecting" closed_between idle 1.8 3.5
check "still serving" test "$(curl -s -o /dev/null -w '%{http_code}' -m 5 "$U/metrics")" = 200

# Keep-alive: after an answer the connection has --web.idle-timeout (3 s) for
# the next request.
ka=$("$PY" - "$P" <<'PYEOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
buf = b""
while b"Healthy" not in buf:
    buf += s.recv(4096)
t = time.monotonic()
s.settimeout(5)
try:
    while s.recv(4096):
        pass
except OSError:
    pass
print("%.2f" % (time.monotonic() - t))
PYEOF
)
echo "# idle keep-alive connection closed after ${ka}s"
check "idle keep-alive connection closed after --web.idle-timeout" \
  awk -v t="$ka" 'BEGIN { exit !(t >= 2.8 && t <= 4.5) }'

# --web.max-connections-per-ip: a sixth connection from 127.0.0.1 is closed at
# once, and taken again when the others are gone.
P3=$(free_port)
start perip "$EX" --web.listen-address=127.0.0.1:$P3 --web.max-connections-per-ip=5
wait_http "http://127.0.0.1:$P3/-/healthy" || { cat "$T/perip.log"; fail "server did not start"; finish; }
check "5 connections from one address held" hold five idle 5 "$P3" 1.5
check "a sixth from that address is refused" \
  test "$(curl -s -o /dev/null -w '%{http_code}' -m 2 "http://127.0.0.1:$P3/metrics")" = 000
check "...and logged" grep -q 'per-address connection limit reached' "$T/perip.log"
eval "wait \$HPID_five"
check "served again once they are closed" \
  test "$(curl -s -o /dev/null -w '%{http_code}' -m 2 "http://127.0.0.1:$P3/metrics")" = 200

# TLS: stalled handshakes.
cd "$T"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -keyout tls.key -out tls.crt -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  >/dev/null 2>&1 || { fail "openssl could not make a certificate"; finish; }
printf 'tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\n' >web.yml
P2=$(free_port)
start tls "$EX" --web.listen-address=127.0.0.1:$P2 --web.config.file="$T/web.yml" --web.read-header-timeout=2s
wait_http "https://127.0.0.1:$P2/-/healthy" || { cat "$T/tls.log"; fail "TLS server did not start"; finish; }
check "520 stalled TLS handshakes held" hold tlsstall tls 520 "$P2" 6
check "500 silent connections to the TLS port held" hold tlsidle idle 500 "$P2" 6
check "TLS scrapes answer 200 within 1 s meanwhile" fast_200 "https://127.0.0.1:$P2/metrics" --cacert "$T/tls.crt"
check "stalled handshakes closed 2 s after connecting" closed_between tlsstall 1.8 3.5
check "silent ones (no first byte) closed 2 s after connecting" closed_between tlsidle 1.8 3.5
finish
