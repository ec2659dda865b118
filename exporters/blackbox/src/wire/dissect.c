/* Packet dissector: every read is checked against what was captured (cap)
 * and against what the headers claim (the IP length), in that order. */
#include "dissect.h"

#include <string.h>

#define ETH_IP4 0x0800
#define ETH_IP6 0x86dd
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_QINQ_OLD 0x9100
#define MAX_VLAN_TAGS 2
#define MAX_IP6_EXT 8
#define MAX_DNS_LABELS 128

static const char *const reason_names[WIRE_VERDICTS] = {
    [WIRE_OK] = "",
    [WIRE_NOT_IP] = "",
    [WIRE_TRUNCATED] = "truncated",
    [WIRE_BAD_LINK] = "link_header",
    [WIRE_BAD_IP] = "ip_header",
    [WIRE_BAD_IP_LEN] = "ip_length",
    [WIRE_BAD_IP6_EXT] = "ipv6_extension",
    [WIRE_BAD_TCP] = "tcp_header",
    [WIRE_BAD_UDP] = "udp_length",
    [WIRE_BAD_ICMP] = "icmp_header",
    [WIRE_BAD_DNS] = "dns_header",
    [WIRE_BAD_DNS_NAME] = "dns_question",
};

const char *wire_reason_name(wire_verdict v) {
    return (unsigned)v < WIRE_VERDICTS ? reason_names[v] : "";
}

int wire_dlt_supported(int dlt) {
    switch (dlt) {
    case WIRE_DLT_NULL:
    case WIRE_DLT_EN10MB:
    case WIRE_DLT_RAW:
    case WIRE_DLT_RAW_BSD:
    case WIRE_DLT_LOOP:
    case WIRE_LINKTYPE_RAW:
    case WIRE_DLT_LINUX_SLL:
    case WIRE_DLT_IPV4:
    case WIRE_DLT_IPV6:
    case WIRE_DLT_LINUX_SLL2: return 1;
    default: return 0;
    }
}

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static inline uint32_t rd32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A short header: cut by the capture when the wire had the bytes, else bogus. */
static inline wire_verdict short_hdr(size_t need, size_t wire, wire_verdict bogus) {
    return need <= wire ? WIRE_TRUNCATED : bogus;
}

/* Question of a DNS message at p (len bytes captured, after the 12-byte
 * header): walks the name to read the type. A name that runs past the
 * capture leaves the type 0 (not malformed: the snap length cut it). */
static wire_verdict dns_question(const uint8_t *p, size_t cap, size_t len, wire_pkt *out) {
    size_t i = 0;
    for (int labels = 0;; labels++) {
        if (labels > MAX_DNS_LABELS)
            return WIRE_BAD_DNS_NAME;
        if (i >= cap)
            return i >= len ? WIRE_BAD_DNS_NAME : WIRE_OK;
        uint8_t l = p[i];
        if (l == 0) {
            i++;
            break;
        }
        if ((l & 0xc0) == 0xc0) { /* a pointer ends the name */
            i += 2;
            break;
        }
        if (l & 0xc0)
            return WIRE_BAD_DNS_NAME;
        i += 1 + (size_t)l;
        if (i > 255 + 1)
            return WIRE_BAD_DNS_NAME;
    }
    if (i + 4 > len)
        return WIRE_BAD_DNS_NAME;
    if (i + 4 <= cap)
        out->dns_qtype = rd16(p + i);
    return WIRE_OK;
}

/* UDP payload at p: cap bytes captured of len in the datagram. */
static wire_verdict dns(const uint8_t *p, size_t cap, size_t len, wire_pkt *out) {
    if (len < 12)
        return WIRE_BAD_DNS;
    if (cap < 12)
        return WIRE_TRUNCATED;
    out->dns = 1;
    out->dns_id = rd16(p);
    out->dns_qr = p[2] >> 7;
    out->dns_rcode = p[3] & 0x0f;
    if (rd16(p + 4) == 0) /* no question */
        return WIRE_OK;
    return dns_question(p + 12, cap - 12, len - 12, out);
}

