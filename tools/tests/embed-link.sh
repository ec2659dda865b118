#!/bin/sh
# embed-link.sh: an embedder's build, out of the tree. After `meson install
# --destdir`, examples/omx-embed.c (the core) and examples/omx-example.c (the
# app layer) compile against the installed headers alone (OMX_VERSION comes
# from exporter/version.h) and link through the installed .pc files:
#   shared        pkg-config --libs
#   static ours   libexporter*.a with every other library shared: what
#                 Requires.private/Libs.private name must be enough
#   fully static  gcc -static $(pkg-config --static ...), where the
#                 distribution ships the static libraries it needs
# shellcheck disable=SC2046,SC2086 # pkg-config output and directory lists split into words
set -u
build=${OMX_BUILD:?OMX_BUILD not set}
src=${OMX_SRC:?OMX_SRC not set}
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
set -- $(meson introspect "$build" --buildoptions | /usr/bin/python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
p = o["prefix"]
print(p, o["libdir"] if o["libdir"].startswith("/") else p + "/" + o["libdir"], o["b_sanitize"])')
prefix=$1 libdir=$2 sanitize=$3
# An embedder's program is built without sanitizers; instrumented libraries
# would need the sanitizer runtime linked in as well.
[ "$sanitize" = none ] || { echo "SKIP: libraries built with -fsanitize=$sanitize"; exit 77; }
meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet >"$tmp/install.log" 2>&1 ||
    { echo "FAIL: meson install --destdir"; cat "$tmp/install.log"; exit 1; }
lib=$tmp/root$libdir
export PKG_CONFIG_PATH="$lib/pkgconfig" PKG_CONFIG_LIBDIR="$lib/pkgconfig:/usr/lib/x86_64-linux-gnu/pkgconfig:/usr/lib/pkgconfig:/usr/share/pkgconfig"
pc() { pkg-config --define-variable=prefix="$tmp/root$prefix" "$@"; }
cflags="-std=gnu11 -Wall -Wextra -Werror -O1"
fail=0

# check NAME BINARY ARGS...: runs it, the output must carry what the example writes
check() {
    name=$1 bin=$2; shift 2
    out=$(LD_LIBRARY_PATH="$lib" "$bin" "$@" 2>&1) || { echo "FAIL: $name: $bin $* exited $?: $out"; fail=1; return; }
    case $bin in
        */embed*) want='omx_embed_arguments_total{kind="flag"} 1' ;;
        *) want="omx-example, version $(pc --modversion libexporter-app)" ;;
    esac
    printf '%s\n' "$out" | grep -qxF "$want" || { echo "FAIL: $name: no '$want' in:"; printf '%s\n' "$out"; fail=1; return; }
    echo "ok: $name"
}
# needs NAME BINARY LIBRARY yes|no
needs() {
    if readelf -d "$2" | grep -q "(NEEDED).*\[$3\."; then has=yes; else has=no; fi
    [ "$has" = "$4" ] || { echo "FAIL: $1: NEEDED $3: $has, want $4"; fail=1; }
}

for p in libexporter libexporter-app libexporter-push; do
    pc --exists "$p" || { echo "FAIL: $p.pc not installed"; exit 1; }
done
# push mode's libraries are loaded only by a process that pushes
needs "app layer" "$lib/libexporter-app.so.0" libcurl-gnutls no
needs "app layer" "$lib/libexporter-app.so.0" libprotobuf-c no
needs "push library" "$lib/libexporter-push.so.0" libcurl-gnutls yes
# so are the HTTP server's, by a process that serves
[ -e "$lib/libexporter-http.so.0" ] || { echo "FAIL: libexporter-http.so.0 not installed"; fail=1; }
for l in libmicrohttpd libgnutls libcrypt libz; do
    needs "app layer" "$lib/libexporter-app.so.0" $l no
done
needs "server library" "$lib/libexporter-http.so.0" libmicrohttpd yes

# shared
if $cc $cflags -o "$tmp/embed" "$src/examples/omx-embed.c" $(pc --cflags --libs libexporter) 2>"$tmp/err"; then
    needs "shared core" "$tmp/embed" libexporter.so yes
    check "shared core" "$tmp/embed" --openmetrics a b
