/* Internals of the passive capture shared by its files: the parsed config,
 * address sets and the BPF filter it implies. */
#ifndef BB_WIRE_INT_H
#define BB_WIRE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define WIRE_MAX_IFACES 16
#define WIRE_MAX_PORTS 64
#define WIRE_MAX_RESOLVERS 32
#define WIRE_MAX_NETWORKS 16
#define WIRE_MAX_CIDRS 256
#define WIRE_MAX_BUCKETS 40
#define WIRE_MAX_TOP_PEERS 100
#define WIRE_MAX_FILTER 4096
#define WIRE_NAME_MAX 64

/* An address (bits 128/32) or a network. */
typedef struct wire_cidr {
    uint8_t family; /* 4 or 6 */
    uint8_t bits;
    uint8_t addr[16]; /* IPv4 in the first 4 bytes */
} wire_cidr;

typedef struct wire_network {
    char name[WIRE_NAME_MAX + 1];
    wire_cidr *cidrs; /* owned */
    size_t n;
} wire_network;

struct wire_config {
    char ifaces[WIRE_MAX_IFACES][16];
    size_t n_ifaces;
    char *filter; /* extra BPF ANDed with the default; owned, NULL = none */
    int snaplen;
    bool handshake_acks; /* let pure ACKs through for the server-side handshake */
    uint16_t ports[WIRE_MAX_PORTS];
    size_t n_ports;
    wire_cidr resolvers[WIRE_MAX_RESOLVERS];
    char resolver_names[WIRE_MAX_RESOLVERS][46];
    size_t n_resolvers;
    wire_cidr *local; /* owned */
    size_t n_local;
    wire_network nets[WIRE_MAX_NETWORKS];
    size_t n_nets;
    bool volume;
    size_t top_peers;
    size_t hs_table, dns_table;
    int64_t hs_timeout_ns, dns_timeout_ns;
    double hs_buckets[WIRE_MAX_BUCKETS];
    size_t n_hs_buckets;
    double dns_buckets[WIRE_MAX_BUCKETS];
    size_t n_dns_buckets;
};

/* A config holding the defaults; NULL on allocation failure. */
wire_config *wire_config_new(void);
/* A deep copy; NULL on allocation failure. */
wire_config *wire_config_copy(const wire_config *c);

/* Parses "10.0.0.0/8", "2001:db8::/32" or a bare address (a /32 or /128).
 * Host bits past the prefix are cleared. Returns 0 or -EINVAL. */
int wire_cidr_parse(const char *s, wire_cidr *ret);
bool wire_cidr_match(const wire_cidr *c, uint8_t family, const uint8_t *addr);
/* Formats c as text ("10.0.0.0/8"; a bare address when exact). */
void wire_cidr_format(const wire_cidr *c, char *out, size_t len);

/* The BPF program text a capture uses: the default (SYN/FIN/RST, pure ACKs
 * when handshake_acks, port 53, ICMP, fragments; every IP packet when volume
 * is on) ANDed with the user's filter. Returns 0 or -ENAMETOOLONG. */
int wire_filter_build(const wire_config *c, char *out, size_t len);

#endif
