#!/bin/sh
# examples.sh OMX_LOGTAIL EXAMPLES_DIR: every example through omx-logtail
# itself (--one_shot --one_shot_format=prometheus, TZ=UTC) prints exactly its
# golden examples/NAME.prom, and --compile_only accepts every program.
set -u
bin=$1 dir=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for prog in "$dir"/*.mtail; do
    name=$(basename "$prog" .mtail)
    [ -f "$dir/$name.prom" ] || continue
    n=$((n + 1))
    mkdir "$tmp/$name"
    cp "$prog" "$tmp/$name/"
    if ! "$bin" --progs "$tmp/$name" --compile_only 2>"$tmp/$name.err"; then
        echo "FAIL $name: --compile_only: $(cat "$tmp/$name.err")"
        fail=1
        continue
    fi
    if ! TZ=UTC "$bin" --progs "$tmp/$name" --logs "$dir/$name.log" --one_shot \
            --one_shot_format=prometheus >"$tmp/$name.out" 2>"$tmp/$name.err"; then
        echo "FAIL $name: --one_shot exited $?: $(cat "$tmp/$name.err")"
        fail=1
    elif ! diff -u "$dir/$name.prom" "$tmp/$name.out"; then
        echo "FAIL $name: output differs from $name.prom"
        fail=1
    else
        echo "ok $name"
    fi
done
[ $n -gt 0 ] || { echo "no examples with a golden output in $dir"; exit 1; }
exit $fail
