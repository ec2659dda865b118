"""The dns prober through omx-blackbox's /probe: against nsd serving a zone
this test writes (udp and tcp, 127.0.0.1 and ::1, rcodes, every validate_*
rule, the SOA serial, class CH), and against hostile_dns.py (silence, wrong
ids, other questions, garbage, cut and truncated replies, a huge tcp length
prefix, a trickling tcp reply, DNS over TLS). Every probe must end within
its timeout with the expected probe_success and a log line saying why.

usage: dns-probe.py OMX_BLACKBOX"""
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "core"))
sys.path.insert(0, HERE)
import bbtest  # noqa: E402
from omxtest import tcp_responder  # noqa: E402 (on the path through bbtest)
import hostile_dns  # noqa: E402
import nsdtest  # noqa: E402

ZONE = """$ORIGIN example.test.
$TTL 3600
@    IN SOA ns1 hostmaster 2024120301 7200 3600 1209600 300
@    IN NS ns1
ns1  IN A 127.0.0.1
www  IN A 192.0.2.1
www  IN A 192.0.2.2
@    IN MX 10 mail
@    IN TXT "v=spf1 -all"
"""

NSD_CONF = """server:
  ip-address: 127.0.0.1@{port}
  ip-address: ::1@{port}
  username: ""
  chroot: ""
  zonesdir: "{dir}"
  database: ""
  pidfile: "{dir}/nsd.pid"
  xfrdfile: "{dir}/xfrd.state"
  zonelistfile: "{dir}/zone.list"
  logfile: "{dir}/nsd.log"
  verbosity: 1
  server-count: 1
  rrl-ratelimit: 0
  hide-version: no
remote-control:
  control-enable: no
zone:
  name: example.test
  zonefile: "example.test.zone"
"""

A_WWW = r"www\\.example\\.test\\.\t3600\tIN\tA\t192\\.0\\.2\\."


def modules(ca):
    m = {
        "a_udp": "query_name: www.example.test\n      query_type: A",
        "a_udp4": "query_name: www.example.test\n      query_type: A\n      preferred_ip_protocol: ip4",
        "a_tcp": "query_name: www.example.test\n      query_type: A\n      transport_protocol: tcp",
        "soa": "query_name: example.test\n      query_type: SOA",
        "nx": "query_name: nothere.example.test\n      query_type: A",
        "nx_ok": "query_name: nothere.example.test\n      query_type: A\n      valid_rcodes: [NXDOMAIN]",
        "refused": "query_name: example.org\n      query_type: A",
        "refused_ok": "query_name: example.org\n      query_type: A\n      valid_rcodes: [NOERROR, REFUSED]",
        "chaos": 'query_name: version.bind\n      query_type: TXT\n      query_class: CH\n'
                 '      validate_answer_rrs:\n        fail_if_none_matches_regexp: ["\\"NSD "]',
        "src_ok": "query_name: www.example.test\n      query_type: A\n      source_ip_address: 127.0.0.1",
        "src_bad": "query_name: www.example.test\n      query_type: A\n      source_ip_address: '::1'",
        "v_match_fail": 'query_name: www.example.test\n      query_type: A\n'
                        '      validate_answer_rrs:\n        fail_if_matches_regexp: ["192\\\\.0\\\\.2\\\\.2"]',
        "v_match_ok": 'query_name: www.example.test\n      query_type: A\n'
                      '      validate_answer_rrs:\n        fail_if_matches_regexp: ["198\\\\.51"]',
        "v_all_fail": 'query_name: www.example.test\n      query_type: A\n'
                      '      validate_answer_rrs:\n        fail_if_all_match_regexp: ["192\\\\.0\\\\.2\\\\.1$"]',
        "v_all_ok": 'query_name: www.example.test\n      query_type: A\n'
                    '      validate_answer_rrs:\n        fail_if_all_match_regexp: ["%s"]' % A_WWW,
        "v_not_ok": 'query_name: www.example.test\n      query_type: A\n'
                    '      validate_answer_rrs:\n        fail_if_not_matches_regexp: ["^%s[12]$"]' % A_WWW,
        "v_not_fail": 'query_name: www.example.test\n      query_type: A\n'
                      '      validate_answer_rrs:\n        fail_if_not_matches_regexp: ["\\\\.1$"]',
        "v_not_empty": 'query_name: nothere.example.test\n      query_type: A\n      valid_rcodes: [NXDOMAIN]\n'
                       '      validate_answer_rrs:\n        fail_if_not_matches_regexp: ["."]',
        "v_none_ok": 'query_name: www.example.test\n      query_type: A\n'
                     '      validate_answer_rrs:\n        fail_if_none_matches_regexp: ["192\\\\.0\\\\.2\\\\.2$"]',
        "v_none_fail": 'query_name: www.example.test\n      query_type: A\n'
                       '      validate_answer_rrs:\n        fail_if_none_matches_regexp: ["198\\\\.51"]',
        "v_auth_ok": 'query_name: www.example.test\n      query_type: A\n'
                     '      validate_authority_rrs:\n        fail_if_not_matches_regexp: ["^example\\\\.test\\\\.\\t3600\\tIN\\tNS\\tns1\\\\.example\\\\.test\\\\.$"]',
        "v_auth_fail": 'query_name: www.example.test\n      query_type: A\n'
                       '      validate_authority_rrs:\n        fail_if_matches_regexp: ["\\tNS\\t"]',
        "v_add_ok": 'query_name: www.example.test\n      query_type: A\n'
                    '      validate_additional_rrs:\n        fail_if_none_matches_regexp: ["^ns1\\\\.example\\\\.test\\\\.\\t3600\\tIN\\tA\\t127\\\\.0\\\\.0\\\\.1$"]',
        "v_add_fail": 'query_name: www.example.test\n      query_type: A\n'
                      '      validate_additional_rrs:\n        fail_if_matches_regexp: ["127\\\\.0\\\\.0\\\\.1"]',
        "h_udp": "query_name: QNAME\n      query_type: A",
        "h_tcp": "query_name: QNAME\n      query_type: A\n      transport_protocol: tcp",
        "h_norec": "query_name: rd.hostile.test\n      query_type: A\n      recursion_desired: false",
        "h_dot_insecure": "query_name: ok.hostile.test\n      query_type: A\n      transport_protocol: tcp\n"
                          "      dns_over_tls: true\n      tls_config:\n        insecure_skip_verify: true",
        "h_dot_ca": "query_name: ok.hostile.test\n      query_type: A\n      transport_protocol: tcp\n"
                    "      dns_over_tls: true\n      tls_config:\n        ca_file: %s\n        server_name: dns.test" % ca,
        "h_dot_verify": "query_name: ok.hostile.test\n      query_type: A\n      transport_protocol: tcp\n"
                        "      dns_over_tls: true",
    }
    return m


