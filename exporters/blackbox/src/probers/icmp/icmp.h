/* The icmp prober's parsed section: blackbox_exporter 0.28's icmp_probe plus
 * our packet count (packets, interval). */
#ifndef BB_ICMP_H
#define BB_ICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "module.h"

typedef struct icmp_config {
    bb_ip_opts ip;
    int payload_size; /* 0: upstream's 28-byte text */
    bool dont_fragment;
    int ttl;             /* 1..255; 0 leaves the system default */
    int packets;         /* 0: upstream's single echo and metrics; else that many */
    int64_t interval_ns; /* between echoes when packets > 1 */
} icmp_config;

#define ICMP_DEFAULT_TTL 64
#define ICMP_MAX_PAYLOAD 65000
#define ICMP_MAX_PACKETS 1000
#define ICMP_DEFAULT_INTERVAL_NS 100000000LL /* 100ms */
#define ICMP_MIN_INTERVAL_NS 1000000LL       /* 1ms */

extern const icmp_config icmp_defaults;

int icmp_config_parse(omx_yaml *y, const omx_yaml_node *n, void **ret);
void icmp_config_free(void *cfg);
int icmp_config_dump(const void *cfg, omx_buf *out, int indent);

/* The echo payload: upstream's text, zero-padded or cut to size (0: the text). */
size_t icmp_payload(int payload_size, unsigned char *buf, size_t cap);
/* RFC 1071 checksum of len bytes. */
uint16_t icmp_checksum(const void *data, size_t len);

#endif
