#!/bin/sh
# bench/textfile.sh BUILD_DIR: peak memory of the textfile collector on three
# files of 1M series each (the per-scrape caps at their defaults), beside
# prometheus-node-exporter on one such file.
set -u
build=${1:-build}
here=$(dirname "$0")
exec /usr/bin/python3 "$here/textfile/bench.py" "$build/exporters/node/node-dump"
