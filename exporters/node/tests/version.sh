#!/bin/sh
# version.sh: omx-node --version prints prometheus/common's five lines, and
# node_exporter_build_info carries the same version, revision, branch and
# compiler (goversion); built from git, the revision is the checkout's commit.
set -u
build=${OMX_BUILD:?OMX_BUILD not set}
src=${OMX_SRC:?OMX_SRC not set}
omx=$build/exporters/node/omx-node
[ -x "$omx" ] || { echo "SKIP: omx-node not built"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
"$omx" --version >"$tmp/v" 2>&1 || { echo "FAIL: --version exited $?"; exit 1; }
re1='^omx-node, version [^ ]+ \(branch: [^,]*, revision: [^)]*\)$'
head -1 "$tmp/v" | grep -Eq "$re1" || { echo "FAIL: first line: $(head -1 "$tmp/v")"; fail=1; }
n=1
for k in 'build user' 'build date' 'compiler' 'platform'; do
    n=$((n + 1))
    sed -n "${n}p" "$tmp/v" | grep -Eq "^  $k: +[^ ]" || { echo "FAIL: line $n is not '$k': $(sed -n "${n}p" "$tmp/v")"; fail=1; }
done
[ "$(wc -l <"$tmp/v")" -eq 5 ] || { echo "FAIL: --version has $(wc -l <"$tmp/v") lines, want 5"; fail=1; }
grep -Eq '^  platform: +linux/[a-z0-9_]+$' "$tmp/v" || { echo "FAIL: platform"; fail=1; }
grep -Eq '^  compiler: +(gcc|clang)[0-9]+\.[0-9]+\.[0-9]+$' "$tmp/v" || { echo "FAIL: compiler"; fail=1; }
version=$(sed -n '1s/^omx-node, version \([^ ]*\) .*/\1/p' "$tmp/v")
branch=$(sed -n '1s/.*(branch: \([^,]*\),.*/\1/p' "$tmp/v")
revision=$(sed -n '1s/.*revision: \([^)]*\))$/\1/p' "$tmp/v")
compiler=$(sed -n 's/^  compiler: *//p' "$tmp/v")
if git -C "$src" rev-parse HEAD >/dev/null 2>&1; then
    # the commit the binary was configured from is an ancestor of (or is) HEAD
    git -C "$src" cat-file -e "$revision^{commit}" 2>/dev/null ||
        { echo "FAIL: revision '$revision' is not a commit of $src"; fail=1; }
fi
# node_exporter_build_info from a scrape of the same binary
py=${PYTHON:-/usr/bin/python3}
port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$omx" --web.listen-address=127.0.0.1:"$port" --log.level=warn --collector.disable-defaults 2>"$tmp/log" &
pid=$!
i=0
until curl -sf "http://127.0.0.1:$port/metrics" >"$tmp/m" 2>/dev/null; do
    i=$((i + 1))
    [ $i -gt 100 ] && { echo "FAIL: omx-node did not answer"; kill $pid; exit 1; }
    sleep 0.1
done
kill $pid; wait $pid 2>/dev/null
[ "$revision" = unknown ] && revision=
[ "$branch" = unknown ] && branch=omx
want="node_exporter_build_info{branch=\"$branch\",goarch=\"[a-z0-9_]+\",goos=\"linux\",goversion=\"$compiler\",revision=\"$revision\",version=\"$version\"} 1"
grep -Eq "^$want\$" "$tmp/m" || { echo "FAIL: build_info $(grep ^node_exporter_build_info "$tmp/m"), want $want"; fail=1; }
[ $fail -eq 0 ] && echo "ok: --version and node_exporter_build_info agree ($revision)"
exit $fail
