#!/bin/sh
# rescrape.sh: collectors keeping sysfs fds open between scrapes (netclass) must
# read what is there now: a second scrape after the tree changed (value rewritten
# in place, device removed, device replaced under the same name, device added)
# equals a first scrape of the changed tree.
set -u
tests=${OMX_SRC:?OMX_SRC not set}/exporters/node/tests
dump=${NODE_DUMP:-${OMX_BUILD:?OMX_BUILD not set}/exporters/node/node-dump}
if [ ! -x "$dump" ]; then
    echo "SKIP: node-dump not built at $dump"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cp -a "$tests/fixtures/sys" "$tmp/sys"
net=$tmp/sys/class/net
for d in eth0 lo wlan0; do
    [ -f "$net/$d/mtu" ] || { echo "FAIL: fixture $net/$d/mtu missing"; exit 1; }
done
cat >"$tmp/change" <<EOS
set -e
printf '9000\n' >"$net/eth0/mtu"
printf 'down\n' >"$net/eth0/operstate"
rm -r "$net/lo"
rm -r "$net/wlan0" && mkdir "$net/wlan0"
printf '1234\n' >"$net/wlan0/mtu"
printf 'up\n' >"$net/wlan0/operstate"
mkdir "$net/new0" && printf '576\n' >"$net/new0/mtu"
EOS
flags="--collector.disable-defaults --collector.netclass --path.sysfs=$tmp/sys"
strip() { grep -v -e 'node_scrape_collector_duration_seconds'; }
# shellcheck disable=SC2086
NODE_DUMP_RESCRAPE="sh $tmp/change" "$dump" $flags >"$tmp/both" 2>"$tmp/err" ||
    { echo "FAIL: node-dump exited $?"; cat "$tmp/err"; exit 1; }
sed -n '/^# rescrape$/,$p' "$tmp/both" | sed 1d | strip >"$tmp/second"
sed '/^# rescrape$/,$d' "$tmp/both" | strip >"$tmp/first"
# shellcheck disable=SC2086
"$dump" $flags | strip >"$tmp/fresh" || { echo "FAIL: fresh node-dump"; exit 1; }
fail=0
grep -q '^node_network_mtu_bytes{device="lo"}' "$tmp/first" || { echo "FAIL: first scrape lacks lo"; fail=1; }
grep -q '^node_network_mtu_bytes{device="eth0"} 9000$' "$tmp/second" || { echo "FAIL: eth0 mtu not re-read"; fail=1; }
grep -q '^node_network_mtu_bytes{device="wlan0"} 1234$' "$tmp/second" || { echo "FAIL: replaced wlan0 not re-read"; fail=1; }
grep -q '^node_network_mtu_bytes{device="new0"} 576$' "$tmp/second" || { echo "FAIL: new0 missing"; fail=1; }
grep -q 'device="lo"' "$tmp/second" && { echo "FAIL: removed lo still exported"; fail=1; }
if ! cmp -s "$tmp/second" "$tmp/fresh"; then
    echo "FAIL: second scrape differs from a fresh scrape of the changed tree"
    diff "$tmp/fresh" "$tmp/second" | head -20
    fail=1
fi
[ $fail -eq 0 ] && echo "ok: second scrape = fresh scrape after in-place, removed, replaced, added devices"
exit $fail
