#!/bin/sh
# bench/node.sh BUILD_DIR: omx-node beside prometheus-node-exporter (same collectors,
# same filters, same host) — memory, CPU per scrape, latency, throughput, bytes.
set -u
build=${1:-build}
here=$(dirname "$0")
exec /usr/bin/python3 "$here/node/bench.py" "$build/exporters/node/omx-node"
