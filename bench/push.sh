#!/bin/sh
# bench/push.sh BUILD_DIR: omx-node pushing 10k series every 10 s (remote-write
# 1.0) beside vmagent and Prometheus in agent mode scraping it and writing the
# same series to the same receiver: CPU per push, RSS, bytes per sample.
set -u
build=${1:-build}
here=$(dirname "$0")
exec /usr/bin/python3 "$here/push/bench.py" "$build/exporters/node/omx-node"
