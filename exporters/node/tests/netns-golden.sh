#!/bin/sh
# netns-golden.sh SETUP GOLDEN [golden-scrape options] -- COMMAND...: runs the
# shell script SETUP as root in a new network namespace (unshare -n), then
# testkit/golden-scrape.sh GOLDEN ... in the same namespace, so collectors that
# ask the kernel over netlink see a known set of links, routes and qdiscs.
# Skips (77) when not root or when network namespaces are refused.
set -u
setup=${1:?usage: netns-golden.sh SETUP GOLDEN [options] -- COMMAND...}
shift
golden=${OMX_SRC:?OMX_SRC not set}/testkit/golden-scrape.sh
if [ "$(id -u)" != 0 ]; then
    echo "SKIP: needs root for a private network namespace"; exit 77
fi
if ! unshare -n true 2>/dev/null; then
    echo "SKIP: unshare -n refused (no network namespaces here)"; exit 77
fi
command -v ip >/dev/null || { echo "SKIP: ip (iproute2) not installed"; exit 77; }
# shellcheck disable=SC2016
exec unshare -n sh -c '
setup=$1 golden=$2; shift 2
if ! sh "$setup" >/tmp/netns-setup.$$ 2>&1; then
    echo "SKIP: the namespace setup failed (missing kernel feature?):"; cat /tmp/netns-setup.$$
    rm -f /tmp/netns-setup.$$; exit 77
fi
rm -f /tmp/netns-setup.$$
exec sh "$golden" "$@"' netns-golden "$setup" "$golden" "$@"
