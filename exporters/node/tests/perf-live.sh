#!/bin/sh
# perf-live.sh: the perf collector on this kernel. As root it either yields
# node_perf_* samples or logs why the kernel gave none, and reports success 1
# either way (node_exporter leaves out the events it cannot open). As an
# unprivileged user with kernel.perf_event_paranoid > 0 it must log the refusal
# naming perf_event_paranoid. With tracefs mountable (private mount namespace),
# a chosen tracepoint gives node_perf_sched_sched_switch. A bad
# --collector.perf.cpus stops start-up.
set -u
dump=${NODE_DUMP:-${OMX_BUILD:?OMX_BUILD not set}/exporters/node/node-dump}
[ -x "$dump" ] || { echo "SKIP: node-dump not built at $dump"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
success1='^node_scrape_collector_success{collector="perf"} 1$'

"$dump" --collector.disable-defaults --collector.perf >"$tmp/out" 2>"$tmp/err" ||
    { echo "FAIL: node-dump failed"; cat "$tmp/err"; exit 1; }
grep -q "$success1" "$tmp/out" || { echo "FAIL: perf not successful"; fail=1; }
if grep -q '^node_perf_[a-z_]*{cpu="[0-9]*"} [0-9]' "$tmp/out"; then
    echo "ok: $(grep -c '^node_perf_' "$tmp/out") node_perf_* samples as root"
elif grep -q 'level=warn.*collector=perf' "$tmp/err"; then
    echo "ok: no perf events as root, reason logged: $(grep 'collector=perf' "$tmp/err" | head -1)"
else
    echo "FAIL: neither node_perf_* samples nor a logged reason"; cat "$tmp/err"; fail=1
fi

paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo 2)
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && [ "$paranoid" -gt 0 ]; then
    setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$dump" --collector.disable-defaults --collector.perf >"$tmp/out2" 2>"$tmp/err2" ||
        { echo "FAIL: node-dump as nobody failed"; cat "$tmp/err2"; fail=1; }
    if grep -q '^node_perf_' "$tmp/out2"; then
        echo "FAIL: node_perf_* samples as nobody with perf_event_paranoid=$paranoid"; fail=1
    elif ! grep -q "refuses perf events.*perf_event_paranoid=$paranoid" "$tmp/err2"; then
        echo "FAIL: refusal not logged with perf_event_paranoid"; cat "$tmp/err2"; fail=1
    else
        grep -q "$success1" "$tmp/out2" || { echo "FAIL: perf not successful as nobody"; fail=1; }
        echo "ok: refused as nobody (perf_event_paranoid=$paranoid), reason logged"
    fi
else
    echo "note: unprivileged check skipped (not root, no setpriv or perf_event_paranoid <= 0)"
fi

if [ "$(id -u)" = 0 ] && unshare -m sh -c 'mount -t tracefs nodev /sys/kernel/tracing' 2>/dev/null; then
    unshare -m sh -c 'mount -t tracefs nodev /sys/kernel/tracing && exec "$0" --collector.disable-defaults --collector.perf --collector.perf.tracepoint=sched:sched_switch' \
        "$dump" >"$tmp/out3" 2>"$tmp/err3" || { echo "FAIL: tracepoint run failed"; cat "$tmp/err3"; fail=1; }
    if grep -q '^node_perf_sched_sched_switch_total{cpu="[0-9]*"} [0-9]' "$tmp/out3" &&
        grep -q '^# HELP node_perf_sched_sched_switch_total Perf tracepoint sched:sched_switch$' "$tmp/out3"; then
        echo "ok: tracepoint sched:sched_switch counted"
    elif grep -q 'cannot open the perf tracepoint' "$tmp/err3"; then
        echo "note: tracepoint refused by this kernel: $(grep tracepoint "$tmp/err3" | head -1)"
    else
        echo "FAIL: no tracepoint samples"; cat "$tmp/out3" "$tmp/err3"; fail=1
    fi
else
    echo "note: tracepoint check skipped (tracefs cannot be mounted here)"
fi

if "$dump" --collector.disable-defaults --collector.perf --collector.perf.cpus=1-x >/dev/null 2>"$tmp/err4"; then
    echo "FAIL: a bad --collector.perf.cpus was accepted"; fail=1
else
    echo "ok: bad --collector.perf.cpus refused: $(grep -o 'msg="[^"]*"' "$tmp/err4" | head -1)"
fi
exit $fail
