/* The packet dissector of the passive capture: link layer, IPv4/IPv6 (options
 * and extension headers walked, fragments flagged), TCP, UDP, ICMP and the DNS
 * header and question. Pure functions over bytes, every read bounds-checked;
 * no allocation, no state. */
#ifndef BB_WIRE_DISSECT_H
#define BB_WIRE_DISSECT_H

#include <stddef.h>
#include <stdint.h>

/* Link types, as pcap's DLT_/LINKTYPE_ numbers. */
enum {
    WIRE_DLT_NULL = 0,
    WIRE_DLT_EN10MB = 1,
    WIRE_DLT_RAW = 12, /* DLT_RAW on Linux */
    WIRE_DLT_RAW_BSD = 14,
    WIRE_DLT_LOOP = 108,
    WIRE_LINKTYPE_RAW = 101, /* LINKTYPE_RAW in files */
    WIRE_DLT_LINUX_SLL = 113,
    WIRE_DLT_IPV4 = 228,
    WIRE_DLT_IPV6 = 229,
    WIRE_DLT_LINUX_SLL2 = 276,
};

/* What became of a packet. WIRE_OK and WIRE_NOT_IP are not malformed; the
 * others name the first check that failed (wire_reason_name). */
typedef enum wire_verdict {
    WIRE_OK = 0,
    WIRE_NOT_IP,       /* ARP, LLDP, ...: nothing for us */
    WIRE_TRUNCATED,    /* a header cut short by the capture length */
    WIRE_BAD_LINK,     /* link header shorter than its type says */
    WIRE_BAD_IP,       /* version, header length */
    WIRE_BAD_IP_LEN,   /* total / payload length inconsistent with the frame */
    WIRE_BAD_IP6_EXT,  /* extension header chain too long or past the packet */
    WIRE_BAD_TCP,      /* data offset below 5 or past the segment */
    WIRE_BAD_UDP,      /* UDP length below 8 or past the datagram */
    WIRE_BAD_ICMP,     /* shorter than an ICMP header */
    WIRE_BAD_DNS,      /* DNS payload shorter than its header */
    WIRE_BAD_DNS_NAME, /* question name with a bad label or past the message */
    WIRE_VERDICTS
} wire_verdict;

/* The label value for a verdict (static string; "" for WIRE_OK/WIRE_NOT_IP). */
const char *wire_reason_name(wire_verdict v);

/* TCP flags. */
enum {
    WIRE_FIN = 0x01,
    WIRE_SYN = 0x02,
    WIRE_RST = 0x04,
    WIRE_PSH = 0x08,
    WIRE_ACK = 0x10,
};

/* One dissected packet. Addresses are 16 bytes; IPv4 uses the first 4 (rest 0). */
typedef struct wire_pkt {
    uint8_t family;   /* 4 or 6 */
    uint8_t proto;    /* IPPROTO_TCP/UDP/ICMP/ICMPV6 or another number */
    uint8_t fragment; /* 1: a fragment (the first one, or a later one) */
    uint8_t l4;       /* 1: the transport header below was read (not a later fragment) */
    uint8_t src[16], dst[16];
    uint32_t ip_len; /* bytes of the IP packet as its header says */
    uint16_t sport, dport;
    uint8_t tcp_flags;
    uint32_t seq, ack;
    uint8_t icmp_type, icmp_code;
    uint8_t dns;    /* 1: a DNS header was read (UDP port 53 either side) */
    uint8_t dns_qr; /* 1 = response */
    uint8_t dns_rcode;
    uint16_t dns_id;
    uint16_t dns_qtype; /* 0 when the question was not captured */
} wire_pkt;

/* Dissects one frame of link type dlt: caplen bytes at p, of wirelen on the
 * wire. Fills *out (always; fields past the verdict's point are zero) and
 * returns the verdict. Unknown link types give WIRE_NOT_IP. */
wire_verdict wire_dissect(int dlt, const uint8_t *p, size_t caplen, size_t wirelen, wire_pkt *out);

/* Whether wire_dissect knows link type dlt. */
int wire_dlt_supported(int dlt);

#endif
