#!/bin/sh
# golden-scrape.sh [OPTION]... GOLDEN -- COMMAND [ARG]...
#
# Scrapes once: runs COMMAND (its standard output is an exposition), filters
# the output and compares it with the file GOLDEN. OMX_UPDATE_GOLDEN=1 writes
# the filtered output to GOLDEN instead. Exit 0 on a match, 1 on a difference
# or a failed command (its stderr is shown), 77 (skip) when COMMAND is not
# executable.
#
#   --fixtures DIR   the input tree: @FIXTURES@ in the arguments stands for DIR,
#                    and DIR in the output is written back as @FIXTURES@
#   --args-file F    more arguments for COMMAND, one per line (# comments)
#   --default ARG    ARG (--name=value) is passed unless an argument already
#                    sets --name (e.g. the args file overrides a default path)
#   --drop ERE       output lines matching ERE are left out (timings, ...)
#   --sed EXPR       sed -E expression applied to every output line (masks)
#   --expect ERE     the output must have a line matching ERE
set -u
usage() {
    echo "usage: golden-scrape.sh [--fixtures DIR] [--args-file F] [--default ARG]..." \
         "[--drop ERE]... [--sed EXPR]... [--expect ERE]... GOLDEN -- COMMAND [ARG]..." >&2
    exit 2
}
nl='
'
fix= argsfile= defaults= drops= seds= expects= golden=
while [ $# -gt 0 ]; do
    case $1 in
        --fixtures) [ $# -ge 2 ] || usage; fix=$2; shift 2 ;;
        --args-file) [ $# -ge 2 ] || usage; argsfile=$2; shift 2 ;;
        --default) [ $# -ge 2 ] || usage; defaults="$defaults$2$nl"; shift 2 ;;
        --drop) [ $# -ge 2 ] || usage; drops="$drops$2$nl"; shift 2 ;;
        --sed) [ $# -ge 2 ] || usage; seds="$seds$2$nl"; shift 2 ;;
        --expect) [ $# -ge 2 ] || usage; expects="$expects$2$nl"; shift 2 ;;
        --) shift; break ;;
        -*) usage ;;
        *) [ -z "$golden" ] || usage; golden=$1; shift ;;
    esac
done
[ -n "$golden" ] && [ $# -ge 1 ] || usage
if [ ! -x "$1" ]; then
    echo "SKIP: $1 is not built"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# The command line: COMMAND ARG..., the args file, then the defaults not set.
if [ -n "$argsfile" ]; then
    while IFS= read -r a || [ -n "$a" ]; do
        case $a in ''|'#'*) continue ;; esac
        set -- "$@" "$a"
    done <"$argsfile"
fi
printf '%s' "$defaults" >"$tmp/defaults"
while IFS= read -r d; do
    taken=0
    for a; do
        case $a in "${d%%=*}="*) taken=1 ;; esac
    done
    [ $taken = 1 ] || set -- "$@" "$d"
done <"$tmp/defaults"
if [ -n "$fix" ]; then
    for a; do
        set -- "$@" "$(printf '%s' "$a" | sed "s|@FIXTURES@|$fix|g")"
        shift
    done
fi

"$@" >"$tmp/raw" 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ]; then
    echo "FAIL: $1 exited $rc"
    cat "$tmp/err"
    exit 1
fi

# Filter: drops, the fixture path, then the sed expressions.
cp "$tmp/raw" "$tmp/out"
printf '%s' "$drops" >"$tmp/drops"
if [ -s "$tmp/drops" ]; then
    grep -Ev -f "$tmp/drops" "$tmp/raw" >"$tmp/out"
fi
if [ -n "$fix" ]; then
    sed "s|$fix|@FIXTURES@|g" "$tmp/out" >"$tmp/f" && mv "$tmp/f" "$tmp/out"
fi
printf '%s' "$seds" >"$tmp/seds"
while IFS= read -r e; do
    sed -E -e "$e" "$tmp/out" >"$tmp/f" && mv "$tmp/f" "$tmp/out"
done <"$tmp/seds"

printf '%s' "$expects" >"$tmp/expects"
while IFS= read -r e; do
    if ! grep -Eq -e "$e" "$tmp/out"; then
        echo "FAIL: no output line matches $e"
        cat "$tmp/err"
        exit 1
    fi
done <"$tmp/expects"

samples=$(grep -vc '^#' "$tmp/out")
if [ "${OMX_UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$tmp/out" "$golden"
    echo "updated $golden ($samples samples)"
    exit 0
fi
if [ ! -f "$golden" ]; then
    echo "FAIL: no golden file $golden (create it with OMX_UPDATE_GOLDEN=1 meson test ...)"
    exit 1
fi
if ! diff -u "$golden" "$tmp/out"; then
    echo "FAIL: output differs from $golden (OMX_UPDATE_GOLDEN=1 rewrites it; log follows)"
    cat "$tmp/err"
    exit 1
fi
echo "ok: $(basename "$golden") matches, $samples samples"
