"""The dns prober beside Debian's prometheus-blackbox-exporter (0.23): the
same modules and probes against nsd (a zone with many record types) and
hostile_dns.py through both exporters. For every case the metric names,
types and label names must match, probe_success must be the same, and the
text of every record the validate_*_rrs regexes see (upstream's "Validating
RR" debug lines) must be the same string.

usage: dns-compat.py OMX_BLACKBOX"""
import os
import re
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "core"))
sys.path.insert(0, os.path.join(HERE, "..", "compat"))
sys.path.insert(0, HERE)
import bbtest  # noqa: E402
import compat  # noqa: E402
import hostile_dns  # noqa: E402
import nsdtest  # noqa: E402

ZONE = r"""$ORIGIN example.test.
$TTL 3600
@    IN SOA ns1 hostmaster 2024120301 7200 3600 1209600 300
@    IN NS ns1
ns1  IN A 127.0.0.1
www  IN A 192.0.2.1
www  IN A 192.0.2.2
@    IN MX 10 mail
@    IN AAAA 2001:db8::1
@    IN AAAA 2001:db8:0:1:0:0:0:1
@    IN CAA 0 issue "letsencrypt.org"
@    IN HINFO "PC" "Linux"
@    IN SSHFP 1 1 123456789ABCDEF67890123456789ABCDEF67890
@    IN DS 12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE
@    IN NAPTR 100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .
@    IN TXT "v=spf1 -all"
txt  IN TXT "a\"b" "tab\009x" "\195\169" "semi;colon"
txt  IN TXT ""
_sip._tcp IN SRV 10 20 5060 sip
alias IN CNAME www
odd\ name IN A 192.0.2.9
"""

NSD_CONF = """server:
  ip-address: 127.0.0.1@{port}
  username: ""
  chroot: ""
  zonesdir: "{dir}"
  database: ""
  pidfile: "{dir}/nsd.pid"
  xfrdfile: "{dir}/xfrd.state"
  zonelistfile: "{dir}/zone.list"
  logfile: "{dir}/nsd.log"
  server-count: 1
  rrl-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: example.test
  zonefile: "example.test.zone"
"""

# name: (dns section lines, target key)
SEE_ALL = '      validate_answer_rrs:\n        fail_if_matches_regexp: ["^zzz"]\n' \
          '      validate_authority_rrs:\n        fail_if_matches_regexp: ["^zzz"]\n' \
          '      validate_additional_rrs:\n        fail_if_matches_regexp: ["^zzz"]\n'
CASES = []
# Where omx-blackbox differs on purpose (docs/blackbox-dns.md): a udp reply
# to another question, or the query echoed back (QR clear), is not taken as
# the answer (upstream takes it and succeeds); the probe waits for the real
# one and fails at the deadline. A udp reply over 512 bytes is read whole
# (upstream reads 512 bytes of it and fails to parse the rest).
DIFFERENT = {"h_udp_otherq": ("1", "0"), "h_udp_query": ("1", "0"), "h_udp_big": ("0", "1")}


def case(name, body, target):
    CASES.append((name, "      preferred_ip_protocol: ip4\n" + body, target))


for qtype, qname in [("A", "www"), ("AAAA", ""), ("MX", ""), ("CAA", ""), ("HINFO", ""),
                     ("SSHFP", ""), ("DS", ""), ("NAPTR", ""), ("TXT", "txt"), ("SRV", "_sip._tcp"),
                     ("CNAME", "alias"), ("A", "odd\\\\ name"), ("NS", ""), ("SOA", "")]:
    name = (qname or "apex").replace("\\", "").replace(" ", "").replace(".", "") + "_" + qtype
    fq = (qname + "." if qname else "") + "example.test"
    case("nsd_" + name, '      query_name: "%s"\n      query_type: %s\n%s' % (fq, qtype, SEE_ALL), "nsd")
case("nsd_tcp", "      query_name: www.example.test\n      query_type: A\n"
     "      transport_protocol: tcp\n" + SEE_ALL, "nsd")
case("nsd_nx", "      query_name: nothere.example.test\n      query_type: A\n" + SEE_ALL, "nsd")
case("nsd_nx_ok", "      query_name: nothere.example.test\n      query_type: A\n"
     "      valid_rcodes: [NXDOMAIN]\n" + SEE_ALL, "nsd")
case("nsd_refused", "      query_name: example.org\n      query_type: A\n", "nsd")
case("nsd_norec", "      query_name: www.example.test\n      query_type: A\n"
     "      recursion_desired: false\n", "nsd")
case("nsd_none_ok", "      query_name: www.example.test\n      query_type: A\n"
     '      validate_answer_rrs:\n        fail_if_none_matches_regexp: ["192\\\\.0\\\\.2\\\\.2$"]\n', "nsd")
case("nsd_all", "      query_name: www.example.test\n      query_type: A\n"
     '      validate_answer_rrs:\n        fail_if_all_match_regexp: ["\\\\.1$"]\n', "nsd")
case("nsd_not", "      query_name: example.test\n      query_type: TXT\n"
     '      validate_answer_rrs:\n        fail_if_not_matches_regexp: ["^example\\\\.test\\\\.\\t3600\\tIN\\tTXT\\t\\"v=spf1 -all\\"$"]\n',
     "nsd")
case("nsd_auth", "      query_name: www.example.test\n      query_type: A\n"
     '      validate_authority_rrs:\n        fail_if_matches_regexp: ["\\tNS\\t"]\n', "nsd")
case("nsd_udp_closed", "      query_name: www.example.test\n      query_type: A\n", "closed")
case("nsd_tcp_closed", "      query_name: www.example.test\n      query_type: A\n"
     "      transport_protocol: tcp\n", "closed")
