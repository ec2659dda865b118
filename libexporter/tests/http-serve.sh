#!/bin/sh
# omx-example over plain HTTP: format negotiation, gzip, HEAD, 404/405, landing
# page, health endpoints, extra handler, the in-flight limit, flags and a bad
# web config. Usage: http-serve.sh path/to/omx-example
. "$(dirname "$0")/http-lib.sh"
EX=${1:?usage: $0 omx-example}
case $EX in /*) ;; *) EX=$(pwd)/$EX ;; esac
need curl gzip
P=$(free_port)
U=http://127.0.0.1:$P
start ex "$EX" --web.listen-address=127.0.0.1:$P
wait_http "$U/-/healthy" || { cat "$T/ex.log"; fail "server did not start"; finish; }
sleep 0.3 # let the worker create its label sets

ct() { curl -s -o /dev/null -w '%{content_type}' "$@"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

check "default format is Prometheus text 0.0.4" \
  test "$(ct "$U/metrics")" = "text/plain; version=0.0.4; charset=utf-8"
check "OpenMetrics on request" \
  test "$(ct -H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' "$U/metrics")" = \
       "application/openmetrics-text; version=1.0.0; charset=utf-8"
curl -s -H 'Accept: application/openmetrics-text; version=1.0.0' "$U/metrics" >"$T/om.txt"
check "OpenMetrics body ends with # EOF" test "$(tail -n1 "$T/om.txt")" = "# EOF"
check "OpenMetrics counter family has no _total in TYPE" grep -q '^# TYPE example_requests counter$' "$T/om.txt"

# gzip: decoded body equals the plain body (values stripped: they move).
strip() { grep -v '^#' "$1" | sed 's/ [^ ]*$//' | grep -v -e '^process_' -e '^promhttp_' -e '^example_requests_total'; }
curl -s -D "$T/gz.h" -H 'Accept-Encoding: gzip' "$U/metrics" >"$T/gz.bin"
curl -s "$U/metrics" >"$T/plain.txt"
check "gzip Content-Encoding" grep -qi '^Content-Encoding: gzip' "$T/gz.h"
check "Vary: Accept-Encoding" grep -qi '^Vary: Accept-Encoding' "$T/gz.h"
gzip -dc <"$T/gz.bin" >"$T/gz.txt"
check "gunzip works" test -s "$T/gz.txt"
strip "$T/gz.txt" >"$T/a"; strip "$T/plain.txt" >"$T/b"
check "gzip body equals plain body (series and order)" cmp -s "$T/a" "$T/b"
check "same families with gzip" test "$(grep -c '^# TYPE' "$T/gz.txt")" = "$(grep -c '^# TYPE' "$T/plain.txt")"
curl -s -D "$T/q0.h" -o /dev/null -H 'Accept-Encoding: gzip;q=0, identity' "$U/metrics"
check "gzip;q=0 is honoured" sh -c "! grep -qi '^Content-Encoding' '$T/q0.h'"

# HEAD: same headers, no body.
curl -s -I "$U/metrics" >"$T/head.h"
check "HEAD 200" grep -q '^HTTP/1.1 200' "$T/head.h"
check "HEAD has Content-Type" grep -qi '^Content-Type: text/plain; version=0.0.4' "$T/head.h"
check "HEAD body is empty" test "$(curl -s --head "$U/metrics" -o /dev/null -w '%{size_download}')" = 0

check "404 for unknown path" test "$(code "$U/nope")" = 404
check "404 for unknown path with POST" test "$(code -X POST "$U/nope")" = 404
check "405 for POST /metrics" test "$(code -X POST -d x=1 "$U/metrics")" = 405
check "405 carries Allow" sh -c "curl -s -D- -o /dev/null -X DELETE '$U/metrics' | grep -qi '^Allow: GET, HEAD'"
check "/-/healthy" test "$(code "$U/-/healthy")" = 200
check "/-/ready" test "$(code "$U/-/ready")" = 200
curl -s "$U/" >"$T/landing.html"
check "landing page is HTML" test "$(ct "$U/")" = "text/html; charset=utf-8"
check "landing page links /metrics" grep -q 'href="metrics"' "$T/landing.html"
check "extra handler with query" test "$(curl -s "$U/hello?name=omx")" = "hello omx"
check "405 for POST to a GET handler" test "$(code -X POST "$U/hello")" = 405
check "any-method handler gets POST" test "$(curl -s -X POST -d x=1 "$U/method")" = "POST"
check "any-method handler gets GET" test "$(curl -s "$U/method")" = "GET"
check "keep-alive" sh -c "curl -sv -o /dev/null -o /dev/null '$U/metrics' '$U/metrics' 2>&1 | grep -q 'Re-using existing connection'"
check "timeout header accepted" test "$(code -H 'X-Prometheus-Scrape-Timeout-Seconds: 0.3' "$U/metrics")" = 200
check "requests_total counted" sh -c "curl -s '$U/metrics' | grep -Eq '^promhttp_metric_handler_requests_total\{code=\"200\"\} [1-9]'"
kill -HUP "$PID_ex"; sleep 0.2
check "SIGHUP keeps serving" test "$(code "$U/-/healthy")" = 200
kill -TERM "$PID_ex"; wait "$PID_ex"; rc=$?
check "SIGTERM exits 0" test $rc = 0
check "shutdown logged" grep -q 'msg="Shutting down" signal=TERM' "$T/ex.log"
check "logfmt start line" grep -Eq '^ts=[0-9T:.-]+Z level=info msg="Listening on" address=127.0.0.1:' "$T/ex.log"

# The in-flight limit: one slow scrape at a time, the second gets 503.
P2=$(free_port)
start lim "$EX" --web.listen-address=127.0.0.1:$P2 --web.max-requests=1 \
  --example.collect-delay=1 --log.format=json
wait_http "http://127.0.0.1:$P2/-/healthy" || fail "limited server did not start"
curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$P2/metrics" >"$T/c1" &
c1=$!
sleep 0.3
check "scrape past --web.max-requests gets 503" test "$(code "http://127.0.0.1:$P2/metrics")" = 503
wait $c1
check "the scrape in flight still succeeds" test "$(cat "$T/c1")" = 200
check "503 counted" sh -c "curl -s 'http://127.0.0.1:$P2/metrics' | grep -q '^promhttp_metric_handler_requests_total{code=\"503\"} 1'"
curl -s -o /dev/null "http://127.0.0.1:$P2/-/ready"
check "no request lines at info level" sh -c "! grep -q '\"msg\":\"request\"' '$T/lim.log'"
check "JSON log format" grep -q '^{"ts":"[^"]*","level":"info","msg":"Listening on","address":"127.0.0.1:' "$T/lim.log"

# X-Prometheus-Scrape-Timeout-Seconds reaches the collectors: a 0.5 s timeout
# against a collector that needs 0.7 s makes it give up (reported as failed).
P5=$(free_port)
start slow "$EX" --web.listen-address=127.0.0.1:$P5 --example.collect-delay=0.7
wait_http "http://127.0.0.1:$P5/-/healthy" || fail "slow server did not start"
succ() { curl -s "$@" "http://127.0.0.1:$P5/metrics" | awk '$1 == "example_scrape_collector_success{collector=\"example\"}" {print $2}'; }
check "collector succeeds without a scrape timeout" test "$(succ)" = 1
check "collector gives up past the scrape deadline" test "$(succ -H 'X-Prometheus-Scrape-Timeout-Seconds: 0.5')" = 0
# the abandoned call returns 0.7 s after it started; until then the collector
# is not called again (reported failed at once)
sleep 0.4
check "collector succeeds within a longer timeout" test "$(succ -H 'X-Prometheus-Scrape-Timeout-Seconds: 5')" = 1

P6=$(free_port)
start dbg "$EX" --web.listen-address=127.0.0.1:$P6 --log.level=debug
wait_http "http://127.0.0.1:$P6/-/healthy" || fail "debug server did not start"
curl -s -o /dev/null "http://127.0.0.1:$P6/nope"
check "debug level logs each request" grep -q 'level=debug msg=request method=GET path=/nope status=404' "$T/dbg.log"

# SIGHUP re-reads --web.config.file: users change without a restart; a broken
# file keeps the old config.
hash() { "$PY" -W ignore -c 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))' "$1" 2>/dev/null; }
HA=$(hash apw); HB=$(hash bpw)
case "$HA" in '$2'*)
  printf 'basic_auth_users:\n  alice: %s\n' "'$HA'" >"$T/users.yml"
  P8=$(free_port)
  start hup "$EX" --web.listen-address=127.0.0.1:$P8 --web.config.file="$T/users.yml"
  wait_http "http://127.0.0.1:$P8/" ; sleep 0.2
  check "before reload: alice 200" test "$(code -u alice:apw "http://127.0.0.1:$P8/-/healthy")" = 200
  check "before reload: bob 401" test "$(code -u bob:bpw "http://127.0.0.1:$P8/-/healthy")" = 401
  printf 'basic_auth_users:\n  bob: %s\n' "'$HB'" >"$T/users.yml"
  kill -HUP "$PID_hup"; sleep 0.3
  check "after reload: bob 200" test "$(code -u bob:bpw "http://127.0.0.1:$P8/-/healthy")" = 200
  check "after reload: alice 401" test "$(code -u alice:apw "http://127.0.0.1:$P8/-/healthy")" = 401
  printf 'basic_auth_users:\n  bob: notahash\n' >"$T/users.yml"
  kill -HUP "$PID_hup"; sleep 0.3
  check "broken file on reload: old users kept" test "$(code -u bob:bpw "http://127.0.0.1:$P8/-/healthy")" = 200
  check "broken file on reload: logged with file and field" grep -q 'web config not reloaded.*users.yml:2:[0-9]*: key .\{1,2\}basic_auth_users.bob' "$T/hup.log"
  ;;
*) echo "# python3 crypt cannot make bcrypt hashes; reload case not run" ;;
esac

# Dual stack and IPv6 literals.
P3=$(free_port)
start v6 "$EX" --web.listen-address="[::1]:$P3" --web.listen-address=127.0.0.1:$P3
if wait_http "http://[::1]:$P3/-/healthy"; then
  check "IPv6 [::1]" test "$(code "http://[::1]:$P3/-/healthy")" = 200
  check "second address 127.0.0.1" test "$(code "http://127.0.0.1:$P3/-/healthy")" = 200
  # ":port" is every address, dual-stack like Go: reachable over IPv4 and IPv6.
  P7=$(free_port)
  start all "$EX" --web.listen-address=:$P7
  wait_http "http://127.0.0.1:$P7/-/healthy" || fail "server on :port did not start"
  check ":port answers on 127.0.0.1" test "$(code "http://127.0.0.1:$P7/-/healthy")" = 200
  check ":port answers on [::1]" test "$(code "http://[::1]:$P7/-/healthy")" = 200
  check ":port logged as [::]" grep -q "address=\[::\]:$P7" "$T/all.log"
else
  echo "# no IPv6 loopback here; IPv6 cases not run"
fi

# Flags and start-up errors.
"$EX" --nope >"$T/o" 2>&1; rc=$?
check "unknown flag exits 1" test $rc = 1
check "unknown flag named" grep -q 'unknown flag --nope' "$T/o"
"$EX" --web.max-requests=abc >"$T/o" 2>&1; rc=$?
check "bad value exits 1 naming the flag" sh -c "test $rc = 1 && grep -q -- '--web.max-requests' '$T/o'"
"$EX" --log.level=loud >"$T/o" 2>&1; rc=$?
check "bad log level exits 1" sh -c "test $rc = 1 && grep -q -- '--log.level' '$T/o'"
"$EX" --version >"$T/o" 2>&1; rc=$?
check "--version" sh -c "test $rc = 0 && grep -q '^omx-example, version ' '$T/o'"
"$EX" --help >"$T/o" 2>&1; rc=$?
check "--help lists flags and defaults" sh -c "test $rc = 0 && grep -q 'web.listen-address' '$T/o' && grep -q 'default: :9101' '$T/o' && grep -q 'example.series' '$T/o'"
printf 'tls_server_config:\n  cert_file: /nonexistent.crt\n  key_file: /nonexistent.key\n' >"$T/web.yml"
"$EX" --web.config.file="$T/web.yml" --web.listen-address=127.0.0.1:$(free_port) >"$T/o" 2>&1; rc=$?
check "bad web config stops start-up" test $rc = 1
check "message names file, line and field" grep -q "$T/web.yml:2:[0-9]*: key .\{1,2\}tls_server_config.cert_file" "$T/o"
printf 'basic_auth_users:\n  alice: x\nextra: 1\n' >"$T/web2.yml"
"$EX" --web.config.file="$T/web2.yml" >"$T/o" 2>&1; rc=$?
check "bad hash refused naming the user" sh -c "test $rc = 1 && grep -q 'basic_auth_users.alice' '$T/o'"
P4=$(free_port)
"$EX" --web.listen-address=127.0.0.1:$P4 --web.listen-address=127.0.0.1:$P4 >"$T/o" 2>&1; rc=$?
check "address in use exits 1 with a message" sh -c "test $rc = 1 && grep -q 'cannot listen on 127.0.0.1:$P4' '$T/o'"
"$EX" --web.listen-address=9100 >"$T/o" 2>&1; rc=$?
check "bad listen address exits 1" sh -c "test $rc = 1 && grep -q 'invalid --web.listen-address' '$T/o'"
finish
