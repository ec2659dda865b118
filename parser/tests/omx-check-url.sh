#!/bin/sh
# Integration: omx-check URL scrapes a local HTTP server (python3 http.server
# on 127.0.0.1, a free port), streams the body and picks the format from the
# Content-Type.
set -u
check=${OMX_BUILD:?}/parser/tools/omx-check
py=${PYTHON:-/usr/bin/python3}
[ -x "$check" ] || { echo "omx-check not built"; exit 77; }
"$check" --help >/dev/null || exit 1
dir=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT INT TERM
cat > "$dir/server.py" <<'PY'
import http.server, sys, gzip
BODIES = {
    '/om': ('application/openmetrics-text; version=1.0.0; charset=utf-8',
            b'# TYPE s stateset\ns{s="a"} 1\n# TYPE c counter\nc_total 1\n# EOF\n'),
    '/om-as-text': ('text/plain; version=0.0.4', b'# TYPE s stateset\ns{s="a"} 1\n# EOF\n'),
    '/prom': ('text/plain; version=0.0.4', b'# TYPE c counter\nc_total{a="b"} 1 1000\nd 2\n'),
    '/bad': ('application/openmetrics-text; version=1.0.0', b'# TYPE c counter\nc_total -1\n# EOF\n'),
    '/big': ('text/plain; version=0.0.4', b''.join(b'm{i="%d"} %d\n' % (i, i) for i in range(200000))),
}
# /loop-a and /loop-b redirect to each other; /hop/N redirects N times, then /om.
LOOP = {'/loop-a': '/loop-b', '/loop-b': '/loop-a'}
loops = 0
class H(http.server.BaseHTTPRequestHandler):
    def redirect(self, to):
        self.send_response(302)
        self.send_header('Location', to)
        self.send_header('Content-Length', '0')
        self.end_headers()
    def do_GET(self):
        global loops
        with open(sys.argv[1], 'w') as f:
            f.write(self.headers.get('Accept', ''))
        with open(sys.argv[3], 'a') as f:
            f.write('%s %s\n' % (self.path, self.headers.get('Authorization', '-')))
        if self.path == '/to-other-host':
            # the same server under another host name
            self.redirect('http://localhost:%d/om' % self.server.server_address[1]); return
        if self.path in LOOP:
            loops += 1
            with open(sys.argv[2], 'w') as f:
                f.write(str(loops))
            self.redirect(LOOP[self.path]); return
        if self.path.startswith('/hop/'):
            n = int(self.path[5:])
            self.redirect('/hop/%d' % (n - 1) if n > 1 else '/om'); return
        if self.path in BODIES:
            ct, body = BODIES[self.path]
        else:
            self.send_error(404); return
        self.send_response(200)
        self.send_header('Content-Type', ct)
        if 'gzip' in self.headers.get('Accept-Encoding', '') and self.path == '/big':
            body = gzip.compress(body)
            self.send_header('Content-Encoding', 'gzip')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
s = http.server.HTTPServer(('127.0.0.1', 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
"$py" "$dir/server.py" "$dir/accept" "$dir/loops" "$dir/auth" > "$dir/port" &
pid=$!
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  [ -s "$dir/port" ] && break
  sleep 0.2
done
port=$(cat "$dir/port")
[ -n "$port" ] || { echo "server did not start"; exit 1; }
base=http://127.0.0.1:$port
fail=0
expect() { # expect RC ARGS...
  want=$1; shift
  "$check" "$@" > "$dir/out" 2> "$dir/err"; rc=$?
  if [ $rc -ne "$want" ]; then
    echo "FAIL: omx-check $* exited $rc, expected $want"; cat "$dir/err"; fail=1
  else
    echo "ok: omx-check $* -> $rc"
  fi
}
expect 0 "$base/om"
expect 1 "$base/om-as-text"            # text/plain: stateset is not 0.0.4
expect 0 --format=openmetrics "$base/om-as-text"
expect 0 "$base/prom"
expect 1 "$base/bad"
grep -q ':2:9: _total value must not be negative' "$dir/err" || { echo "FAIL: error text: $(cat "$dir/err")"; fail=1; }
expect 2 "$base/missing"
expect 0 --dump=json "$base/big"
[ "$(wc -l < "$dir/out")" -eq 200000 ] || { echo "FAIL: big dump has $(wc -l < "$dir/out") samples"; fail=1; }
"$check" --dump=json "$base/prom" | grep -q '"timestamp":1,' || { echo "FAIL: ms timestamp"; fail=1; }
# Redirects: followed up to 10 (as Go's client), a loop stops there with a
# clear message. timeout bounds the run should the limit ever be lost.
expect 0 "$base/hop/10"
timeout 20 "$check" "$base/loop-a" > "$dir/out" 2> "$dir/err"; rc=$?
[ $rc -eq 2 ] || { echo "FAIL: redirect loop exited $rc, expected 2"; fail=1; }
grep -qx "$base/loop-a: too many redirects (more than 10)" "$dir/err" ||
  { echo "FAIL: redirect loop message: $(cat "$dir/err")"; fail=1; }
[ "$(cat "$dir/loops")" = 11 ] || { echo "FAIL: loop followed $(cat "$dir/loops") times"; fail=1; }
expect 2 "$base/hop/11"
# The Accept header Prometheus sends.
expect 0 "$base/prom"
[ "$(cat "$dir/accept")" = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' ] ||
  { echo "FAIL: Accept header was: $(cat "$dir/accept")"; fail=1; }
# A bearer token goes to the host asked, not on to another after a redirect.
printf 'tok\n' > "$dir/token"
: > "$dir/auth"
expect 0 --bearer-token-file="$dir/token" "$base/to-other-host"
[ "$(cat "$dir/auth")" = "$(printf '/to-other-host Bearer tok\n/om -')" ] ||
  { echo "FAIL: Authorization per request: $(cat "$dir/auth")"; fail=1; }
# An HTTP error names its status.
expect 2 "$base/missing"
grep -qx "$base/missing: HTTP 404 Not Found" "$dir/err" || { echo "FAIL: 404 message: $(cat "$dir/err")"; fail=1; }
exit $fail
