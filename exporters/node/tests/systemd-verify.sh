#!/bin/sh
# systemd-verify.sh: the units as `meson install` puts them (--destdir into a
# temporary directory): ExecStart names the configured bindir, flags come from
# /etc/default/omx-node, reload is SIGHUP; `systemd-analyze verify` is clean
# with ExecStart pointing into the destdir copy, and the `security` exposure
# score stays in the "OK" band.
# shellcheck disable=SC2046,SC2086 # the two directories split into words
set -u
build=${OMX_BUILD:?OMX_BUILD not set}
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
set -- $dirs
unitdir=$1 bindir=$2
fail=0
for u in omx-node.service omx-node.socket; do
    [ -f "$tmp/root$unitdir/$u" ] || { echo "FAIL: $u not installed in $unitdir"; exit 1; }
done
svc=$tmp/root$unitdir/omx-node.service
for line in "ExecStart=$bindir/omx-node --web.systemd-socket \$ARGS" \
            "EnvironmentFile=-/etc/default/omx-node" \
            "ExecReload=/bin/kill -HUP \$MAINPID"; do
    grep -qxF "$line" "$svc" || { echo "FAIL: installed unit lacks: $line"; fail=1; }
done
[ -x "$tmp/root$bindir/omx-node" ] || { echo "FAIL: $bindir/omx-node not installed"; exit 1; }
mkdir "$tmp/units"
sed "s|^ExecStart=$bindir/|ExecStart=$tmp/root$bindir/|" "$svc" >"$tmp/units/omx-node.service"
cp "$tmp/root$unitdir/omx-node.socket" "$tmp/units/"
# --man=no: the man page is not installed where man(1) looks
if ! (cd "$tmp/units" && systemd-analyze verify --man=no ./omx-node.service ./omx-node.socket) >"$tmp/out" 2>&1 || [ -s "$tmp/out" ]; then
    echo "FAIL: systemd-analyze verify:"; cat "$tmp/out"; exit 1
fi
echo "ok: systemd-analyze verify clean ($unitdir, ExecStart in $bindir)"
score=$(cd "$tmp/units" && systemd-analyze security --offline=yes ./omx-node.service 2>/dev/null |
        sed -n 's/.*Overall exposure level for omx-node.service: \([0-9.]*\).*/\1/p')
if [ -z "$score" ]; then
    echo "FAIL: no exposure score from systemd-analyze security --offline=yes"; exit 1
fi
echo "exposure level: $score"
# keep the hardening: fail if it regresses past 2.0 ("OK" band)
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || { echo "FAIL: exposure $score > 2.0"; exit 1; }
exit $fail
