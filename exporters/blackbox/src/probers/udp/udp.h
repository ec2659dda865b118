/* The udp prober's parsed section (ours: blackbox_exporter has no udp prober). */
#ifndef BB_UDP_H
#define BB_UDP_H

#include <stdbool.h>
#include <stddef.h>

#include "exporter/regex.h"
#include "module.h"

typedef struct udp_config {
    bb_ip_opts ip;
    unsigned char *payload; /* what is sent (may hold NUL bytes) */
    size_t payload_len;
    char *payload_src;   /* as written, for the dump */
    bool payload_is_hex; /* payload_hex rather than payload */
    omx_regex *expect;   /* NULL: no regex on the reply */
    char *expect_src;
    bool expect_reply;     /* wait for a reply (implied by expect) */
    size_t max_reply_size; /* a longer reply fails the probe */
} udp_config;

#define UDP_MAX_PAYLOAD 65507
#define UDP_DEFAULT_MAX_REPLY 65507

extern const udp_config udp_defaults;

int udp_config_parse(omx_yaml *y, const omx_yaml_node *n, void **ret);
void udp_config_free(void *cfg);
int udp_config_dump(const void *cfg, omx_buf *out, int indent);

/* Decodes hex digits (blanks, ':' and '-' between bytes allowed) into a
 * malloc'ed buffer. Returns 0, -EINVAL (odd count or not hex) or -ENOMEM. */
int udp_hex_decode(const char *s, unsigned char **ret, size_t *ret_len);

#endif
