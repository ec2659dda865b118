/* Writes the capture files of the wire tests into a directory:
 *   wire-gen DIR
 * basic.pcap / basic.pcapng (the same packets: handshakes both roles, SYN
 * retransmit, unanswered SYN, refused, DNS pairs and unanswered, ICMP errors,
 * IPv6, fragments), link-<type>.pcap (one scenario on every link type),
 * hostile.pcap (malformed packets of every kind) and flood.pcap (SYN flood). */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktgen.h"

#define T0 1700000000000000000ll
#define MS 1000000ll

enum { FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16 };

static void handshake(pg_out *o, int64_t t, pg_addr c, uint16_t cp, pg_addr s, uint16_t sp,
                      int64_t rtt1, int64_t rtt2) {
    pg_frame f;
    pg_tcp(&f, c, cp, s, sp, SYN, 1000, 0);
    pg_emit(o, t, &f);
    pg_tcp(&f, s, sp, c, cp, SYN | ACK, 5000, 1001);
    pg_emit(o, t + rtt1, &f);
    pg_tcp(&f, c, cp, s, sp, ACK, 1001, 5001);
    pg_emit(o, t + rtt1 + rtt2, &f);
}

static void basic(const char *path, int dlt, int ng) {
    pg_out *o = pg_open(path, dlt, ng);
    pg_addr me = pg_ip("10.0.0.1"), web = pg_ip("10.0.0.2"), dead = pg_ip("10.0.0.3");
    pg_addr ns = pg_ip("10.0.0.53"), other_ns = pg_ip("192.0.2.53"), remote = pg_ip("192.0.2.7");
    pg_addr me6 = pg_ip("2001:db8::1"), web6 = pg_ip("2001:db8::2"), ns6 = pg_ip("2001:db8::53");
    pg_frame f;
    /* we are the client: 1 ms to SYN/ACK */
    handshake(o, T0, me, 40000, web, 80, 1 * MS, MS / 10);
    /* SYN retransmitted after 1 s, answered 20 ms later: 1.02 s */
    pg_tcp(&f, me, 40001, web, 443, SYN, 77, 0);
    pg_emit(o, T0 + 100 * MS, &f);
    pg_tcp(&f, me, 40001, web, 443, SYN, 77, 0);
    pg_emit(o, T0 + 1100 * MS, &f);
    pg_tcp(&f, web, 443, me, 40001, SYN | ACK, 900, 78);
    pg_emit(o, T0 + 1120 * MS, &f);
    pg_tcp(&f, me, 40001, web, 443, ACK, 78, 901);
    pg_emit(o, T0 + 1121 * MS, &f);
    /* one SYN seen twice 5 us apart (two interfaces of "any"): no retransmit */
    pg_tcp(&f, me, 40005, web, 80, SYN, 555, 0);
    pg_emit(o, T0 + 1500 * MS, &f);
    pg_tcp(&f, me, 40005, web, 80, SYN, 555, 0);
    pg_emit(o, T0 + 1500 * MS + 5000, &f);
    pg_tcp(&f, web, 80, me, 40005, SYN | ACK, 7000, 556);
    pg_emit(o, T0 + 1502 * MS, &f);
    pg_tcp(&f, me, 40005, web, 80, ACK, 556, 7001);
    pg_emit(o, T0 + 1502 * MS + 100000, &f);
    /* unanswered SYN to port 22, sent twice */
    pg_tcp(&f, me, 40002, dead, 22, SYN, 5, 0);
    pg_emit(o, T0 + 2000 * MS, &f);
    pg_tcp(&f, me, 40002, dead, 22, SYN, 5, 0);
    pg_emit(o, T0 + 3000 * MS, &f);
    /* refused: RST from the server */
    pg_tcp(&f, me, 40003, web, 8080, SYN, 9, 0);
    pg_emit(o, T0 + 2100 * MS, &f);
    pg_tcp(&f, web, 8080, me, 40003, RST | ACK, 0, 10);
    pg_emit(o, T0 + 2101 * MS, &f);
    /* we reset a connection */
    pg_tcp(&f, me, 40004, web, 80, RST, 1, 0);
    pg_emit(o, T0 + 2200 * MS, &f);
    /* we are the server on 22: SYN/ACK to ACK 30 ms */
    handshake(o, T0 + 2300 * MS, remote, 50000, me, 22, MS / 2, 30 * MS);
    /* IPv6 handshake, a hop-by-hop header on the SYN */
    pg_tcp(&f, me6, 40010, web6, 443, SYN, 100, 0);
    {
        pg_frame g;
        pg_ip_packet(&g, me6, web6, 6, f.b + 40, f.len - 40, 1, 0);
        pg_emit(o, T0 + 2400 * MS, &g);
    }
    pg_tcp(&f, web6, 443, me6, 40010, SYN | ACK, 300, 101);
    pg_emit(o, T0 + 2405 * MS, &f);
    pg_tcp(&f, me6, 40010, web6, 443, ACK, 101, 301);
    pg_emit(o, T0 + 2406 * MS, &f);
    /* DNS: A answered in 4 ms, AAAA NXDOMAIN in 50 ms, MX never answered,
     * a response nobody asked for, IPv6 resolver, a resolver not configured */
    pg_dns(&f, me, 5000, ns, 53, 0x1234, 0, 0, "example.com", 1);
    pg_emit(o, T0 + 3000 * MS, &f);
    pg_dns(&f, me, 5000, ns, 53, 0x1234, 0, 0, "example.com", 1);
    pg_emit(o, T0 + 3000 * MS + 3000, &f); /* the same query seen twice: counted once */
    pg_dns(&f, ns, 53, me, 5000, 0x1234, 1, 0, "example.com", 1);
    pg_emit(o, T0 + 3004 * MS, &f);
    pg_dns(&f, me, 5001, ns, 53, 0x2222, 0, 0, "nx.example.com", 28);
    pg_emit(o, T0 + 3100 * MS, &f);
    pg_dns(&f, ns, 53, me, 5001, 0x2222, 1, 3, "nx.example.com", 28);
    pg_emit(o, T0 + 3150 * MS, &f);
    pg_dns(&f, me, 5002, ns, 53, 0x3333, 0, 0, "example.com", 15);
    pg_emit(o, T0 + 3200 * MS, &f);
    pg_dns(&f, ns, 53, me, 5003, 0x9999, 1, 0, "example.com", 1);
    pg_emit(o, T0 + 3300 * MS, &f);
    pg_dns(&f, me6, 5004, ns6, 53, 0x4444, 0, 0, "example.org", 28);
    pg_emit(o, T0 + 3400 * MS, &f);
    pg_dns(&f, ns6, 53, me6, 5004, 0x4444, 1, 0, "example.org", 28);
    pg_emit(o, T0 + 3402 * MS, &f);
    pg_dns(&f, me, 5005, other_ns, 53, 0x5555, 0, 0, "example.net", 16);
    pg_emit(o, T0 + 3500 * MS, &f);
    pg_dns(&f, other_ns, 53, me, 5005, 0x5555, 1, 2, "example.net", 16);
    pg_emit(o, T0 + 3600 * MS, &f);
    /* ICMP: port and host unreachable, TTL exceeded, v6 unreachable and hop limit */
    pg_icmp(&f, web, me, 3, 3);
    pg_emit(o, T0 + 4000 * MS, &f);
    pg_icmp(&f, remote, me, 3, 1);
    pg_emit(o, T0 + 4001 * MS, &f);
    pg_icmp(&f, remote, me, 11, 0);
    pg_emit(o, T0 + 4002 * MS, &f);
    pg_icmp(&f, web6, me6, 1, 4);
    pg_emit(o, T0 + 4003 * MS, &f);
    pg_icmp(&f, web6, me6, 3, 0);
    pg_emit(o, T0 + 4004 * MS, &f);
    pg_icmp(&f, me, web, 8, 0); /* an echo request: not counted */
    pg_emit(o, T0 + 4005 * MS, &f);
    /* fragments: IPv4 first (MF) and second, IPv6 first and second */
    uint8_t payload[64] = {0x13, 0x88, 0x13, 0x89, 0, 72};
    pg_ip_packet(&f, me, web, 17, payload, 64, 0, 0x2000);
    pg_emit(o, T0 + 5000 * MS, &f);
    pg_ip_packet(&f, me, web, 17, payload, 16, 0, 8);
    pg_emit(o, T0 + 5001 * MS, &f);
    pg_ip_packet(&f, me6, web6, 17, payload, 64, 0, 0x0001);
    pg_emit(o, T0 + 5002 * MS, &f);
    pg_ip_packet(&f, me6, web6, 17, payload, 16, 0, 8 << 3);
    pg_emit(o, T0 + 5003 * MS, &f);
    pg_close(o);
}

