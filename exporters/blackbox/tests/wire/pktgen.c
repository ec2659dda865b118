/* Packet construction for the tests: see pktgen.h. Checksums are left 0:
 * nothing on the reading side checks them. */
#include "pktgen.h"

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

pg_addr pg_ip(const char *text) {
    pg_addr a = {0};
    if (inet_pton(AF_INET, text, a.a) == 1)
        a.family = 4;
    else if (inet_pton(AF_INET6, text, a.a) == 1)
        a.family = 6;
    else
        abort();
    return a;
}

static void put16(uint8_t *p, unsigned v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v) {
    put16(p, v >> 16);
    put16(p + 2, v & 0xffff);
}

void pg_ip_packet(pg_frame *f, pg_addr src, pg_addr dst, uint8_t proto, const uint8_t *payload,
                  size_t len, int ext6, uint16_t frag) {
    uint8_t *p = f->b;
    if (src.family == 4) {
        memset(p, 0, 20);
        p[0] = 0x45;
        put16(p + 2, (unsigned)(20 + len));
        put16(p + 6, frag);
        p[8] = 64;
        p[9] = proto;
        memcpy(p + 12, src.a, 4);
        memcpy(p + 16, dst.a, 4);
        memcpy(p + 20, payload, len);
        f->len = 20 + len;
        return;
    }
    memset(p, 0, 40);
    p[0] = 0x60;
    p[7] = 64;
    memcpy(p + 8, src.a, 16);
    memcpy(p + 24, dst.a, 16);
    size_t off = 40;
    uint8_t *nh = &p[6];
    if (ext6) { /* hop-by-hop, 8 bytes of PadN */
        *nh = 0;
        memset(p + off, 0, 8);
        p[off + 2] = 1;
        p[off + 3] = 4;
        nh = &p[off];
        off += 8;
    }
    if (frag) {
        *nh = 44;
        memset(p + off, 0, 8);
        put16(p + off + 2, frag);
        put32(p + off + 4, 0x1234);
        nh = &p[off];
        off += 8;
    }
    *nh = proto;
    memcpy(p + off, payload, len);
    put16(p + 4, (unsigned)(off - 40 + len));
    f->len = off + len;
}

void pg_tcp(pg_frame *f, pg_addr src, uint16_t sport, pg_addr dst, uint16_t dport, uint8_t flags,
            uint32_t seq, uint32_t ack) {
    uint8_t t[24] = {0};
    put16(t, sport);
    put16(t + 2, dport);
    put32(t + 4, seq);
    put32(t + 8, ack);
    int syn = flags & 2;
    t[12] = syn ? 0x60 : 0x50; /* a SYN carries an MSS option */
    t[13] = flags;
    put16(t + 14, 65535);
    if (syn) {
        t[20] = 2;
        t[21] = 4;
        put16(t + 22, 1460);
    }
    pg_ip_packet(f, src, dst, 6, t, syn ? 24 : 20, 0, 0);
}

void pg_dns(pg_frame *f, pg_addr src, uint16_t sport, pg_addr dst, uint16_t dport, uint16_t id,
            int qr, int rcode, const char *name, uint16_t qtype) {
    uint8_t u[512] = {0};
    uint8_t *d = u + 8;
    put16(d, id);
    d[2] = (uint8_t)((qr ? 0x80 : 0) | 0x01);
    d[3] = (uint8_t)(rcode & 15);
    put16(d + 4, 1);
    size_t n = 12;
    const char *s = name;
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        d[n++] = (uint8_t)l;
        memcpy(d + n, s, l);
        n += l;
        s += l + (dot ? 1 : 0);
    }
    d[n++] = 0;
    put16(d + n, qtype);
    put16(d + n + 2, 1);
    n += 4;
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (unsigned)(8 + n));
    pg_ip_packet(f, src, dst, 17, u, 8 + n, 0, 0);
}

void pg_icmp(pg_frame *f, pg_addr src, pg_addr dst, uint8_t type, uint8_t code) {
    uint8_t m[36] = {type, code};
    pg_ip_packet(f, src, dst, src.family == 4 ? 1 : 58, m, sizeof m, 0, 0);
}

