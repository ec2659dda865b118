/* The dissector on hand-made frames: fields, link types, and every prefix of
 * valid frames (truncated captures and bogus lengths) without a crash. */
#include <pcap/pcap.h>
#include <string.h>

#include "dissect.h"
#include "omx-test.h"
#include "pktgen.h"

static void fields_v4_tcp(void) {
    pg_frame f;
    pg_tcp(&f, pg_ip("10.1.2.3"), 40000, pg_ip("10.9.8.7"), 443, WIRE_SYN, 0x01020304, 0);
    pg_link(&f, DLT_EN10MB);
    wire_pkt p;
    ASSERT_EQ(wire_dissect(DLT_EN10MB, f.b, f.len, f.len, &p), WIRE_OK);
    ASSERT_EQ(p.family, 4);
    ASSERT_EQ(p.proto, 6);
    ASSERT_EQ(p.l4, 1);
    ASSERT_EQ(p.sport, 40000);
    ASSERT_EQ(p.dport, 443);
    ASSERT_EQ(p.tcp_flags, WIRE_SYN);
    ASSERT_EQ(p.seq, 0x01020304);
    ASSERT_EQ(p.ip_len, 44);
    ASSERT(memcmp(p.src, "\x0a\x01\x02\x03", 4) == 0);
    ASSERT(memcmp(p.dst, "\x0a\x09\x08\x07", 4) == 0);
}

static void fields_v6_dns(void) {
    pg_frame f;
    pg_dns(&f, pg_ip("2001:db8::1"), 5353, pg_ip("2001:db8::53"), 53, 0xbeef, 1, 3, "a.example.com",
           28);
    int dlts[] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_NULL, DLT_LOOP};
    for (size_t i = 0; i < sizeof dlts / sizeof dlts[0]; i++) {
        pg_frame g = f;
        pg_link(&g, dlts[i]);
        wire_pkt p;
        ASSERT_EQ(wire_dissect(dlts[i], g.b, g.len, g.len, &p), WIRE_OK);
        ASSERT_EQ(p.family, 6);
        ASSERT_EQ(p.proto, 17);
        ASSERT_EQ(p.dns, 1);
        ASSERT_EQ(p.dns_id, 0xbeef);
        ASSERT_EQ(p.dns_qr, 1);
        ASSERT_EQ(p.dns_rcode, 3);
        ASSERT_EQ(p.dns_qtype, 28);
    }
}

static void ext_headers_and_fragments(void) {
    uint8_t seg[20] = {0x9c, 0x40, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, WIRE_SYN};
    pg_frame f;
    pg_ip_packet(&f, pg_ip("2001:db8::1"), pg_ip("2001:db8::2"), 6, seg, sizeof seg, 1, 0);
    wire_pkt p;
    ASSERT_EQ(wire_dissect(DLT_RAW, f.b, f.len, f.len, &p), WIRE_OK);
    ASSERT_EQ(p.proto, 6);
    ASSERT_EQ(p.dport, 443);
    ASSERT_EQ(p.fragment, 0);
    /* a later IPv6 fragment: flagged, no transport */
    pg_ip_packet(&f, pg_ip("2001:db8::1"), pg_ip("2001:db8::2"), 6, seg, sizeof seg, 1, 8 << 3);
    ASSERT_EQ(wire_dissect(DLT_RAW, f.b, f.len, f.len, &p), WIRE_OK);
    ASSERT_EQ(p.fragment, 1);
    ASSERT_EQ(p.l4, 0);
    /* an IPv4 first fragment: flagged, transport read */
    pg_ip_packet(&f, pg_ip("10.0.0.1"), pg_ip("10.0.0.2"), 6, seg, sizeof seg, 0, 0x2000);
    ASSERT_EQ(wire_dissect(DLT_RAW, f.b, f.len, f.len, &p), WIRE_OK);
    ASSERT_EQ(p.fragment, 1);
    ASSERT_EQ(p.l4, 1);
}

/* Every prefix of a frame, as a short capture (wire length intact) and as a
 * frame whose headers claim more than it has. */
static void prefixes(int dlt, pg_frame *f) {
    pg_link(f, dlt);
    for (size_t n = 0; n <= f->len; n++) {
        uint8_t copy[2048];
        memcpy(copy, f->b, n); /* exact size: ASan sees any read past it */
        uint8_t *heap = malloc(n ? n : 1);
        memcpy(heap, copy, n);
        wire_pkt p;
        wire_verdict v = wire_dissect(dlt, heap, n, f->len, &p);
        ASSERT(v < WIRE_VERDICTS);
        v = wire_dissect(dlt, heap, n, n, &p);
        ASSERT(v < WIRE_VERDICTS);
        if (n < f->len && n >= 14 + 20 && dlt == DLT_EN10MB && p.proto == 6)
            ASSERT_MSG(v != WIRE_OK || !p.l4 || n >= 14 + 44, "prefix %zu read as whole", n);
        free(heap);
    }
}

static void truncations(void) {
    pg_frame f;
    int dlts[] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_NULL, DLT_LOOP};
    for (size_t i = 0; i < sizeof dlts / sizeof dlts[0]; i++) {
        pg_tcp(&f, pg_ip("10.0.0.1"), 1, pg_ip("10.0.0.2"), 2, WIRE_SYN, 1, 0);
        prefixes(dlts[i], &f);
        pg_dns(&f, pg_ip("2001:db8::1"), 5000, pg_ip("2001:db8::2"), 53, 1, 0, 0, "example.com", 1);
        prefixes(dlts[i], &f);
        pg_icmp(&f, pg_ip("10.0.0.1"), pg_ip("10.0.0.2"), 3, 3);
        prefixes(dlts[i], &f);
    }
    /* a snap-length cut in the TCP header is "truncated", not bogus */
    pg_tcp(&f, pg_ip("10.0.0.1"), 1, pg_ip("10.0.0.2"), 2, WIRE_SYN, 1, 0);
    wire_pkt p;
    ASSERT_EQ(wire_dissect(DLT_RAW, f.b, 30, f.len, &p), WIRE_TRUNCATED);
    ASSERT_STR_EQ(wire_reason_name(WIRE_TRUNCATED), "truncated");
    ASSERT_EQ(wire_dissect(DLT_RAW, NULL, 0, 0, &p), WIRE_TRUNCATED);
    ASSERT_EQ(wire_dissect(9999, f.b, f.len, f.len, &p), WIRE_NOT_IP);
}

int main(void) {
    fields_v4_tcp();
    fields_v6_dns();
    ext_headers_and_fragments();
    truncations();
    TEST_DONE();
}
