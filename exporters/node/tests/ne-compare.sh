#!/bin/sh
# ne-compare.sh NAME [--host] [--names-only] [--ignore-value M]... [-- FLAGS...]:
# runs node-dump and Debian's prometheus-node-exporter (1.5) with only collector
# NAME against tests/fixtures (or the real host with --host), on 127.0.0.1 and a
# free port, and compares the outputs family by family (ne_compare.py).
set -u
name=${1:?usage: ne-compare.sh NAME [options] [-- flags]}
shift
tests=${OMX_SRC:?OMX_SRC not set}/exporters/node/tests
dump=${NODE_DUMP:-${OMX_BUILD:?OMX_BUILD not set}/exporters/node/node-dump}
ne=${NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
py=${PYTHON:-/usr/bin/python3}
fix=$tests/fixtures
host=0 cmpargs=
while [ $# -gt 0 ]; do
    case $1 in
    --host) host=1 ;;
    --names-only) cmpargs="$cmpargs --names-only" ;;
    --ignore-value) cmpargs="$cmpargs --ignore-value $2"; shift ;;
    --) shift; break ;;
    *) echo "unknown option $1"; exit 2 ;;
    esac
    shift
done
[ -x "$dump" ] || { echo "SKIP: node-dump not built at $dump"; exit 77; }
[ -x "$ne" ] || { echo "SKIP: $ne not installed (Debian prometheus-node-exporter)"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl not installed"; exit 77; }
"$py" -c 'import prometheus_client' 2>/dev/null || { echo "SKIP: python3-prometheus-client missing"; exit 77; }
paths=
[ $host = 1 ] || paths="--path.procfs=$fix/proc --path.sysfs=$fix/sys --path.rootfs=$fix/root"
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
# shellcheck disable=SC2086
"$dump" --collector.disable-defaults "--collector.$name" $paths "$@" >"$tmp/ours" 2>"$tmp/ours.err" ||
    { echo "FAIL: node-dump failed"; cat "$tmp/ours.err"; exit 1; }
# a free port: ask the kernel, then hand it to node_exporter
port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# shellcheck disable=SC2086
"$ne" --web.listen-address="127.0.0.1:$port" --collector.disable-defaults "--collector.$name" \
    $paths "$@" >"$tmp/ne.log" 2>&1 &
pid=$!
i=0
until curl -sf "http://127.0.0.1:$port/metrics" >"$tmp/ne" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -ge 50 ] || ! kill -0 "$pid" 2>/dev/null; then
        echo "FAIL: node_exporter did not answer on 127.0.0.1:$port"; cat "$tmp/ne.log"; exit 1
    fi
    sleep 0.1
done
# shellcheck disable=SC2086
"$py" "$tests/ne_compare.py" "$tmp/ours" "$tmp/ne" $cmpargs
