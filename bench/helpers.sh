#!/bin/sh
# libexporter helper benchmarks (filter regexes). Usage: sh bench/helpers.sh BUILD_DIR
set -u
build=${1:-build}
exe="$build/bench/helpers/bench-regex"
[ -x "$exe" ] || { echo "bench helpers: $exe not built" >&2; exit 1; }
"$exe"
