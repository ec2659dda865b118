#!/bin/sh
# bench http-hostile/*: scrape latency of omx-node while hostile clients hold
# 2,000 idle and 600 slowloris connections (a header line every 15 s), from
# another client with `wrk -t1 -c1 -d10s --latency`; node_exporter
# (/usr/bin/prometheus-node-exporter) the same way in the same run. omx-node
# runs with --web.read-header-timeout=60s so that every hostile connection is
# held for the whole measurement (with the 5 s default they would be gone).
# Both servers raise their soft descriptor limit to the hard one; the hostile
# client needs ~2,700 descriptors. Usage: sh bench/http-hostile.sh BUILD_DIR
set -u
build=${1:-build}
build=$(cd "$build" && pwd) || exit 1
here=$(cd "$(dirname "$0")" && pwd)
OURS=$build/exporters/node/omx-node
PEER=/usr/bin/prometheus-node-exporter
HC=$here/../libexporter/tests/hostile-client.py
PY=/usr/bin/python3
[ -x "$OURS" ] || { echo "bench http-hostile: $OURS not built" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench http-hostile: wrk missing" >&2; exit 1; }
T=$(mktemp -d /tmp/omx-bench-hostile.XXXXXX)
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; rm -rf "$T"' EXIT INT TERM
port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { i=0; while [ $i -lt 100 ] && ! curl -s -o /dev/null "$1"; do sleep 0.1; i=$((i+1)); done; }

# measure NAME PORT -> "p50_ms p99_ms requests errors" with the hostile clients holding on.
measure() {
  "$PY" "$HC" idle 2000 "$2" 20 >"$T/$1.idle" 2>&1 &
  a=$!
  "$PY" "$HC" slowloris 600 "$2" 20 15 >"$T/$1.slow" 2>&1 &
  b=$!
  PIDS="$PIDS $a $b"
  i=0
  while [ $i -lt 300 ] && ! { grep -q '^open' "$T/$1.idle" && grep -q '^open' "$T/$1.slow"; }; do
    sleep 0.1; i=$((i+1))
  done
  held=$(cat "$T/$1.idle" "$T/$1.slow" | awk '/^open/ { n += $2 } END { print n + 0 }')
  wrk -t1 -c1 -d10s --timeout 5s --latency "http://127.0.0.1:$2/metrics" 2>&1 |
    awk -v held="$held" 'function ms(v) { if (v ~ /us$/) return v * 0.001; if (v ~ /ms$/) return v + 0;
                          if (v ~ /s$/) return v * 1000; return v }
         $1 == "50%" { p50 = ms($2) }
         $1 == "99%" { p99 = ms($2) }
         / requests in / { n = $1 }
         /Non-2xx/ { err += $NF }
         /Socket errors/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
         END { printf "%s %s %s %d %s\n", p50 == "" ? "n/a" : p50, p99 == "" ? "n/a" : p99, n + 0, err, held }'
  kill $a $b 2>/dev/null; wait $a $b 2>/dev/null
}

P1=$(port)
"$OURS" --web.listen-address=127.0.0.1:$P1 --web.read-header-timeout=60s --log.level=warn >"$T/ours.log" 2>&1 &
S1=$!
PIDS="$PIDS $S1"
wait_up "http://127.0.0.1:$P1/metrics"
o=$(measure ours "$P1")
kill $S1; wait $S1 2>/dev/null

p="n/a n/a 0 0 0"
if [ -x "$PEER" ]; then
  P2=$(port)
  "$PEER" --web.listen-address=127.0.0.1:$P2 --log.level=warn >"$T/peer.log" 2>&1 &
  S2=$!
  PIDS="$PIDS $S2"
  wait_up "http://127.0.0.1:$P2/metrics"
  p=$(measure peer "$P2")
  kill $S2; wait $S2 2>/dev/null
fi

echo "$o $p" | awk '
  function r(a, b) { if (a == "n/a" || b == "n/a" || a == 0) return "n/a"; return sprintf("%.2f", b / a) }
  function f(v) { return v == "n/a" ? v : sprintf("%.3f", v) }
  { printf "bench http-hostile/omx-node: p50 %s ms, p99 %s ms, %d scrapes, %d errors, %d hostile connections held\n", f($1), f($2), $3, $4, $5
    printf "bench http-hostile/node_exporter: p50 %s ms, p99 %s ms, %d scrapes, %d errors, %d hostile connections held\n", f($6), f($7), $8, $9, $10
    printf "bench http-hostile/scrape-p50: ours %s ms; node_exporter %s ms; %sx\n", f($1), f($6), r($1, $6)
    printf "bench http-hostile/scrape-p99: ours %s ms; node_exporter %s ms; %sx\n", f($2), f($7), r($2, $7) }'