static void links(const char *dir) {
    static const struct {
        const char *name;
        int dlt;
    } lt[] = {{"en10mb", DLT_EN10MB}, {"sll", DLT_LINUX_SLL}, {"sll2", DLT_LINUX_SLL2},
              {"raw", DLT_RAW},       {"null", DLT_NULL},     {"loop", DLT_LOOP}};
    for (size_t i = 0; i < sizeof lt / sizeof lt[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/link-%s.pcap", dir, lt[i].name);
        pg_out *o = pg_open(path, lt[i].dlt, 0);
        pg_addr me = pg_ip("10.0.0.1"), web = pg_ip("10.0.0.2"), ns = pg_ip("10.0.0.53");
        pg_addr me6 = pg_ip("2001:db8::1"), web6 = pg_ip("2001:db8::2");
        pg_frame f;
        handshake(o, T0, me, 40000, web, 443, 2 * MS, MS);
        handshake(o, T0 + 10 * MS, me6, 40000, web6, 443, 3 * MS, MS);
        pg_dns(&f, me, 5000, ns, 53, 7, 0, 0, "example.com", 1);
        pg_emit(o, T0 + 20 * MS, &f);
        pg_dns(&f, ns, 53, me, 5000, 7, 1, 0, "example.com", 1);
        pg_emit(o, T0 + 21 * MS, &f);
        pg_tcp(&f, web, 443, me, 40000, RST, 5001, 0);
        pg_emit(o, T0 + 30 * MS, &f);
        pg_close(o);
    }
}

/* Raw IP bytes b (len) framed on Ethernet, captured up to cap bytes. */
static void raw(pg_out *o, int64_t t, const uint8_t *b, size_t len, size_t cap) {
    pg_frame f;
    memcpy(f.b, b, len);
    f.len = len;
    pg_link(&f, DLT_EN10MB);
    pg_write(o, t, f.b, cap ? cap + 14 : f.len, f.len);
}

static void hostile(const char *path) {
    pg_out *o = pg_open(path, DLT_EN10MB, 0);
    pg_addr a = pg_ip("10.0.0.1"), b = pg_ip("10.0.0.2");
    pg_addr a6 = pg_ip("2001:db8::1"), b6 = pg_ip("2001:db8::2");
    pg_frame f;
    int64_t t = T0;
    /* frames shorter than an Ethernet header: 1 byte on a 1-byte wire, 5 of 60 */
    pg_write(o, t++, (const uint8_t *)"\x02", 1, 1);
    pg_write(o, t++, (const uint8_t *)"\x02\x00\x00\x00\x00", 5, 60);
    /* ARP: not IP, not malformed */
    {
        uint8_t arp[42] = {0};
        arp[12] = 0x08;
        arp[13] = 0x06;
        pg_write(o, t++, arp, sizeof arp, sizeof arp);
    }
    /* IPv4 header length 4 words */
    pg_tcp(&f, a, 1, b, 2, SYN, 1, 0);
    f.b[0] = 0x44;
    raw(o, t++, f.b, f.len, 0);
    /* IP version 7 */
    pg_tcp(&f, a, 1, b, 2, SYN, 1, 0);
    f.b[0] = 0x75;
    raw(o, t++, f.b, f.len, 0);
    /* total length past the frame, and below the header */
    pg_tcp(&f, a, 1, b, 2, SYN, 1, 0);
    f.b[2] = 0x40;
    raw(o, t++, f.b, f.len, 0);
    pg_tcp(&f, a, 1, b, 2, SYN, 1, 0);
    f.b[2] = 0;
    f.b[3] = 10;
    raw(o, t++, f.b, f.len, 0);
    /* IPv4 options (header 24 bytes, NOP padding) around a valid SYN: fine */
    {
        pg_tcp(&f, a, 3, b, 4, SYN, 1, 0);
        uint8_t g[128];
        memcpy(g, f.b, 20);
        memset(g + 20, 1, 4);
        memcpy(g + 24, f.b + 20, f.len - 20);
        g[0] = 0x46;
        g[3] = (uint8_t)(f.len + 4);
        raw(o, t++, g, f.len + 4, 0);
    }
    /* TCP data offset 2, and 15 (60 bytes) in a 24-byte segment */
    pg_tcp(&f, a, 1, b, 2, SYN, 1, 0);
    f.b[20 + 12] = 0x20;
    raw(o, t++, f.b, f.len, 0);
    pg_tcp(&f, a, 1, b, 2, SYN, 1, 0);
    f.b[20 + 12] = 0xf0;
    raw(o, t++, f.b, f.len, 0);
    /* a TCP header cut by the capture (snap length 30 of the IP packet) */
    pg_tcp(&f, a, 1, b, 2, SYN, 1, 0);
    raw(o, t++, f.b, f.len, 30);
    /* UDP length 4, and 300 in a short datagram */
    pg_dns(&f, a, 5000, b, 53, 1, 0, 0, "example.com", 1);
    f.b[20 + 4] = 0;
    f.b[20 + 5] = 4;
    raw(o, t++, f.b, f.len, 0);
    pg_dns(&f, a, 5000, b, 53, 1, 0, 0, "example.com", 1);
    f.b[20 + 4] = 1;
    f.b[20 + 5] = 44;
    raw(o, t++, f.b, f.len, 0);
    /* DNS shorter than its header */
    {
        uint8_t u[8 + 6] = {0x13, 0x88, 0, 53, 0, 14};
        pg_ip_packet(&f, a, b, 17, u, sizeof u, 0, 0);
        raw(o, t++, f.b, f.len, 0);
    }
    /* question name: label type 0x40, and a label running past the message */
    pg_dns(&f, a, 5000, b, 53, 2, 0, 0, "example.com", 1);
    f.b[20 + 8 + 12] = 0x47;
    raw(o, t++, f.b, f.len, 0);
    pg_dns(&f, a, 5000, b, 53, 3, 0, 0, "example.com", 1);
    f.b[20 + 8 + 12] = 63;
    raw(o, t++, f.b, f.len, 0);
    /* ICMP of 2 bytes */
    {
        uint8_t m[2] = {3, 3};
        pg_ip_packet(&f, a, b, 1, m, 2, 0, 0);
        raw(o, t++, f.b, f.len, 0);
    }
    /* IPv6: payload length past the frame; nine hop-by-hop headers; a header
     * length past the packet; a 20-byte IPv6 header */
    pg_tcp(&f, a6, 1, b6, 2, SYN, 1, 0);
    f.b[4] = 0x10;
    raw(o, t++, f.b, f.len, 0);
    {
        uint8_t g[40 + 9 * 8 + 24] = {0};
        pg_tcp(&f, a6, 1, b6, 2, SYN, 1, 0);
        memcpy(g, f.b, 40);
        g[6] = 0;
        for (int i = 0; i < 9; i++)
            g[40 + i * 8] = i < 8 ? 0 : 6;
        memcpy(g + 40 + 72, f.b + 40, 24);
        g[4] = 0;
        g[5] = 72 + 24;
        raw(o, t++, g, sizeof g, 0);
    }
    pg_ip_packet(&f, a6, b6, 6, (const uint8_t *)"\0\0\0\0\0\0\0\0", 8, 1, 0);
    f.b[41] = 200;
    raw(o, t++, f.b, f.len, 0);
    pg_tcp(&f, a6, 1, b6, 2, SYN, 1, 0);
    raw(o, t++, f.b, 20, 0);
    /* VLAN-tagged SYN: fine; three stacked tags: not IP */
    {
        pg_tcp(&f, a, 7, b, 8, SYN, 1, 0);
        pg_frame g;
        memcpy(g.b, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x81\x00\x00\x05\x08\x00", 18);
        memcpy(g.b + 18, f.b, f.len);
        pg_write(o, t++, g.b, 18 + f.len, 18 + f.len);
        memcpy(g.b,
               "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x81\x00\x00\x05\x81\x00"
               "\x00\x06\x81\x00\x00\x07\x08\x00",
               26);
        memcpy(g.b + 26, f.b, f.len);
        pg_write(o, t++, g.b, 26 + f.len, 26 + f.len);
    }
    pg_close(o);
}

static void flood(const char *path, unsigned n) {
    pg_out *o = pg_open(path, DLT_EN10MB, 0);
    pg_addr s = pg_ip("10.0.0.1");
    pg_frame f;
    for (unsigned i = 0; i < n; i++) {
        uint8_t a[4] = {198, 18, (uint8_t)(i >> 8), (uint8_t)i};
        pg_addr c = {.family = 4};
        memcpy(c.a, a, 4);
        pg_tcp(&f, c, (uint16_t)(1024 + i % 60000), s, 80, SYN, i, 0);
        pg_emit(o, T0 + (int64_t)i * 1000, &f);
    }
    pg_close(o);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: wire-gen DIR\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/basic.pcap", argv[1]);
    basic(path, DLT_EN10MB, 0);
    snprintf(path, sizeof path, "%s/basic.pcapng", argv[1]);
    basic(path, DLT_EN10MB, 1);
    links(argv[1]);
    snprintf(path, sizeof path, "%s/hostile.pcap", argv[1]);
    hostile(path);
    snprintf(path, sizeof path, "%s/flood.pcap", argv[1]);
    flood(path, 1000);
    return 0;
}
