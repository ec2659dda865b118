#!/bin/sh
# omx-example with its libraries copied to a directory of their own: the app
# layer maps libexporter-http only to serve. Without it, --version, --help and
# a bad flag run as before and serving fails with an error naming the library
# (no crash); with another library under its name the error says it is not the
# server; with the real one beside libexporter-app the process serves and maps
# that copy. Usage: http-server-lib.sh path/to/omx-example
. "$(dirname "$0")/http-lib.sh"
EX=${1:?usage: $0 omx-example}
case $EX in /*) ;; *) EX=$(pwd)/$EX ;; esac
need curl
B=${OMX_BUILD:?OMX_BUILD not set}/libexporter
SO=libexporter-http.so.0
# the fallback dlopen by soname would find an installed copy
ldconfig -p 2>/dev/null | grep -q "$SO" && skip "$SO is installed system-wide ($(ldconfig -p | grep "$SO"))"
# the program beside a copy of the libraries, as its RUNPATH ($ORIGIN/../libexporter)
# expects: a sanitizer's dlopen interceptor searches the program's RUNPATH too
mkdir "$T/bin" "$T/lib"
cp "$EX" "$T/bin/"
EX=$T/bin/$(basename "$EX")
ln -s lib "$T/libexporter"
cp "$B/libexporter.so.0" "$B/libexporter-app.so.0" "$T/lib/"
run() { LD_LIBRARY_PATH="$T/lib" timeout 20 "$EX" "$@"; }

check "--version without $SO" sh -c "LD_LIBRARY_PATH='$T/lib' LD_DEBUG=libs,files '$EX' --version >'$T/v.out' 2>'$T/v.dbg'"
check "--version does not look for $SO" sh -c "! grep -q '$SO' '$T/v.dbg'"
check "--help without $SO" sh -c "LD_LIBRARY_PATH='$T/lib' '$EX' --help >/dev/null 2>&1"

P=$(free_port)
LD_DEBUG=libs,files run --web.listen-address=127.0.0.1:$P >"$T/none.log" 2>&1
rc=$?
check "serving does look for $SO (the --version check can see it)" grep -q "find library=$SO" "$T/none.log"
check "serving without $SO exits 1 (got $rc)" test "$rc" = 1
check "the error names $SO" grep -q "cannot load the HTTP server, $SO" "$T/none.log"

printf 'basic_auth_users:\n  u: x\n' >"$T/web.yml"
run --web.config.file="$T/web.yml" --web.listen-address=127.0.0.1:$P >"$T/cfg.log" 2>&1
rc=$?
check "a web config without $SO fails (exit $rc, no signal)" test "$rc" -ge 1 -a "$rc" -lt 124
check "that error names $SO" grep -q "$SO" "$T/cfg.log"

cp "$B/libexporter.so.0" "$T/lib/$SO"
run --web.listen-address=127.0.0.1:$P >"$T/wrong.log" 2>&1
rc=$?
check "a library that is not the server: exit 1 (got $rc)" test "$rc" = 1
check "the error says it is not the server" grep -q "$SO has no omx__http_server_table" "$T/wrong.log"

cp "$B/$SO" "$T/lib/$SO"
LD_LIBRARY_PATH="$T/lib" start ex "$EX" --web.listen-address=127.0.0.1:$P
wait_http "http://127.0.0.1:$P/-/healthy" || { cat "$T/ex.log"; fail "server did not start"; finish; }
check "serves /metrics" sh -c "curl -sf 'http://127.0.0.1:$P/metrics' | grep -q '^promhttp_metric_handler_requests_total'"
eval "pid=\$PID_ex"
check "maps the copy beside libexporter-app" grep -q "$T/lib/$SO" "/proc/$pid/maps"
for l in libmicrohttpd libgnutls libcrypt; do
  check "maps $l while serving" grep -q "/$l\." "/proc/$pid/maps"
done
finish
