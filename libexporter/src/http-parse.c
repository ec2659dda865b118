/* Pure helpers of the HTTP server (no libmicrohttpd): listen addresses and
 * scrape deadlines. Kept apart so unit tests link them alone. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app-internal.h"
#include "exporter/error.h"

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t omx__http_deadline(const char *header, double *ret_seconds)
{
    char *end;
    double t;
    if (ret_seconds)
        *ret_seconds = 0;
    if (!header || !*header)
        return 0;
    t = strtod(header, &end);
    while (*end == ' ')
        end++;
    if (*end || !isfinite(t) || t <= 0 || t > 86400)
        return 0;
    if (ret_seconds)
        *ret_seconds = t;
    double margin = t * 0.1 < 0.5 ? t * 0.1 : 0.5;
    return now_ns() + (int64_t)((t - margin) * 1e9);
}

int omx__http_parse_listen(const char *addr, char *host, size_t hostlen, char *port,
                           size_t portlen)
{
    const char *colon, *h, *he;
    if (!addr || !*addr)
        return OMX_EINVAL;
    if (addr[0] == '[') {
        he = strchr(addr, ']');
        if (!he || he[1] != ':')
            return OMX_EINVAL;
        h = addr + 1;
        colon = he + 1;
        if (he == h)
            return OMX_EINVAL;
    } else {
        colon = strrchr(addr, ':');
        if (!colon || memchr(addr, ':', (size_t)(colon - addr)))
            return OMX_EINVAL; /* bare IPv6 needs brackets */
        h = addr;
        he = colon;
    }
    const char *p = colon + 1;
    size_t plen = strlen(p);
    if (plen == 0 || plen > 5 || plen >= portlen || (size_t)(he - h) >= hostlen)
        return OMX_EINVAL;
    long v = 0;
    for (const char *q = p; *q; q++) {
        if (*q < '0' || *q > '9')
            return OMX_EINVAL;
        v = v * 10 + (*q - '0');
    }
    if (v > 65535)
        return OMX_EINVAL;
    memcpy(host, h, (size_t)(he - h));
    host[he - h] = '\0';
    memcpy(port, p, plen + 1);
    return 0;
}
