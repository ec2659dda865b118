/* omx-node: filter flags on libexporter's RE2-syntax regexes, with a memo of
 * the answers: the names a collector filters (netstat and vmstat fields,
 * devices) are the same every scrape, and a lookup costs a seventh of a JIT
 * match with its pcre2 set-up (callgrind, bench/node-floor.sh). */
#include "pattern.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/app.h>

#define MEMO_SLOTS 1024 /* a power of two */
#define MEMO_MAX 768    /* answers kept; names past that (device churn) are matched each time */
#define MEMO_PROBES 16
#define MEMO_NAME_MAX 255

typedef struct memo_entry {
    uint64_t hash;
    bool match;
    char name[]; /* NUL-terminated */
} memo_entry;

/* Insert-only and lock-free: an entry, once in a slot, never changes. */
struct node_memo {
    _Atomic(memo_entry *) slot[MEMO_SLOTS];
    atomic_uint n;
};

int node_regex_compile(node_regex *r, const char *flag, const char *pattern) {
    r->re = NULL;
    r->memo = NULL;
    r->set = false;
    if (!pattern || !*pattern)
        return 0;
    char err[256];
    int rc = omx_regex_new(pattern, 0, &r->re, err, sizeof err);
    if (rc == OMX_ENOMEM)
        return rc;
    if (rc < 0) {
        omx_log(OMX_LOG_ERROR, "invalid regular expression", "flag", flag, "regex", pattern, "err",
                err, NULL);
        return OMX_ECONFIG;
    }
    r->memo = calloc(1, sizeof *r->memo); /* none: every name is matched */
    r->set = true;
    return 0;
}

static uint64_t hash_name(const char *s, size_t len) {
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

static void memo_put(struct node_memo *m, size_t i, uint64_t h, const char *s, size_t len,
                     bool match) {
    if (atomic_load_explicit(&m->n, memory_order_relaxed) >= MEMO_MAX)
        return;
    memo_entry *e = malloc(sizeof *e + len + 1);
    if (!e)
        return;
    e->hash = h;
    e->match = match;
    memcpy(e->name, s, len + 1);
    memo_entry *expected = NULL;
    if (atomic_compare_exchange_strong_explicit(&m->slot[i], &expected, e, memory_order_release,
                                                memory_order_relaxed))
        atomic_fetch_add_explicit(&m->n, 1, memory_order_relaxed);
    else
        free(e); /* another thread took the slot: the answer is kept next time */
}

bool node_regex_match(const node_regex *r, const char *s) {
    if (!r->set)
        return false;
    size_t len = strlen(s);
    struct node_memo *m = r->memo;
    if (!m || len > MEMO_NAME_MAX)
        return omx_regex_match(r->re, s, len) == 1;
    uint64_t h = hash_name(s, len);
    for (size_t k = 0; k < MEMO_PROBES; k++) {
        size_t i = (h + k) & (MEMO_SLOTS - 1);
        memo_entry *e = atomic_load_explicit(&m->slot[i], memory_order_acquire);
        if (!e) {
            bool match = omx_regex_match(r->re, s, len) == 1;
            memo_put(m, i, h, s, len, match);
            return match;
        }
        if (e->hash == h && !strcmp(e->name, s))
            return e->match;
    }
    return omx_regex_match(r->re, s, len) == 1;
}

void node_regex_free(node_regex *r) {
    r->re = omx_regex_free(r->re);
    if (r->memo) {
        for (size_t i = 0; i < MEMO_SLOTS; i++)
            free(atomic_load_explicit(&r->memo->slot[i], memory_order_relaxed));
        free(r->memo);
        r->memo = NULL;
    }
    r->set = false;
}
