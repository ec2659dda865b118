#!/bin/sh
# malformed.sh: runs every collector against fixtures-bad/ (truncated and garbled
# files) and checks node-dump survives (exit 0, no sanitizer report), that each
# collector listed in fixtures-bad/expected-failures reports success 0, and
# that no sample carries NaN or a value that is not a number.
set -u
tests=${OMX_SRC:?OMX_SRC not set}/exporters/node/tests
dump=${NODE_DUMP:-${OMX_BUILD:?OMX_BUILD not set}/exporters/node/node-dump}
bad=$tests/fixtures-bad
if [ ! -x "$dump" ]; then
    echo "SKIP: node-dump not built at $dump"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# every collector, defaults and the off-by-default ones
all=$("$dump" --help 2>&1 | sed -n 's/^ *--\[no-\]collector\.\([a-z0-9_]*\)$/\1/p' | sort -u)
args=
if "$dump" --help 2>&1 | grep -q -e '--collector.textfile.directory'; then
    args="--collector.textfile.directory=$bad/textfile"
fi
for c in $all; do args="$args --collector.$c"; done
# sources that bypass --path.procfs by default: read the broken files instead
if "$dump" --help 2>&1 | grep -q -e '--\[no-\]collector.netdev.netlink'; then
    args="$args --no-collector.netdev.netlink"
fi
# shellcheck disable=SC2086
"$dump" --log.level=debug $args "--path.procfs=$bad/proc" "--path.sysfs=$bad/sys" \
    "--path.rootfs=$bad/root" "--path.udev.data=$bad/udev" >"$tmp/out" 2>"$tmp/err"
rc=$?
fail=0
if [ $rc -ne 0 ]; then
    echo "FAIL: node-dump exited $rc"; fail=1
fi
if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error:' -e 'LeakSanitizer' "$tmp/err"; then
    echo "FAIL: sanitizer report"; fail=1
fi
n=0
for f in "$bad"/expected-failures; do
    [ -f "$f" ] || continue
    for c in $(grep -v '^#' "$f"); do
        # a collector listed before its code is in the table: note it, don't fail
        case " $(echo $all) " in *" $c "*) ;; *) echo "note: $c listed in $(basename "$f") but not built"; continue ;; esac
        n=$((n + 1))
        line=$(grep "^node_scrape_collector_success{collector=\"$c\"}" "$tmp/out")
        if [ "$line" != "node_scrape_collector_success{collector=\"$c\"} 0" ]; then
            echo "FAIL: collector $c: expected success 0, got '${line:-nothing}'"
            grep "collector=$c " "$tmp/err" | head -3
            fail=1
        fi
    done
done
# every sample value must be a finite number or +Inf/-Inf (never NaN or junk)
if ! awk '!/^#/ && NF { v = $NF; if (v !~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ && v != "+Inf" && v != "-Inf") { print "bad value: " $0; bad = 1 } } END { exit bad }' "$tmp/out"; then
    fail=1
fi
# the failures were logged with the file that was wrong
if ! grep -q 'msg="malformed input".*file=' "$tmp/err"; then
    echo "FAIL: no 'malformed input' log line naming a file"; fail=1
fi
if [ "$n" -eq 0 ]; then
    echo "FAIL: no expected failures listed"; fail=1
fi
if [ $fail -ne 0 ]; then
    echo "--- stderr"; tail -40 "$tmp/err"
    exit 1
fi
echo "ok: $(echo $all | wc -w) collectors ran, $n expected failures reported success 0, all values numeric"
