#!/bin/sh
# SIGTERM with a scrape in progress: a scrape that ends within
# --web.shutdown-grace is answered, then the process exits 0; one stuck in its
# collector (--example.collect-delay=60) does not hold the process: it exits 0
# within the grace period + 1 s, having sent STOPPING=1 and stopped accepting
# at once. Usage: http-shutdown.sh path/to/omx-example
. "$(dirname "$0")/http-lib.sh"
EX=${1:?usage: $0 omx-example}
case $EX in /*) ;; *) EX=$(pwd)/$EX ;; esac
need curl

now_ms() { "$PY" -c 'import time; print(int(time.monotonic() * 1000))'; }
# scrape_bg NAME URL: a scrape in the background; its status code lands in $T/NAME.code.
scrape_bg() {
  curl -s -o /dev/null -w '%{http_code}' -m 70 "$2" >"$T/$1.code" 2>/dev/null &
  eval "CPID_$1=$!"
  PIDS="$PIDS $!"
}

# A scrape taking 1 s, grace 5 s: answered, then exit 0.
P=$(free_port)
start quick "$EX" --web.listen-address=127.0.0.1:$P --example.collect-delay=1 --web.shutdown-grace=5s
wait_http "http://127.0.0.1:$P/-/healthy" || { cat "$T/quick.log"; fail "server did not start"; finish; }
scrape_bg quick "http://127.0.0.1:$P/metrics"
sleep 0.3
t0=$(now_ms)
kill -TERM "$PID_quick"; wait "$PID_quick"; rc=$?
t1=$(now_ms)
wait "$CPID_quick"
echo "# exited after $((t1 - t0)) ms"
check "scrape in progress answered during the grace period" test "$(cat "$T/quick.code")" = 200
check "then exit 0" test $rc = 0
check "...once it was done, not after the whole grace period" test $((t1 - t0)) -lt 3000

# A stuck scrape, grace 2 s, under a NOTIFY_SOCKET.
SOCK=$T/notify.sock
"$PY" - "$SOCK" >"$T/notify.log" 2>&1 <<'PYEOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
print("bound", flush=True)
try:
    while True:
        for line in s.recv(4096).decode().split("\n"):
            print(line, flush=True)
except socket.timeout:
    pass
PYEOF
LIS=$!
PIDS="$PIDS $LIS"
i=0; while [ $i -lt 50 ] && ! grep -q bound "$T/notify.log"; do sleep 0.1; i=$((i+1)); done
P2=$(free_port)
NOTIFY_SOCKET=$SOCK start stuck "$EX" --web.listen-address=127.0.0.1:$P2 --example.collect-delay=60 \
  --web.shutdown-grace=2s
i=0; while [ $i -lt 50 ] && ! grep -q 'READY=1' "$T/notify.log"; do sleep 0.1; i=$((i+1)); done
scrape_bg stuck "http://127.0.0.1:$P2/metrics"
# A keep-alive client: one request before SIGTERM, one after (file "go").
"$PY" - "$P2" "$T/go" >"$T/ka.out" 2>&1 <<'PYEOF' &
import os, socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(5)
def ask():
    s.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(4096)
        if not d:
            return "closed"
        buf += d
    return buf.split(b"\r\n")[0].decode()
print("before:", ask(), flush=True)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.05)
print("after:", ask(), flush=True)
PYEOF
KA=$!
PIDS="$PIDS $KA"
sleep 0.5
t0=$(now_ms)
kill -TERM "$PID_stuck"
sleep 0.3
check "stops accepting at once" sh -c "! curl -s -o /dev/null -m 2 'http://127.0.0.1:$P2/-/healthy'"
touch "$T/go"; wait $KA
sed 's/^/# keep-alive /' "$T/ka.out"
check "keep-alive request before SIGTERM: 200" grep -q '^before: HTTP/1.1 200 OK' "$T/ka.out"
check "...on the same connection after it: 503" grep -q '^after: HTTP/1.1 503 Service Unavailable' "$T/ka.out"
wait "$PID_stuck"; rc=$?
t1=$(now_ms)
echo "# exited after $((t1 - t0)) ms"
check "exit 0 with a handler stuck" test $rc = 0
check "within grace + 1 s" test $((t1 - t0)) -le 3000
check "...not before the grace period" test $((t1 - t0)) -ge 1900
check "the early exit is logged" grep -q 'requests still running after the shutdown grace period' "$T/stuck.log"
check "STOPPING=1 sent" grep -q '^STOPPING=1$' "$T/notify.log"
finish
