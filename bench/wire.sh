#!/bin/sh
# bench/wire.sh BUILD_DIR: packets/s of the passive capture's dissector and
# tables over a generated capture of the default filter's traffic, beside
# `tcpdump -r FILE -w /dev/null` (the floor of reading the file), and peak
# memory of --passive.read-file under SYN floods of two sizes.
set -u
build=${1:-build}
exec /usr/bin/python3 "$(dirname "$0")/wire/bench.py" "$build"
