#!/bin/sh
# systemd integration without systemd as PID 1: socket activation through
# systemd-socket-activate and sd_notify READY/STATUS/WATCHDOG/STOPPING read from
# a NOTIFY_SOCKET this test listens on. Usage: http-systemd.sh omx-example
. "$(dirname "$0")/http-lib.sh"
EX=${1:?usage: $0 omx-example}
case $EX in /*) ;; *) EX=$(pwd)/$EX ;; esac
need curl systemd-socket-activate
P=$(free_port)
SOCK=$T/notify.sock
"$PY" - "$SOCK" >"$T/notify.log" 2>&1 <<'PYEOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
print("bound", flush=True)
try:
    while True:
        msg = s.recv(4096).decode()
        for line in msg.split("\n"):
            print("%.3f %s" % (time.monotonic(), line), flush=True)
        if "STOPPING=1" in msg:
            break
except socket.timeout:
    print("timeout", flush=True)
PYEOF
LIS=$!
PIDS="$PIDS $LIS"
i=0; while [ $i -lt 50 ] && ! grep -q bound "$T/notify.log"; do sleep 0.1; i=$((i+1)); done

# The watchdog interval is 400 ms, so pings come every 200 ms.
start ex systemd-socket-activate -l 127.0.0.1:$P -E NOTIFY_SOCKET="$SOCK" -E WATCHDOG_USEC=400000 \
  "$EX" --web.systemd-socket
# systemd-socket-activate starts the program on the first connection.
i=0; while [ $i -lt 50 ] && ! grep -q 'Listening on' "$T/ex.log"; do sleep 0.1; i=$((i+1)); done
check "serves on the activated socket" test "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$P/metrics")" = 200
check "took the socket from systemd" grep -q "msg=\"Listening on\" address=127.0.0.1:$P" "$T/ex.log"
i=0; while [ $i -lt 30 ] && ! grep -q 'READY=1' "$T/notify.log"; do sleep 0.1; i=$((i+1)); done
check "READY=1 sent" grep -q ' READY=1$' "$T/notify.log"
check "STATUS= sent" grep -q ' STATUS=Serving metrics$' "$T/notify.log"
sleep 1.1
n=$(grep -c ' WATCHDOG=1$' "$T/notify.log")
check "watchdog pinged at half the interval ($n pings in ~1.2 s)" test "$n" -ge 4
kill -TERM "$PID_ex"; wait "$PID_ex"; rc=$?
check "exit 0 on SIGTERM" test $rc = 0
wait $LIS
check "STOPPING=1 sent" grep -q ' STOPPING=1$' "$T/notify.log"

# libsystemd is dlopen()ed only under systemd: a process started without
# NOTIFY_SOCKET/LISTEN_FDS never maps it, and one under Type=notify whose
# libsystemd cannot be loaded says so instead of leaving systemd waiting.
P2=$(free_port)
start plain "$EX" --web.listen-address=127.0.0.1:$P2
i=0; while [ $i -lt 50 ] && ! grep -q 'Listening on' "$T/plain.log"; do sleep 0.1; i=$((i+1)); done
check "libsystemd not mapped without systemd" sh -c "grep -q libmicrohttpd /proc/$PID_plain/maps && ! grep -q libsystemd /proc/$PID_plain/maps"
kill -TERM "$PID_plain"; wait "$PID_plain"
if command -v cc >/dev/null 2>&1; then
  mkdir -p "$T/fakesd" && echo 'int omx_no_sd_here;' >"$T/fakesd/f.c" &&
    cc -shared -fPIC -o "$T/fakesd/libsystemd.so.0" "$T/fakesd/f.c"
  NOTIFY_SOCKET="$T/none.sock" LD_LIBRARY_PATH="$T/fakesd" timeout 2 "$EX" \
    --web.listen-address=127.0.0.1:$(free_port) >"$T/nosd.log" 2>&1
  check "NOTIFY_SOCKET without a usable libsystemd: a warning" \
    grep -q 'level=warn msg="NOTIFY_SOCKET is set but libsystemd.so.0 cannot be loaded"' "$T/nosd.log"
else
  echo "skip: no C compiler to build a libsystemd without symbols"
fi

# --web.systemd-socket without sockets is a clear start-up error.
"$EX" --web.systemd-socket >"$T/o" 2>&1; rc=$?
check "no sockets from systemd: exit 1 with a message" sh -c "test $rc = 1 && grep -q 'no listening socket from systemd' '$T/o'"

# Logs get syslog priorities when stderr is the journal stream.
"$PY" - "$EX" >"$T/j.txt" 2>&1 <<'PYEOF'
import os, subprocess, sys
r, w = os.pipe()
st = os.fstat(w)
env = dict(os.environ, JOURNAL_STREAM="%d:%d" % (st.st_dev, st.st_ino))
p = subprocess.Popen([sys.argv[1], "--web.listen-address=nonsense"], stderr=w, env=env)
os.close(w)
p.wait()
print(os.read(r, 65536).decode(), end="")
PYEOF
check "journal stream gets <N> priority prefixes" grep -q '^<3>ts=.* level=error' "$T/j.txt"
check "info lines are <6>" grep -q '^<6>ts=.* level=info' "$T/j.txt"
finish