else echo "FAIL: shared core link:"; cat "$tmp/err"; fail=1; fi
if $cc $cflags -o "$tmp/example" "$src/examples/omx-example.c" $(pc --cflags --libs libexporter-app) 2>"$tmp/err"; then
    needs "shared app" "$tmp/example" libexporter-app.so yes
    check "shared app" "$tmp/example" --version
else echo "FAIL: shared app link:"; cat "$tmp/err"; fail=1; fi

# our archives, the rest shared: the installed .a files, then what the .pc
# files name for static links (Requires.private, Libs.private), resolved as
# shared libraries
private() { sed -n 's/^Libs.private://p' "$lib/pkgconfig/$1.pc"; }
ours() {
    case $1 in
        libexporter) echo "$lib/libexporter.a $(private libexporter)" ;;
        libexporter-app) reqs=$(pc --print-requires-private libexporter-app | tr '\n' ' ')
            echo "$lib/libexporter-app.a $lib/libexporter.a $(private libexporter-app) $(private libexporter)" \
                 "${reqs:+$(pc --libs $reqs)}" ;;
    esac
}
if $cc $cflags -o "$tmp/embed-a" "$src/examples/omx-embed.c" $(pc --cflags libexporter) $(ours libexporter) 2>"$tmp/err"; then
    needs "static core" "$tmp/embed-a" libexporter.so no
    check "static core" "$tmp/embed-a" --openmetrics a b
else echo "FAIL: static core link:"; cat "$tmp/err"; fail=1; fi
if $cc $cflags -o "$tmp/example-a" "$src/examples/omx-example.c" $(pc --cflags libexporter-app) $(ours libexporter-app) 2>"$tmp/err"; then
    needs "static app" "$tmp/example-a" libexporter-app.so no
    needs "static app" "$tmp/example-a" libexporter.so no
    check "static app" "$tmp/example-a" --version
else echo "FAIL: static app link (Requires.private/Libs.private incomplete?):"; cat "$tmp/err"; fail=1; fi

# fully static
if $cc $cflags -static -o "$tmp/embed-s" "$src/examples/omx-embed.c" $(pc --static --cflags --libs libexporter) 2>"$tmp/err"; then
    readelf -d "$tmp/embed-s" | grep -q NEEDED && { echo "FAIL: -static core has NEEDED entries"; fail=1; }
    check "fully static core" "$tmp/embed-s" --openmetrics a b
else echo "FAIL: fully static core link:"; cat "$tmp/err"; fail=1; fi
# The app layer needs GnuTLS; a distribution without the static libraries
# GnuTLS needs (Debian 12 ships no libp11-kit.a or libunistring.a) cannot link
# it with -static. Named, not failed: our own .pc files are checked above.
missing=""
for l in $(pc --static --libs-only-l libexporter-app); do
    n=${l#-l}
    case $n in exporter|exporter-app|pthread|m|dl|rt) continue ;; esac
    found=no
    for d in $(pc --static --libs-only-L libexporter-app | sed 's/-L//g'); do
        [ -e "$d/lib$n.a" ] && { found=yes; break; }
    done
    [ -e "$($cc -print-file-name="lib$n.a")" ] && found=yes
    [ $found = yes ] || case " $missing " in *" lib$n.a "*) ;; *) missing="$missing lib$n.a" ;; esac
done
if [ -n "$missing" ]; then
    echo "note: fully static app link not tried: the system has no$missing (GnuTLS, through libmicrohttpd)"
elif $cc $cflags -static -o "$tmp/example-s" "$src/examples/omx-example.c" $(pc --static --cflags --libs libexporter-app) 2>"$tmp/err"; then
    check "fully static app" "$tmp/example-s" --version
else
    # glibc warns about getaddrinfo/dlopen in static programs; only errors count
    echo "FAIL: fully static app link:"; grep -v warning "$tmp/err"; fail=1
fi
[ $fail -eq 0 ] && echo "ok: the installed .pc files build the examples shared and static"
exit $fail