/* Transport header at p: cap bytes captured, len bytes in the IP payload. */
static wire_verdict transport(const uint8_t *p, size_t cap, size_t len, wire_pkt *out) {
    switch (out->proto) {
    case 6: { /* TCP */
        if (cap < 20)
            return short_hdr(20, len, WIRE_BAD_TCP);
        size_t hl = (size_t)(p[12] >> 4) * 4;
        if (hl < 20 || hl > len)
            return WIRE_BAD_TCP;
        out->l4 = 1;
        out->sport = rd16(p);
        out->dport = rd16(p + 2);
        out->seq = rd32(p + 4);
        out->ack = rd32(p + 8);
        out->tcp_flags = p[13] & 0x3f;
        return WIRE_OK;
    }
    case 17: { /* UDP */
        if (cap < 8)
            return short_hdr(8, len, WIRE_BAD_UDP);
        size_t ul = rd16(p + 4);
        /* a first fragment holds only part of the datagram its length names */
        if (ul < 8 || (ul > len && !out->fragment))
            return WIRE_BAD_UDP;
        out->l4 = 1;
        out->sport = rd16(p);
        out->dport = rd16(p + 2);
        if ((out->sport == 53 || out->dport == 53) && !out->fragment)
            return dns(p + 8, cap - 8, ul - 8, out);
        if (out->sport == 53 || out->dport == 53) /* first fragment: header only */
            return cap - 8 >= 12 ? dns(p + 8, cap - 8, len - 8, out) : WIRE_OK;
        return WIRE_OK;
    }
    case 1:
    case 58: /* ICMP, ICMPv6 */
        if (cap < 4)
            return short_hdr(4, len, WIRE_BAD_ICMP);
        out->l4 = 1;
        out->icmp_type = p[0];
        out->icmp_code = p[1];
        return WIRE_OK;
    default: return WIRE_OK;
    }
}

/* IPv4 at p: cap bytes captured, wire bytes of frame left on the wire. */
static wire_verdict ip4(const uint8_t *p, size_t cap, size_t wire, wire_pkt *out) {
    if (cap < 20)
        return short_hdr(20, wire, WIRE_BAD_IP);
    size_t hl = (size_t)(p[0] & 0x0f) * 4;
    if (hl < 20)
        return WIRE_BAD_IP;
    size_t tl = rd16(p + 2);
    if (tl < hl || tl > wire)
        return WIRE_BAD_IP_LEN;
    if (cap < hl)
        return WIRE_TRUNCATED;
    out->family = 4;
    out->ip_len = (uint32_t)tl;
    out->proto = p[9];
    memcpy(out->src, p + 12, 4);
    memcpy(out->dst, p + 16, 4);
    uint16_t frag = rd16(p + 6);
    if (frag & 0x3fff) {
        out->fragment = 1;
        if (frag & 0x1fff) /* a later fragment: no transport header */
            return WIRE_OK;
    }
    if (cap > tl)
        cap = tl; /* Ethernet padding is not payload */
    return transport(p + hl, cap - hl, tl - hl, out);
}

static int ip6_ext(uint8_t nh) {
    return nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60 || nh == 135 || nh == 139 ||
           nh == 140;
}

static wire_verdict ip6(const uint8_t *p, size_t cap, size_t wire, wire_pkt *out) {
    if (cap < 40)
        return short_hdr(40, wire, WIRE_BAD_IP);
    size_t pl = rd16(p + 4);
    if (40 + pl > wire)
        return WIRE_BAD_IP_LEN;
    out->family = 6;
    out->ip_len = (uint32_t)(40 + pl);
    memcpy(out->src, p + 8, 16);
    memcpy(out->dst, p + 24, 16);
    size_t end = 40 + pl;
    if (cap > end)
        cap = end;
    uint8_t nh = p[6];
    size_t off = 40;
    for (int n = 0; ip6_ext(nh); n++) {
        if (n >= MAX_IP6_EXT)
            return WIRE_BAD_IP6_EXT;
        if (off + 8 > end)
            return WIRE_BAD_IP6_EXT;
        if (off + 8 > cap)
            return WIRE_TRUNCATED;
        size_t hl;
        if (nh == 44) { /* fragment header: fixed 8 bytes */
            hl = 8;
            out->fragment = 1;
            if (rd16(p + off + 2) & 0xfff8) { /* a later fragment */
                out->proto = p[off];
                return WIRE_OK;
            }
        } else if (nh == 51) { /* AH: length in 4-byte units minus 2 */
            hl = ((size_t)p[off + 1] + 2) * 4;
        } else {
            hl = ((size_t)p[off + 1] + 1) * 8;
        }
        if (off + hl > end)
            return WIRE_BAD_IP6_EXT;
        nh = p[off];
        off += hl;
    }
    out->proto = nh;
    if (nh == 59) /* no next header */
        return WIRE_OK;
    if (off > cap)
        return WIRE_TRUNCATED;
    return transport(p + off, cap - off, end - off, out);
}