def config(ca, qnames):
    out = ["modules:"]
    for name, body in sorted(modules(ca).items()):
        if "QNAME" in body:
            for q in qnames:
                out.append("  %s_%s:\n    prober: dns\n    timeout: 2s\n    dns:\n      %s"
                           % (name, q, body.replace("QNAME", q + ".hostile.test")))
        else:
            out.append("  %s:\n    prober: dns\n    timeout: 2s\n    dns:\n      %s" % (name, body))
    return "\n".join(out) + "\n"


failures = []


def check(exp, module, target, success, metrics=None, log=None, max_s=2.6):
    t0 = time.monotonic()
    st, _, body = exp.get("/probe?module=%s&target=%s&debug=true" % (module, target))
    took = time.monotonic() - t0
    what = "%s %s" % (module, target)
    if st != 200:
        failures.append("%s: HTTP %d" % (what, st))
        return
    text = body.split("Metrics that would have been returned:", 1)
    logs, mtext = text[0], text[1] if len(text) > 1 else ""
    mtext = mtext.split("Module configuration:", 1)[0]
    m = bbtest.parse_metrics(mtext)

    def value(name, labels=None):
        for lab, v in m.get(name, ("", []))[1]:
            if labels is None or lab == labels:
                return float(v)
        return None

    ok = value("probe_success")
    if ok != (1.0 if success else 0.0):
        failures.append("%s: probe_success %s, want %d\n%s" % (what, ok, success, logs))
    for name, want in (metrics or {}).items():
        labels = None
        if isinstance(name, tuple):
            name, labels = name[0], dict([name[1]])
        got = value(name, labels)
        if got != want:
            failures.append("%s: %s %s, want %s" % (what, name, got, want))
    for phrase in ([log] if isinstance(log, str) else (log or [])):
        if phrase not in logs:
            failures.append("%s: no log line with %r in\n%s" % (what, phrase, logs))
    for fam in ("probe_dns_duration_seconds", "probe_dns_answer_rrs", "probe_dns_authority_rrs",
                "probe_dns_additional_rrs", "probe_dns_query_succeeded"):
        if fam not in m:
            failures.append("%s: %s missing" % (what, fam))
    if took > max_s:
        failures.append("%s: took %.2fs (timeout 2s)" % (what, took))