void pg_link(pg_frame *f, int dlt) {
    uint8_t h[20] = {0};
    size_t hl = 0;
    int v6 = (f->b[0] >> 4) == 6;
    unsigned et = v6 ? 0x86dd : 0x0800;
    switch (dlt) {
    case DLT_EN10MB:
        memcpy(h, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
        put16(h + 12, et);
        hl = 14;
        break;
    case DLT_LINUX_SLL:
        put16(h, 4); /* outgoing */
        put16(h + 2, 1);
        put16(h + 4, 6);
        put16(h + 14, et);
        hl = 16;
        break;
    case DLT_LINUX_SLL2:
        put16(h, et);
        put32(h + 4, 2); /* ifindex */
        put16(h + 8, 1);
        h[10] = 4;
        h[11] = 6;
        hl = 20;
        break;
    case DLT_NULL: { /* host order: little endian here */
        uint32_t af = v6 ? 30 : 2;
        memcpy(h, &af, 4);
        hl = 4;
        break;
    }
    case DLT_LOOP:
        put32(h, v6 ? 30 : 2);
        hl = 4;
        break;
    default: return;
    }
    memmove(f->b + hl, f->b, f->len);
    memcpy(f->b, h, hl);
    f->len += hl;
}

struct pg_out {
    int dlt;
    pcap_t *dead;
    pcap_dumper_t *d;
    FILE *ng;
};

static void ng_block(FILE *fp, uint32_t type, const uint8_t *body, size_t len) {
    size_t pad = (4 - len % 4) % 4;
    uint32_t total = (uint32_t)(12 + len + pad);
    static const uint8_t zero[4];
    fwrite(&type, 4, 1, fp);
    fwrite(&total, 4, 1, fp);
    fwrite(body, 1, len, fp);
    fwrite(zero, 1, pad, fp);
    fwrite(&total, 4, 1, fp);
}

pg_out *pg_open(const char *path, int dlt, int pcapng) {
    pg_out *o = calloc(1, sizeof *o);
    if (!o)
        abort();
    o->dlt = dlt;
    if (pcapng) {
        o->ng = fopen(path, "wb");
        if (!o->ng)
            abort();
        uint8_t shb[16] = {0};
        uint32_t bom = 0x1A2B3C4D;
        memcpy(shb, &bom, 4);
        shb[4] = 1; /* version 1.0 */
        memset(shb + 8, 0xff, 8);
        ng_block(o->ng, 0x0A0D0D0A, shb, sizeof shb);
        uint8_t idb[20] = {0};
        uint16_t lt = (uint16_t)dlt;
        uint32_t snap = 65535;
        memcpy(idb, &lt, 2);
        memcpy(idb + 4, &snap, 4);
        uint16_t opt = 9, olen = 1; /* if_tsresol: 10^-9 */
        memcpy(idb + 8, &opt, 2);
        memcpy(idb + 10, &olen, 2);
        idb[12] = 9;
        /* opt_endofopt at 16 */
        ng_block(o->ng, 1, idb, sizeof idb);
        return o;
    }
    o->dead = pcap_open_dead_with_tstamp_precision(dlt, 65535, PCAP_TSTAMP_PRECISION_NANO);
    o->d = o->dead ? pcap_dump_open(o->dead, path) : NULL;
    if (!o->d)
        abort();
    return o;
}

void pg_write(pg_out *o, int64_t ts, const uint8_t *b, size_t caplen, size_t wirelen) {
    if (o->ng) {
        uint8_t body[20 + 2048 + 4];
        uint32_t v[5] = {0, (uint32_t)((uint64_t)ts >> 32), (uint32_t)(uint64_t)ts,
                         (uint32_t)caplen, (uint32_t)wirelen};
        memcpy(body, v, 20);
        memcpy(body + 20, b, caplen);
        ng_block(o->ng, 6, body, 20 + caplen);
        return;
    }
    struct pcap_pkthdr h = {.caplen = (bpf_u_int32)caplen, .len = (bpf_u_int32)wirelen};
    h.ts.tv_sec = (time_t)(ts / 1000000000);
    h.ts.tv_usec = (suseconds_t)(ts % 1000000000); /* nanoseconds in a NANO dumper */
    pcap_dump((u_char *)o->d, &h, b);
}

void pg_emit(pg_out *o, int64_t ts, pg_frame *f) {
    pg_link(f, o->dlt);
    pg_write(o, ts, f->b, f->len, f->len);
}

void pg_close(pg_out *o) {
    if (!o)
        return;
    if (o->ng)
        fclose(o->ng);
    if (o->d)
        pcap_dump_close(o->d);
    if (o->dead)
        pcap_close(o->dead);
    free(o);
}
