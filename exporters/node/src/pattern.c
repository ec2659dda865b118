/* omx-node: Go-flavoured patterns compiled with POSIX regcomp (no PCRE2 in omx-node). */
#include "pattern.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/app.h>

/* Rewrites the Perl shortcuts node_exporter's defaults and users rely on.
 * Returns a malloc'ed string or NULL. */
static char *translate(const char *p) {
    size_t n = strlen(p);
    char *out = malloc(n * 12 + 1);
    if (!out)
        return NULL;
    char *o = out;
    int in_bracket = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\\' && i + 1 < n) {
            const char *rep = NULL;
            switch (p[i + 1]) {
            case 'd': rep = in_bracket ? "0-9" : "[0-9]"; break;
            case 'D': rep = in_bracket ? NULL : "[^0-9]"; break;
            case 's': rep = in_bracket ? "[:space:]" : "[[:space:]]"; break;
            case 'S': rep = in_bracket ? NULL : "[^[:space:]]"; break;
            case 'w': rep = in_bracket ? "[:alnum:]_" : "[[:alnum:]_]"; break;
            case 'W': rep = in_bracket ? NULL : "[^[:alnum:]_]"; break;
            default: break;
            }
            if (rep) {
                size_t l = strlen(rep);
                memcpy(o, rep, l);
                o += l;
            } else {
                *o++ = c;
                *o++ = p[i + 1];
            }
            i++;
            continue;
        }
        if (!in_bracket && c == '(' && i + 2 < n && p[i + 1] == '?' && p[i + 2] == ':') {
            *o++ = '(';
            i += 2;
            continue;
        }
        if (c == '[' && !in_bracket) {
            in_bracket = 1;
            *o++ = c;
            /* a leading ] or ^] is literal */
            if (i + 1 < n && p[i + 1] == '^')
                *o++ = p[++i];
            if (i + 1 < n && p[i + 1] == ']')
                *o++ = p[++i];
            continue;
        }
        if (c == ']' && in_bracket)
            in_bracket = 0;
        *o++ = c;
    }
    *o = '\0';
    return out;
}

/* Memo table size limit (power of two); once half full, new strings are not
 * memoised so hostile names (e.g. many short-lived devices) cannot grow memory.
 * Slots are 12 bytes (hash, key offset, length, result) and keys live packed in one
 * arena, so a probe touches one cache line, not a 100-byte slot. The table starts
 * at MEMO_MIN slots and doubles when half full: a filter sees tens of names, and 8
 * filters at the full 24 KiB each were 0.2 MB of the exporter's anonymous memory. */
#define NODE_REGEX_MEMO 2048
#define MEMO_MIN 32
#define MEMO_KEY_MAX 96
#define MEMO_KEYS_CAP ((NODE_REGEX_MEMO / 2) * MEMO_KEY_MAX)

struct node_regex_memo {
    uint32_t hash;
    uint32_t off;   /* key offset in node_regex.keys */
    uint8_t len;
    int8_t state;   /* 0 empty, 1 no match, 2 match */
};

/* 8 bytes per multiply (the memo is probed for every field of /proc/net/netstat,
 * /proc/vmstat, ... each scrape; a byte-wise hash was a third of that). */
static uint64_t hash_mem(const char *s, size_t len) {
    uint64_t h = 0x9e3779b97f4a7c15ull ^ len;
    size_t k = 0;
    for (; k + 8 <= len; k += 8) {
        uint64_t w;
        memcpy(&w, s + k, 8);
        h = (h ^ w) * 0x9fb21c651e98df25ull;
        h ^= h >> 29;
    }
    uint64_t w = 0;
    memcpy(&w, s + k, len - k);
    h = (h ^ w) * 0x9fb21c651e98df25ull;
    return h ^ (h >> 32);
}

int node_regex_compile(node_regex *r, const char *flag, const char *pattern) {
    r->set = false;
    if (!pattern || !*pattern)
        return 0;
    char *ere = translate(pattern);
    if (!ere)
        return OMX_ENOMEM;
    int rc = regcomp(&r->re, ere, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char msg[256];
        regerror(rc, &r->re, msg, sizeof msg);
        omx_log(OMX_LOG_ERROR, "invalid regular expression", "flag", flag, "regex", pattern,
                "err", msg, NULL);
        free(ere);
        return OMX_ECONFIG;
    }
    r->set = true;
    r->compiled = true;
    r->ere = ere;
    pthread_mutex_init(&r->lock, NULL);
    r->memo = NULL; /* allocated by the first match; NULL: no memo, still correct */
    r->memo_cap = r->n_memo = 0;
    r->keys = NULL;
    r->keys_len = r->keys_cap = 0;
    return 0;
}

