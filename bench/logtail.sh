#!/bin/sh
# bench/logtail.sh BUILD_DIR: omx-logtail beside Debian's mtail on a generated
# 1,000,000-line access log (one-shot lines/s and peak RSS for four program
# sets) and tailing at 200,000 lines/s across rename rotations (lines lost, lag).
set -u
build=${1:-build}
here=$(dirname "$0")
exec /usr/bin/python3 "$here/logtail/bench.py" "$build"
