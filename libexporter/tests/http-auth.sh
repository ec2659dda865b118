#!/bin/sh
# Basic auth under attack: repeated wrong passwords do not pay bcrypt again,
# attackers with fresh passwords hold at most one CPU and do not stop a
# legitimate client, unknown users cost what known ones do, and SIGHUP forgets
# every remembered outcome. CPU is the server's own, from /proc/PID/stat.
# Usage: http-auth.sh path/to/omx-example
. "$(dirname "$0")/http-lib.sh"
EX=${1:?usage: $0 omx-example}
case $EX in /*) ;; *) EX=$(pwd)/$EX ;; esac
need curl
HASH=$("$PY" -W ignore -c 'import crypt; print(crypt.crypt("right pw", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1024)))' 2>/dev/null)
case "$HASH" in '$2b$10$'*) ;; *) skip "python3 crypt cannot make bcrypt hashes";; esac
printf "basic_auth_users:\n  prometheus: '%s'\n" "$HASH" >"$T/web.yml"
P=$(free_port)
U=http://127.0.0.1:$P/metrics
start auth "$EX" --web.listen-address=127.0.0.1:$P --web.config.file="$T/web.yml"
wait_http "http://127.0.0.1:$P/-/healthy" || { cat "$T/auth.log"; fail "server did not start"; finish; }
HZ=$(getconf CLK_TCK)

# Server CPU so far in milliseconds (utime + stime, after the "comm)" field).
cpu_ms() { sed 's/.*) //' "/proc/$PID_auth/stat" | awk -v hz="$HZ" '{ print int(($12 + $13) * 1000 / hz) }'; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
# many N USER:PASS: N requests over one keep-alive connection, bodies dropped
many() {
  n=$1; urls=""; i=0
  while [ $i -lt "$n" ]; do urls="$urls $U"; i=$((i + 1)); done
  # shellcheck disable=SC2086
  curl -s -u "$2" $urls >/dev/null
}
# fresh_guesses USER PREFIX N: N requests, each with a password never tried before
fresh_guesses() {
  args=""; i=0
  while [ $i -lt "$3" ]; do
    [ $i -gt 0 ] && args="$args --next"
    args="$args -s -o /dev/null -u $1:$2-$i $U"; i=$((i + 1))
  done
  # shellcheck disable=SC2086
  curl $args
}

# One wrong password, 200 times: one bcrypt (cost 10, ~66 ms here), then lookups.
c0=$(cpu_ms)
check "wrong password: 401" test "$(code -u 'prometheus:wrong pw' "$U")" = 401
c1=$(cpu_ms)
many 200 'prometheus:wrong pw'
c2=$(cpu_ms)
echo "# first wrong attempt: $((c1 - c0)) ms CPU; 200 repeats: $((c2 - c1)) ms CPU"
check "200 repeats of a wrong password cost far less than 200 bcrypts (< 1000 ms CPU, was 13,200)" \
  test $((c2 - c1)) -lt 1000
check "right password after the remembered failure: 200" test "$(code -u 'prometheus:right pw' "$U")" = 200

# Unknown users: ten fresh passwords cost about what a known user's cost.
c0=$(cpu_ms); fresh_guesses prometheus known 10; c1=$(cpu_ms)
fresh_guesses nobody unknown 10; c2=$(cpu_ms)
k=$((c1 - c0)); u=$((c2 - c1))
echo "# 10 fresh wrong passwords: known user $k ms CPU, unknown user $u ms CPU"
check "unknown user costs bcrypt like a known one (within 2x)" \
  sh -c "test $u -gt 0 && test $((u * 2)) -ge $k && test $((k * 2)) -ge $u"
c0=$(cpu_ms); fresh_guesses nobody unknown 10; c1=$(cpu_ms)
echo "# the same 10 unknown-user attempts again: $((c1 - c0)) ms CPU"
check "unknown user's repeats are remembered too (< a quarter of the first round)" \
  test $(((c1 - c0) * 4)) -lt "$u"

# Four attackers with fresh wrong passwords while a legitimate client scrapes.
rm -f "$T/stop"
attacker() { # attacker ID: fresh passwords in batches until $T/stop exists
  b=0
  while [ ! -e "$T/stop" ]; do fresh_guesses prometheus "atk$1-$b" 5; b=$((b + 1)); done
}
failures() { curl -s -u 'prometheus:right pw' "$U" | awk '/^omx_http_auth_failures_total\{cause="credentials"\}/ { print $2 }'; }
f0=$(failures)
c0=$(cpu_ms); w0=$("$PY" -c 'import time; print(int(time.monotonic() * 1000))')
for a in 1 2 3 4; do attacker $a & eval "ATK_$a=\$!"; done
sleep 0.5
good=0; total=30; i=0; slowest=0
while [ $i -lt $total ]; do
  r=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -u 'prometheus:right pw' "$U")
  [ "${r% *}" = 200 ] && good=$((good + 1))
  slowest=$(echo "$slowest ${r#* }" | awk '{ print ($2 > $1) ? $2 : $1 }')
  i=$((i + 1)); sleep 0.1
done
touch "$T/stop"
for a in 1 2 3 4; do eval "wait \$ATK_$a"; done
c1=$(cpu_ms); w1=$("$PY" -c 'import time; print(int(time.monotonic() * 1000))')
fails=$(($(failures) - f0))
echo "# under attack: $good/$total legitimate scrapes 200 (slowest ${slowest}s); server CPU $((c1 - c0)) ms in $((w1 - w0)) ms; $fails attacker attempts refused"
check "legitimate scrapes beside 4 attackers: all 200" test "$good" = "$total"
check "the attack ran (over 10 attempts refused)" test "$fails" -gt 10
check "4 attackers hold at most about one CPU (bcrypt runs one at a time)" \
  test $((c1 - c0)) -lt $(((w1 - w0) * 3 / 2))

# SIGHUP forgets remembered outcomes: the same ten failures cost bcrypt again.
c0=$(cpu_ms); fresh_guesses prometheus known 10; c1=$(cpu_ms)
before=$((c1 - c0))
kill -HUP "$PID_auth"
i=0; while [ $i -lt 50 ] && ! grep -q 'web config reloaded' "$T/auth.log"; do sleep 0.1; i=$((i + 1)); done
check "SIGHUP reloads the web config" grep -q 'web config reloaded' "$T/auth.log"
c0=$(cpu_ms); fresh_guesses prometheus known 10; c1=$(cpu_ms)
after=$((c1 - c0))
echo "# 10 remembered failures: $before ms CPU before SIGHUP, $after ms after"
check "after SIGHUP the remembered failures are checked again (bcrypt CPU is back)" \
  test "$after" -gt $((before * 4 + 100))
check "right password after SIGHUP: 200" test "$(code -u 'prometheus:right pw' "$U")" = 200
finish
