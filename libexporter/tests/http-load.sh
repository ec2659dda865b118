#!/bin/sh
# Load: 200 concurrent keep-alive scrapes from wrk with no failed request, and
# slow/idle clients that must not block anyone else. Usage: http-load.sh omx-example
. "$(dirname "$0")/http-lib.sh"
EX=${1:?usage: $0 omx-example}
case $EX in /*) ;; *) EX=$(pwd)/$EX ;; esac
need curl wrk
P=$(free_port)
U=http://127.0.0.1:$P
# --web.max-requests=0: the point here is the server, not the 503 limit
# (http-serve.sh tests that).
start ex "$EX" --web.listen-address=127.0.0.1:$P --web.max-requests=0 --example.series=1000
wait_http "$U/-/healthy" || { cat "$T/ex.log"; fail "server did not start"; finish; }

wrk -t2 -c200 -d3s --timeout 5s "$U/metrics" >"$T/wrk.txt" 2>&1
cat "$T/wrk.txt" | sed 's/^/# /'
req=$(awk '/requests in/ {print $1}' "$T/wrk.txt")
check "wrk made requests ($req)" test "${req:-0}" -gt 200
check "no socket errors" sh -c "! grep -q 'Socket errors' '$T/wrk.txt'"
check "no non-2xx responses" sh -c "! grep -q 'Non-2xx' '$T/wrk.txt'"

wrk -t2 -c200 -d2s --timeout 5s -H 'Accept-Encoding: gzip' "$U/metrics" >"$T/wrk2.txt" 2>&1
check "gzip under load: no errors" sh -c "! grep -q -e 'Socket errors' -e 'Non-2xx' '$T/wrk2.txt'"

# Slow clients: 50 connections that send half a request and idle, plus 50 that
# send nothing; meanwhile normal scrapes must be fast.
"$PY" - "$P" >"$T/slow.log" 2>&1 <<'PYEOF' &
import socket, sys, time
port = int(sys.argv[1])
socks = []
for i in range(100):
    s = socket.create_connection(("127.0.0.1", port))
    if i % 2 == 0:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: ")
    socks.append(s)
print("open", len(socks), flush=True)
time.sleep(6)
PYEOF
SLOW=$!
PIDS="$PIDS $SLOW"
sleep 1
check "slow clients connected" grep -q 'open 100' "$T/slow.log"
t0=$(date +%s%N)
good=0
for i in 1 2 3 4 5 6 7 8 9 10; do
  c=$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "$U/metrics")
  [ "$c" = 200 ] && good=$((good + 1))
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "10 scrapes served beside 100 stalled connections ($good/10 in ${ms} ms)" test $good = 10
check "...quickly (< 5 s total; a blocked server would wait 60 s)" test $ms -lt 5000
kill $SLOW 2>/dev/null
check "still healthy" test "$(curl -s -o /dev/null -w '%{http_code}' "$U/-/healthy")" = 200
finish
