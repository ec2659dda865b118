#!/bin/sh
# Scores the peer parsers on the same cases. Passes when each available peer
# produced a score line; skips (77) when none could run.
here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON:-/usr/bin/python3}
ran=0
for a in python-prometheus-client go-expfmt; do
  # The adapter itself says 77 when its parser is missing.
  printf 'a 1\n' | "$here/adapters/$a" --format=prometheus >/dev/null 2>&1
  rc=$?
  if [ $rc -eq 77 ]; then echo "peer $a: not available, skipped"; continue; fi
  if [ $rc -ne 0 ]; then echo "peer $a: adapter broken (exit $rc on a trivial input)"; exit 1; fi
  out=$("$py" "$here/run" --quiet --adapter "$here/adapters/$a") || { echo "$out"; exit 1; }
  echo "$out" | grep '^score ' || { echo "$out"; echo "peer $a: no score line"; exit 1; }
  ran=$((ran + 1))
done
[ $ran -gt 0 ] || exit 77
