#!/bin/sh
# Runs the language fuzzer: sh fuzz-run.sh BUILD_DIR SECONDS
# Seeds: every example program with its log. Findings land in .../artifacts.
set -eu
build=${1:?usage: fuzz-run.sh BUILD_DIR SECONDS}
secs=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
bin=$build/exporters/logtail/tests/lang/fuzz-lang
[ -x "$bin" ] || { echo "fuzz: $bin not built (meson setup with -Dfuzz=true, CC=clang)" >&2; exit 77; }
corpus=$build/exporters/logtail/tests/lang/corpus
art=$build/exporters/logtail/tests/lang/artifacts
mkdir -p "$corpus" "$art"
for p in "$here"/../../examples/*.mtail; do
  n=$(basename "$p" .mtail)
  { cat "$p"; printf '%%%%\n'; cat "${p%.mtail}.log"; } > "$corpus/seed-$n"
done
"$bin" -max_total_time="$secs" -max_len=4096 -timeout=10 -print_final_stats=1 \
  -artifact_prefix="$art/" "$corpus" 2>&1 | tail -5
if ls "$art"/crash-* "$art"/leak-* "$art"/timeout-* >/dev/null 2>&1; then
  echo "fuzz: findings in $art" >&2
  exit 1
fi
