/* bb_dns_rr_text against the text Go's miekg/dns (v1.1.68, the version
 * blackbox_exporter 0.28 links) gives for the same wire records: every
 * expected string below is its RR.String() of the record ldns builds from
 * the zone-file line beside it. */
#include <ldns/ldns.h>

#include "omx-test.h"
#include "probers/dns/dns.h"

static const struct {
    const char *zone, *miekg;
} cases[] = {
    {"example.com. 3600 IN A 1.2.3.4", "example.com.\t3600\tIN\tA\t1.2.3.4"},
    {"example.com. 3600 IN AAAA 2001:db8::1", "example.com.\t3600\tIN\tAAAA\t2001:db8::1"},
    {"example.com. 3600 IN AAAA ::ffff:1.2.3.4", "example.com.\t3600\tIN\tAAAA\t::ffff:1.2.3.4"},
    {"example.com. 3600 IN AAAA ::1.2.3.4", "example.com.\t3600\tIN\tAAAA\t::102:304"},
    {"example.com. 3600 IN AAAA 2001:db8:0:1:0:0:0:1",
     "example.com.\t3600\tIN\tAAAA\t2001:db8:0:1::1"},
    {"Example.COM. 60 IN NS ns1.Example.com.", "Example.COM.\t60\tIN\tNS\tns1.Example.com."},
    {"www.example.com. 60 IN CNAME example.com.", "www.example.com.\t60\tIN\tCNAME\texample.com."},
    {"example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300",
     "example.com.\t3600\tIN\tSOA\tns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300"},
    {"example.com. 3600 IN MX 10 mail.example.com.",
     "example.com.\t3600\tIN\tMX\t10 mail.example.com."},
    {"example.com. 3600 IN TXT \"v=spf1 -all\" \"second \\\"q\\\" \\\\ x\"",
     "example.com.\t3600\tIN\tTXT\t\"v=spf1 -all\" \"second \\\"q\\\" \\\\ x\""},
    {"example.com. 3600 IN TXT \"tab\\009 high\\200 semi;\"",
     "example.com.\t3600\tIN\tTXT\t\"tab\\009 high\\200 semi;\""},
    {"example.com. 3600 IN SPF \"v=spf1\"", "example.com.\t3600\tIN\tSPF\t\"v=spf1\""},
    {"_sip._tcp.example.com. 3600 IN SRV 10 20 5060 sip.example.com.",
     "_sip._tcp.example.com.\t3600\tIN\tSRV\t10 20 5060 sip.example.com."},
    {"example.com. 3600 IN CAA 0 issue \"letsencrypt.org\"",
     "example.com.\t3600\tIN\tCAA\t0 issue \"letsencrypt.org\""},
    {"example.com. 3600 IN CAA 128 iodef \"mailto:a@b.c\"",
     "example.com.\t3600\tIN\tCAA\t128 iodef \"mailto:a@b.c\""},
    {"example.com. 3600 IN HINFO \"PC\" \"Linux\"",
     "example.com.\t3600\tIN\tHINFO\t\"PC\" \"Linux\""},
    {"4.3.2.1.in-addr.arpa. 3600 IN PTR host.example.com.",
     "4.3.2.1.in-addr.arpa.\t3600\tIN\tPTR\thost.example.com."},
    {"example.com. 3600 IN DNAME other.example.", "example.com.\t3600\tIN\tDNAME\tother.example."},
    {"example.com. 3600 IN NAPTR 100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .",
     "example.com.\t3600\tIN\tNAPTR\t100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" ."},
    {"example.com. 3600 IN DS 12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE",
     "example.com.\t3600\tIN\tDS\t12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE"},
    {"example.com. 3600 IN DNSKEY 257 3 8 AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29euxhJhVVLOyQbSEW0O8gcCjFFVQUTf6v58fLjwBd0YI0EzrAcQqBGCzh/RStIoO8g0NfnfL2MTJRkxoXbfDaUeVPQuYEhg37NZWAJQ9VnMVDxP/VHL496M/QZxkjf5/Efucp2gaDX6RS6CXpoY68LsvPVjR0ZSwzz1apAzvN9dlzEheX7ICJBBtuA6G3LQpzW5hOA2hzCTMjJPJ8LbqF6dsV6DoBQzgul0sGIcGOYl7OyQdXfZ57relSQageu+ipAdTTJ25AsRTAoub8ONGcLmqrAmRLKBP1dfwhYB4N7knNnulqQxA+Uk1ihz0=",
     "example.com.\t3600\tIN\tDNSKEY\t257 3 8 AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29euxhJhVVLOyQbSEW0O8gcCjFFVQUTf6v58fLjwBd0YI0EzrAcQqBGCzh/RStIoO8g0NfnfL2MTJRkxoXbfDaUeVPQuYEhg37NZWAJQ9VnMVDxP/VHL496M/QZxkjf5/Efucp2gaDX6RS6CXpoY68LsvPVjR0ZSwzz1apAzvN9dlzEheX7ICJBBtuA6G3LQpzW5hOA2hzCTMjJPJ8LbqF6dsV6DoBQzgul0sGIcGOYl7OyQdXfZ57relSQageu+ipAdTTJ25AsRTAoub8ONGcLmqrAmRLKBP1dfwhYB4N7knNnulqQxA+Uk1ihz0="},
    {"example.com. 3600 IN RRSIG A 8 2 3600 20240201000000 20240101000000 12345 example.com. dGVzdHNpZ25hdHVyZQ==",
     "example.com.\t3600\tIN\tRRSIG\tA 8 2 3600 20240201000000 20240101000000 12345 example.com. dGVzdHNpZ25hdHVyZQ=="},
    {"example.com. 3600 IN NSEC a.example.com. A NS SOA MX RRSIG NSEC DNSKEY",
     "example.com.\t3600\tIN\tNSEC\ta.example.com. A NS SOA MX RRSIG NSEC DNSKEY"},
    {"example.com. 3600 IN NSEC3 1 0 10 AABBCCDD 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S A RRSIG",
     "example.com.\t3600\tIN\tNSEC3\t1 0 10 AABBCCDD 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S A RRSIG"},
    {"example.com. 3600 IN NSEC3 1 1 0 - 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S A RRSIG",
     "example.com.\t3600\tIN\tNSEC3\t1 1 0 - 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S A RRSIG"},
    {"example.com. 3600 IN NSEC3PARAM 1 0 10 AABBCCDD",
     "example.com.\t3600\tIN\tNSEC3PARAM\t1 0 10 AABBCCDD"},
    {"_443._tcp.example.com. 3600 IN TLSA 3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6",
     "_443._tcp.example.com.\t3600\tIN\tTLSA\t3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6"},
    {"example.com. 3600 IN SSHFP 1 1 123456789ABCDEF67890123456789ABCDEF67890",
     "example.com.\t3600\tIN\tSSHFP\t1 1 123456789ABCDEF67890123456789ABCDEF67890"},
    {"example.com. 3600 IN TYPE65534 \\# 4 0A0B0C0D",
     "example.com.\t3600\tCLASS1\tTYPE65534\t\\# 4 0a0b0c0d"},
    {"example.com. 3600 CH TXT \"chaos\"", "example.com.\t3600\tCH\tTXT\t\"chaos\""},
    {"example.com. 3600 CLASS99 A 1.2.3.4", "example.com.\t3600\tCLASS99\tA\t1.2.3.4"},
    {"weird\\.na\\ me.example.com. 3600 IN A 1.2.3.4",
     "weird\\.na\\ me.example.com.\t3600\tIN\tA\t1.2.3.4"},
    {"a\\000b.example.com. 3600 IN A 1.2.3.4", "a\\000b.example.com.\t3600\tIN\tA\t1.2.3.4"},
    {". 3600 IN NS a.root-servers.net.", ".\t3600\tIN\tNS\ta.root-servers.net."},
    {"example.com. 3600 IN LOC 52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m",
     "example.com.\t3600\tIN\tLOC\t52 22 23.000 N 04 53 32.000 E -2m 0.00m 10000m 10m"},
    {"example.com. 3600 IN URI 10 1 \"ftp://ftp1.example.com/public\"",
     "example.com.\t3600\tIN\tURI\t10 1 \"ftp://ftp1.example.com/public\""},
    {"example.com. 3600 IN HTTPS 1 . alpn=h2,h3 ipv4hint=1.2.3.4",
     "example.com.\t3600\tIN\tHTTPS\t1 . alpn=\"h2,h3\" ipv4hint=\"1.2.3.4\""},
    {"example.com. 3600 IN SVCB 0 svc.example.com.",
     "example.com.\t3600\tIN\tSVCB\t0 svc.example.com."},
    {"example.com. 3600 IN CERT 1 0 0 dGVzdA==", "example.com.\t3600\tIN\tCERT\tPKIX 0 0 dGVzdA=="},
    {"example.com. 3600 IN OPENPGPKEY dGVzdA==", "example.com.\t3600\tIN\tOPENPGPKEY\tdGVzdA=="},
    {"example.com. 3600 IN EUI48 00-00-5e-00-53-2a",
     "example.com.\t3600\tIN\tEUI48\t00-00-5e-00-53-2a"},
    {"example.com. 3600 IN DHCID AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=",
     "example.com.\t3600\tIN\tDHCID\tAAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA="},
    {"example.com. 3600 IN RP mbox.example.com. txt.example.com.",
     "example.com.\t3600\tIN\tRP\tmbox.example.com. txt.example.com."},
    {"example.com. 3600 IN AFSDB 1 afs.example.com.",
     "example.com.\t3600\tIN\tAFSDB\t1 afs.example.com."},
    {"example.com. 3600 IN APL 1:192.168.32.0/21 !1:192.168.38.0/28",
     "example.com.\t3600\tIN\tAPL\t1:192.168.32.0/21 !1:192.168.38.0/28"},
    {"example.com. 3600 IN IPSECKEY 10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==",
     "example.com.\t3600\tIN\tIPSECKEY\t10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ=="},
    {"example.com. 3600 IN ZONEMD 2018031900 1 1 FEBE3D4CE2EC2FFA4BA99D46CD69D6D29711E55217057BEE7EB1A7B641A47BA7FED2DD5B97AE499FAFA4F22C6BD647DE",
     "example.com.\t3600\tIN\tZONEMD\t2018031900 1 1 febe3d4ce2ec2ffa4ba99d46cd69d6d29711e55217057bee7eb1a7b641a47ba7fed2dd5b97ae499fafa4f22c6bd647de"},
    {"example.com. 3600 IN CDS 12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE",
     "example.com.\t3600\tIN\tCDS\t12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE"},
    {"example.com. 3600 IN NULL \\# 3 010203", ";example.com.\t3600\tIN\tNULL\t\001\002\003"},
    {"example.com. 3600 IN TXT \"\"", "example.com.\t3600\tIN\tTXT\t\"\""},
    {"example.com. 3600 IN CSYNC 66 3 A NS AAAA", "example.com.\t3600\tIN\tCSYNC\t66 3 A NS AAAA"},
    {"example.com. 3600 IN KX 10 kx.example.com.",
     "example.com.\t3600\tIN\tKX\t10 kx.example.com."},
    {"example.com. 3600 IN MINFO rm.example.com. em.example.com.",
     "example.com.\t3600\tIN\tMINFO\trm.example.com. em.example.com."},
    {"example.com. 3600 IN HIP 2 200100107B1A74DF365639CC39F1D578 AwEAAbdxyhNuSutc5EMzxTs9LBPCIkOFH8cIvM4p9+LrV4e19WzK00+CI6zBCQTdtWsuxKbWIy87UOoJTwkUs7lBu+Upr1gsNrut79ryra+bSRGQb1slImA8YVJyuIDsj7kwzG7jnERNqnWxZ48AWkskmdHaVDP4BcelrTI3rMXdXF5D rvs.example.com.",
     "example.com.\t3600\tIN\tHIP\t2 200100107b1a74df365639cc39f1d578 AwEAAbdxyhNuSutc5EMzxTs9LBPCIkOFH8cIvM4p9+LrV4e19WzK00+CI6zBCQTdtWsuxKbWIy87UOoJTwkUs7lBu+Upr1gsNrut79ryra+bSRGQb1slImA8YVJyuIDsj7kwzG7jnERNqnWxZ48AWkskmdHaVDP4BcelrTI3rMXdXF5D rvs.example.com."},
    {"example.com. 3600 IN HTTPS 1 . mandatory=alpn,port alpn=h2 port=8443 no-default-alpn ipv6hint=2001:db8::1,2001:db8::2",
     "example.com.\t3600\tIN\tHTTPS\t1 . mandatory=\"alpn,port\" alpn=\"h2\" no-default-alpn=\"\" port=\"8443\" ipv6hint=\"2001:db8::1,2001:db8::2\""},
    {"example.com. 3600 IN SVCB 1 svc.example.com. alpn=\"h2,h3\" ech=AEX+DQBBpQAgACBnlEkX",
     "example.com.\t3600\tIN\tSVCB\t1 svc.example.com. alpn=\"h2,h3\" ech=\"AEX+DQBBpQAgACBnlEkX\""},
    {"example.com. 3600 IN NSEC a.example.com. A TYPE65534 TYPE1234",
     "example.com.\t3600\tIN\tNSEC\ta.example.com. A TYPE1234 TYPE65534"},
    {"example.com. 3600 IN CAA 0 issue \"a\\\"b\"",
     "example.com.\t3600\tIN\tCAA\t0 issue \"a\\\"b\""},
    {"example.com. 3600 IN TXT \"\\195\\169t\\195\\169\" \"\\000\\001\"",
     "example.com.\t3600\tIN\tTXT\t\"\\195\\169t\\195\\169\" \"\\000\\001\""},
    {"a\\@b\\\"c\\'d.example.com. 3600 IN TXT \"x\"",
     "a\\@b\\\"c\\'d.example.com.\t3600\tIN\tTXT\t\"x\""},
    {"example.com. 3600 IN TXT \"a\\;b\"", "example.com.\t3600\tIN\tTXT\t\"a;b\""},
    {"example.com. 3600 IN NSEC3 1 0 0 - 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S",
     "example.com.\t3600\tIN\tNSEC3\t1 0 0 - 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S"},
    {"example.com. 3600 IN AAAA ::", "example.com.\t3600\tIN\tAAAA\t::"},
    {"example.com. 3600 IN AAAA ::1", "example.com.\t3600\tIN\tAAAA\t::1"},
    {"example.com. 3600 IN AAAA 1:0:0:1:0:0:0:1", "example.com.\t3600\tIN\tAAAA\t1:0:0:1::1"},
    {"example.com. 3600 IN AAAA 1:0:0:0:1:0:0:1", "example.com.\t3600\tIN\tAAAA\t1::1:0:0:1"},
    {"example.com. 3600 IN AAAA 2001:db8:0:0:1:0:0:0",
     "example.com.\t3600\tIN\tAAAA\t2001:db8:0:0:1::"},
    {"example.com. 3600 IN SMIMEA 3 1 1 0C72AC70B745AC19",
     "example.com.\t3600\tIN\tSMIMEA\t3 1 1 0c72ac70b745ac19"},
    {"example.com. 3600 IN CDNSKEY 257 3 8 AwEAAQ==",
     "example.com.\t3600\tIN\tCDNSKEY\t257 3 8 AwEAAQ=="},
    {"example.com. 3600 HS A 1.2.3.4", "example.com.\t3600\tHS\tA\t1.2.3.4"},
    {"example.com. 3600 IN EUI64 00-00-5e-ef-10-00-00-2a",
     "example.com.\t3600\tIN\tEUI64\t00-00-5e-ef-10-00-00-2a"},
    {"example.com. 3600 IN NID 10 0014:4fff:ff20:ee64",
     "example.com.\t3600\tIN\tNID\t10 0014:4fff:ff20:ee64"},
    {"example.com. 3600 IN L32 10 10.1.2.0", "example.com.\t3600\tIN\tL32\t10 10.1.2.0"},
    {"example.com. 3600 IN L64 10 2001:0db8:1140:1000",
     "example.com.\t3600\tIN\tL64\t10 2001:0DB8:1140:1000"},
    {"example.com. 3600 IN LP 10 l64-subnet1.example.com.",
     "example.com.\t3600\tIN\tLP\t10 l64-subnet1.example.com."},
    {"example.com. 3600 IN GPOS -32.6882 116.8652 10.0",
     "example.com.\t3600\tIN\tGPOS\t-32.6882 116.8652 10.0"},
    {"example.com. 3600 IN KEY 256 3 8 AwEAAQ==", "example.com.\t3600\tIN\tKEY\t256 3 8 AwEAAQ=="},
    {"example.com. 3600 IN X25 \"311061700956\"", "example.com.\t3600\tIN\tX25\t311061700956"},
    {"example.com. 3600 IN ISDN \"150862028003217\" \"004\"",
     "example.com.\t3600\tIN\tISDN\t\"150862028003217\" \"004\""},
    {"example.com. 3600 IN RT 10 relay.example.com.",
     "example.com.\t3600\tIN\tRT\t10 relay.example.com."},
    {"example.com. 3600 IN PX 10 map822.example.com. mapx400.example.com.",
     "example.com.\t3600\tIN\tPX\t10 map822.example.com. mapx400.example.com."},
    /* types ldns 1.8 does not know, given in RFC 3597 form */
    {"example.com. 3600 IN TYPE56 \\# 10 0568656c6c6f03612262",
     "example.com.\t3600\tIN\tNINFO\t\"hello\" \"a\\\"b\""},
    {"example.com. 3600 IN TYPE258 \\# 8 076170702d617663",
     "example.com.\t3600\tIN\tAVC\t\"app-avc\""},
    {"example.com. 3600 IN TYPE261 \\# 17 0d716e616d656d696e3d7965730102787f",
     "example.com.\t3600\tIN\tRESINFO\t\"qnamemin=yes\\001\" \"x\\127\""},
    {"example.com. 3600 IN TYPE100 \\# 5 04696e666f", "example.com.\t3600\tIN\tUINFO\t\"info\""},
    {"example.com. 3600 IN TYPE101 \\# 4 000004d2", "example.com.\t3600\tIN\tUID\t1234"},
    {"example.com. 3600 IN TYPE102 \\# 4 ffffffff", "example.com.\t3600\tIN\tGID\t4294967295"},
    {"example.com. 3600 IN TYPE128 \\# 0", "example.com.\t3600\tIN\tNXNAME\t"},
    {"example.com. 3600 IN TYPE32768 \\# 12 3039080249fd46e6c4b45c55",
     "example.com.\t3600\tIN\tTA\t12345 8 2 49FD46E6C4B45C55"},
    {"example.com. 3600 IN TYPE57 \\# 8 0100030803010001",
     "example.com.\t3600\tIN\tRKEY\t256 3 8 AwEAAQ=="},
};

/* Wire form of a zone line, read back as a reply's record would be. */
static ldns_rr *from_wire(const char *zone) {
    ldns_rr *rr = NULL;
    ASSERT_MSG(ldns_rr_new_frm_str(&rr, zone, 3600, NULL, NULL) == LDNS_STATUS_OK, "%s", zone);
    ldns_buffer *b = ldns_buffer_new(4096);
    ASSERT(b);
    ASSERT(ldns_rr2buffer_wire(b, rr, LDNS_SECTION_ANSWER) == LDNS_STATUS_OK);
    ldns_rr *back = NULL;
    size_t pos = 0;
    ASSERT(ldns_wire2rr(&back, ldns_buffer_begin(b), ldns_buffer_position(b), &pos,
                        LDNS_SECTION_ANSWER) == LDNS_STATUS_OK);
    ldns_buffer_free(b);
    ldns_rr_free(rr);
    return back;
}

static void test_table(void) {
    omx_buf out;
    omx_buf_init(&out, 1 << 20);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ldns_rr *rr = from_wire(cases[i].zone);
        omx_buf_reset(&out);
        ASSERT_OK(bb_dns_rr_text(rr, &out));
        ASSERT_STR_EQ(out.data ? out.data : "", cases[i].miekg);
        ldns_rr_free(rr);
    }
    omx_buf_free(&out);
}

