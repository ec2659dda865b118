#!/bin/sh
# bench/rss.sh BUILD_DIR: resident memory of each exporter idle (started, one
# scrape served) beside its reference tool started the same way.
set -u
build=${1:-build}
here=$(dirname "$0")
exec /usr/bin/python3 "$here/rss/bench.py" "$build"
