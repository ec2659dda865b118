#!/bin/sh
# Feeds every golden exposition to the reference parsers: promtool check
# metrics for 0.0.4 (*.prom; exit 0, or 3 when it only prints naming lint) and
# Python prometheus_client's OpenMetrics parser for *.om. Both must accept.
# When the build also has our own parser (parser/tools/omx-check), it must
# accept every file too (optional: this test does not depend on it).
set -u
src=${OMX_SRC:?OMX_SRC not set}
py=${PYTHON:-/usr/bin/python3}
dir="$src/libexporter/tests/golden"
command -v promtool >/dev/null 2>&1 || { echo "SKIP: promtool not installed"; exit 77; }
"$py" -c 'import prometheus_client.openmetrics.parser' 2>/dev/null ||
  { echo "SKIP: $py has no prometheus_client"; exit 77; }
fail=0 n=0
for f in "$dir"/*.prom; do
  [ -f "$f" ] || continue
  n=$((n + 1))
  out=$(promtool check metrics < "$f" 2>&1); rc=$?
  if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
    echo "FAIL promtool ($rc): $f"; echo "$out"; fail=1
  elif [ $rc -eq 3 ] && echo "$out" | grep -qiv -e 'should have' -e 'counter metrics' -e 'non-histogram' -e 'no help' -e 'lint' -e '^$' -e 'unit' -e 'suffix' -e 'should be'; then
    echo "FAIL promtool (non-lint output): $f"; echo "$out"; fail=1
  else
    echo "ok promtool: $(basename "$f")${out:+ (lint: $(echo "$out" | tr '\n' ' '))}"
  fi
done
for f in "$dir"/*.om; do
  [ -f "$f" ] || continue
  n=$((n + 1))
  if out=$("$py" - "$f" 2>&1 <<'PY'
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
text = open(sys.argv[1], encoding="utf-8").read()
fams = list(text_string_to_metric_families(text))
print(len(fams), "families", sum(len(f.samples) for f in fams), "samples")
PY
  ); then
    echo "ok python-om: $(basename "$f") ($out)"
  else
    echo "FAIL python-om: $f"; echo "$out"; fail=1
  fi
done
omxcheck="${OMX_BUILD:-}/parser/tools/omx-check"
if [ -x "$omxcheck" ]; then
  for f in "$dir"/*.prom "$dir"/*.om; do
    [ -f "$f" ] || continue
    case "$f" in *.om) fmt=openmetrics ;; *) fmt=prometheus ;; esac
    if out=$("$omxcheck" --format=$fmt "$f" 2>&1); then
      echo "ok omx-check: $(basename "$f")"
    else
      echo "FAIL omx-check: $f"; echo "$out"; fail=1
    fi
  done
else
  echo "note: $omxcheck not built, skipping our own parser"
fi
[ $n -gt 0 ] || { echo "FAIL: no golden files in $dir"; exit 1; }
exit $fail
