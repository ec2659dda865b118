#!/bin/sh
# bench/node-floor.sh BUILD_DIR: omx-node's CPU per scrape as a ratio to its
# floor, the same system calls replayed with nothing done with the bytes
# (bench/node/floor.py records them with strace, node-floor replays them).
set -u
build=${1:-build}
here=$(dirname "$0")
exec /usr/bin/python3 "$here/node/floor.py" "$build/exporters/node/omx-node" \
    "$build/bench/node/node-floor"
