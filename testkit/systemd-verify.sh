#!/bin/sh
# systemd-verify.sh: an exporter's units as `meson install` puts them (--destdir
# into a temporary directory): each unit installed, the service holds the
# expected lines (ExecStart naming the configured bindir, EnvironmentFile,
# ExecReload...), `systemd-analyze verify` is clean with ExecStart pointing into
# the destdir copy, and the `security` exposure score stays at or below the
# limit (default 2.0, the "OK" band).
#
# usage: systemd-verify.sh [--max-exposure N] [--help-has FLAG]... PROGRAM UNIT... -- LINE...
#   PROGRAM  the installed binary's name (omx-node)
#   UNIT     unit files installed by the build; the first is the service
#   LINE     exact lines the installed service must hold; @BINDIR@ is the bindir
#   --help-has FLAG  the installed PROGRAM's --help must name FLAG
# shellcheck disable=SC2046,SC2086 # the two directories split into words
set -u
build=${OMX_BUILD:?OMX_BUILD not set}
max=2.0
helps=""
while [ $# -gt 0 ]; do
    case $1 in
    --max-exposure) max=$2; shift 2 ;;
    --help-has) helps="$helps $2"; shift 2 ;;
    *) break ;;
    esac
done
prog=${1:?usage: systemd-verify.sh PROGRAM UNIT... -- LINE...}
shift
units=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do units="$units $1"; shift; done
[ $# -gt 0 ] && shift
[ -n "$units" ] || { echo "usage: no unit named"; exit 2; }
command -v systemd-analyze >/dev/null 2>&1 || { echo "SKIP: systemd-analyze not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet >"$tmp/install.log" 2>&1 ||
    { echo "FAIL: meson install --destdir"; cat "$tmp/install.log"; exit 1; }
dirs=$(meson introspect "$build" --buildoptions | /usr/bin/python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
unitdir = o["systemdunitdir"] or o["prefix"] + "/lib/systemd/system"
bindir = o["bindir"] if o["bindir"].startswith("/") else o["prefix"] + "/" + o["bindir"]
print(unitdir, bindir)')
set -- $dirs "$@"
unitdir=$1 bindir=$2
shift 2
fail=0
mkdir "$tmp/units"
svc=""
for u in $units; do
    [ -f "$tmp/root$unitdir/$u" ] || { echo "FAIL: $u not installed in $unitdir"; exit 1; }
    [ -n "$svc" ] || svc=$u
    sed "s|^ExecStart=$bindir/|ExecStart=$tmp/root$bindir/|" "$tmp/root$unitdir/$u" >"$tmp/units/$u"
done
for line in "$@"; do
    line=$(printf '%s' "$line" | sed "s|@BINDIR@|$bindir|g")
    grep -qxF "$line" "$tmp/root$unitdir/$svc" || { echo "FAIL: installed $svc lacks: $line"; fail=1; }
done
[ -x "$tmp/root$bindir/$prog" ] || { echo "FAIL: $bindir/$prog not installed"; exit 1; }
# --man=no: the man page is not installed where man(1) looks
if ! (cd "$tmp/units" && systemd-analyze verify --man=no $(for u in $units; do echo "./$u"; done)) \
        >"$tmp/out" 2>&1 || [ -s "$tmp/out" ]; then
    echo "FAIL: systemd-analyze verify:"; cat "$tmp/out"; exit 1
fi
echo "ok: systemd-analyze verify clean ($unitdir, ExecStart in $bindir)"
score=$(cd "$tmp/units" && systemd-analyze security --offline=yes "./$svc" 2>/dev/null |
        sed -n "s/.*Overall exposure level for $svc: \([0-9.]*\).*/\1/p")
[ -n "$score" ] || { echo "FAIL: no exposure score from systemd-analyze security --offline=yes"; exit 1; }
echo "exposure level: $score"
awk -v s="$score" -v m="$max" 'BEGIN { exit !(s <= m) }' || { echo "FAIL: exposure $score > $max"; exit 1; }
if [ -n "$helps" ]; then
    "$tmp/root$bindir/$prog" --help >"$tmp/help" 2>&1 || { echo "FAIL: $prog --help"; exit 1; }
    for f in $helps; do
        grep -q -- "$f" "$tmp/help" || { echo "FAIL: --help lacks $f"; fail=1; }
    done
fi
exit $fail
