#!/bin/sh
# omx-check --convert: every accepted spec-tests case that converts must give
# output that our parser accepts in the target format, and converting that
# output again must give the same bytes (parse -> write -> parse is stable).
set -u
check=${OMX_BUILD:?}/parser/tools/omx-check
src=${OMX_SRC:?}
"$check" --convert=openmetrics - </dev/null >/dev/null 2>&1
[ $? -eq 2 ] && "$check" --convert=openmetrics - 2>&1 </dev/null | grep -q 'built without libexporter' &&
  { echo "omx-check built without libexporter"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 converted=0 refused=0
for t in "$src"/spec-tests/*/*/test.json; do
  d=$(dirname "$t")
  grep -q '"shouldParse": true' "$t" || continue
  fmt=openmetrics
  grep -q '"format": "prometheus"' "$t" && fmt=prometheus
  for to in openmetrics prometheus; do
    if ! "$check" --format=$fmt --convert=$to "$d/metrics" > "$tmp/1" 2> "$tmp/err"; then
      # Only representation limits of the emitter API may refuse a valid input.
      grep -q 'cannot convert' "$tmp/err" || { echo "FAIL: $d -> $to: $(cat "$tmp/err")"; fail=1; }
      refused=$((refused + 1))
      continue
    fi
    "$check" --format=$to "$tmp/1" 2> "$tmp/err" || { echo "FAIL: $d -> $to output invalid: $(cat "$tmp/err")"; fail=1; continue; }
    if ! "$check" --format=$to --convert=$to "$tmp/1" > "$tmp/2" 2> "$tmp/err"; then
      # e.g. a gaugehistogram written as 0.0.4 "histogram" with _gcount/_gsum
      # (as Python's client does) no longer has _count/_sum to replay.
      grep -q 'cannot convert' "$tmp/err" || { echo "FAIL: $d -> $to -> $to: $(cat "$tmp/err")"; fail=1; }
      refused=$((refused + 1))
      continue
    fi
    cmp -s "$tmp/1" "$tmp/2" || { echo "FAIL: $d -> $to not stable"; diff "$tmp/1" "$tmp/2" | head -5; fail=1; }
    converted=$((converted + 1))
  done
done
echo "converted $converted, refused (emitter limits) $refused"
[ $converted -gt 50 ] || { echo "FAIL: too few conversions"; fail=1; }
exit $fail
