#!/bin/sh
# node-flags.sh: node_exporter 1.5 flags omx-node implements:
# --collector.stat.softirq, --collector.netdev.enable-detailed-metrics,
# --collector.netdev.address-info, --collector.netclass_rtnl.with-stats,
# --web.disable-exporter-metrics, and deprecated spellings hidden from --help
# but still accepted (with a warning).
set -u
build=${OMX_BUILD:?OMX_BUILD not set}
omx=$build/exporters/node/omx-node
dump=$build/exporters/node/node-dump
fx=${OMX_SRC:?OMX_SRC not set}/exporters/node/tests/fixtures
py=${PYTHON:-/usr/bin/python3}
[ -x "$omx" ] && [ -x "$dump" ] || { echo "SKIP: omx-node/node-dump not built"; exit 77; }
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
fail=0
has() { grep -q "$2" "$1" || { echo "FAIL: $3: no $2"; fail=1; }; }
lacks() { ! grep -q "$2" "$1" || { echo "FAIL: $3: has $2"; fail=1; }; }
run() { what=$1; shift; "$dump" --collector.disable-defaults "$@" >"$tmp/out" 2>"$tmp/err" ||
    { echo "FAIL: $what: node-dump exited $?"; cat "$tmp/err"; fail=1; }; }

# softirq vectors of the fixture line "softirq 654321 0 1 2 3 4 5 6 7 8 9"
run softirq --collector.stat --collector.stat.softirq --path.procfs="$fx/proc"
for kv in hi=0 timer=1 net_tx=2 net_rx=3 block=4 block_iopoll=5 tasklet=6 sched=7 hrtimer=8 rcu=9; do
    has "$tmp/out" "^node_softirqs_total{vector=\"${kv%=*}\"} ${kv#*=}\$" softirq
done
has "$tmp/out" '^# TYPE node_softirqs_total counter' softirq
run stat --collector.stat --path.procfs="$fx/proc"
lacks "$tmp/out" node_softirqs_total 'stat without softirq'

# detailed names from /proc/net/dev: errs/drop become errors/dropped
run detailed-procfs --collector.netdev --no-collector.netdev.netlink \
    --collector.netdev.enable-detailed-metrics --path.procfs="$fx/proc"
has "$tmp/out" '^node_network_receive_errors_total{device="eth0"}' detailed-procfs
has "$tmp/out" '^node_network_transmit_dropped_total{device="eth0"}' detailed-procfs
lacks "$tmp/out" '^node_network_receive_errs_total' detailed-procfs
# live netlink: the 24 RTM_GETLINK counters, lo included once the exclude is emptied
run detailed-netlink --collector.netdev --collector.netdev.enable-detailed-metrics \
    --collector.netdev.device-exclude=
has "$tmp/out" '^node_network_receive_missed_errors_total{device="lo"}' detailed-netlink
has "$tmp/out" '^node_network_transmit_window_errors_total{device="lo"}' detailed-netlink
lacks "$tmp/out" '^node_network_receive_drop_total' detailed-netlink
n=$(grep -c '^# TYPE node_network_.*_total counter' "$tmp/out")
[ "$n" -eq 24 ] || { echo "FAIL: detailed-netlink: $n families, want 24"; fail=1; }
run legacy-netlink --collector.netdev --collector.netdev.device-exclude=
has "$tmp/out" '^node_network_receive_drop_total{device="lo"}' legacy-netlink
n=$(grep -c '^# TYPE node_network_.*_total counter' "$tmp/out")
[ "$n" -eq 17 ] || { echo "FAIL: legacy-netlink: $n families, want 17"; fail=1; }

# addresses of every device (lo included although netdev excludes it)
run address-info --collector.netdev --collector.netdev.address-info
has "$tmp/out" '^node_network_address_info{address="127.0.0.1",device="lo",netmask="8",scope="link-local"} 1$' address-info
has "$tmp/out" '^node_network_address_info{address="::1",device="lo",netmask="128",scope="link-local"} 1$' address-info
lacks "$tmp/out" '^node_network_receive_bytes_total{device="lo"}' address-info
run no-address-info --collector.netdev
lacks "$tmp/out" node_network_address_info no-address-info

# netclass rtnl statistics: gauges, only with --collector.netclass.netlink
run with-stats --collector.netclass --collector.netclass.netlink --collector.netclass_rtnl.with-stats
has "$tmp/out" '^# TYPE node_network_receive_bytes_total gauge' with-stats
has "$tmp/out" '^node_network_transmit_packets_total{device="lo"}' with-stats
run with-stats-sysfs --collector.netclass --collector.netclass_rtnl.with-stats
lacks "$tmp/out" node_network_receive_bytes_total 'with-stats without netlink'

# deprecated spellings: hidden, accepted, warned about
"$omx" --help >"$tmp/help"
for f in netdev.device-whitelist netdev.device-blacklist systemd.unit-whitelist \
         systemd.unit-blacklist diskstats.ignored-devices filesystem.ignored-mount-points \
         filesystem.ignored-fs-types systemd.private; do
    lacks "$tmp/help" "collector\.$f" "--help"
done
has "$tmp/help" 'collector\.netdev\.device-include' --help
run whitelist --collector.netdev --no-collector.netdev.netlink --path.procfs="$fx/proc" \
    --collector.netdev.device-whitelist='^eth0$'
has "$tmp/out" '^node_network_receive_bytes_total{device="eth0"}' whitelist
lacks "$tmp/out" 'device="wlan0"' whitelist
has "$tmp/err" 'device-whitelist is DEPRECATED' whitelist

# --web.disable-exporter-metrics: node_* only
port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$omx" --web.listen-address=127.0.0.1:"$port" --log.level=warn --web.disable-exporter-metrics \
    --collector.disable-defaults --collector.loadavg 2>"$tmp/log" &
pid=$!
i=0
until curl -sf "http://127.0.0.1:$port/metrics" >"$tmp/out" 2>/dev/null; do
    i=$((i + 1))
    [ $i -gt 100 ] && { echo "FAIL: omx-node did not answer"; cat "$tmp/log"; exit 1; }
    sleep 0.1
done
curl -sf "http://127.0.0.1:$port/metrics" >"$tmp/out"
has "$tmp/out" '^node_load1 ' disable-exporter-metrics
lacks "$tmp/out" '^promhttp_' disable-exporter-metrics
lacks "$tmp/out" '^process_' disable-exporter-metrics
lacks "$tmp/out" '^omx_http_' disable-exporter-metrics
n=$(grep -v '^#' "$tmp/out" | grep -vc '^node_')
[ "$n" -eq 0 ] || { echo "FAIL: disable-exporter-metrics: $n non-node_ samples"; fail=1; }
[ $fail -eq 0 ] && echo "ok: softirq, detailed netdev, address-info, with-stats, hidden deprecated flags, disable-exporter-metrics"
exit $fail
