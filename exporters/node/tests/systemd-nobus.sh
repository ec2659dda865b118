#!/bin/sh
# systemd-nobus.sh: without a system bus (no systemd as PID 1) the systemd and
# logind collectors fail fast and cleanly without loading libsystemd: success 0,
# a debug log line, exit 0, and the other collectors are still served.
set -u
dump=${NODE_DUMP:-${OMX_BUILD:?OMX_BUILD not set}/exporters/node/node-dump}
[ -x "$dump" ] || { echo "SKIP: node-dump not built"; exit 77; }
if [ -S /run/dbus/system_bus_socket ] || [ -n "${DBUS_SYSTEM_BUS_ADDRESS:-}" ]; then
    echo "SKIP: this host has a system bus"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
start=$(date +%s%N)
LD_DEBUG=libs "$dump" --log.level=debug --collector.disable-defaults --collector.systemd --collector.logind --collector.loadavg \
    >"$tmp/out" 2>"$tmp/err" || { echo "FAIL: node-dump exited $?"; cat "$tmp/err"; exit 1; }
ms=$(( ($(date +%s%N) - start) / 1000000 ))
fail=0
grep -qx 'node_scrape_collector_success{collector="systemd"} 0' "$tmp/out" || { echo "FAIL: systemd not reported as failed"; fail=1; }
grep -qx 'node_scrape_collector_success{collector="logind"} 0' "$tmp/out" || { echo "FAIL: logind not reported as failed"; fail=1; }
grep -qx 'node_scrape_collector_success{collector="loadavg"} 1' "$tmp/out" || { echo "FAIL: loadavg not served"; fail=1; }
grep -q 'level=debug msg="couldn.t get dbus connection" collector=systemd' "$tmp/err" || { echo "FAIL: no debug log line"; fail=1; }
# no bus socket: libsystemd is not even loaded (the dynamic loader's log names it when it is)
grep -q 'collector=systemd err="No such file or directory"' "$tmp/err" || { echo "FAIL: no ENOENT for the missing bus"; fail=1; }
! grep -q 'libsystemd' "$tmp/err" || { echo "FAIL: libsystemd loaded without a bus"; fail=1; }
[ "$ms" -lt 2000 ] || { echo "FAIL: took $ms ms"; fail=1; }
[ $fail -eq 0 ] || { cat "$tmp/out" "$tmp/err"; exit 1; }
echo "ok: systemd and logind collectors failed cleanly in $ms ms, loadavg served"