for mode in ["ok", "silent", "wrongid", "spoofed", "garbage", "short", "cut", "tc", "tiny", "otherq",
             "query", "big"]:
    case("h_udp_" + mode, "      query_name: %s.hostile.test\n      query_type: A\n" % mode, "hostile")
for mode in ["ok", "silent", "wrongid", "close", "hugelen"]:
    case("h_tcp_" + mode, "      query_name: %s.hostile.test\n      query_type: A\n"
         "      transport_protocol: tcp\n" % mode, "hostile")
case("h_dot", "      query_name: ok.hostile.test\n      query_type: A\n      transport_protocol: tcp\n"
     "      dns_over_tls: true\n      tls_config:\n        insecure_skip_verify: true\n", "dot")


def unescape(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n == "x" and i + 3 < len(s):
                out.append(chr(int(s[i + 2:i + 4], 16)))
                i += 4
                continue
            if n == "u" and i + 5 < len(s):
                out.append(chr(int(s[i + 2:i + 6], 16)))
                i += 6
                continue
            out.append({"t": "\t", "n": "\n", "r": "\r"}.get(n, n))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def rr_texts_upstream(body):
    # msg="Validating RR" rr="..." (go-logfmt quoting)
    return [unescape(m) for m in re.findall(r'msg="Validating RR" rr="((?:[^"\\]|\\.)*)"', body)]


def rr_texts_ours(body):
    # msg="Validating RR: rr=\"...\"" (the plog's quoting around ours)
    texts = []
    for m in re.findall(r'msg="Validating RR: rr=((?:[^"\\]|\\.)*)"', body):
        t = unescape(m)
        texts.append(t[1:-1] if t.startswith('"') and t.endswith('"') else t)
    return texts


def main():
    ours_bin = sys.argv[1]
    if not compat.UPSTREAM:
        bbtest.skip("prometheus-blackbox-exporter is not installed")
    nsd = nsdtest.find_nsd()
    if not nsd:
        bbtest.skip("nsd is not installed")
    tmp = tempfile.mkdtemp(prefix="bb-dns-compat-")
    nsd_proc, servers, failed, passed = None, [], 0, 0
    try:
        port = bbtest.free_port()
        nsd_proc = nsdtest.start_nsd(nsd, tmp, ZONE, NSD_CONF, port)
        if not nsd_proc:
            bbtest.skip("nsd did not answer")
        cert, key = nsdtest.self_signed(tmp, "dns.test")
        h = hostile_dns.Server("127.0.0.1", cert, key)
        servers.append(h)
        targets = {"nsd": "127.0.0.1:%d" % port, "hostile": "127.0.0.1:%d" % h.port,
                   "dot": "127.0.0.1:%d" % h.tls_port, "closed": "127.0.0.1:%d" % bbtest.free_port()}
        cfg = os.path.join(tmp, "blackbox.yml")
        with open(cfg, "w") as f:
            f.write("modules:\n")
            for name, body, _ in CASES:
                f.write("  %s:\n    prober: dns\n    timeout: 2s\n    dns:\n%s" % (name, body))
        up_port, our_port = bbtest.free_port(), bbtest.free_port()
        with bbtest.Exporter([compat.UPSTREAM, "--config.file=" + cfg,
                              "--web.listen-address=127.0.0.1:%d" % up_port], up_port,
                             os.path.join(tmp, "up.log")) as up, \
             bbtest.Exporter([ours_bin, "--config.file=" + cfg,
                              "--web.listen-address=127.0.0.1:%d" % our_port], our_port,
                             os.path.join(tmp, "ours.log")) as ours:
            for name, _, tk in CASES:
                q = "/probe?module=%s&target=%s&debug=true" % (name, targets[tk])
                st_u, _, body_u = up.get(q)
                st_o, _, body_o = ours.get(q)
                mu = body_u.split("Metrics that would have been returned:", 1)[-1].split("Module configuration:")[0]
                mo = body_o.split("Metrics that would have been returned:", 1)[-1].split("Module configuration:")[0]
                errs = []
                if st_u != st_o:
                    errs.append("status %d vs %d" % (st_u, st_o))
                su, so = compat.shape(mu), compat.shape(mo)
                if su != so:
                    errs.append("metrics differ: 0.23 %s\n  ours %s" % (sorted(su.items()), sorted(so.items())))
                if name in DIFFERENT:
                    want = DIFFERENT[name]
                    if (compat.success(mu), compat.success(mo)) != want:
                        errs.append("probe_success %s (0.23) vs %s (ours), want %s vs %s (a known difference)"
                                    % (compat.success(mu), compat.success(mo), want[0], want[1]))
                elif compat.success(mu) != compat.success(mo):
                    errs.append("probe_success %s (0.23) vs %s (ours)" % (compat.success(mu), compat.success(mo)))
                tu, to = rr_texts_upstream(body_u), rr_texts_ours(body_o)
                if name not in DIFFERENT and tu != to:
                    errs.append("RR texts differ:\n    0.23 %r\n    ours %r" % (tu, to))
                if errs:
                    failed += 1
                    print("FAIL %s:\n  %s" % (name, "\n  ".join(errs)))
                else:
                    passed += 1
                    print("ok   %s (%d RR texts)" % (name, len(tu)))
        with open(os.path.join(tmp, "ours.log"), errors="replace") as f:
            log = f.read()
        if "Sanitizer" in log or "runtime error:" in log:
            failed += 1
            print("FAIL omx-blackbox's log:\n" + log[-6000:])
    finally:
        for s in servers:
            s.stop()
        if nsd_proc:
            nsd_proc.terminate()
            nsd_proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    print("dns compat: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
