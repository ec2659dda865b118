#!/bin/sh
# omx-check as a command: exit codes, error format, --dump, --lint, auto format.
set -u
check=${OMX_BUILD:?}/parser/tools/omx-check
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
t() { # t WANT_RC STDIN ARGS...
  want=$1; in=$2; shift 2
  printf '%b' "$in" > "$dir/in"
  "$check" "$@" < "$dir/in" > "$dir/out" 2> "$dir/err"; rc=$?
  if [ $rc -ne "$want" ]; then echo "FAIL: [$in] $* -> $rc (want $want): $(cat "$dir/err")"; fail=1; fi
}
t 0 'a 1\n# EOF\n' -
t 0 'a 1\n' -                                  # auto: no # EOF, so 0.0.4
t 1 'a 1\n' --format=openmetrics -
t 1 'a{b="1",b="1"} 1\n' -
t 2 '' --format=bogus -
t 2 '' /nonexistent/file
t 0 'a 1\n# EOF\n' --format=openmetrics --dump=json -
grep -qx '{"family":"a","type":"unknown","name":"a","labels":{},"value":1,"timestamp":null,"exemplar":null}' "$dir/out" || { echo "FAIL: dump: $(cat "$dir/out")"; fail=1; }
# error line format: <stdin>:LINE:COL: message
t 1 'a 1\nb x\n# EOF\n' -
grep -qx '<stdin>:2:3: expected a number as sample value' "$dir/err" || { echo "FAIL: error: $(cat "$dir/err")"; fail=1; }
printf 'a 1\nb x\n# EOF\n' > "$dir/f.txt"
"$check" "$dir/f.txt" 2> "$dir/err"
grep -qx "$dir/f.txt:2:3: expected a number as sample value" "$dir/err" || { echo "FAIL: file error: $(cat "$dir/err")"; fail=1; }
# stdin from a file already partly read: only the rest is checked.
printf 'junk\na 1\n# EOF\n' > "$dir/skip.txt"
(read -r _; "$check" --format=openmetrics -) < "$dir/skip.txt" 2> "$dir/err" ||
  { echo "FAIL: stdin after a read: $(cat "$dir/err")"; fail=1; }
# lint
t 3 '# TYPE http_requests counter\nhttp_requests 1\n# TYPE latency_milliseconds gauge\n# HELP latency_milliseconds x\nlatency_milliseconds 1\n# HELP x_count y\n# TYPE x_count gauge\nx_count 1\n' --lint -
grep -q ':1: warning: http_requests no help text$' "$dir/err" || { echo "FAIL: lint help"; fail=1; }
grep -q 'http_requests counter metrics should have "_total" suffix' "$dir/err" || { echo "FAIL: lint total"; fail=1; }
grep -q 'latency_milliseconds use base unit "seconds" instead of "milliseconds"' "$dir/err" || { echo "FAIL: lint units"; fail=1; }
grep -q 'x_count non-histogram and non-summary metrics should not have "_count" suffix' "$dir/err" || { echo "FAIL: lint _count"; fail=1; }
t 0 '# HELP a_total x\n# TYPE a_total counter\na_total 1\n' --lint -
# "_" names: valid input in both formats (exit 0 without --lint); --lint
# warns in OpenMetrics, where they are reserved, and in 0.0.4 only for "__".
t 0 '# HELP _a x\n_a{_l="1"} 1\n# EOF\n' --format=openmetrics -
t 3 '# HELP _a x\n_a{_l="1"} 1\n# EOF\n' --format=openmetrics --lint -
grep -q '_a label names starting with "_" are reserved in OpenMetrics' "$dir/err" || { echo "FAIL: lint _ label"; fail=1; }
grep -q '_a metric family names starting with "_" are reserved in OpenMetrics' "$dir/err" || { echo "FAIL: lint _ family"; fail=1; }
# 0.0.4 lints as promtool, which has no rule for them.
t 0 '# HELP a x\na{_l="1"} 1\n' --format=prometheus --lint -
t 0 '# HELP a x\na{__l="1"} 1\n' --format=prometheus --lint -
# An empty HELP is none; a family without samples is not linted.
t 3 '# HELP a \na 1\n' --format=prometheus --lint -
grep -q 'a no help text' "$dir/err" || { echo "FAIL: lint empty help"; fail=1; }
t 0 '# TYPE b counter\n' --format=prometheus --lint -
# A parser limit leaves validity unknown: exit 2, not 1 (buffer and streaming).
awk 'BEGIN { s = "x"; while (length(s) < 1100000) s = s s; printf "a{l=\"%s\"} 1\n", s }' > "$dir/long"
for f in auto prometheus; do
  "$check" --format=$f - < "$dir/long" 2> "$dir/err"; rc=$?
  [ $rc -eq 2 ] || { echo "FAIL: long line ($f) exited $rc, want 2"; fail=1; }
  grep -q '^<stdin>:1:1: line longer than the limit of 1048576 bytes$' "$dir/err" ||
    { echo "FAIL: long line ($f): $(cat "$dir/err")"; fail=1; }
done
# Output that cannot be written is a failure.
if [ -w /dev/full ]; then
  printf 'a 1\n# EOF\n' | "$check" --dump=json - > /dev/full 2> "$dir/err"; rc=$?
  [ $rc -eq 2 ] || { echo "FAIL: --dump to /dev/full exited $rc, want 2"; fail=1; }
  grep -q '^omx-check: write error: ' "$dir/err" || { echo "FAIL: write error: $(cat "$dir/err")"; fail=1; }
fi
[ $fail -eq 0 ] && echo ok
exit $fail
