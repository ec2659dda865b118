#!/bin/sh
# golden.sh NAME: runs node-dump with only collector NAME against tests/fixtures
# and diffs the output (scrape durations filtered out) against golden/NAME.prom.
# UPDATE_GOLDEN=1 rewrites the golden file instead. Extra flags for a collector
# may be listed in golden/NAME.args (@FIXTURES@ is replaced by the fixture dir).
set -u
name=${1:?usage: golden.sh NAME}
tests=${OMX_SRC:?OMX_SRC not set}/exporters/node/tests
dump=${NODE_DUMP:-${OMX_BUILD:?OMX_BUILD not set}/exporters/node/node-dump}
fix=${FIXTURES:-$tests/fixtures}
golden=$tests/golden/$name.prom
if [ ! -x "$dump" ]; then
    echo "SKIP: node-dump not built at $dump"
    exit 77
fi
extra=
if [ -f "$tests/golden/$name.args" ]; then
    extra=$(sed "s|@FIXTURES@|$fix|g" "$tests/golden/$name.args")
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# the fixture roots, unless NAME.args sets one itself
paths=
for p in procfs=proc sysfs=sys rootfs=root udev.data=udev; do
    case " $extra" in *" --path.${p%%=*}="*) continue ;; esac
    paths="$paths --path.${p%%=*}=$fix/${p#*=}"
done
# shellcheck disable=SC2086
"$dump" --log.level=debug --collector.disable-defaults "--collector.$name" \
    $paths $extra >"$tmp/raw" 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ]; then
    echo "FAIL: node-dump exited $rc"
    cat "$tmp/err"
    exit 1
fi
grep -v -e '^node_scrape_collector_duration_seconds{' \
        -e '^# [A-Z]* node_scrape_collector_duration_seconds ' "$tmp/raw" |
    sed -e "s|$fix|@FIXTURES@|g" \
        -e 's/^\(node_textfile_mtime_seconds{.*}\) .*/\1 MTIME/' >"$tmp/out"
if ! grep -q "^node_scrape_collector_success{collector=\"$name\"}" "$tmp/out"; then
    echo "FAIL: no node_scrape_collector_success for $name"
    cat "$tmp/err"
    exit 1
fi
if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$tmp/out" "$golden"
    echo "updated $golden ($(grep -vc '^#' "$golden") samples)"
    exit 0
fi
if [ ! -f "$golden" ]; then
    echo "FAIL: no golden file $golden (create it with UPDATE_GOLDEN=1)"
    exit 1
fi
if ! diff -u "$golden" "$tmp/out"; then
    echo "FAIL: output differs from $golden (log follows)"
    cat "$tmp/err"
    exit 1
fi
echo "ok: $name matches $(grep -vc '^#' "$golden") samples"
