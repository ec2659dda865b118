#!/bin/sh
# bench blackbox/dns-*: the dns prober of omx-blackbox beside Debian's
# prometheus-blackbox-exporter, /probe under `wrk -t2 -c8` for udp and tcp
# queries to a local nsd: probes/s, RSS, failed probes (bench/blackbox/dns.py).
# Usage: sh bench/blackbox-dns.sh BUILD_DIR
set -u
build=${1:-build}
here=$(dirname "$0")
exec /usr/bin/python3 "$here/blackbox/dns.py" "$build/exporters/blackbox/src/omx-blackbox"
