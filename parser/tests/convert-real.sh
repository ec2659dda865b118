#!/bin/sh
# omx-check --convert on real expositions (node_exporter's, omx-node's and
# Prometheus' own /metrics, kept under data/; with --live also a running
# node_exporter): each converts in both directions with exit 0, the output is
# valid in the target format, and every sample keeps its name, labels and
# value (the model drops only _created samples, which it reports).
set -u
check=${OMX_BUILD:?}/parser/tools/omx-check
data=$(dirname "$0")/data
py=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
fail=0
inputs="$data/node-exporter.prom $data/omx-node.prom $data/omx-node.om $data/prometheus.prom"
if [ "${1:-}" = --live ]; then
  ne=/usr/bin/prometheus-node-exporter
  [ -x "$ne" ] || { echo "node_exporter not installed"; exit 77; }
  port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$ne" --web.listen-address=127.0.0.1:$port > "$tmp/ne.log" 2>&1 &
  pid=$!
  for i in $(seq 1 50); do
    "$check" --format=prometheus http://127.0.0.1:$port/metrics > /dev/null 2>&1 && break
    sleep 0.1
  done
  # The exposition as served: omx-check --dump keeps no bytes, so fetch it.
  "$py" -c 'import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1]).read())' \
    http://127.0.0.1:$port/metrics > "$tmp/live.prom" || { echo "FAIL: node_exporter did not answer"; exit 1; }
  inputs="$tmp/live.prom"
fi
for in in $inputs; do
  [ -s "$in" ] || { echo "FAIL: $in is empty"; fail=1; continue; }
  "$check" --dump=json "$in" > "$tmp/in.jsonl" 2> "$tmp/err" || { echo "FAIL: $in invalid: $(cat "$tmp/err")"; fail=1; continue; }
  for to in openmetrics prometheus; do
    if ! "$check" --convert=$to "$in" > "$tmp/out" 2> "$tmp/err"; then
      echo "FAIL: $in -> $to exited non-zero: $(cat "$tmp/err")"; fail=1; continue
    fi
    "$check" --format=$to --dump=json "$tmp/out" > "$tmp/out.jsonl" 2> "$tmp/err2" ||
      { echo "FAIL: $in -> $to output invalid: $(cat "$tmp/err2")"; fail=1; continue; }
    if "$py" - "$tmp/in.jsonl" "$tmp/out.jsonl" <<'PY'
import json, sys
def load(p):
    out = {}
    for line in open(p):
        d = json.loads(line)
        # 0.0.4 counters named without _total gain it in either direction.
        name = d['name']
        if d['type'] == 'counter' and not name.endswith(('_total', '_created')):
            name += '_total'
        if name.endswith('_created'):
            continue
        # OpenMetrics writes le and quantile canonically ("1" is "1.0").
        labels = {l: (repr(float(v)) if l in ('le', 'quantile') else v) for l, v in d['labels'].items()}
        k = (name, tuple(sorted(labels.items())))
        out.setdefault(k, []).append(str(d['value']))
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
bad = [k for k in a if sorted(a[k]) != sorted(b.get(k, []))] + [k for k in b if k not in a]
for k in bad[:5]:
    print('  differs:', k, a.get(k), b.get(k))
sys.exit(1 if bad else 0)
PY
    then
      echo "ok: $(basename "$in") -> $to ($(wc -l < "$tmp/in.jsonl") samples)"
    else
      echo "FAIL: $in -> $to changed samples"; fail=1
    fi
  done
done
[ "${1:-}" = --live ] && exit $fail
# The clashes behind the fallback, in either order: each sample is kept.
clash() { # clash INPUT SAMPLE...
  printf '%b' "$1" > "$tmp/c.prom"
  shift
  for to in openmetrics prometheus; do
    "$check" --format=prometheus --convert=$to "$tmp/c.prom" > "$tmp/c.out" 2> "$tmp/err" ||
      { echo "FAIL: clash -> $to: $(cat "$tmp/err")"; fail=1; continue; }
    grep -q 'written as unknown' "$tmp/err" || { echo "FAIL: clash -> $to: no warning"; fail=1; }
    "$check" --format=$to "$tmp/c.out" 2> "$tmp/err" || { echo "FAIL: clash -> $to invalid: $(cat "$tmp/err")"; fail=1; }
    for smp in "$@"; do
      grep -qx "$smp" "$tmp/c.out" || { echo "FAIL: clash -> $to lost '$smp': $(cat "$tmp/c.out")"; fail=1; }
    done
  done
}
clash '# TYPE a gauge\na 2\n# TYPE a_total counter\na_total 1\n' 'a 2' 'a_total 1'
clash '# TYPE a_total counter\na_total 1\n# TYPE a gauge\na 2\n' 'a 2' 'a_total 1'
clash '# TYPE x_total gauge\nx_total 1\n# TYPE x counter\nx 2\n' 'x_total 1' 'x 2'
clash '# TYPE y_created gauge\ny_created 1\n# TYPE y_total counter\ny_total 2\n' 'y_created 1' 'y_total 2'
[ $fail -eq 0 ] && echo "ok: clashing names"
exit $fail