/* A full buffer fails cleanly. */
static void test_limit(void) {
    omx_buf out;
    omx_buf_init(&out, 8);
    ldns_rr *rr = from_wire("example.com. 3600 IN A 1.2.3.4");
    ASSERT_EQ(bb_dns_rr_text(rr, &out), OMX_ELIMIT);
    ldns_rr_free(rr);
    omx_buf_free(&out);
}

static void test_names(void) {
    char s[16];
    uint16_t code;
    ASSERT_STR_EQ(bb_dns_type_name(1, s, sizeof s), "A");
    ASSERT_STR_EQ(bb_dns_type_name(23, s, sizeof s), "NSAP-PTR");
    ASSERT_STR_EQ(bb_dns_type_name(65280, s, sizeof s), "TYPE65280");
    ASSERT_STR_EQ(bb_dns_class_name(3, s, sizeof s), "CH");
    ASSERT_STR_EQ(bb_dns_class_name(7, s, sizeof s), "CLASS7");
    ASSERT_STR_EQ(bb_dns_rcode_name(4, s, sizeof s), "NOTIMP");
    ASSERT_STR_EQ(bb_dns_rcode_name(16, s, sizeof s), "BADSIG");
    ASSERT_OK(bb_dns_type_code("SOA", &code));
    ASSERT_EQ(code, 6);
    ASSERT_EQ(bb_dns_type_code("soa", &code), OMX_ENOENT); /* case-sensitive as upstream */
    ASSERT_EQ(bb_dns_type_code("TYPE6", &code), OMX_ENOENT);
    ASSERT_OK(bb_dns_class_code("CH", &code));
    ASSERT_EQ(code, 3);
    ASSERT_OK(bb_dns_rcode_code("NOTIMPL", &code));
    ASSERT_EQ(code, 4);
    ASSERT_EQ(bb_dns_rcode_code("BADVERS", &code), OMX_ENOENT);
}

int main(void) {
    test_table();
    test_limit();
    test_names();
    TEST_DONE();
}
