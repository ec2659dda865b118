/* Name resolution for the probers, as upstream's chooseProtocol: one address
 * of the preferred family, or of the other when fallback is on. getaddrinfo
 * cannot be cancelled, so it runs on a detached thread the probe stops
 * waiting for at its deadline; the thread and the probe share the lookup by
 * reference count, and whichever ends last frees it. */
#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prober.h"

/* Lookups still running (abandoned ones too): past this, new ones fail
 * instead of piling up threads behind a dead resolver. */
#define BB_MAX_PENDING_LOOKUPS 256
static atomic_int pending_lookups;

typedef struct lookup {
    atomic_int refs;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    int family;
    int rc;
    struct addrinfo *res;
    char host[256];
} lookup;

static void lookup_unref(lookup *l) {
    if (atomic_fetch_sub(&l->refs, 1) != 1)
        return;
    if (l->res)
        freeaddrinfo(l->res);
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->cv);
    free(l);
}

static void *lookup_thread(void *arg) {
    lookup *l = arg;
    struct addrinfo hints = {.ai_family = l->family, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(l->host, NULL, &hints, &res);
    pthread_mutex_lock(&l->mu);
    l->rc = rc;
    l->res = res;
    l->done = true;
    pthread_cond_signal(&l->cv);
    pthread_mutex_unlock(&l->mu);
    atomic_fetch_sub(&pending_lookups, 1);
    lookup_unref(l);
    return NULL;
}

/* Resolves host within the deadline: 0 with *ret (freeaddrinfo), or a
 * negative code with why in msg. */
static int lookup_run(const bb_probe *p, const char *host, int family, struct addrinfo **ret,
                      char *msg, size_t msglen) {
    if (strlen(host) >= sizeof((lookup *)0)->host) {
        snprintf(msg, msglen, "host name too long");
        return -ENAMETOOLONG;
    }
    if (atomic_fetch_add(&pending_lookups, 1) >= BB_MAX_PENDING_LOOKUPS) {
        atomic_fetch_sub(&pending_lookups, 1);
        snprintf(msg, msglen, "too many name lookups pending");
        return -EAGAIN;
    }
    lookup *l = calloc(1, sizeof *l);
    if (!l) {
        atomic_fetch_sub(&pending_lookups, 1);
        snprintf(msg, msglen, "out of memory");
        return -ENOMEM;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&l->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&l->mu, NULL);
    atomic_init(&l->refs, 2);
    l->family = family;
    snprintf(l->host, sizeof l->host, "%s", host);

    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256u << 10);
    int err = pthread_create(&t, &attr, lookup_thread, l);
    pthread_attr_destroy(&attr);
    if (err) {
        atomic_fetch_sub(&pending_lookups, 1);
        atomic_store(&l->refs, 1);
        lookup_unref(l);
        snprintf(msg, msglen, "cannot start a lookup: %s", strerror(err));
        return -err;
    }

    struct timespec dl = {.tv_sec = (time_t)(p->deadline_ns / 1000000000),
                          .tv_nsec = (long)(p->deadline_ns % 1000000000)};
    int rc = 0;
    pthread_mutex_lock(&l->mu);
    while (!l->done)
        if (pthread_cond_timedwait(&l->cv, &l->mu, &dl) == ETIMEDOUT)
            break;
    if (!l->done) {
        snprintf(msg, msglen, "lookup timed out at the probe's deadline");
        rc = -ETIMEDOUT;
    } else if (l->rc != 0) {
        snprintf(msg, msglen, "%s", gai_strerror(l->rc));
        rc = l->rc == EAI_NONAME || l->rc == EAI_NODATA ? -ENOENT : -EHOSTUNREACH;
    } else {
        *ret = l->res;
        l->res = NULL;
    }
    pthread_mutex_unlock(&l->mu);
    lookup_unref(l);
    return rc;
}

