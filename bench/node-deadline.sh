#!/bin/sh
# bench/node-deadline.sh BUILD_DIR: omx-node's CPU per scrape with and without a
# scrape deadline (X-Prometheus-Scrape-Timeout-Seconds).
set -u
build=${1:-build}
here=$(dirname "$0")
exec /usr/bin/python3 "$here/node/deadline.py" "$build/exporters/node/omx-node"
