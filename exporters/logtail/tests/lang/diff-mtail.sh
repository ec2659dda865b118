#!/bin/sh
# Differential test: every example through Debian's mtail (--one_shot) and
# through lt-oneshot; the program's series and values must be equal, in the
# Prometheus text and in the /json export (json-compare.py). The
# only difference allowed is documented in docs/logtail-language.md:
# histogram buckets, where mtail 3.0.0~rc50 does not count observations at or
# below zero (we follow Prometheus: the first bucket whose bound is >= the
# value); when only _bucket lines differ the example passes and the
# difference is printed. Examples whose first line starts "# omx-logtail only"
# use our extensions and are skipped. mtail listens even in one-shot mode: on 127.0.0.1,
# a free port.
#   diff-mtail.sh LT_ONESHOT EXAMPLES_DIR
set -u
bin=$1 dir=$2
here=$(cd "$(dirname "$0")" && pwd)
mtail=$(command -v mtail) || { echo "SKIP: mtail is not installed (Debian package mtail)"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
norm() {
    # drop comments and self metrics; one sample per line, sorted
    # values compared as numbers: Go writes 1.79e+09 where we write 1790000000
    grep -v '^#' | grep -v -e '^mtail_' -e '^logtail_' |
        awk '{ v = $NF; sub(/ [^ ]*$/, ""); printf "%s %.15g\n", $0, v }' | LC_ALL=C sort
}
fail=0
for prog in "$dir"/*.mtail; do
    name=$(basename "$prog" .mtail)
    if head -1 "$prog" | grep -q '^# omx-logtail only'; then
        echo "skip $name: uses constructs mtail does not have"
        continue
    fi
    mkdir -p "$tmp/$name"
    cp "$prog" "$tmp/$name/"
    cp "$dir/$name.log" "$tmp/$name.log"
    TZ=UTC timeout 60 "$mtail" --one_shot --one_shot_format=prometheus --address 127.0.0.1 --port 0 --progs "$tmp/$name" \
        --logs "$tmp/$name.log" >"$tmp/$name.mtail.out" 2>"$tmp/$name.mtail.err"
    rc=$?
    if [ $rc -ne 0 ]; then
        echo "FAIL $name: mtail exited $rc: $(tail -3 "$tmp/$name.mtail.err")"
        fail=1
        continue
    fi
    TZ=UTC "$bin" --progs "$tmp/$name" --logs "$tmp/$name.log" >"$tmp/$name.ours.out" || {
        echo "FAIL $name: lt-oneshot failed"
        fail=1
        continue
    }
    norm <"$tmp/$name.mtail.out" >"$tmp/$name.a"
    norm <"$tmp/$name.ours.out" >"$tmp/$name.b"
    if ! [ -s "$tmp/$name.a" ]; then
        echo "FAIL $name: mtail printed no series"
        fail=1
    elif diff -u "$tmp/$name.a" "$tmp/$name.b" >"$tmp/$name.diff"; then
        echo "ok $name: $(wc -l <"$tmp/$name.a") samples equal"
    else
        # the documented histogram difference: keep only non-bucket lines
        grep -v '_bucket{' "$tmp/$name.a" >"$tmp/$name.a2"
        grep -v '_bucket{' "$tmp/$name.b" >"$tmp/$name.b2"
        if diff -u "$tmp/$name.a2" "$tmp/$name.b2" >/dev/null; then
            echo "ok $name: equal but for histogram buckets (documented):"
            cat "$tmp/$name.diff"
        else
            echo "FAIL $name:"
            cat "$tmp/$name.diff"
            fail=1
        fi
    fi
    # the /json export, the same way
    TZ=UTC timeout 60 "$mtail" --one_shot --one_shot_format=json --address 127.0.0.1 --port 0 \
        --progs "$tmp/$name" --logs "$tmp/$name.log" >"$tmp/$name.m.json" 2>/dev/null &&
        TZ=UTC "$bin" --json --progs "$tmp/$name" --logs "$tmp/$name.log" >"$tmp/$name.o.json" &&
        /usr/bin/python3 "$here/json-compare.py" "$tmp/$name.m.json" "$tmp/$name.o.json" || {
        echo "FAIL $name: /json differs"
        fail=1
    }
done
exit $fail
