#!/bin/sh
# Out of descriptors: with `ulimit -n 32` and 40 connections held, accept()
# fails with EMFILE. The server must back off (CPU stays low), log it, and
# serve again once the connections are gone. Usage: http-fdlimit.sh omx-example
. "$(dirname "$0")/http-lib.sh"
EX=${1:?usage: $0 omx-example}
case $EX in /*) ;; *) EX=$(pwd)/$EX ;; esac
HC=$(cd "$(dirname "$0")" && pwd)/hostile-client.py
need curl
[ -r /proc/self/stat ] || skip "no /proc"

P=$(free_port)
U=http://127.0.0.1:$P
# The long header deadline keeps the accepted connections for the whole test.
(ulimit -n 32 && exec "$EX" --web.listen-address=127.0.0.1:$P --web.read-header-timeout=30s) \
  >"$T/ex.log" 2>&1 &
SP=$!
PIDS="$PIDS $SP"
wait_http "$U/-/healthy" || { cat "$T/ex.log"; fail "server did not start"; finish; }

"$PY" "$HC" idle 40 "$P" 4 >"$T/idle.out" 2>&1 &
HP=$!
PIDS="$PIDS $HP"
i=0; while [ $i -lt 100 ] && ! grep -q '^open' "$T/idle.out"; do sleep 0.05; i=$((i+1)); done
check "40 connections made" grep -q '^open 40$' "$T/idle.out"
sleep 0.5
cpu() { awk '{ print $14 + $15 }' "/proc/$SP/stat"; }
c0=$(cpu); sleep 2; c1=$(cpu)
hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
echo "# CPU over 2 s while out of descriptors: $((c1 - c0)) ticks of $((2 * hz))"
check "CPU stays low (under 10 % of a core)" test $((c1 - c0)) -lt $((2 * hz / 10))
check "the accept error is logged with its retry delay" \
  grep -q 'msg="accept error, retrying" err="Too many open files" delay=' "$T/ex.log"
n=$(grep -c 'accept error, retrying' "$T/ex.log")
check "logged once per retry, not per spin ($n lines)" test "$n" -lt 20
wait $HP
t0=$(date +%s)
check "serves again once the connections are closed" \
  test "$(curl -s -o /dev/null -w '%{http_code}' -m 5 "$U/metrics")" = 200
check "...within 5 s" test $(( $(date +%s) - t0 )) -le 5
finish
