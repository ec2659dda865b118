/* Pure helpers of the HTTP server (no libmicrohttpd): listen addresses,
 * scrape deadlines, header checks and query arguments. Kept apart so unit
 * tests link them alone. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app-internal.h"
#include "exporter/error.h"

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t omx__http_deadline(const char *header, double *ret_seconds) {
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
                           size_t portlen) {
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

/* RFC 9110 token characters: a header name is one token. */
static bool is_tchar(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

bool omx__http_header_ok(const char *name, size_t name_len, const char *value, size_t value_len) {
    if (!name || !name_len)
        return false;
    for (size_t i = 0; i < name_len; i++)
        if (!is_tchar((unsigned char)name[i]))
            return false;
    for (size_t i = 0; value && i < value_len; i++) {
        unsigned char c = (unsigned char)value[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return false;
    }
    return true;
}

bool omx__http_value_ends_line(const char *value, size_t value_len, const char *next_name) {
    const char *p = value + value_len;
    if (*p)
        return false;
    p++;
    return p == next_name || *p == '\0' || *p == '\r' || *p == '\n' || *p == ' ' || *p == '\t';
}

static int hex_digit(unsigned char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* '+' to a space, then %XX (two hex digits) to its byte, in place; other
 * bytes, a lone '%' included, stay. Returns the decoded length. */
static size_t query_decode(char *s) {
    char *w = s;
    for (char *p = s; *p; p++)
        if (*p == '+')
            *p = ' ';
    for (const char *r = s; *r;) {
        int hi, lo;
        if (*r == '%' && (hi = hex_digit((unsigned char)r[1])) >= 0 &&
            (lo = hex_digit((unsigned char)r[2])) >= 0) {
            *w++ = (char)(hi << 4 | lo);
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

int omx__query_parse(omx__query *q, const char *raw, size_t len) {
    size_t max = 1;
    *q = (omx__query){0};
    if (!raw || !len)
        return 0;
    const char *nul = memchr(raw, '\0', len);
    if (nul)
        len = (size_t)(nul - raw);
    for (size_t i = 0; i < len; i++)
        max += raw[i] == '&';
    if (max > (SIZE_MAX - len - 1) / sizeof *q->args)
        return OMX_ENOMEM;
    omx__query_arg *args = malloc(max * sizeof *args + len + 1);
    if (!args)
        return OMX_ENOMEM;
    char *p = (char *)(args + max);
    memcpy(p, raw, len);
    p[len] = '\0';
    size_t n = 0;
    /* As libmicrohttpd: an empty rest ends the list, so "a&" is one argument
     * and "&" one with an empty key. */
    while (*p && n < max) {
        char *amp = strchr(p, '&');
        if (amp)
            *amp = '\0';
        char *eq = strchr(p, '=');
        if (eq)
            *eq = '\0';
        args[n].key = p;
        args[n].key_len = query_decode(p);
        args[n].value = eq ? eq + 1 : NULL;
        if (eq)
            query_decode(eq + 1);
        n++;
        if (!amp)
            break;
        p = amp + 1;
    }
    q->args = args;
    q->n = n;
    return 0;
}

void omx__query_clear(omx__query *q) {
    if (!q)
        return;
    free(q->args);
    *q = (omx__query){0};
}

static bool ascii_caseeq(const char *a, const char *b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x |= 0x20;
        if (y >= 'A' && y <= 'Z')
            y |= 0x20;
        if (x != y)
            return false;
    }
    return true;
}

const char *omx__query_get(const omx__query *q, const char *key) {
    if (!q || !key)
        return NULL;
    size_t len = strlen(key);
    for (size_t i = 0; i < q->n; i++)
        if (q->args[i].key_len == len && ascii_caseeq(q->args[i].key, key, len))
            return q->args[i].value;
    return NULL;
}
