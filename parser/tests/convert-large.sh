#!/bin/sh
# omx-check --convert on large valid inputs (a 45,000-bucket histogram, a few
# MB of mixed families) and on inputs it must refuse: large ones convert,
# validate and convert again to the same bytes; every refusal exits non-zero
# and prints no partial document.
set -u
check=${OMX_BUILD:?}/parser/tools/omx-check
py=${PYTHON:-/usr/bin/python3}
"$check" --convert=openmetrics - </dev/null >/dev/null 2>&1
[ $? -eq 2 ] && "$check" --convert=openmetrics - 2>&1 </dev/null | grep -q 'built without libexporter' &&
  { echo "omx-check built without libexporter"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0

# gen KIND FILE: writes a generated OpenMetrics document.
gen() {
  "$py" - "$1" "$2" <<'PY'
import sys
kind, path = sys.argv[1], sys.argv[2]
out = []
w = out.append
if kind == 'histogram':
    n = 45000
    w('# HELP h a histogram with %d buckets\n# TYPE h histogram\n' % n)
    for i in range(n):
        w('h_bucket{le="%d"} %d\n' % (i, i))
    w('h_bucket{le="+Inf"} %d\nh_count %d\nh_sum 12.5\n' % (n, n))
elif kind == 'gaugehistogram':
    w('# TYPE gh gaugehistogram\n')
    for i in range(45000):
        w('gh_bucket{le="%d"} %d\n' % (i, i))
    w('gh_bucket{le="+Inf"} 45000\ngh_gcount 45000\ngh_gsum 3\n')
elif kind == 'escaped':
    # a long label value with escapes: one series over all its samples
    v = 'a\\"b\\n' + 'x' * 5000
    w('# TYPE h histogram\n')
    for le in ('1', '+Inf'):
        w('h_bucket{l="%s",le="%s"} 2\n' % (v, le))
    w('h_count{l="%s"} 2\nh_sum{l="%s"} 1\n' % (v, v))
elif kind == 'mixed':
    w('# TYPE g gauge\n')
    for i in range(100000):
        w('g{i="%d",q="a\\"b"} %d\n' % (i, i))
    w('# TYPE c counter\n')
    for i in range(20000):
        w('c_total{i="%d"} %d\n' % (i, i))
    w('# TYPE lat_seconds histogram\n# UNIT lat_seconds seconds\n')
    for s in range(20):
        for i in range(2000):
            w('lat_seconds_bucket{s="%d",le="%g"} %d\n' % (s, i / 1000, i))
        w('lat_seconds_bucket{s="%d",le="+Inf"} 2000\n' % s)
        w('lat_seconds_count{s="%d"} 2000\nlat_seconds_sum{s="%d"} 1.25\n' % (s, s))
    w('# TYPE q summary\n')
    for i in range(10000):
        w('q{quantile="%g"} %d\n' % (i / 10000, i))
    w('q_count 10\nq_sum 2\n')
    w('# TYPE st stateset\n')
    for i in range(5000):
        w('st{st="s%d"} %d\n' % (i, i % 2))
w('# EOF\n')
with open(path, 'w') as f:
    f.write(''.join(out))
PY
}

# samples FILE FORMAT: number of samples omx-check reads in FILE.
samples() {
  "$check" --format="$2" --dump=json "$1" | wc -l
}

# roundtrip NAME IN FORMAT...: converts IN to each FORMAT; each output must be
# valid, hold the samples of IN, and convert again to the same bytes.
roundtrip() {
  name=$1 in=$2
  shift 2
  want=$(samples "$in" openmetrics)
  for to in "$@"; do
    out=$dir/$name.$to
    if ! "$check" --format=openmetrics --convert=$to "$in" > "$out" 2> "$dir/err"; then
      echo "FAIL: $name -> $to exited non-zero: $(head -3 "$dir/err")"; fail=1; continue
    fi
    "$check" --format=$to "$out" 2> "$dir/err" ||
      { echo "FAIL: $name -> $to output invalid: $(head -3 "$dir/err")"; fail=1; continue; }
    got=$(samples "$out" $to)
    [ "$got" -eq "$want" ] || { echo "FAIL: $name -> $to has $got samples, want $want"; fail=1; }
    "$check" --format=$to --convert=$to "$out" > "$out.2" 2> "$dir/err" ||
      { echo "FAIL: $name -> $to -> $to: $(head -3 "$dir/err")"; fail=1; continue; }
    cmp -s "$out" "$out.2" || { echo "FAIL: $name -> $to not stable"; fail=1; }
  done
}

gen histogram "$dir/h.om"
roundtrip histogram "$dir/h.om" openmetrics prometheus
[ "$(grep -c '^h_bucket{' "$dir/histogram.openmetrics")" -eq 45001 ] ||
  { echo "FAIL: 45,000-bucket histogram lost buckets"; fail=1; }
grep -qx 'h_count 45000' "$dir/histogram.openmetrics" || { echo "FAIL: histogram count"; fail=1; }

gen escaped "$dir/e.om"
roundtrip escaped "$dir/e.om" openmetrics prometheus

gen mixed "$dir/m.om"
[ "$(wc -c < "$dir/m.om")" -gt 3000000 ] || { echo "FAIL: mixed input smaller than 3 MB"; fail=1; }
roundtrip mixed "$dir/m.om" openmetrics prometheus
# 0.0.4 has no gaugehistogram: its _gcount/_gsum do not read back as one
# family, so only OpenMetrics converts again.
gen gaugehistogram "$dir/gh.om"
roundtrip gaugehistogram "$dir/gh.om" openmetrics

# refuse WANT_RC INPUT FORMAT MESSAGE: converting INPUT must exit WANT_RC,
# print MESSAGE on stderr and nothing on stdout.
refuse() {
  want=$1 in=$2 fmt=$3 msg=$4
  printf '%b' "$in" > "$dir/in"
  "$check" --format=$fmt --convert=openmetrics "$dir/in" > "$dir/out" 2> "$dir/err"; rc=$?
  [ $rc -eq "$want" ] || { echo "FAIL: [$in] exited $rc, want $want: $(cat "$dir/err")"; fail=1; }
  grep -qF -- "$msg" "$dir/err" || { echo "FAIL: [$in] message: $(cat "$dir/err")"; fail=1; }
  [ ! -s "$dir/out" ] || { echo "FAIL: [$in] printed a partial document"; fail=1; }
}
# Valid 0.0.4 that the emitter refuses, after a family that converts.
refuse 2 'a 1\n# TYPE s summary\ns{quantile="2"} 1\ns_count 1\ns_sum 1\n' prometheus \
  'cannot convert a series of s: invalid value'
refuse 2 'a 1\n# TYPE h histogram\nh_bucket{le="1"} 5\nh_bucket{le="+Inf"} 3\nh_count 3\nh_sum 1\n' prometheus \
  'cannot convert a series of h (2 buckets): invalid value'
refuse 2 '# TYPE h histogram\nh_bucket{le="+Inf"} 3\nh_count -3\nh_sum 1\n' prometheus \
  'cannot convert a series of h (1 buckets): invalid value'
refuse 2 'a{x="1"} 1\na{y="1"} 1\n' prometheus 'cannot convert: a has series with different label names'
refuse 2 '# TYPE h histogram\nh_bucket{le="+Inf"} 3\nh_sum 1\n' prometheus \
  'cannot convert h: a series without _sum/_count'
# Invalid input stays exit 1.
refuse 1 'a 1\na 2\n# EOF\n' openmetrics 'duplicate'
# A write that fails (full disk) is a failure too.
if [ -w /dev/full ]; then
  "$check" --format=openmetrics --convert=openmetrics "$dir/h.om" > /dev/full 2> "$dir/err"; rc=$?
  [ $rc -eq 2 ] || { echo "FAIL: convert to /dev/full exited $rc"; fail=1; }
  grep -q 'write error' "$dir/err" || { echo "FAIL: /dev/full message: $(cat "$dir/err")"; fail=1; }
fi

[ $fail -eq 0 ] && echo ok
exit $fail
