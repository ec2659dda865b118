#!/bin/sh
# Odd and malformed requests, answered as Go's server answers them: a query of
# 500 '&' is a normal scrape (200); whitespace before a header's colon, a NUL
# in a header name or value is a 400; blanks after a value and bare-LF line
# ends are fine. A target or headers beyond the request's 64 KiB get a clear
# 414 or 431 (Go's limit is 1 MiB). Usage: http-malformed.sh path/to/omx-example
. "$(dirname "$0")/http-lib.sh"
EX=${1:?usage: $0 omx-example}
case $EX in /*) ;; *) EX=$(pwd)/$EX ;; esac
need curl

P=$(free_port)
U=http://127.0.0.1:$P
start ex "$EX" --web.listen-address=127.0.0.1:$P
wait_http "$U/-/healthy" || { cat "$T/ex.log"; fail "server did not start"; finish; }

amps=$("$PY" -c 'print("&" * 500)')
check "500 '&' in the query: 200" test "$(curl -s -o /dev/null -w '%{http_code}' -m 5 "$U/metrics?$amps")" = 200
many=$("$PY" -c 'print("a=b&" * 2000)')
check "2,000 query arguments: 200" test "$(curl -s -o /dev/null -w '%{http_code}' -m 5 "$U/metrics?$many")" = 200
long=$("$PY" -c 'print("a=b&" * 20000)')
check "an 80 KB target: 414" test "$(curl -s -o /dev/null -w '%{http_code}' -m 5 "$U/metrics?$long")" = 414
big=$("$PY" -c 'print("x" * 70000)')
check "a 70 KB header: 431" test "$(curl -s -o /dev/null -w '%{http_code}' -m 5 -H "X-Big: $big" "$U/metrics")" = 431

# raw NAME BYTES: the status line of the answer to BYTES (a Python bytes literal).
raw() {
  "$PY" - "$P" "$1" <<'PYEOF'
import ast, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(5)
s.sendall(ast.literal_eval(sys.argv[2]))
buf = b""
while b"\r\n" not in buf:
    d = s.recv(4096)
    if not d:
        break
    buf += d
print(buf.split(b"\r\n")[0].decode(errors="replace"))
PYEOF
}
H='GET /metrics HTTP/1.1\r\nHost: x\r\n'
check "space before the colon: 400" test "$(raw "b'${H}Foo : bar\r\n\r\n'")" = "HTTP/1.1 400 Bad Request"
check "tab before the colon: 400" test "$(raw "b'${H}Foo\t: bar\r\n\r\n'")" = "HTTP/1.1 400 Bad Request"
check "NUL in a header value: 400" test "$(raw "b'${H}Foo: b\x00ar\r\n\r\n'")" = "HTTP/1.1 400 Bad Request"
check "NUL in a value, not the last header: 400" test "$(raw "b'${H}Foo: b\x00ar\r\nX: y\r\n\r\n'")" = "HTTP/1.1 400 Bad Request"
check "NUL in a header name: 400" test "$(raw "b'${H}F\x00oo: bar\r\n\r\n'")" = "HTTP/1.1 400 Bad Request"
check "control character in a value: 400" test "$(raw "b'${H}Foo: b\x01ar\r\n\r\n'")" = "HTTP/1.1 400 Bad Request"
check "400 body names the problem" sh -c "curl -s -H 'Foo : bar' '$U/metrics' | grep -q '^400 Bad Request: malformed MIME header line'"
check "blanks after a value: 200" test "$(raw "b'${H}Foo: bar \t\r\n\r\n'")" = "HTTP/1.1 200 OK"
check "bare LF line ends: 200" test "$(raw "b'GET /metrics HTTP/1.1\nHost: x\nFoo: bar\n\n'")" = "HTTP/1.1 200 OK"
check "still serving" test "$(curl -s -o /dev/null -w '%{http_code}' -m 5 "$U/metrics")" = 200
finish