/* Network layer by EtherType (or a version nibble when et is 0). */
static wire_verdict net(unsigned et, const uint8_t *p, size_t cap, size_t wire, wire_pkt *out) {
    if (et == 0) {
        if (cap < 1)
            return short_hdr(1, wire, WIRE_BAD_IP);
        et = (p[0] >> 4) == 4 ? ETH_IP4 : (p[0] >> 4) == 6 ? ETH_IP6 : 1;
        if (et == 1)
            return WIRE_BAD_IP;
    }
    if (et == ETH_IP4) {
        if (cap >= 1 && (p[0] >> 4) != 4)
            return WIRE_BAD_IP;
        return ip4(p, cap, wire, out);
    }
    if (et == ETH_IP6) {
        if (cap >= 1 && (p[0] >> 4) != 6)
            return WIRE_BAD_IP;
        return ip6(p, cap, wire, out);
    }
    return WIRE_NOT_IP;
}

wire_verdict wire_dissect(int dlt, const uint8_t *p, size_t caplen, size_t wirelen, wire_pkt *out) {
    memset(out, 0, sizeof *out);
    if (!p)
        return WIRE_TRUNCATED;
    if (wirelen < caplen)
        wirelen = caplen; /* a file may claim less than it holds: trust the bytes */
    size_t off;
    unsigned et;
    switch (dlt) {
    case WIRE_DLT_EN10MB: {
        if (caplen < 14)
            return short_hdr(14, wirelen, WIRE_BAD_LINK);
        et = rd16(p + 12);
        off = 14;
        for (int tags = 0; et == ETH_VLAN || et == ETH_QINQ || et == ETH_QINQ_OLD; tags++) {
            if (tags >= MAX_VLAN_TAGS)
                return WIRE_NOT_IP;
            if (caplen < off + 4)
                return short_hdr(off + 4, wirelen, WIRE_BAD_LINK);
            et = rd16(p + off + 2);
            off += 4;
        }
        break;
    }
    case WIRE_DLT_LINUX_SLL:
        if (caplen < 16)
            return short_hdr(16, wirelen, WIRE_BAD_LINK);
        et = rd16(p + 14);
        off = 16;
        break;
    case WIRE_DLT_LINUX_SLL2:
        if (caplen < 20)
            return short_hdr(20, wirelen, WIRE_BAD_LINK);
        et = rd16(p);
        off = 20;
        break;
    case WIRE_DLT_NULL:
    case WIRE_DLT_LOOP: {
        if (caplen < 4)
            return short_hdr(4, wirelen, WIRE_BAD_LINK);
        /* NULL: host byte order of the writer; LOOP: network order. Accept both. */
        uint32_t af = dlt == WIRE_DLT_LOOP ? rd32(p)
                                           : ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
                                              (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        if (af > 0xffff)
            af = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        et = af == 2 ? ETH_IP4 : (af == 10 || af == 24 || af == 28 || af == 30) ? ETH_IP6 : 1;
        off = 4;
        break;
    }
    case WIRE_DLT_RAW:
    case WIRE_DLT_RAW_BSD:
    case WIRE_LINKTYPE_RAW:
        et = 0;
        off = 0;
        break;
    case WIRE_DLT_IPV4:
        et = ETH_IP4;
        off = 0;
        break;
    case WIRE_DLT_IPV6:
        et = ETH_IP6;
        off = 0;
        break;
    default: return WIRE_NOT_IP;
    }
    return net(et, p + off, caplen - off, wirelen - off, out);
}
