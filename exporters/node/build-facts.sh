#!/bin/sh
# build-facts.sh SRCDIR: the build facts of omx-node's --version and
# node_exporter_build_info as C string literals: "revision", "branch",
# "user@host", "date". The date is SOURCE_DATE_EPOCH's, else the commit's, so
# a rebuild of the same commit says the same. Fails outside a git checkout
# (meson's vcs_tag then uses its fallback).
set -eu
src=$1
rev=$(git -C "$src" rev-parse HEAD 2>/dev/null) || exit 1
branch=$(git -C "$src" rev-parse --abbrev-ref HEAD 2>/dev/null || echo "")
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$src" log -1 --format=%ct 2>/dev/null || echo "")}
date=
[ -n "$epoch" ] && date=$(date -u -d "@$epoch" +%Y%m%d-%H:%M:%S 2>/dev/null || echo "")
user="$(id -un 2>/dev/null || echo unknown)@$(uname -n 2>/dev/null || echo unknown)"
# only characters that need no escaping in a C string
clean() { printf '%s' "$1" | tr -cd 'A-Za-z0-9._/+@:-'; }
printf '"%s", "%s", "%s", "%s"\n' "$(clean "$rev")" "$(clean "$branch")" "$(clean "$user")" "$(clean "$date")"
