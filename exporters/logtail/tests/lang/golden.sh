#!/bin/sh
# Golden runs of the examples: each program over its log through lt-oneshot
# (UTC, a fixed clock) must print exactly examples/NAME.prom.
#   golden.sh LT_ONESHOT EXAMPLES_DIR [--update]
set -u
bin=$1 dir=$2 update=${3:-}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for prog in "$dir"/*.mtail; do
    name=$(basename "$prog" .mtail)
    mkdir -p "$tmp/$name"
    cp "$prog" "$tmp/$name/"
    TZ=UTC "$bin" --now 1796292000 --progs "$tmp/$name" --logs "$dir/$name.log" >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=$?
    if [ "$update" = --update ]; then
        cp "$tmp/$name.out" "$dir/$name.prom"
        continue
    fi
    n=$((n + 1))
    if [ $rc -ne 0 ]; then
        echo "FAIL $name: lt-oneshot exited $rc: $(cat "$tmp/$name.err")"
        fail=1
    elif ! diff -u "$dir/$name.prom" "$tmp/$name.out"; then
        echo "FAIL $name: output differs from $name.prom"
        fail=1
    else
        echo "ok $name"
    fi
done
[ "$update" = --update ] && exit 0
[ $n -gt 0 ] || { echo "no examples in $dir"; exit 1; }
exit $fail
