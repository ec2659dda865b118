#!/bin/sh
# omx-check --lint against `promtool check metrics` on the same 0.0.4 input:
# the same findings (metric name and text, with repeats), sorted as promtool
# prints them. Inputs: real expositions under data/ (node_exporter's,
# omx-node's, Prometheus'), a fixture with a finding of every rule, and with
# --live a running node_exporter's and omx-node's output, and every
# spec-tests input promtool refuses.
set -u
check=${OMX_BUILD:?}/parser/tools/omx-check
data=$(dirname "$0")/data
py=${PYTHON:-/usr/bin/python3}
promtool=${PROMTOOL:-/usr/bin/promtool}
[ -x "$promtool" ] || { echo "promtool not installed"; exit 77; }
tmp=$(mktemp -d)
pids=
cleanup() { for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
fail=0
inputs="$data/node-exporter.prom $data/omx-node.prom $data/prometheus.prom $data/lint-rules.prom"
freeport() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
serve() { # serve NAME PROGRAM: starts it on a free port, saves its 0.0.4 output to $tmp/NAME.prom
  port=$(freeport)
  "$2" --web.listen-address=127.0.0.1:$port > "$tmp/$1.log" 2>&1 &
  pids="$pids $!"
  for i in $(seq 1 50); do
    "$py" -c 'import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1]).read())' \
      http://127.0.0.1:$port/metrics > "$tmp/$1.prom" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "FAIL: $1 did not answer: $(cat "$tmp/$1.log")"; fail=1
}
if [ "${1:-}" = --live ]; then
  inputs=
  if [ -x /usr/bin/prometheus-node-exporter ]; then
    serve node-exporter /usr/bin/prometheus-node-exporter && inputs="$tmp/node-exporter.prom"
  fi
  node=${OMX_BUILD}/exporters/node/omx-node
  if [ -x "$node" ]; then
    serve omx-node "$node" && inputs="$inputs $tmp/omx-node.prom"
  fi
  [ -n "$inputs" ] || { echo "neither node_exporter nor omx-node available"; exit 77; }
fi
for in in $inputs; do
  "$promtool" check metrics < "$in" 2> "$tmp/p.err" > /dev/null; prc=$?
  "$check" --format=prometheus --lint "$in" 2> "$tmp/o.err" > /dev/null; orc=$?
  if grep -q 'error while linting' "$tmp/p.err"; then
    echo "FAIL: promtool refused $in: $(cat "$tmp/p.err")"; fail=1; continue
  fi
  sort "$tmp/p.err" > "$tmp/p"
  sed 's/^.*:[0-9]*: warning: //' "$tmp/o.err" | sort > "$tmp/o"
  if ! cmp -s "$tmp/p" "$tmp/o"; then
    echo "FAIL: $in: findings differ (< promtool, > omx-check):"; diff "$tmp/p" "$tmp/o" | head -20; fail=1
  elif [ $prc -ne $orc ]; then
    echo "FAIL: $in: promtool exited $prc, omx-check $orc"; fail=1
  else
    echo "ok: $(basename "$in"): $(wc -l < "$tmp/p") findings, exit $orc"
  fi
done
# At least as strict: every spec-tests input promtool refuses as 0.0.4,
# omx-check refuses too (one promtool run per case: integration only).
if [ "${1:-}" = --live ] && [ -n "${OMX_SRC:-}" ]; then
  n=0
  for m in "$OMX_SRC"/spec-tests/*/*/metrics; do
    "$promtool" check metrics < "$m" > /dev/null 2>&1
    [ $? -eq 1 ] || continue
    n=$((n + 1))
    "$check" --format=prometheus "$m" > /dev/null 2>&1
    [ $? -eq 1 ] || { echo "FAIL: promtool refuses $m, omx-check does not"; fail=1; }
  done
  echo "ok: $n inputs promtool refuses checked"
fi
exit $fail
