/* The target allow-list: CIDRs compared bit by bit, host patterns by a
 * small '*' matcher (no backtracking blow-up: iterative with one restart point). */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allow.h"
#include "exporter/error.h"

typedef struct allow_entry {
    int family; /* AF_INET, AF_INET6, or 0 for a host pattern */
    unsigned char addr[16];
    int bits;
    char *pattern;
} allow_entry;

struct bb_allow {
    allow_entry *e;
    size_t n;
};

bb_allow *bb_allow_free(bb_allow *a) {
    if (!a)
        return NULL;
    for (size_t i = 0; i < a->n; i++)
        free(a->e[i].pattern);
    free(a->e);
    free(a);
    return NULL;
}

static int parse_one(const char *s, allow_entry *e, char *err, size_t errlen) {
    char buf[256];
    *e = (allow_entry){0};
    if (strlen(s) >= sizeof buf) {
        snprintf(err, errlen, "--probe.allowed-targets: entry too long: %.40s...", s);
        return OMX_EINVAL;
    }
    snprintf(buf, sizeof buf, "%s", s);
    char *slash = strchr(buf, '/');
    if (slash)
        *slash = 0;
    if (inet_pton(AF_INET, buf, e->addr) == 1) {
        e->family = AF_INET;
        e->bits = 32;
    } else if (inet_pton(AF_INET6, buf, e->addr) == 1) {
        e->family = AF_INET6;
        e->bits = 128;
    }
    if (e->family && slash) {
        char *end;
        long bits = strtol(slash + 1, &end, 10);
        if (!slash[1] || *end || bits < 0 || bits > e->bits) {
            snprintf(err, errlen, "--probe.allowed-targets: bad prefix length in '%s'", s);
            return OMX_EINVAL;
        }
        e->bits = (int)bits;
        return 0;
    }
    if (e->family)
        return 0;
    if (slash || !*buf) {
        snprintf(err, errlen, "--probe.allowed-targets: '%s' is neither a CIDR nor a host pattern",
                 s);
        return OMX_EINVAL;
    }
    for (const char *p = buf; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("-._*", *p)) {
            snprintf(err, errlen, "--probe.allowed-targets: bad character in host pattern '%s'", s);
            return OMX_EINVAL;
        }
    return (e->pattern = strdup(buf)) ? 0 : OMX_ENOMEM;
}

int bb_allow_parse(const char *const *specs, bb_allow **ret, char *err, size_t errlen) {
    bb_allow *a = NULL;
    *ret = NULL;
    for (size_t i = 0; specs && specs[i]; i++) {
        char *copy = strdup(specs[i]), *save = NULL;
        if (!copy) {
            bb_allow_free(a);
            return OMX_ENOMEM;
        }
        for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
            if (!a && !(a = calloc(1, sizeof *a))) {
                free(copy);
                return OMX_ENOMEM;
            }
            allow_entry *ne = realloc(a->e, (a->n + 1) * sizeof *ne);
            if (!ne) {
                free(copy);
                bb_allow_free(a);
                return OMX_ENOMEM;
            }
            a->e = ne;
            int rc = parse_one(tok, &a->e[a->n], err, errlen);
            if (rc < 0) {
                free(copy);
                bb_allow_free(a);
                return rc;
            }
            a->n++;
        }
        free(copy);
    }
    *ret = a;
    return 0;
}

/* '*' matches any run (also empty); case-insensitive. */
static bool glob(const char *pat, const char *s) {
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*pat == '*') {
            star = pat++;
            resume = s;
        } else if (*pat && tolower((unsigned char)*pat) == tolower((unsigned char)*s)) {
            pat++;
            s++;
        } else if (star) {
            pat = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*pat == '*')
        pat++;
    return !*pat;
}

static bool in_cidr(const allow_entry *e, const unsigned char *a) {
    int full = e->bits / 8, rest = e->bits % 8;
    if (memcmp(e->addr, a, (size_t)full))
        return false;
    if (!rest)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (e->addr[full] & mask) == (a[full] & mask);
}

bool bb_allow_check(const bb_allow *a, const char *host, const struct sockaddr *addr) {
    if (!a)
        return true;
    unsigned char ip[16];
    int fam = 0;
    if (addr && addr->sa_family == AF_INET) {
        memcpy(ip, &((const struct sockaddr_in *)addr)->sin_addr, 4);
        fam = AF_INET;
    } else if (addr && addr->sa_family == AF_INET6) {
        const struct in6_addr *a6 = &((const struct sockaddr_in6 *)addr)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(a6)) { /* ::ffff:10.0.0.1 is 10.0.0.1 */
            memcpy(ip, &a6->s6_addr[12], 4);
            fam = AF_INET;
        } else {
            memcpy(ip, a6, 16);
            fam = AF_INET6;
        }
    }
    for (size_t i = 0; i < a->n; i++) {
        const allow_entry *e = &a->e[i];
        if (e->pattern ? host && glob(e->pattern, host) : fam == e->family && in_cidr(e, ip))
            return true;
    }
    return false;
}
