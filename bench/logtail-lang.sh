#!/bin/sh
# The language alone, one-shot, side by side with Debian's mtail in the same
# run: lines/s and peak RSS over a generated access log (LT_BENCH_LINES,
# default 1000000) for a line count, an access-log program (7 captures, a
# counter by status and method, a histogram), and 20 programs at once.
# Usage: sh bench/logtail-lang.sh BUILD_DIR
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
ours="$build/exporters/logtail/tests/lang/lt-oneshot"
[ -x "$ours" ] || { echo "bench logtail-lang: $ours not built" >&2; exit 1; }
mtail=$(command -v mtail || true)
lines=${LT_BENCH_LINES:-1000000}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$here/logtail/genlog.py" "$lines" "$tmp/access.log"

mkdir -p "$tmp/linecount" "$tmp/access" "$tmp/twenty"
cat >"$tmp/linecount/linecount.mtail" <<'P'
counter lines_total
/$/ {
  lines_total++
}
P
cat >"$tmp/access/access.mtail" <<'P'
counter requests_total by status, method
counter bytes_total by method
histogram latency_seconds buckets 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5 by method
/^(?P<client>\S+) \S+ (?P<user>\S+) \[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) (?P<path>\S+) HTTP\/\d\.\d" (?P<status>\d{3}) (?P<bytes>\d+) (?P<latency>\d+\.\d+)$/ {
  requests_total[$status][$method]++
  bytes_total[$method] += $bytes
  latency_seconds[$method] = $latency
}
P
# 20 programs, each looking for its own path or status, as a site with many
# small programs has them.
i=0
for w in '"GET / ' '"GET /index.html' '"POST /api/v1/items' '"GET /api/v1/users' \
         '/static/app.js' '/static/style.css' '"POST /login' '/logout' '"GET /search' \
         '/img/logo.png' '" 500 ' '" 502 ' '" 503 ' '" 404 ' '" 403 ' '" 400 ' '" 301 ' \
         '"DELETE ' '"PUT ' '"HEAD '; do
  i=$((i + 1))
  re=$(printf '%s' "$w" | sed 's/\//\\\//g; s/\./\\./g')
  cat >"$tmp/twenty/p$i.mtail" <<P
counter hits_$i by status
histogram latency_$i buckets 0.01, 0.1, 1 
/$re.* (?P<status>\\d{3}) \\d+ (?P<latency>\\d+\\.\\d+)\$/ {
  hits_$i[\$status]++
  latency_$i = \$latency
}
P
done

# measure CMD...: sets secs (wall), cpu (user+sys seconds) and rss (KiB) of one run
measure() {
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" || {
        echo "bench logtail-lang: $1 failed: $(tail -2 "$tmp/err")" >&2
        return 1
    }
    read -r secs usr sys rss <"$tmp/time"
    cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { print u + s }')
}
rate() { awk -v n="$lines" -v s="$1" 'BEGIN { printf "%.0f", n / (s > 0 ? s : 0.01) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

# The machine may be shared: lines/s is given by wall clock and per CPU
# second (user+sys), the second being the steadier figure under load.
for case in linecount access twenty; do
    measure "$ours" --progs "$tmp/$case" --logs "$tmp/access.log" || exit 1
    o_wall=$(rate "$secs") o_cpu=$(rate "$cpu") o_rss=$rss
    if [ -n "$mtail" ]; then
        measure "$mtail" --one_shot --one_shot_format=prometheus --address 127.0.0.1 --port 0 --progs "$tmp/$case" \
            --logs "$tmp/access.log" || exit 1
        m_wall=$(rate "$secs") m_cpu=$(rate "$cpu")
        echo "bench logtail-lang/$case: ours $o_wall lines/s; mtail $m_wall lines/s; $(ratio "$o_wall" "$m_wall")x"
        echo "bench logtail-lang/$case-cpu: ours $o_cpu lines/cpu-s; mtail $m_cpu lines/cpu-s; $(ratio "$o_cpu" "$m_cpu")x"
        echo "bench logtail-lang/$case-rss: ours $o_rss KiB; mtail $rss KiB; $(ratio "$rss" "$o_rss")x smaller"
    else
        echo "bench logtail-lang/$case: ours $o_wall lines/s, $o_cpu lines/cpu-s, $o_rss KiB; mtail not installed"
    fi
done
