#!/bin/sh
# bench http/*: /metrics of omx-example with 1,000 series under
# `wrk -t2 -c8 -d5s --latency`, plain and gzip: requests/s and p50/p99 latency.
# Peer: a client_golang (Debian's golang-github-prometheus-client-golang-dev)
# program serving the same 1,000 gauge series through promhttp — the same job
# in Go; node_exporter's own /metrics would measure its collectors instead.
# Usage: sh bench/http.sh BUILD_DIR
set -u
build=${1:-build}
build=$(cd "$build" && pwd) || exit 1 # absolute: the Go peer is built from another directory
EX=$build/examples/omx-example
PY=/usr/bin/python3
[ -x "$EX" ] || { echo "bench http: $EX not built" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench http: wrk missing" >&2; exit 1; }
T=$(mktemp -d /tmp/omx-bench-http.XXXXXX)
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; rm -rf "$T"' EXIT INT TERM
port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { i=0; while [ $i -lt 100 ] && ! curl -s -o /dev/null "$1"; do sleep 0.1; i=$((i+1)); done; }

# The Go peer, built once into the build dir (GOPATH mode, Debian's sources).
PEER=$build/bench-http-peer
if [ ! -x "$PEER" ] && command -v go >/dev/null; then
  mkdir -p "$T/src/peer"
  cat >"$T/src/peer/main.go" <<'GO'
package main

import (
	"net/http"
	"os"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func main() {
	reg := prometheus.NewRegistry()
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "example_synthetic", Help: "Synthetic series."}, []string{"id"})
	reg.MustRegister(g)
	for i := 0; i < 1000; i++ {
		g.WithLabelValues(strconv.Itoa(i)).Set(float64(i) * 1.5)
	}
	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	if err := http.ListenAndServe(os.Args[1], nil); err != nil {
		panic(err)
	}
}
GO
  (cd "$T/src/peer" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$T/gocache" \
    go build -o "$PEER" main.go) >/dev/null 2>&1 || rm -f "$PEER"
fi

P1=$(port)
"$EX" --web.listen-address=127.0.0.1:$P1 --example.series=1000 --log.level=error &
PIDS="$PIDS $!"
wait_up "http://127.0.0.1:$P1/metrics"
if [ -x "$PEER" ]; then
  P2=$(port)
  "$PEER" 127.0.0.1:$P2 &
  PIDS="$PIDS $!"
  wait_up "http://127.0.0.1:$P2/metrics"
fi

# run URL [header] -> "rps p50_ms p99_ms"
run() {
  if [ $# -gt 1 ]; then wrk -t2 -c8 -d5s --latency -H "$2" "$1"; else wrk -t2 -c8 -d5s --latency "$1"; fi |
  awk 'function ms(v) { if (v ~ /us$/) return v * 0.001; if (v ~ /ms$/) return v + 0;
                        if (v ~ /s$/) return v * 1000; return v }
       /Requests\/sec/ { rps = $2 }
       $1 == "50%" { p50 = ms($2) }
       $1 == "99%" { p99 = ms($2) }
       /Non-2xx|Socket errors/ { err = 1 }
       END { if (err) rps = 0; printf "%s %s %s\n", rps, p50, p99 }'
}

for mode in plain gzip; do
  h=""; [ $mode = gzip ] && h="Accept-Encoding: gzip"
  if [ -n "$h" ]; then o=$(run "http://127.0.0.1:$P1/metrics" "$h"); else o=$(run "http://127.0.0.1:$P1/metrics"); fi
  if [ -x "$PEER" ]; then
    if [ -n "$h" ]; then p=$(run "http://127.0.0.1:$P2/metrics" "$h"); else p=$(run "http://127.0.0.1:$P2/metrics"); fi
  else p="n/a n/a n/a"; fi
  set -- $o $p
  echo "$1 $2 $3 $4 $5 $6" | awk -v m=$mode '
    function r(a, b, inv) { if (b == "n/a" || a == 0 || b == 0) return "n/a"; return sprintf("%.2f", inv ? b / a : a / b) }
    function f(v, fmt) { return v == "n/a" ? v : sprintf(fmt, v) }
    { peer = ($4 == "n/a") ? "peer" : "client_golang"
      printf "bench http/%s-1000-series-rps: ours %.0f req/s; %s %s req/s; %sx\n", m, $1, peer, f($4, "%.0f"), r($1, $4, 0)
      printf "bench http/%s-1000-series-p50: ours %.3f ms; %s %s ms; %sx\n", m, $2, peer, f($5, "%.3f"), r($2, $5, 1)
      printf "bench http/%s-1000-series-p99: ours %.3f ms; %s %s ms; %sx\n", m, $3, peer, f($6, "%.3f"), r($3, $6, 1) }'
done
