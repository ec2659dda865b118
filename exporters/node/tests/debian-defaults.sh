#!/bin/sh
# debian-defaults.sh: omx-node starts with Debian 12's node_exporter defaults
# (textfile directory, systemd on, mount points and netdev devices excluded), and
# the netdev exclude default steps aside for an include given alone.
set -u
build=${OMX_BUILD:?OMX_BUILD not set}
omx=$build/exporters/node/omx-node
dump=$build/exporters/node/node-dump
fx=${OMX_SRC:?OMX_SRC not set}/exporters/node/tests/fixtures
[ -x "$omx" ] && [ -x "$dump" ] || { echo "SKIP: omx-node/node-dump not built"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
"$omx" --help >"$tmp/help" || { echo "FAIL: --help exited $?"; exit 1; }
# help_default FLAG VALUE: the --help entry of FLAG states VALUE as its default
help_default() {
    awk -v f="$1" '$1 ~ "^--(\\[no-\\])?" f "(=|$)" { getline; print; exit }' "$tmp/help" >"$tmp/entry"
    grep -qF "(default: $2)" "$tmp/entry" || { echo "FAIL: --$1 default is not $2: $(cat "$tmp/entry")"; fail=1; }
}
help_default collector.textfile.directory /var/lib/prometheus/node-exporter
help_default collector.systemd true
help_default collector.netdev.device-exclude '^lo$'
help_default collector.filesystem.mount-points-exclude \
    '^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)'
help_default collector.systemd.unit-exclude '.+\.(automount|device|mount|scope|slice|target)'

netdev() { "$dump" --collector.disable-defaults --collector.netdev --no-collector.netdev.netlink \
    --path.procfs="$fx/proc" "$@" 2>"$tmp/err"; }
netdev >"$tmp/out" || { echo "FAIL: netdev scrape"; cat "$tmp/err"; fail=1; }
grep -q 'device="lo"' "$tmp/out" && { echo "FAIL: lo exported by default"; fail=1; }
grep -q '^node_network_receive_bytes_total{device="eth0"}' "$tmp/out" || { echo "FAIL: eth0 missing"; fail=1; }
netdev --collector.netdev.device-include='^lo$' >"$tmp/out" || { echo "FAIL: include alone refused"; cat "$tmp/err"; fail=1; }
grep -q '^node_network_receive_bytes_total{device="lo"}' "$tmp/out" || { echo "FAIL: include=lo lacks lo"; fail=1; }
grep -q 'device="eth0"' "$tmp/out" && { echo "FAIL: include=lo has eth0"; fail=1; }
netdev --collector.netdev.device-exclude= >"$tmp/out" || { echo "FAIL: empty exclude refused"; fail=1; }
grep -q 'device="lo"' "$tmp/out" || { echo "FAIL: empty exclude still drops lo"; fail=1; }
if netdev --collector.netdev.device-include=lo --collector.netdev.device-exclude=eth >"$tmp/out"; then
    echo "FAIL: include and an explicit exclude accepted"; fail=1
fi
grep -q 'mutually exclusive' "$tmp/err" || { echo "FAIL: no 'mutually exclusive' error"; fail=1; }
[ $fail -eq 0 ] && echo "ok: Debian 12 defaults"
exit $fail
