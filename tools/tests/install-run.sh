#!/bin/sh
# install-run.sh: `meson install --destdir` into a temporary directory gives
# programs that start there: omx-node carries a RUNPATH relative to its own
# directory that resolves to the installed libdir, and the loader takes
# libexporter from the destdir copy, not from the build tree or the system.
# shellcheck disable=SC2046,SC2086 # the two directories split into words
set -u
build=${OMX_BUILD:?OMX_BUILD not set}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
meson install -C "$build" --destdir "$tmp" --no-rebuild --quiet >"$tmp/install.log" 2>&1 ||
    { echo "FAIL: meson install --destdir"; cat "$tmp/install.log"; exit 1; }
set -- $(meson introspect "$build" --buildoptions | /usr/bin/python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
p = o["prefix"]
print(*[d if d.startswith("/") else p + "/" + d for d in (o["bindir"], o["libdir"])])')
bindir=$1 libdir=$2
fail=0
node=$tmp$bindir/omx-node
[ -x "$node" ] || { echo "FAIL: $bindir/omx-node not installed"; exit 1; }
for l in libexporter.so.0 libexporter-app.so.0 libexporter-http.so.0; do
    [ -e "$tmp$libdir/$l" ] || { echo "FAIL: $libdir/$l not installed"; exit 1; }
done
runpath=$(readelf -d "$node" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p')
echo "RUNPATH of $bindir/omx-node: $runpath"
# the RUNPATH, with $ORIGIN put in, must name the libdir
case $runpath in
    '$ORIGIN'/*) resolved=$(cd "$tmp$bindir/${runpath#\$ORIGIN/}" 2>/dev/null && pwd -P) ;;
    *) resolved=$tmp$runpath ;;
esac
[ "$resolved" = "$(cd "$tmp$libdir" && pwd -P)" ] ||
    { echo "FAIL: RUNPATH '$runpath' does not resolve to $libdir"; fail=1; }
grep -q 'install-ldconfig' "$tmp/install.log" && { echo "FAIL: ldconfig step ran for a --destdir install"; fail=1; }
lib=$(env -u LD_LIBRARY_PATH ldd "$node" | sed -n 's/^[[:space:]]*libexporter\.so\.0 => \([^ ]*\).*/\1/p')
echo "libexporter.so.0 => $lib"
[ -n "$lib" ] && [ "$(realpath "$lib")" = "$(realpath "$tmp$libdir/libexporter.so.0")" ] || { echo "FAIL: loader does not take the installed libexporter"; fail=1; }
out=$(env -u LD_LIBRARY_PATH "$node" --version 2>&1) || { echo "FAIL: installed omx-node does not start: $out"; exit 1; }
echo "$out"
case $out in *"version "*) ;; *) echo "FAIL: --version printed no version"; fail=1 ;; esac
[ $fail -eq 0 ] && echo "ok: the installed omx-node starts from its destdir"
exit $fail
