/* The per-address connection counts (see http-peers.h): a chained hash table
 * keyed by the 16-byte address, seeded at random so that chosen addresses
 * cannot pile into one chain. */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "exporter/hash.h"
#include "http-peers.h"

#define N_BUCKETS 4096

struct omx__peer {
    struct omx__peer *next;
    unsigned char addr[16];
    unsigned count;
};

struct omx__peers {
    uint64_t seed;
    omx__peer *bucket[N_BUCKETS];
};

/* The address as 16 bytes (IPv4 mapped into IPv6). Returns 0 or -1. */
static int key_of(const struct sockaddr *sa, socklen_t len, unsigned char out[16]) {
    if (sa && sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &s4->sin_addr, 4);
        return 0;
    }
    if (sa && sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        memcpy(out, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
        return 0;
    }
    return -1;
}

static size_t hash(const omx__peers *p, const unsigned char k[16]) {
    uint64_t h = omx_fnv64_add(omx_fnv64_seeded(p->seed), k, 16);
    h ^= h >> 29;
    return (size_t)(h % N_BUCKETS);
}

omx__peers *omx__peers_new(void) {
    omx__peers *p = calloc(1, sizeof *p);
    if (p && getrandom(&p->seed, sizeof p->seed, GRND_NONBLOCK) != (ssize_t)sizeof p->seed)
        p->seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)p;
    return p;
}

omx__peers *omx__peers_free(omx__peers *p) {
    if (!p)
        return NULL;
    for (size_t i = 0; i < N_BUCKETS; i++)
        for (omx__peer *e = p->bucket[i], *n; e; e = n) {
            n = e->next;
            free(e);
        }
    free(p);
    return NULL;
}

omx__peer *omx__peers_add(omx__peers *p, const struct sockaddr *sa, socklen_t len, unsigned max) {
    unsigned char k[16];
    if (!p || key_of(sa, len, k) < 0)
        return NULL;
    size_t b = hash(p, k);
    omx__peer *e = p->bucket[b];
    while (e && memcmp(e->addr, k, 16))
        e = e->next;
    if (!e) {
        if (max == 0 || !(e = calloc(1, sizeof *e)))
            return NULL;
        memcpy(e->addr, k, 16);
        e->next = p->bucket[b];
        p->bucket[b] = e;
    }
    if (e->count >= max)
        return NULL;
    e->count++;
    return e;
}

void omx__peers_del(omx__peers *p, omx__peer *e) {
    if (!p || !e || --e->count > 0)
        return;
    omx__peer **pp = &p->bucket[hash(p, e->addr)];
    while (*pp && *pp != e)
        pp = &(*pp)->next;
    if (*pp)
        *pp = e->next;
    free(e);
}

unsigned omx__peers_count(const omx__peers *p, const struct sockaddr *sa, socklen_t len) {
    unsigned char k[16];
    if (!p || key_of(sa, len, k) < 0)
        return 0;
    for (const omx__peer *e = p->bucket[hash(p, k)]; e; e = e->next)
        if (!memcmp(e->addr, k, 16))
            return e->count;
    return 0;
}