static int ip_string(const struct sockaddr *sa, char *buf, size_t len) {
    const void *a = sa->sa_family == AF_INET
                        ? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
                        : (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
    return inet_ntop(sa->sa_family, a, buf, (socklen_t)len) ? 0 : -EINVAL;
}

/* FNV-1a 32 of the address bytes (4 for IPv4, 16 for IPv6), as upstream's ipHash. */
static double ip_hash(const struct sockaddr *sa) {
    const unsigned char *b;
    size_t n;
    if (sa->sa_family == AF_INET) {
        b = (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
        n = 4;
    } else {
        const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        b = IN6_IS_ADDR_V4MAPPED(a6) ? &a6->s6_addr[12] : a6->s6_addr;
        n = IN6_IS_ADDR_V4MAPPED(a6) ? 4 : 16;
    }
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 16777619u;
    }
    return (double)h;
}

static const char help_lookup[] = "Returns the time taken for probe dns lookup in seconds";
static const char help_proto[] = "Specifies whether probe ip protocol is IP4 or IP6";
static const char help_hash[] =
    "Specifies the hash of IP address. It's useful to detect if the IP address changes.";

int bb_resolve(bb_probe *p, const char *host, uint16_t port, const bb_ip_opts *ip,
               struct sockaddr_storage *ret, socklen_t *ret_len) {
    bb_ip_opts def;
    if (!ip) {
        bb_ip_opts_default(&def);
        ip = &def;
    }
    int want = ip->preferred == 4 ? AF_INET : AF_INET6;
    const char *proto = want == AF_INET ? "ip4" : "ip6";
    int rc = bb_result_gauge(p, "probe_ip_protocol", help_proto, 0);
    if (!rc)
        rc = bb_result_gauge(p, "probe_dns_lookup_time_seconds", help_lookup, 0);
    if (!rc)
        rc = bb_result_gauge(p, "probe_ip_addr_hash", help_hash, 0);
    if (rc < 0)
        return rc;
    if (!host || !*host) {
        bb_logf(p, OMX_LOG_ERROR, "Resolution with IP protocol failed: empty host");
        return -EINVAL;
    }
    bb_logf(p, OMX_LOG_DEBUG, "Resolving target address target=%s ip_protocol=%s", host, proto);
    int64_t start = bb_now_ns();

    /* Literals need no lookup (and no thread). */
    struct sockaddr_storage ss = {0};
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    struct addrinfo *res = NULL;
    char msg[256] = "";
    bool found = false;
    if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
        ss.ss_family = AF_INET;
        found = want == AF_INET || ip->fallback;
    } else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
        ss.ss_family = AF_INET6;
        found = want == AF_INET6 || ip->fallback;
    } else {
        rc = lookup_run(p, host, ip->fallback ? AF_UNSPEC : want, &res, msg, sizeof msg);
        const struct addrinfo *pick = NULL, *other = NULL;
        for (const struct addrinfo *a = res; a && !pick; a = a->ai_next) {
            if (a->ai_family == want)
                pick = a;
            else if (!other && (a->ai_family == AF_INET || a->ai_family == AF_INET6))
                other = a;
        }
        if (!pick && ip->fallback)
            pick = other;
        if (pick) {
            memcpy(&ss, pick->ai_addr, pick->ai_addrlen);
            found = true;
        }
        if (res)
            freeaddrinfo(res);
    }
    double took = (double)(bb_now_ns() - start) / 1e9;
    bb_result_gauge(p, "probe_dns_lookup_time_seconds", help_lookup, took);
    if (!found) {
        if (rc == 0)
            snprintf(msg, sizeof msg, "unable to find ip; no fallback");
        bb_logf(p, OMX_LOG_ERROR,
                "Resolution with IP protocol failed target=%s ip_protocol=%s err=%s", host, proto,
                msg);
        return rc < 0 ? rc : -EADDRNOTAVAIL;
    }
    char ipstr[INET6_ADDRSTRLEN] = "";
    ip_string((struct sockaddr *)&ss, ipstr, sizeof ipstr);
    bb_result_gauge(p, "probe_ip_protocol", help_proto, ss.ss_family == AF_INET ? 4 : 6);
    bb_result_gauge(p, "probe_ip_addr_hash", help_hash, ip_hash((struct sockaddr *)&ss));
    bb_logf(p, OMX_LOG_DEBUG, "Resolved target address target=%s ip=%s", host, ipstr);
    if (!bb_target_allowed(p->rt, host, (struct sockaddr *)&ss)) {
        bb_logf(p, OMX_LOG_ERROR, "Target not allowed by --probe.allowed-targets target=%s ip=%s",
                host, ipstr);
        return -EACCES;
    }
    if (ss.ss_family == AF_INET) {
        s4->sin_port = htons(port);
        *ret_len = sizeof *s4;
    } else {
        s6->sin6_port = htons(port);
        *ret_len = sizeof *s6;
    }
    *ret = ss;
    return 0;
}

int bb_resolve_target(bb_probe *p, const bb_ip_opts *ip, char *host, size_t host_len,
                      struct sockaddr_storage *ret, socklen_t *ret_len) {
    uint16_t port = 0;
    int rc = bb_split_host_port(p->target, host, host_len, &port, 0);
    if (rc < 0) {
        bb_logf(p, OMX_LOG_ERROR,
                "Error splitting target address and port: \"%.200s\" is not host:port", p->target);
        return rc;
    }
    rc = bb_resolve(p, host, port, ip, ret, ret_len);
    if (rc < 0)
        bb_logf(p, OMX_LOG_ERROR, "Error resolving address %s", host);
    return rc;
}