/* Appends key (len bytes) to r->keys; returns its offset or -1 (not memoised then). */
static long keys_add(node_regex *r, const char *s, size_t len) {
    if (r->keys_len + len > r->keys_cap) {
        size_t cap = r->keys_cap ? r->keys_cap * 2 : 2048;
        while (cap < r->keys_len + len)
            cap *= 2;
        if (cap > MEMO_KEYS_CAP)
            cap = MEMO_KEYS_CAP;
        if (r->keys_len + len > cap)
            return -1;
        char *k = realloc(r->keys, cap);
        if (!k)
            return -1;
        r->keys = k;
        r->keys_cap = cap;
    }
    memcpy(r->keys + r->keys_len, s, len);
    r->keys_len += len;
    return (long)(r->keys_len - len);
}

/* Makes room for one more memo entry (the table stays at most half full): 0,
 * OMX_ELIMIT when the table is at its limit or OMX_ENOMEM (not memoised then). */
static int memo_reserve(node_regex *r) {
    if (r->n_memo + 1 <= r->memo_cap / 2)
        return 0;
    if (r->memo_cap >= NODE_REGEX_MEMO)
        return OMX_ELIMIT;
    size_t cap = r->memo_cap ? r->memo_cap * 2 : MEMO_MIN;
    struct node_regex_memo *t = calloc(cap, sizeof *t);
    if (!t)
        return OMX_ENOMEM;
    for (size_t k = 0; k < r->memo_cap; k++) {
        struct node_regex_memo *m = &r->memo[k];
        if (m->state == 0)
            continue;
        size_t i = (size_t)hash_mem(r->keys + m->off, m->len) & (cap - 1);
        while (t[i].state != 0)
            i = (i + 1) & (cap - 1);
        t[i] = *m;
    }
    free(r->memo);
    r->memo = t;
    r->memo_cap = cap;
    return 0;
}

/* regexec with r->re compiled on demand (caller holds the lock). A compile
 * that fails now (memory) counts as no match: it compiled at start-up. */
static bool exec_locked(node_regex *r, const char *s) {
    if (!r->compiled) {
        if (regcomp(&r->re, r->ere, REG_EXTENDED | REG_NOSUB) != 0)
            return false;
        r->compiled = true;
    }
    return regexec(&r->re, s, 0, NULL, 0) == 0;
}

bool node_regex_match(const node_regex *cr, const char *s) {
    node_regex *r = (node_regex *)cr;
    if (!r->set)
        return false;
    size_t len = strlen(s);
    uint64_t h = hash_mem(s, len);
    pthread_mutex_lock(&r->lock);
    if (len >= MEMO_KEY_MAX) {
        bool m = exec_locked(r, s);
        pthread_mutex_unlock(&r->lock);
        return m;
    }
    uint32_t h32 = (uint32_t)(h >> 32);
    if (r->memo)
        for (size_t i = (size_t)h & (r->memo_cap - 1);; i = (i + 1) & (r->memo_cap - 1)) {
            struct node_regex_memo *m = &r->memo[i];
            if (m->state == 0)
                break;
            if (m->hash == h32 && m->len == len && !memcmp(r->keys + m->off, s, len)) {
                bool hit = m->state == 2;
                if (r->compiled) { /* the misses are over for now: drop the DFA cache */
                    regfree(&r->re);
                    r->compiled = false;
                    malloc_trim(0);
                }
                pthread_mutex_unlock(&r->lock);
                return hit;
            }
        }
    bool match = exec_locked(r, s);
    long off;
    if (memo_reserve(r) == 0 && (off = keys_add(r, s, len)) >= 0) {
        size_t i = (size_t)h & (r->memo_cap - 1);
        while (r->memo[i].state != 0)
            i = (i + 1) & (r->memo_cap - 1);
        r->memo[i] = (struct node_regex_memo){.hash = h32, .off = (uint32_t)off,
                                              .len = (uint8_t)len, .state = match ? 2 : 1};
        r->n_memo++;
    }
    pthread_mutex_unlock(&r->lock);
    return match;
}

void node_regex_free(node_regex *r) {
    if (!r->set)
        return;
    if (r->compiled)
        regfree(&r->re);
    free(r->ere);
    free(r->memo);
    free(r->keys);
    pthread_mutex_destroy(&r->lock);
    r->set = r->compiled = false;
    r->ere = NULL;
    r->memo = NULL;
    r->keys = NULL;
}
