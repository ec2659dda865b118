#!/bin/sh
# sensors-mntns.sh GOLDEN [golden-scrape options] -- COMMAND...: runs
# testkit/golden-scrape.sh in a private mount namespace (unshare -m) where
# fixtures/sensors/hwmon is bind-mounted over /sys/class/hwmon (over a tmpfs
# /sys/class when the host has no hwmon class), so libsensors reads the
# fixture. Writes the sensors.conf the golden expects into a temporary
# directory and passes it as --collector.sensors.config. With --broken, one
# value file of the copy is garbage instead; with --bad-config the sensors.conf
# has a line libsensors rejects.
# Skips (77) when not root or when the mounts are refused.
set -u
tests=${OMX_SRC:?OMX_SRC not set}/exporters/node/tests
golden=$OMX_SRC/testkit/golden-scrape.sh
broken=0 badconf=0
[ "${1:-}" = --broken ] && { broken=1; shift; }
[ "${1:-}" = --bad-config ] && { badconf=1; shift; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for a private mount namespace"; exit 77; }
unshare -m true 2>/dev/null || { echo "SKIP: unshare -m refused"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cp -r "$tests/fixtures/sensors/hwmon" "$tmp/hwmon"
[ $broken = 1 ] && echo "n/a" > "$tmp/hwmon/hwmon0/temp2_input"
cat > "$tmp/sensors.conf" <<'CONF'
# labels, a compute line and an ignore, as an admin writes them
chip "testchip-*"
    label temp1 "CPU Package"
    label in1 "+3.3V"
    compute in1 @*2, @/2
    ignore fan2
    # "set" lines only take effect with sensors -s
    set temp1_max 85

chip "powermeter-*"
    label power1 "PSU"
CONF
[ $badconf = 1 ] && printf 'chip "testchip-*"\n    lable temp1 "typo"\n' >> "$tmp/sensors.conf"
# shellcheck disable=SC2016
unshare -m sh -c '
tmp=$1 golden=$2; shift 2
if [ -d /sys/class/hwmon ]; then
    mount --bind "$tmp/hwmon" /sys/class/hwmon || exit 77
else
    mount -t tmpfs omx-sensors /sys/class && mkdir /sys/class/hwmon &&
        mount --bind "$tmp/hwmon" /sys/class/hwmon || { echo "SKIP: mounts refused"; exit 77; }
fi
exec sh "$golden" "$@" --collector.sensors.config="$tmp/sensors.conf"' sensors-mntns "$tmp" "$golden" "$@"
