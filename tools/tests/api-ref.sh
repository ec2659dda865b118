#!/bin/sh
# api-ref.sh API_MD LIB...: every omx_ function the shared libraries export
# (nm -D --defined-only; omx__ names are internal) has an entry in the generated
# API reference, and the reference lists no function the libraries do not
# export (but inline ones).
set -u
ref=${1:?usage: api-ref.sh API_MD LIB...}
shift
[ -s "$ref" ] || { echo "FAIL: $ref missing or empty"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
nm -D --defined-only "$@" | awk '$2 == "T" && $3 ~ /^omx_[^_]/ { print $3 }' | sort -u >"$tmp/exported"
# entries are "### `name`, `name`" headings; inline functions, marked, are not exported
sed -n 's/^### //p' "$ref" | tr ',' '\n' | grep -v '(inline)' | sed -n 's/^ *`\(omx_[A-Za-z0-9_]*\)`.*/\1/p' | sort -u >"$tmp/listed"
n=$(wc -l <"$tmp/exported")
[ "$n" -gt 0 ] || { echo "FAIL: no omx_ function exported by $*"; exit 1; }
fail=0
for s in $(comm -23 "$tmp/exported" "$tmp/listed"); do echo "FAIL: exported, not in the reference: $s"; fail=1; done
for s in $(comm -13 "$tmp/exported" "$tmp/listed"); do echo "FAIL: in the reference, not exported: $s"; fail=1; done
undoc=$(grep -c '^(No comment in the header.)' "$ref")
echo "$n exported functions; $undoc entries without a header comment"
[ $fail -eq 0 ] && echo "ok: the reference lists every exported function"
exit $fail
