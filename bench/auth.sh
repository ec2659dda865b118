#!/bin/sh
# bench auth/*: server CPU per failed basic-auth attempt (bcrypt cost 10), read
# from /proc/PID/stat around N requests with the same wrong password over one
# keep-alive connection, after one attempt that pays the bcrypt. Peer:
# Debian's prometheus-node-exporter with the same web config (it remembers
# failed checks too).
# Usage: sh bench/auth.sh BUILD_DIR
set -u
build=${1:-build}
EX=$build/examples/omx-example
PY=/usr/bin/python3
N=${AUTH_BENCH_N:-10000} # attempts measured; lower it for a build that runs bcrypt each time
[ -x "$EX" ] || { echo "bench auth: $EX not built" >&2; exit 1; }
command -v curl >/dev/null || { echo "bench auth: curl missing" >&2; exit 1; }
T=$(mktemp -d /tmp/omx-bench-auth.XXXXXX)
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; rm -rf "$T"' EXIT INT TERM
port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { i=0; while [ $i -lt 100 ] && ! curl -s -o /dev/null "$1"; do sleep 0.1; i=$((i+1)); done; }
# CPU of a process in clock ticks (utime + stime; the fields after "comm)").
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

HASH=$("$PY" -W ignore -c 'import crypt; print(crypt.crypt("right pw", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1024)))' 2>/dev/null)
case "$HASH" in '$2b$10$'*) ;; *) echo "bench auth: python3 crypt cannot make bcrypt hashes" >&2; exit 1;; esac
printf "basic_auth_users:\n  prometheus: '%s'\n" "$HASH" >"$T/web.yml"

# cpu_per_attempt PID URL -> milliseconds of server CPU per failed attempt
cpu_per_attempt() {
  { echo 'user = "prometheus:wrong pw"'; echo 'silent'
    i=0; while [ $i -lt $N ]; do echo "url = \"$2\""; echo 'output = "/dev/null"'; i=$((i+1)); done
  } >"$T/curl.cfg"
  curl -s -u 'prometheus:wrong pw' "$2" >/dev/null # the one bcrypt
  t0=$(ticks "$1")
  curl -K "$T/curl.cfg"
  t1=$(ticks "$1")
  echo "$t0 $t1 $(getconf CLK_TCK)" | awk -v n=$N '{ printf "%.4f\n", ($2 - $1) * 1000 / $3 / n }'
}

P1=$(port)
"$EX" --web.listen-address=127.0.0.1:$P1 --web.config.file="$T/web.yml" --log.level=error &
ours_pid=$!
PIDS="$PIDS $ours_pid"
wait_up "http://127.0.0.1:$P1/-/healthy"
ours=$(cpu_per_attempt $ours_pid "http://127.0.0.1:$P1/metrics")

peer=n/a
if command -v prometheus-node-exporter >/dev/null; then
  P2=$(port)
  prometheus-node-exporter --web.listen-address=127.0.0.1:$P2 --web.config.file="$T/web.yml" \
    --collector.disable-defaults --log.level=error 2>/dev/null &
  peer_pid=$!
  PIDS="$PIDS $peer_pid"
  wait_up "http://127.0.0.1:$P2/metrics"
  peer=$(cpu_per_attempt $peer_pid "http://127.0.0.1:$P2/metrics")
fi
echo "$ours $peer" | awk '{ r = ($2 == "n/a" || $2 == 0) ? "n/a" : sprintf("%.2f", $1 / $2)
  printf "bench auth/wrong-password-cpu-per-attempt: ours %s ms; node_exporter %s ms; %sx\n", $1, $2, r }'