def main():
    bb = sys.argv[1]
    nsd = nsdtest.find_nsd()
    if not nsd:
        bbtest.skip("nsd is not installed")
    if not shutil.which("openssl"):
        bbtest.skip("openssl is not installed")
    tmp = tempfile.mkdtemp(prefix="bb-dns-")
    procs = []
    servers = []
    try:
        port = bbtest.free_port()
        p = nsdtest.start_nsd(nsd, tmp, ZONE, NSD_CONF, port)
        if not p:
            bbtest.skip("nsd did not answer on 127.0.0.1:%d" % port)
        procs.append(p)
        cert, key = nsdtest.self_signed(tmp, "dns.test", "DNS:dns.test")
        h4 = hostile_dns.Server("127.0.0.1", cert, key)
        servers.append(h4)
        h6 = hostile_dns.Server("::1")
        servers.append(h6)
        qnames = ["ok", "big", "silent", "wrongid", "spoofed", "otherq", "query", "garbage", "short",
                  "cut", "tc", "tiny", "close", "hugelen", "trickle"]
        cfg = os.path.join(tmp, "blackbox.yml")
        with open(cfg, "w") as f:
            f.write(config(cert, qnames))
        web = bbtest.free_port()
        with bbtest.Exporter([bb, "--config.file=" + cfg, "--web.listen-address=127.0.0.1:%d" % web,
                              "--log.level=debug"], web, os.path.join(tmp, "bb.log")) as exp:
            run_nsd_cases(exp, port)
            run_hostile_cases(exp, h4, h6)
        # A sanitizer build reports leaks and errors at exit, into the log.
        with open(os.path.join(tmp, "bb.log"), errors="replace") as f:
            log = f.read()
        if "Sanitizer" in log or "runtime error:" in log:
            failures.append("omx-blackbox's log:\n" + log[-6000:])
    finally:
        for s in servers:
            s.stop()
        for p in procs:
            p.terminate()
            p.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("\n".join(failures))
        print("%d failure(s)" % len(failures))
        sys.exit(1)
    print("ok")


def run_nsd_cases(exp, port):
    t4, t6 = "127.0.0.1:%d" % port, "[::1]:%d" % port
    counts = {"probe_dns_answer_rrs": 2, "probe_dns_authority_rrs": 1, "probe_dns_additional_rrs": 1,
              "probe_dns_query_succeeded": 1}
    check(exp, "a_udp", t4, True, dict(counts, probe_ip_protocol=4))
    check(exp, "a_udp", t6, True, dict(counts, probe_ip_protocol=6))
    check(exp, "a_tcp", t4, True, counts)
    check(exp, "a_tcp", t6, True, counts)
    check(exp, "a_udp4", "localhost:%d" % port, True, {"probe_ip_protocol": 4})
    check(exp, "soa", t4, True, {"probe_dns_serial": 2024120301, "probe_dns_answer_rrs": 1})
    check(exp, "nx", t4, False, {"probe_dns_query_succeeded": 1},
          "Rcode is not one of the valid rcodes: rcode=3 string_rcode=NXDOMAIN")
    check(exp, "nx_ok", t4, True, {"probe_dns_answer_rrs": 0, "probe_dns_authority_rrs": 1})
    check(exp, "refused", t4, False, None, "string_rcode=REFUSED")
    check(exp, "refused_ok", t6, True)
    check(exp, "chaos", t4, True, {"probe_dns_answer_rrs": 1})
    check(exp, "src_ok", t4, True)
    check(exp, "src_bad", t4, False, None, "Error parsing source ip address")
    check(exp, "v_match_fail", t4, False, None, ["At least one RR matched regexp",
                                                 "Answer RRs validation failed"])
    check(exp, "v_match_ok", t4, True)
    check(exp, "v_all_fail", t4, False, None, "Not all RRs matched regexp")
    check(exp, "v_all_ok", t4, True)
    check(exp, "v_not_ok", t4, True)
    check(exp, "v_not_fail", t4, False, None, "At least one RR did not match regexp")
    check(exp, "v_not_empty", t4, False, None,
          "fail_if_not_matches_regexp specified but no RRs returned")
    check(exp, "v_none_ok", t4, True)
    check(exp, "v_none_fail", t4, False, None, "None of the RRs did matched any regexp")
    check(exp, "v_auth_ok", t4, True)
    check(exp, "v_auth_fail", t4, False, None, "Authority RRs validation failed")
    check(exp, "v_add_ok", t4, True)
    check(exp, "v_add_fail", t4, False, None, "Additional RRs validation failed")


