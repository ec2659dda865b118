#!/bin/sh
# A real Prometheus scrapes omx-example for 21 s every second, once plainly and
# once over TLS with basic auth; both targets must be up with no scrape error
# and no sample rejected. Usage: http-prometheus.sh omx-example
. "$(dirname "$0")/http-lib.sh"
EX=${1:?usage: $0 omx-example}
case $EX in /*) ;; *) EX=$(pwd)/$EX ;; esac
need curl openssl prometheus
HASH=$("$PY" -W ignore -c 'import crypt; print(crypt.crypt("pw", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1024)))' 2>/dev/null)
case "$HASH" in '$2'*) ;; *) skip "python3 crypt cannot make bcrypt hashes";; esac
cd "$T"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -keyout tls.key \
  -out tls.crt -subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1 ||
  { fail "openssl"; finish; }
printf 'tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\nbasic_auth_users:\n  prom: %s\n' \
  "'$HASH'" >web.yml

P1=$(free_port); P2=$(free_port); PP=$(free_port)
start plain "$EX" --web.listen-address=127.0.0.1:$P1 --example.series=200
start tls "$EX" --web.listen-address=127.0.0.1:$P2 --web.config.file="$T/web.yml"
cat >prom.yml <<EOC
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: plain
    static_configs: [{ targets: ['127.0.0.1:$P1'] }]
  - job_name: tls
    scheme: https
    tls_config: { ca_file: $T/tls.crt }
    basic_auth: { username: prom, password: pw }
    static_configs: [{ targets: ['127.0.0.1:$P2'] }]
EOC
start prom prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/data" \
  --web.listen-address=127.0.0.1:$PP
wait_http "http://127.0.0.1:$PP/-/ready" || { tail -20 "$T/prom.log"; fail "prometheus did not start"; finish; }
echo "# letting Prometheus scrape for 21 s"
sleep 21

q() { # q PROMQL -> one number per line ("job value")
  curl -s --data-urlencode "query=$1" "http://127.0.0.1:$PP/api/v1/query" |
    "$PY" -c 'import json,sys; d=json.load(sys.stdin)["data"]["result"]
for r in d: print(r["metric"].get("job","-"), r["value"][1])'
}
q up >up.txt; cat up.txt | sed 's/^/# up: /'
check "up == 1 for the plain job" grep -q '^plain 1$' up.txt
check "up == 1 for the TLS+auth job" grep -q '^tls 1$' up.txt
q 'count_over_time(up[30s])' >n.txt; sed 's/^/# scrapes: /' n.txt
check "at least 12 scrapes per job" sh -c "awk '\$2 < 12 {bad=1} END {exit bad || NR != 2}' n.txt"
q 'min_over_time(scrape_samples_scraped[30s])' >s.txt; sed 's/^/# samples: /' s.txt
check "samples scraped on every scrape, both jobs" sh -c "awk '\$2 <= 0 {bad=1} END {exit bad || NR != 2}' s.txt"
q 'min_over_time(up[30s])' >m.txt
check "never down" sh -c "awk '\$2 != 1 {bad=1} END {exit bad || NR != 2}' m.txt"
check "example metrics stored (series from the plain job)" test "$(q 'count(example_synthetic)' | awk '{print $2}')" = 200
check "TLS job stored example metrics" test "$(q 'count(example_queue_length{job="tls"})' | awk '{print $2}')" = 1

curl -s "http://127.0.0.1:$PP/api/v1/targets" | "$PY" -c '
import json, sys
for t in json.load(sys.stdin)["data"]["activeTargets"]:
    print(t["labels"]["job"], t["health"], repr(t["lastError"]))' >targets.txt
sed 's/^/# target: /' targets.txt
check "no scrape error on either target" test "$(grep -c " up ''$" targets.txt)" = 2

curl -s "http://127.0.0.1:$PP/metrics" >prom-self.txt
for m in prometheus_target_scrapes_exceeded_sample_limit_total \
         prometheus_target_scrapes_sample_duplicate_timestamp_total \
         prometheus_target_scrapes_sample_out_of_bounds_total \
         prometheus_target_scrapes_sample_out_of_order_total \
         prometheus_target_scrapes_cache_flush_forced_total \
         prometheus_target_scrapes_exceeded_body_size_limit_total \
         prometheus_target_scrapes_exemplar_out_of_order_total; do
  v=$(awk -v m="$m" '$1 == m {print $2}' prom-self.txt)
  if [ -z "$v" ]; then echo "# $m not exported by this Prometheus"; continue; fi
  check "$m == 0 ($v)" test "$v" = 0
done
check "plain exporter served 200s" sh -c "curl -s 'http://127.0.0.1:$P1/metrics' | grep -Eq '^promhttp_metric_handler_requests_total\{code=\"200\"\} (1[5-9]|[2-9][0-9])'"
finish
