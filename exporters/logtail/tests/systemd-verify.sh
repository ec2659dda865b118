#!/bin/sh
# systemd-verify.sh: omx-logtail.service as `meson install` puts it (--destdir
# into a temporary directory): ExecStart names the configured bindir, reload
# is SIGHUP, the groups that read logs and the journal are there;
# `systemd-analyze verify` is clean with ExecStart pointing into the destdir
# copy, and the `security` exposure score stays in the "OK" band (at most 2.0).
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
svc=$tmp/root$unitdir/omx-logtail.service
[ -f "$svc" ] || { echo "FAIL: omx-logtail.service not installed in $unitdir"; exit 1; }
for line in "ExecStart=$bindir/omx-logtail --progs /etc/mtail --state-file /var/lib/omx-logtail/state \$ARGS" \
            "EnvironmentFile=-/etc/default/omx-logtail" \
            "ExecReload=/bin/kill -HUP \$MAINPID" \
            "SupplementaryGroups=adm systemd-journal" \
            "StateDirectory=omx-logtail"; do
    grep -qxF "$line" "$svc" || { echo "FAIL: installed unit lacks: $line"; fail=1; }
done
[ -x "$tmp/root$bindir/omx-logtail" ] || { echo "FAIL: $bindir/omx-logtail not installed"; exit 1; }
mkdir "$tmp/units"
sed "s|^ExecStart=$bindir/|ExecStart=$tmp/root$bindir/|" "$svc" >"$tmp/units/omx-logtail.service"
if ! (cd "$tmp/units" && systemd-analyze verify --man=no ./omx-logtail.service) >"$tmp/out" 2>&1 || [ -s "$tmp/out" ]; then
    echo "FAIL: systemd-analyze verify:"; cat "$tmp/out"; exit 1
fi
echo "ok: systemd-analyze verify clean ($unitdir, ExecStart in $bindir)"
score=$(cd "$tmp/units" && systemd-analyze security --offline=yes ./omx-logtail.service 2>/dev/null |
        sed -n 's/.*Overall exposure level for omx-logtail.service: \([0-9.]*\).*/\1/p')
[ -n "$score" ] || { echo "FAIL: no exposure score from systemd-analyze security --offline=yes"; exit 1; }
echo "exposure level: $score"
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || { echo "FAIL: exposure $score > 2.0"; exit 1; }
# the programs' directory and flags as in the unit: the binary takes them
"$tmp/root$bindir/omx-logtail" --help >"$tmp/help" 2>&1 || { echo "FAIL: --help"; exit 1; }
for f in --progs --state-file --logs --journal; do
    grep -q -- "$f" "$tmp/help" || { echo "FAIL: --help lacks $f"; fail=1; }
done
exit $fail
