#!/bin/sh
# prometheus.sh: a real Prometheus scrapes omx-node on 127.0.0.1 for 20 s; the
# target must be up with no scrape error, and node-mixin style queries must
# return data.
set -u
omx=${OMX_NODE:-${OMX_BUILD:?OMX_BUILD not set}/exporters/node/omx-node}
py=${PYTHON:-/usr/bin/python3}
for t in prometheus curl; do
    command -v $t >/dev/null 2>&1 || { echo "SKIP: $t not installed"; exit 77; }
done
[ -x "$omx" ] || { echo "SKIP: $omx not built"; exit 77; }
tmp=$(mktemp -d)
pids=
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
p_omx=$(free_port); p_prom=$(free_port)
"$omx" --web.listen-address=127.0.0.1:$p_omx --log.level=warn 2>"$tmp/omx.log" &
pids="$pids $!"
cat >"$tmp/prometheus.yml" <<EOT
global:
  scrape_interval: 2s
  scrape_timeout: 2s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$p_omx']
EOT
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
    --web.listen-address=127.0.0.1:$p_prom >"$tmp/prom.log" 2>&1 &
pids="$pids $!"
sleep 20
api="http://127.0.0.1:$p_prom/api/v1"
fail=0
curl -s "$api/targets" >"$tmp/targets.json" || { echo "FAIL: Prometheus API not reachable"; tail "$tmp/prom.log"; exit 1; }
"$py" - "$tmp/targets.json" <<'EOT' || fail=1
import json, sys
t = json.load(open(sys.argv[1]))["data"]["activeTargets"]
node = [x for x in t if x["labels"].get("job") == "node"]
if not node or node[0]["health"] != "up" or node[0]["lastError"]:
    print("FAIL: target not healthy:", node); sys.exit(1)
print("target up, last error empty, last scrape %.1f ms" % (node[0]["lastScrapeDuration"] * 1000))
EOT
check() {
    curl -s --get --data-urlencode "query=$1" "$api/query" >"$tmp/q.json"
    if "$py" -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r.get("status")=="success" and r["data"]["result"] else 1)' "$tmp/q.json"; then
        echo "ok: $1"
    else
        echo "FAIL: no data for: $1"; cat "$tmp/q.json"; echo; fail=1
    fi
}
check 'up{job="node"} == 1'
check 'sum_over_time(scrape_samples_scraped{job="node"}[1m]) > 0'
check '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[1m]))'
check 'node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes'
check 'node_filesystem_avail_bytes'
check '1 - node_filesystem_avail_bytes{fstype!=""} / node_filesystem_size_bytes'
check 'node_load1'
check 'rate(node_network_receive_bytes_total[1m])'
check 'rate(node_disk_io_time_seconds_total[1m])'
check 'node_scrape_collector_success{collector="cpu"} == 1'
check 'count(count by (cpu) (node_cpu_seconds_total))'
check 'node_exporter_build_info'
# nothing failed to scrape in between
check 'max_over_time(up{job="node"}[1m]) == 1 and min_over_time(up{job="node"}[1m]) == 1'
if [ $fail -ne 0 ]; then
    echo "--- omx-node log"; tail -20 "$tmp/omx.log"
    exit 1
fi
echo "ok: Prometheus scraped omx-node for 20 s"
