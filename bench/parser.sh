#!/bin/sh
# Parser benchmark: sh bench/parser.sh BUILD_DIR (see bench/parser/measure.py)
exec /usr/bin/python3 "$(dirname "$0")/parser/measure.py" "${1:-build}"
