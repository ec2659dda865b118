/* Hand-made packets for the wire tests and benchmarks: IPv4/IPv6 with TCP,
 * UDP (DNS) and ICMP, framed for a link type, and pcap/pcapng writers. */
#ifndef WIRE_PKTGEN_H
#define WIRE_PKTGEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct pg_addr {
    int family; /* 4 or 6 */
    uint8_t a[16];
} pg_addr;

pg_addr pg_ip(const char *text); /* aborts on a bad address */

/* A frame being built: bytes of the link header, IP and above. */
typedef struct pg_frame {
    uint8_t b[2048];
    size_t len;
} pg_frame;

/* IP packet (no link header) into f: proto and payload; ext6 adds an IPv6
 * hop-by-hop options header; frag (IPv4 offset in 8-byte units | 0x2000 MF,
 * or for IPv6 a fragment header with that offset/M value) when nonzero. */
void pg_ip_packet(pg_frame *f, pg_addr src, pg_addr dst, uint8_t proto, const uint8_t *payload,
                  size_t len, int ext6, uint16_t frag);
void pg_tcp(pg_frame *f, pg_addr src, uint16_t sport, pg_addr dst, uint16_t dport, uint8_t flags,
            uint32_t seq, uint32_t ack);
/* A DNS message (query when !qr) with one question for name/qtype. */
void pg_dns(pg_frame *f, pg_addr src, uint16_t sport, pg_addr dst, uint16_t dport, uint16_t id,
            int qr, int rcode, const char *name, uint16_t qtype);
void pg_icmp(pg_frame *f, pg_addr src, pg_addr dst, uint8_t type, uint8_t code);

/* Prepends the link header of dlt (EN10MB, LINUX_SLL, LINUX_SLL2, NULL,
 * LOOP; RAW adds none) for the IP packet in f. */
void pg_link(pg_frame *f, int dlt);

/* Writers: pcap (nanosecond) through libpcap, or pcapng by hand. */
typedef struct pg_out pg_out;
pg_out *pg_open(const char *path, int dlt, int pcapng);
void pg_write(pg_out *o, int64_t ts_ns, const uint8_t *b, size_t caplen, size_t wirelen);
void pg_close(pg_out *o);
/* pg_write of frame f after framing it for the output's link type. */
void pg_emit(pg_out *o, int64_t ts_ns, pg_frame *f);

#endif
