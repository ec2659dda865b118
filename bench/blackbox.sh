#!/bin/sh
# bench blackbox/*: omx-blackbox beside Debian's prometheus-blackbox-exporter,
# /probe under `wrk -t2 -c8` for http, tcp and icmp against a fast local
# target, and https against a TLS one: probes/s, RSS, probes that failed
# under load (bench/blackbox/bench.py).
# Usage: sh bench/blackbox.sh BUILD_DIR
set -u
build=${1:-build}
here=$(dirname "$0")
exec /usr/bin/python3 "$here/blackbox/bench.py" "$build/exporters/blackbox/src/omx-blackbox" \
    "$build/bench/blackbox/bb-bench-target" "$build/bench/blackbox/bb-bench-tls-target"
