# Shared helpers for the http-*.sh integration tests (sourced, POSIX sh).
# Each test gets a temp dir, starts its servers on 127.0.0.1 with free ports and
# kills them on exit.
set -u
PY=${PYTHON:-/usr/bin/python3}
T=$(mktemp -d /tmp/omx-http-test.XXXXXX)
PIDS=""
FAILS=0
CHECKS=0

cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null; done
  for p in $PIDS; do wait "$p" 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT INT TERM

skip() { echo "SKIP: $*"; exit 77; }
need() { for c in "$@"; do command -v "$c" >/dev/null 2>&1 || skip "$c not installed"; done; }

ok()   { CHECKS=$((CHECKS + 1)); echo "ok - $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL - $*"; }
check() { # check "description" command...
  d=$1; shift
  if "$@"; then ok "$d"; else fail "$d"; fi
}
finish() {
  echo "$CHECKS checks, $FAILS failures"
  [ "$CHECKS" -gt 0 ] || exit 1
  [ "$FAILS" -eq 0 ]
  exit $?
}

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port PORT [SCHEME]: waits up to 10 s for the server to answer /-/healthy.
wait_http() {
  i=0
  while [ $i -lt 100 ]; do
    curl -sk -o /dev/null --max-time 1 "$1" && return 0
    i=$((i + 1)); sleep 0.1
  done
  return 1
}

# start NAME CMD...: starts CMD in the background, logs to $T/NAME.log.
start() {
  n=$1; shift
  "$@" >"$T/$n.log" 2>&1 &
  eval "PID_$n=$!"
  PIDS="$PIDS $!"
}
