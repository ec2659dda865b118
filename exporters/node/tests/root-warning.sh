#!/bin/sh
# root-warning.sh: omx-node warns at start when run as root, with node_exporter's
# text, and says nothing of the kind as another user.
set -u
omx=${OMX_BUILD:?OMX_BUILD not set}/exporters/node/omx-node
py=${PYTHON:-/usr/bin/python3}
[ -x "$omx" ] || { echo "SKIP: omx-node not built"; exit 77; }
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT INT TERM
text='level=warn msg="Node Exporter is running as root user. This exporter is designed to run as unprivileged user, root is not required."'
# start RUNNER...: runs omx-node for 1 s, its log in $tmp/log
start() {
    port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    timeout 1 "$@" "$omx" --web.listen-address=127.0.0.1:"$port" --collector.disable-defaults \
        --collector.loadavg >/dev/null 2>"$tmp/log"
}
fail=0
checked=0
if [ "$(id -u)" -eq 0 ]; then
    start
    grep -qF "$text" "$tmp/log" || { echo "FAIL: no root warning as root"; cat "$tmp/log"; fail=1; }
    checked=$((checked + 1))
    if command -v setpriv >/dev/null 2>&1; then
        start setpriv --reuid=65534 --regid=65534 --clear-groups
        grep -q 'msg=Starting' "$tmp/log" || { echo "FAIL: did not start as nobody"; cat "$tmp/log"; fail=1; }
        grep -q 'running as root' "$tmp/log" && { echo "FAIL: root warning as nobody"; fail=1; }
        checked=$((checked + 1))
    fi
else
    start
    grep -q 'running as root' "$tmp/log" && { echo "FAIL: root warning as uid $(id -u)"; fail=1; }
    checked=$((checked + 1))
fi
[ $fail -eq 0 ] && echo "ok: root warning ($checked cases)"
exit $fail
