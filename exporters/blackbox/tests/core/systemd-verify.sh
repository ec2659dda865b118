#!/bin/sh
# systemd-verify.sh: omx-blackbox.service as `meson install` puts it (--destdir
# into a temporary directory): ExecStart names the configured bindir and
# /etc/prometheus/blackbox.yml, flags come from /etc/default/omx-blackbox,
# reload is SIGHUP; `systemd-analyze verify` is clean and the `security`
# exposure score stays in the "OK" band.
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
svc=$tmp/root$unitdir/omx-blackbox.service
[ -f "$svc" ] || { echo "FAIL: omx-blackbox.service not installed in $unitdir"; exit 1; }
for line in "ExecStart=$bindir/omx-blackbox --config.file=/etc/prometheus/blackbox.yml \$ARGS" \
            "EnvironmentFile=-/etc/default/omx-blackbox" \
            "ExecReload=/bin/kill -HUP \$MAINPID" \
            "DynamicUser=yes" "AmbientCapabilities=" "CapabilityBoundingSet="; do
    grep -qxF "$line" "$svc" || { echo "FAIL: installed unit lacks: $line"; fail=1; }
done
[ -x "$tmp/root$bindir/omx-blackbox" ] || { echo "FAIL: $bindir/omx-blackbox not installed"; exit 1; }
mkdir "$tmp/units"
sed "s|^ExecStart=$bindir/|ExecStart=$tmp/root$bindir/|" "$svc" >"$tmp/units/omx-blackbox.service"
if ! (cd "$tmp/units" && systemd-analyze verify --man=no ./omx-blackbox.service) >"$tmp/out" 2>&1 || [ -s "$tmp/out" ]; then
    echo "FAIL: systemd-analyze verify:"; cat "$tmp/out"; exit 1
fi
echo "ok: systemd-analyze verify clean ($unitdir, ExecStart in $bindir)"
score=$(cd "$tmp/units" && systemd-analyze security --offline=yes ./omx-blackbox.service 2>/dev/null |
        sed -n 's/.*Overall exposure level for omx-blackbox.service: \([0-9.]*\).*/\1/p')
if [ -z "$score" ]; then
    echo "FAIL: no exposure score from systemd-analyze security --offline=yes"; exit 1
fi
echo "exposure level: $score"
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || { echo "FAIL: exposure $score > 2.0"; exit 1; }
exit $fail
