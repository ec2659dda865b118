#!/bin/sh
# core-link.sh EMBED: a program built on the core library alone (examples/
# omx-embed) needs neither libmicrohttpd nor GnuTLS nor the app library, writes
# a valid exposition, and the two pkg-config names resolve as they should:
# libexporter to the core only, libexporter-app to both libraries.
set -u
embed=${1:?usage: core-link.sh OMX_EMBED}
build=${OMX_BUILD:?OMX_BUILD not set}
fail=0
needed=$(readelf -d "$embed" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "$embed needs: $(echo $needed)"
case " $(echo $needed) " in *" libexporter.so"*) ;; *) echo "FAIL: does not need libexporter.so"; fail=1 ;; esac
for lib in libmicrohttpd libgnutls libz libyaml libcrypt libsystemd libexporter-app; do
    # direct (NEEDED) and indirect (whatever the loader maps)
    if echo "$needed" | grep -q "^$lib\." || LD_LIBRARY_PATH="$build/libexporter" ldd "$embed" | grep -q "$lib\."; then
        echo "FAIL: $embed pulls in $lib"; fail=1
    fi
done
out=$(LD_LIBRARY_PATH="$build/libexporter" "$embed" --openmetrics a b)
want='omx_embed_arguments_total{kind="flag"} 1'
if ! printf '%s\n' "$out" | grep -qxF "$want" || [ "$(printf '%s\n' "$out" | tail -1)" != "# EOF" ]; then
    echo "FAIL: unexpected exposition:"; printf '%s\n' "$out"; fail=1
fi
export PKG_CONFIG_PATH="$build/meson-private"
core=$(pkg-config --libs libexporter)
app=$(pkg-config --libs libexporter-app)
echo "pkg-config --libs libexporter: $core"
echo "pkg-config --libs libexporter-app: $app"
case " $core " in *" -lexporter "*) ;; *) echo "FAIL: libexporter lacks -lexporter"; fail=1 ;; esac
case " $core " in *exporter-app*|*microhttpd*|*gnutls*) echo "FAIL: libexporter names the app layer"; fail=1 ;; esac
case " $app " in *" -lexporter-app "*) ;; *) echo "FAIL: libexporter-app lacks -lexporter-app"; fail=1 ;; esac
case " $app " in *" -lexporter "*) ;; *) echo "FAIL: libexporter-app does not bring the core"; fail=1 ;; esac
if ! pkg-config --print-requires-private libexporter-app | grep -q libmicrohttpd; then
    echo "FAIL: libexporter-app does not require libmicrohttpd for static links"; fail=1
fi
[ $fail -eq 0 ] && echo "ok: the core links alone; pkg-config names resolve"
exit $fail
