#!/bin/sh
# Compiles the C block of docs/writing-an-exporter.md against the built libraries,
# runs it and scrapes it: the skeleton a new exporter starts from must work as shown.
# usage: skeleton.sh SRC_DIR BUILD_DIR CC
. "$1/libexporter/tests/http-lib.sh"
src=$1 build=$2 cc=$3
need curl
awk '/^```c$/ { on = 1; next } /^```$/ { on = 0 } on' "$src/docs/writing-an-exporter.md" >"$T/filestat.c"
check "the doc has one C block of under 100 lines" \
  sh -c '[ -s "$1" ] && [ "$(wc -l <"$1")" -lt 100 ]' sh "$T/filestat.c"
# shellcheck disable=SC2086 # $cc may carry sanitizer flags
check "it compiles with warnings as errors against libexporter-app" \
  $cc -std=gnu11 -Wall -Wextra -Werror -I"$src/libexporter/include" -I"$build/libexporter/include" "$T/filestat.c" \
  -o "$T/filestat" -L"$build/libexporter" -lexporter-app -lexporter -lpthread \
  -Wl,-rpath,"$build/libexporter"
[ -x "$T/filestat" ] || finish

echo hello >"$T/a.txt"
printf 'files: [%s, %s]\n' "$T/a.txt" "$T/absent" >"$T/filestat.yml"
port=$(free_port)
start fs "$T/filestat" --config.file="$T/filestat.yml" --web.listen-address=127.0.0.1:$port
wait_http "http://127.0.0.1:$port/-/healthy" || fail "omx-filestat answers"
curl -s "http://127.0.0.1:$port/metrics" >"$T/m1"
check "size of a listed file" grep -qx "filestat_size_bytes{path=\"$T/a.txt\"} 6" "$T/m1"
check "no series for an absent file" sh -c '! grep -q absent "$1"' sh "$T/m1"
check "collector reported successful" grep -qx 'filestat_scrape_collector_success{collector="filestat"} 1' "$T/m1"
check "build info" grep -q '^filestat_build_info{.*version="0.1.0"} 1$' "$T/m1"

# a bad config on SIGHUP is logged and the old one kept
printf 'files: [%s]\nbogus: 1\n' "$T/a.txt" >"$T/filestat.yml"
eval "kill -HUP \$PID_fs"
sleep 0.5
check "a bad reload names file, line and key" grep -q "filestat.yml:2:1: key \\\\\"bogus\\\\\"" "$T/fs.log"
curl -s "http://127.0.0.1:$port/metrics" >"$T/m2"
check "the old config is kept" grep -q "filestat_size_bytes{path=\"$T/a.txt\"} 6" "$T/m2"

# a good one replaces it
echo 12345678 >"$T/b.txt"
printf 'files: [%s]\n' "$T/b.txt" >"$T/filestat.yml"
eval "kill -HUP \$PID_fs"
sleep 0.5
curl -s "http://127.0.0.1:$port/metrics" >"$T/m3"
check "a good reload takes effect" grep -qx "filestat_size_bytes{path=\"$T/b.txt\"} 9" "$T/m3"
check "the old file is gone after it" sh -c '! grep -q "a.txt" "$1"' sh "$T/m3"
finish
