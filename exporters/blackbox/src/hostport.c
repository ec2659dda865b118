/* "host:port", "[v6]:port", "host" and bare IPv6 literals, as Go's
 * net.SplitHostPort reads them (a bare v6 address has no port). */
#include <stdlib.h>
#include <string.h>

#include "prober.h"

static int copy(char *dst, size_t size, const char *s, size_t len) {
    if (len == 0 || len >= size)
        return -EINVAL;
    memcpy(dst, s, len);
    dst[len] = 0;
    return 0;
}

static int parse_port(const char *s, uint16_t *port) {
    char *end;
    if (!*s || strlen(s) > 5)
        return -EINVAL;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return -EINVAL;
    long v = strtol(s, &end, 10);
    if (v < 1 || v > 65535)
        return -EINVAL;
    *port = (uint16_t)v;
    return 0;
}

int bb_split_host_port(const char *target, char *host, size_t host_len, uint16_t *port,
                       uint16_t default_port) {
    if (!target || !host || !port)
        return -EINVAL;
    if (target[0] == '[') {
        const char *close = strchr(target, ']');
        if (!close || copy(host, host_len, target + 1, (size_t)(close - target - 1)) < 0)
            return -EINVAL;
        if (close[1] == ':')
            return parse_port(close + 2, port);
        if (close[1] || !default_port)
            return -EINVAL;
        *port = default_port;
        return 0;
    }
    const char *colon = strrchr(target, ':');
    if (colon && strchr(target, ':') != colon) { /* several colons: a bare v6 address */
        if (!default_port)
            return -EINVAL;
        *port = default_port;
        return copy(host, host_len, target, strlen(target));
    }
    if (colon) {
        if (copy(host, host_len, target, (size_t)(colon - target)) < 0)
            return -EINVAL;
        return parse_port(colon + 1, port);
    }
    if (!default_port)
        return -EINVAL;
    *port = default_port;
    return copy(host, host_len, target, strlen(target));
}