def run_hostile_cases(exp, h4, h6):
    t4, t6 = "127.0.0.1:%d" % h4.port, "[::1]:%d" % h6.port
    ok = {"probe_dns_query_succeeded": 1, "probe_dns_answer_rrs": 1}
    failed = {"probe_dns_query_succeeded": 0, "probe_dns_answer_rrs": 0}
    check(exp, "h_udp_ok", t4, True, ok)
    check(exp, "h_udp_ok", t6, True, ok)
    check(exp, "h_tcp_ok", t4, True, ok)
    check(exp, "h_udp_silent", t4, False, failed, "no reply before the deadline")
    check(exp, "h_udp_wrongid", t4, False, failed, ["Ignoring a datagram: reply id",
                                                    "no reply before the deadline"])
    check(exp, "h_udp_spoofed", t4, True, ok, "Ignoring a datagram: reply id")
    check(exp, "h_udp_otherq", t4, False, failed, "answers another question")
    check(exp, "h_udp_query", t4, False, failed, "is not a response (QR clear)")
    check(exp, "h_udp_garbage", t4, False, failed, "malformed reply")
    # A header whose counts claim records it lacks: no records, as upstream reads it.
    check(exp, "h_udp_short", t4, True, {"probe_dns_answer_rrs": 0, "probe_dns_query_succeeded": 1})
    check(exp, "h_udp_cut", t4, False, failed, "malformed reply")
    check(exp, "h_udp_big", t4, True, {"probe_dns_answer_rrs": 40})
    check(exp, "h_udp_tiny", t4, False, failed, "shorter than a DNS header")
    check(exp, "h_udp_tc", t4, True, {"probe_dns_answer_rrs": 0}, "TC bit")
    check(exp, "h_norec", t4, True, {"probe_dns_answer_rrs": 1})
    check(exp, "h_tcp_silent", t4, False, failed, "timed out with 0 of 2 bytes of the length prefix")
    check(exp, "h_tcp_wrongid", t4, False, failed, "reply id")
    check(exp, "h_tcp_garbage", t4, False, failed, "malformed reply")
    check(exp, "h_tcp_close", t4, False, failed, "connection closed after 0 of 2 bytes")
    check(exp, "h_tcp_hugelen", t4, False, failed, "timed out with 100 of 65535 bytes of the message")
    check(exp, "h_tcp_trickle", t4, False, failed, "timed out with")
    dot = "127.0.0.1:%d" % h4.tls_port
    # TLS to a plain DNS server (it waits for a length the ClientHello never
    # fills) and to one that answers the handshake with random bytes.
    check(exp, "h_dot_insecure", t4, False, failed, "level=error")
    check(exp, "h_dot_insecure", "127.0.0.1:%d" % tcp_responder(lambda: os.urandom(4096), linger=0.2), False, failed, "level=error")
    check(exp, "h_dot_insecure", dot, True, ok)
    check(exp, "h_dot_ca", dot, True, ok)
    check(exp, "h_dot_verify", dot, False, failed, "level=error")
    # Probes at once: the silent ones do not hold up the others.
    import threading
    res = []

    def one(mod, target):
        t0 = time.monotonic()
        st, _, body = exp.get("/probe?module=%s&target=%s" % (mod, target))
        res.append((mod, st, "probe_success 1" in body, time.monotonic() - t0))

    th = [threading.Thread(target=one, args=("h_udp_silent", t4)) for _ in range(4)]
    th += [threading.Thread(target=one, args=("h_udp_ok", t4)) for _ in range(4)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    for mod, st, succ, took in res:
        if mod == "h_udp_ok" and (not succ or took > 1.0):
            failures.append("concurrent %s: success %s in %.2fs" % (mod, succ, took))
        if mod == "h_udp_silent" and (succ or took > 2.6):
            failures.append("concurrent %s: success %s in %.2fs" % (mod, succ, took))


if __name__ == "__main__":
    main()
