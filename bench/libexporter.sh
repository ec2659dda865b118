#!/bin/sh
# libexporter benchmarks beside client_golang (Debian's golang-github-prometheus-
# client-golang-dev, GOPATH mode), built and run in the same invocation.
# Usage: sh bench/libexporter.sh BUILD_DIR
# Each case runs ours, then Go's, $BENCH_RUNS times (default 5) and reports
# the median of each. The 2-thread cases pin our workers to CPUs 0 and 1; Go
# runs with GOMAXPROCS=2 under taskset -c 0,1.
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
ours="$build/bench/libexporter/bench-libexporter"
[ -x "$ours" ] || { echo "bench libexporter: $ours not built" >&2; exit 1; }

# Figures depend on the CPU (a locked add costs 5 ns on some, 1 ns on others).
[ -n "${OMX_BENCH_CPU_SHOWN:-}" ] ||
  echo "bench cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) CPUs"

tmp=$(mktemp -d /tmp/omx-bench-lib.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
gobench=""
if command -v go >/dev/null 2>&1 && [ -d /usr/share/gocode/src/github.com/prometheus/client_golang ]; then
  mkdir -p "$tmp/src/omxbench"
  cp "$here/libexporter/go/main.go" "$tmp/src/omxbench/"
  if (cd "$tmp/src/omxbench" && GO111MODULE=off GOPATH="$tmp:/usr/share/gocode" \
        GOCACHE="${GOCACHE:-/tmp/omx-bench-gocache}" GOFLAGS= go build -o "$tmp/gobench" .) >&2; then
    gobench="$tmp/gobench"
  fi
fi
[ -n "$gobench" ] || echo "bench libexporter: client_golang not available, peer figures missing" >&2

runs=${BENCH_RUNS:-5}
# The Go peer on the same two CPUs as our pinned workers (GOMAXPROCS=2 in main.go).
pin=""
command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ] && pin="taskset -c 0,1"

best() { # median ns/op of $runs runs of "$@ case"; prints "ns allocs"
  i=0; all=""
  while [ $i -lt "$runs" ]; do
    a=$("$@") || return 1
    all="$all
$a"
    i=$((i + 1))
  done
  echo "$all" | awk '$2 != "" { print $2, $3 }' | sort -g |
    awk '{ v[NR] = $1; al[NR] = $2 } END { m = int((NR + 1) / 2); print v[m], al[m] }'
}

for c in counter_inc counter_inc_2threads lookup_inc_2labels histogram_observe \
         histogram_observe_2threads write_100k_prom write_100k_om; do
  o=$(best "$ours" "$c") || { echo "bench libexporter/$c: ours failed" >&2; continue; }
  g=""
  # shellcheck disable=SC2086
  [ -n "$gobench" ] && g=$(best $pin "$gobench" "$c")
  echo "$c $o $g" | awk '{
    case_ = $1; ons = $2; oal = $3; gns = $4; gal = $5
    unit = "ns/op"; div = 1; fmt = "%.2f"
    if (case_ ~ /^write_/) { unit = "ms/op"; div = 1e6; fmt = "%.1f" }
    ou = unit; gu = unit
    if (case_ == "lookup_inc_2labels") { ou = unit "(" oal "allocs)"; gu = unit "(" gal "allocs)" }
    line = sprintf("bench libexporter/%s: ours " fmt " %s", case_, ons / div, ou)
    if (gns != "") line = line sprintf("; client_golang " fmt " %s; %.2fx", gns / div, gu, gns / ons)
    else line = line "; client_golang n/a; n/a"
    print line
  }'
done

# Memory under churn (ours only): RSS before and after 10^6 insert+remove cycles.
"$ours" churn_1m | awk '$1 == "churn_1m" {
  printf "bench libexporter/churn_1m: ours %.0f ns/cycle; RSS %.1f MB -> %.1f MB (%.2fx)\n",
         $2, $4 / 1024, $5 / 1024, $5 / ($4 > 0 ? $4 : 1) }'

# One empty read section entered from a shared library: ours beside liburcu's
# (built when liburcu-dev is installed); reclaim.c says why this matters.
sect="$build/bench/libexporter/bench-sections"
if [ -x "$sect" ]; then
  o=$(best "$sect" read_section_omx | cut -d' ' -f1)
  m=$(best "$sect" read_section_urcu_memb | cut -d' ' -f1)
  b=$(best "$sect" read_section_urcu_bp | cut -d' ' -f1)
  echo "$o $m $b" | awk '{ printf "bench libexporter/read_section: ours %.2f ns/op; liburcu-memb %.2f ns/op (%.2fx); liburcu-bp %.2f ns/op (%.2fx)\n", $1, $2, $2 / $1, $3, $3 / $1 }'
fi
